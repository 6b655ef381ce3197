package dev.tare.train.grad;

import dev.tare.runtime.model.VecOps;

/** RMSNorm as transformers computes it in float32 (w·x·r, Gemma: (1+w)·x·r with r = 1/√(mean(x²)+ε)) and its backward. */
final class Norms {
    private Norms() {}

    static float inverseRms(float[] x, int o, int n, float eps) {
        float var = (float) (VecOps.sumSquares(x, o, n) / n);
        return (float) (1.0 / Math.sqrt(var + eps));
    }

    /** out = norm(in) over {@code rows} vectors of {@code n}. */
    static void rms(float[] in, float[] out, int rows, int n, float[] w, boolean onePlus, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            float inv = inverseRms(in, o, n, eps);
            if (onePlus) for (int i = 0; i < n; i++) out[o + i] = in[o + i] * inv * (1f + w[i]);
            else for (int i = 0; i < n; i++) out[o + i] = w[i] * (in[o + i] * inv);
        }
    }

    /**
     * dL/dx of y = norm(x) given dL/dy: r·w'⊙g − (r³/n)·x·Σ(g⊙w'⊙x); adds Σ_rows g⊙x·r to the weight's gradient
     * when it is trainable.
     */
    static float[] rmsBackward(float[] x, float[] dy, int rows, int n, Param weight, boolean onePlus, float eps) {
        float[] w = weight.value(), gw = weight.grad();
        float[] dx = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            float inv = inverseRms(x, o, n, eps);
            double dot = 0;
            for (int i = 0; i < n; i++) {
                float wi = onePlus ? 1f + w[i] : w[i];
                dot += (double) dy[o + i] * wi * x[o + i];
            }
            float c = (float) (dot * inv * inv * inv / n);
            for (int i = 0; i < n; i++) {
                float wi = onePlus ? 1f + w[i] : w[i];
                dx[o + i] = inv * wi * dy[o + i] - c * x[o + i];
            }
            if (gw != null) for (int i = 0; i < n; i++) gw[i] += dy[o + i] * x[o + i] * inv;
        }
        return dx;
    }
}
