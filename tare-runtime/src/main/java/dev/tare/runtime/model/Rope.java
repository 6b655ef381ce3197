package dev.tare.runtime.model;

/** Rotary position embedding in transformers' non-interleaved rotate_half form, with llama3/linear scaling. */
public final class Rope {
    private final float[] invFreq;
    private final int headDim;

    /** The rotation for one layer's RoPE parameters and head size. */
    public static Rope of(ModelConfig.RopeParams p, int headDim) { return new Rope(p, headDim); }

    Rope(ModelConfig.RopeParams p, int headDim) {
        this.headDim = headDim;
        int half = headDim / 2;
        invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            // transformers: 1 / base ** (arange(0, dim, 2).float() / dim), in float32
            float expo = (float) (2 * i) / headDim;
            float pw = (float) Math.pow(p.theta(), expo);
            invFreq[i] = 1.0f / pw;
        }
        ModelConfig.RopeScaling s = p.scaling();
        if (s != null && s.type().equals("linear")) {
            for (int i = 0; i < half; i++) invFreq[i] = (float) (invFreq[i] / s.factor());
        } else if (s != null && s.type().equals("llama3")) {
            double old = s.originalMaxPositions();
            double lowWavelen = old / s.lowFreqFactor();
            double highWavelen = old / s.highFreqFactor();
            for (int i = 0; i < half; i++) {
                float inv = invFreq[i];
                float wavelen = (float) (2 * Math.PI) / inv;
                float scaled;
                if (wavelen > lowWavelen) scaled = (float) (inv / s.factor());
                else if (wavelen < highWavelen) scaled = inv;
                else {
                    float smooth = (float) ((old / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor()));
                    scaled = (1 - smooth) * (float) (inv / s.factor()) + smooth * inv;
                }
                invFreq[i] = scaled;
            }
        }
    }

    /** The inverse frequencies after scaling (transformers' inv_freq buffer). */
    public float[] invFreq() { return invFreq.clone(); }

    /** Rotates {@code heads} consecutive head vectors at {@code x[off..]} for position {@code pos}. */
    public void apply(float[] x, int off, int heads, int pos) { rotate(x, off, heads, pos, false); }

    /** The transpose (inverse) rotation: maps a gradient w.r.t. rotated vectors to one w.r.t. the vectors before {@link #apply}. */
    public void applyTransposed(float[] x, int off, int heads, int pos) { rotate(x, off, heads, pos, true); }

    private void rotate(float[] x, int off, int heads, int pos, boolean transposed) {
        int half = headDim / 2;
        float[] cos = new float[half], sin = new float[half];
        for (int i = 0; i < half; i++) {
            float a = (float) pos * invFreq[i];
            cos[i] = (float) Math.cos(a);
            sin[i] = (float) Math.sin(a);
        }
        for (int h = 0; h < heads; h++) {
            int b = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[b + i], x2 = x[b + i + half], s = transposed ? -sin[i] : sin[i];
                x[b + i] = x1 * cos[i] - x2 * s;
                x[b + i + half] = x2 * cos[i] + x1 * s;
            }
        }
    }
}
