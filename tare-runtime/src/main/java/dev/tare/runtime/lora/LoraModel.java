package dev.tare.runtime.lora;

import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.model.CausalLM;
import dev.tare.runtime.model.LinearDecorator;
import dev.tare.runtime.model.Model;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        Set<String> seen = new LinkedHashSet<>();
        Set<String> all = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
        Map<String, Double> ones = Strengths.defaults(adapters);
        LinearDecorator deco = (module, base) -> {
            all.add(module);
            return decorate(module, base, adapters, ones, seen);
        };
        Model m = ModelLoader.load(baseDir, deco);
        try {
            for (LoraAdapter a : adapters)
                for (String mod : a.modules().keySet())
                    if (!seen.contains(mod))
                        throw new IllegalArgumentException("adapter '" + a.name() + "' (" + a.dir() + ") targets module " + mod + ", which base model " + baseDir + " does not have");
            for (LoraAdapter a : adapters) LoraBaseCheck.requireCoverage(a, all, baseDir);
            if (m instanceof RewardModel rm) {
                int want = rm.head().length;
                for (LoraAdapter a : adapters)
                    if (a.hasHead() && a.head().length != want)
                        throw new IllegalArgumentException("adapter '" + a.name() + "' head copy has " + a.head().length + " floats, the base score head " + want);
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new LoraModel(m, List.copyOf(adapters), ones, LoraBaseCheck.warnings(baseDir, adapters), true);
    }

    private static LinearWeight decorate(String module, LinearWeight base, List<LoraAdapter> adapters, Map<String, Double> strengths, Set<String> seen) {
        List<LoraLinear.Term> terms = new ArrayList<>();
        for (LoraAdapter a : adapters) {
            LoraAdapter.Module m = a.modules().get(module);
            if (m == null) continue;
            if (m.in() != base.inFeatures() || m.out() != base.outFeatures())
                throw new IllegalArgumentException("adapter '" + a.name() + "' module " + module + ": lora_A is [" + m.rank() + ", " + m.in() + "] and lora_B ["
                        + m.out() + ", " + m.rank() + "] but the base layer is [" + base.outFeatures() + ", " + base.inFeatures() + "]");
            terms.add(new LoraLinear.Term(a, m));
        }
        if (terms.isEmpty()) return base;
        synchronized (seen) { seen.add(module); }
        return new LoraLinear(base, terms, strengths);
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

    /** The reward model reading through the chosen head (shares the body and its LoRA layers). */
    public RewardModel rewardModel(HeadChoice head) {
        if (!(model instanceof RewardModel rm)) throw new IllegalStateException(model.config().architecture() + " is not a sequence classifier");
        if (head == HeadChoice.BASE) return rm;
        List<LoraAdapter> withHead = adapters.stream().filter(LoraAdapter::hasHead).toList();
        if (withHead.size() > 1)
            throw new IllegalStateException("adapters " + withHead.stream().map(LoraAdapter::name).toList() + " each carry a score head copy; PEFT allows one active modules_to_save: choose HeadChoice.BASE or load one of them");
        return withHead.isEmpty() ? rm : rm.withHead(withHead.get(0).head());
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
