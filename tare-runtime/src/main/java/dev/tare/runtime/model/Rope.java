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

    /** {@link #apply} on a token's query heads and key heads, with the angles for {@code pos} computed once. */
    public void apply(float[] q, int qOff, int qHeads, float[] k, int kOff, int kHeads, int pos) {
        int half = headDim / 2;
        float[] cs = new float[2 * half];
        angles(pos, cs);
        turn(q, qOff, qHeads, cs, false);
        turn(k, kOff, kHeads, cs, false);
    }

    private void rotate(float[] x, int off, int heads, int pos, boolean transposed) {
        float[] cs = new float[headDim];
        angles(pos, cs);
        turn(x, off, heads, cs, transposed);
    }

    /** cs[i] = cos(pos·invFreq[i]), cs[half + i] = sin(pos·invFreq[i]), in transformers' float32 angle. */
    private void angles(int pos, float[] cs) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            float a = (float) pos * invFreq[i];
            cs[i] = (float) Math.cos(a);
            cs[half + i] = (float) Math.sin(a);
        }
    }

    private void turn(float[] x, int off, int heads, float[] cs, boolean transposed) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int b = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[b + i], x2 = x[b + i + half], c = cs[i], s = transposed ? -cs[half + i] : cs[half + i];
                x[b + i] = x1 * c - x2 * s;
                x[b + i + half] = x2 * c + x1 * s;
            }
        }
    }
}
