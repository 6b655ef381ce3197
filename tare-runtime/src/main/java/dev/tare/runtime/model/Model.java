package dev.tare.runtime.model;

/** A loaded checkpoint: a reward model (sequence classifier) or a causal LM. Close it to unmap the weights. */
public sealed interface Model extends AutoCloseable permits RewardModel, CausalLM {
    ModelConfig config();

    /** The decoder body (for hidden-state access). */
    Transformer body();

    /** The same model (shared weights) with its decoder's linear layers passed through {@code deco} (e.g. LoRA strength views). */
    Model withLinears(LinearDecorator deco);

    @Override void close();
}
