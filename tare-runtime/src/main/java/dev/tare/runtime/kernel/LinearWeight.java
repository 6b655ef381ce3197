package dev.tare.runtime.kernel;

/**
 * A weight matrix W of shape [out, in] (the nn.Linear / safetensors layout) that computes y = x · Wᵀ.
 * Implementations are immutable and safe to call from several threads at once.
 */
public interface LinearWeight {
    int outFeatures();

    int inFeatures();

    /**
     * y[r*out + o] = Σ_k x[r*in + k] · W[o][k] for r in [0, rows). Overwrites y (length ≥ rows*out).
     * rows = 1 is the matrix-vector case (generation) and must be fast too.
     */
    void forward(float[] x, int rows, float[] y);

    /** Element W[o][k] as float (slow; for tests, LoRA merging and debugging). */
    float get(int o, int k);

    /**
     * Whether this kernel rounds its input activations to bf16 (a native bf16 weight): a layer whose q, k and v do so
     * runs its attention in bf16 too, as transformers' bf16 forward does. False for f32 kernels.
     */
    default boolean bf16Activations() { return false; }
}
