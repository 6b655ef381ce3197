package dev.tare.runtime.lora;

import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.model.CausalLM;
import dev.tare.runtime.model.LinearDecorator;
import dev.tare.runtime.model.Model;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A base checkpoint with LoRA adapters applied unmerged (one copy of the base weights), each adapter at a signed
 * strength λ bound to this model. {@link #withStrengths} gives a view at other strengths that shares the loaded
 * weights, so several strengths can be scored at once on one loaded base.
 */
public final class LoraModel implements AutoCloseable {
    private final Model model;
    private final List<LoraAdapter> adapters;
    private final Map<String, Double> strengths;
    private final List<String> warnings;
    private final boolean owner;

    private LoraModel(Model model, List<LoraAdapter> adapters, Map<String, Double> strengths, List<String> warnings, boolean owner) {
        this.model = model;
        this.adapters = adapters;
        this.strengths = strengths;
        this.warnings = warnings;
        this.owner = owner;
    }

    /**
     * Loads {@code baseDir} and attaches {@code adapters}, each at strength 1 (PEFT's default; see {@link #withStrengths}).
     * Every adapter module must exist in the base with matching shapes, and every base layer the adapter config
     * targets must have LoRA tensors ({@link LoraBaseCheck}).
     */
    public static LoraModel open(Path baseDir, List<LoraAdapter> adapters) {
        if (adapters.isEmpty()) throw new IllegalArgumentException("no adapters");
        Map<String, Double> ones = Strengths.defaults(adapters);
        Map<String, int[]> linears = new ConcurrentHashMap<>();
        LinearDecorator deco = (module, base) -> {
            linears.put(module, new int[]{base.outFeatures(), base.inFeatures()});
            return decorate(module, base, adapters, ones);
        };
        Model m = ModelLoader.load(baseDir, deco);
        try {
            LoraBaseCheck.requireFit(adapters, linears, m instanceof RewardModel rm && !rm.isGated() ? rm.head().length : -1, baseDir);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new LoraModel(m, List.copyOf(adapters), ones, LoraBaseCheck.warnings(baseDir, adapters), true);
    }

    /** The base layer with the adapters' terms on {@code module} (shapes are checked once the whole base is seen). */
    private static LinearWeight decorate(String module, LinearWeight base, List<LoraAdapter> adapters, Map<String, Double> strengths) {
        List<LoraLinear.Term> terms = new ArrayList<>();
        for (LoraAdapter a : adapters) {
            LoraAdapter.Module m = a.modules().get(module);
            if (m != null) terms.add(new LoraLinear.Term(a, m));
        }
        return terms.isEmpty() ? base : new LoraLinear(base, terms, strengths);
    }

    /**
     * A view of this model with the adapters named in {@code strengths} at those signed strengths (the others keep
     * theirs). It shares the base weights, the adapters and the activation buffers (nothing is copied or reloaded),
     * runs at the same time as this model and other views, and leaves them unchanged. Closing a view does nothing;
     * the weights stay mapped until the model from {@link #open} is closed.
     */
    public LoraModel withStrengths(Map<String, Double> strengths) {
        Map<String, Double> s = Strengths.bind(adapters, this.strengths, strengths);
        Model view = model.withLinears((module, w) -> w instanceof LoraLinear l ? l.bind(s) : w);
        return new LoraModel(view, adapters, s, warnings, false);
    }

    /** The signed strength λ of each adapter, by name in adapter order (every layer's scaling is λ·alpha/r). */
    public Map<String, Double> strengths() { return strengths; }

    /** The signed strength of the adapter called {@code name}. */
    public double strength(String name) { return strengths.get(adapter(name).name()); }

    public List<LoraAdapter> adapters() { return adapters; }

    /** Warnings to show the user (config quirks, a base_model_name_or_path that does not name this base), each naming the adapter folder. */
    public List<String> warnings() { return warnings; }

    /** The adapter called {@code name}. */
    public LoraAdapter adapter(String name) {
        return adapters.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no adapter '" + name + "'; have " + adapters.stream().map(LoraAdapter::name).toList()));
    }

    /** The underlying model (a RewardModel or CausalLM with the LoRA layers in place). */
    public Model model() { return model; }

    /** The reward model reading through the chosen head ({@link LoraBaseCheck#headSource}); shares the body and its LoRA layers. */
    public RewardModel rewardModel(HeadChoice head) {
        if (!(model instanceof RewardModel rm)) throw new IllegalStateException(model.config().architecture() + " is not a sequence classifier");
        return LoraBaseCheck.headSource(adapters, head).map(a -> rm.withHead(a.head())).orElse(rm);
    }

    /** The causal LM view. */
    public CausalLM causalLM() {
        if (!(model instanceof CausalLM lm)) throw new IllegalStateException(model.config().architecture() + " is not a causal LM");
        return lm;
    }

    /** Unmaps the base weights (only the model returned by {@link #open}; a view's close does nothing). */
    @Override public void close() {
        if (owner) model.close();
    }
}
