package dev.tare.train;

import java.util.List;

/**
 * What LoRA to train, in PEFT's terms: target module names (last name part, e.g. {@code q_proj}), rank r, lora_alpha,
 * lora_dropout and rsLoRA (scaling alpha/√r instead of alpha/r).
 */
public record LoraSpec(List<String> targets, int r, double alpha, double dropout, boolean rslora) {
    /** The decoder linear modules a target may name. */
    public static final List<String> MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraSpec {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) throw new IllegalArgumentException("no LoRA target modules");
        for (String t : targets)
            if (!MODULES.contains(t)) throw new IllegalArgumentException("LoRA target '" + t + "' is not a decoder linear module; use some of " + MODULES);
        if (targets.stream().distinct().count() != targets.size()) throw new IllegalArgumentException("LoRA targets repeat a module: " + targets);
        if (r < 1) throw new IllegalArgumentException("LoRA rank r must be ≥ 1, got " + r);
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("lora_alpha must be > 0, got " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
    }

    /** The layer scaling PEFT applies to B·A: alpha/r, or alpha/√r with rsLoRA. */
    public double scaling() { return rslora ? alpha / Math.sqrt(r) : alpha / r; }
}
