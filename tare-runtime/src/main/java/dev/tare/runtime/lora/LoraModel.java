package dev.tare.runtime.lora;

import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.model.CausalLM;
import dev.tare.runtime.model.LinearDecorator;
import dev.tare.runtime.model.Model;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A base checkpoint with LoRA adapters applied unmerged (one copy of the base weights). Each adapter keeps its own
 * signed strength ({@link LoraAdapter#setStrength}), read at every forward pass.
 */
public final class LoraModel implements AutoCloseable {
    private final Model model;
    private final List<LoraAdapter> adapters;
    private final List<String> warnings;

    private LoraModel(Model model, List<LoraAdapter> adapters, List<String> warnings) {
        this.model = model;
        this.adapters = adapters;
        this.warnings = warnings;
    }

    /**
     * Loads {@code baseDir} and attaches {@code adapters}. Every adapter module must exist in the base with matching
     * shapes, and every base layer the adapter config targets must have LoRA tensors ({@link LoraBaseCheck}).
     */
    public static LoraModel open(Path baseDir, List<LoraAdapter> adapters) {
        if (adapters.isEmpty()) throw new IllegalArgumentException("no adapters");
        Set<String> names = new HashSet<>();
        for (LoraAdapter a : adapters) if (!names.add(a.name())) throw new IllegalArgumentException("two adapters named '" + a.name() + "'");
        Set<String> seen = new LinkedHashSet<>();
        Set<String> all = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
        LinearDecorator deco = (module, base) -> {
            all.add(module);
            return decorate(module, base, adapters, seen);
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
        return new LoraModel(m, List.copyOf(adapters), LoraBaseCheck.warnings(baseDir, adapters));
    }

    private static LinearWeight decorate(String module, LinearWeight base, List<LoraAdapter> adapters, Set<String> seen) {
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
        return new LoraLinear(base, terms);
    }

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

    @Override public void close() { model.close(); }
}
