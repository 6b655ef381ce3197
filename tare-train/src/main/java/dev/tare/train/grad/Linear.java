package dev.tare.train.grad;

import java.util.SplittableRandom;

/**
 * A linear layer of the trainable decoder: y = x·Wᵀ + b + s·(drop(x)·Aᵀ)·Bᵀ, as PEFT's LoRA Linear computes it in
 * training (dropout on the LoRA input only, inverted-scaled by 1/(1−p)), with its backward pass.
 */
final class Linear {
    /** A LoRA term: A [r, in], B [out, r], scaling alpha/r (or alpha/√r), dropout probability. */
    record Lora(Param a, Param b, float scaling, float dropout) {
        int rank() { return a.shape()[0]; }
    }

    /** What the backward pass needs of one forward: the LoRA input after dropout, its dropout mask and x·Aᵀ. */
    record Tape(float[] dropped, boolean[] keep, float[] u) {}

    final String module;   // e.g. model.layers.0.self_attn.q_proj
    final Param w;         // [out, in]
    final Param bias;      // [out] or null
    Lora lora;             // null: no LoRA term

    Linear(String module, Param w, Param bias) {
        this.module = module;
        this.w = w;
        this.bias = bias;
    }

    int out() { return w.shape()[0]; }

    int in() { return w.shape()[1]; }

    /** y = layer(x) over T rows; {@code dropoutSeed} fixes the dropout mask, so a recomputation draws the same one. */
    Tape forward(float[] x, int T, float[] y, long dropoutSeed, boolean training) {
        int out = out(), in = in();
        w.timesTransposed(x, T, y);
        if (bias != null) {
            float[] b = bias.value();
            for (int r = 0; r < T; r++) for (int i = 0; i < out; i++) y[r * out + i] += b[i];
        }
        if (lora == null) return null;
        float[] dropped = x;
        boolean[] keep = null;
        if (training && lora.dropout() > 0f) {
            float p = lora.dropout(), inv = 1f / (1f - p);
            SplittableRandom rng = new SplittableRandom(dropoutSeed ^ (module.hashCode() * 0x9E3779B97F4A7C15L));
            dropped = new float[T * in];
            keep = new boolean[T * in];
            for (int i = 0; i < dropped.length; i++) {
                keep[i] = rng.nextDouble() >= p;
                dropped[i] = keep[i] ? x[i] * inv : 0f;
            }
        }
        int r = lora.rank();
        float[] u = new float[T * r];
        Mat.timesTransposed(dropped, T, lora.a().value(), r, in, u);
        float[] bu = new float[T * out];
        Mat.timesTransposed(u, T, lora.b().value(), out, r, bu);
        float s = lora.scaling();
        for (int i = 0; i < bu.length; i++) y[i] += s * bu[i];
        return new Tape(dropped, keep, u);
    }

    /** Adds dL/dx to {@code dx} and accumulates the gradients of the trainable parameters, given dL/dy. */
    void backward(float[] x, float[] dy, int T, float[] dx, Tape tape) {
        int out = out(), in = in();
        float[] t = new float[T * in];
        w.times(dy, T, t);
        for (int i = 0; i < t.length; i++) dx[i] += t[i];
        if (w.trainable()) Mat.addTransposedTimes(dy, x, T, out, in, 1f, w.grad());
        if (bias != null && bias.trainable()) {
            float[] g = bias.grad();
            for (int r = 0; r < T; r++) for (int i = 0; i < out; i++) g[i] += dy[r * out + i];
        }
        if (lora == null) return;
        int r = lora.rank();
        float s = lora.scaling();
        Param a = lora.a(), b = lora.b();
        if (b.trainable()) Mat.addTransposedTimes(dy, tape.u(), T, out, r, s, b.grad());
        float[] du = new float[T * r];
        Mat.times(dy, T, b.value(), out, r, du);
        for (int i = 0; i < du.length; i++) du[i] *= s;
        if (a.trainable()) Mat.addTransposedTimes(du, tape.dropped(), T, r, in, 1f, a.grad());
        float[] dd = new float[T * in];
        Mat.times(du, T, a.value(), r, in, dd);
        if (tape.keep() == null) {
            for (int i = 0; i < dd.length; i++) dx[i] += dd[i];
        } else {
            float inv = 1f / (1f - lora.dropout());
            for (int i = 0; i < dd.length; i++) if (tape.keep()[i]) dx[i] += dd[i] * inv;
        }
    }
}
