package dev.tare.train.grad;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.Kernels;

import java.lang.foreign.MemorySegment;

/** The float32 matrix products of backward passes that have no fixed weight: on the runtime's packed kernels. */
final class Mat {
    private Mat() {}

    /** c[n, k] += scale · Σ_t a[t, n]·b[t, k] for a [T, N], b [T, K] (a weight gradient dyᵀ·x). */
    static void addTransposedTimes(float[] a, float[] b, int T, int N, int K, float scale, float[] c) {
        float[] at = transpose(a, T, N), bt = transpose(b, T, K);
        float[] out = new float[N * K];
        Kernels.linear(MemorySegment.ofArray(bt), DType.F32, K, T).forward(at, N, out);
        for (int i = 0; i < out.length; i++) c[i] += scale * out[i];
    }

    /** y[T, K] = x[T, N]·m[N, K] (m not a stored weight, e.g. a LoRA B being trained). */
    static void times(float[] x, int T, float[] m, int N, int K, float[] y) {
        Kernels.linear(MemorySegment.ofArray(transpose(m, N, K)), DType.F32, K, N).forward(x, T, y);
    }

    /** y[T, N] = x[T, K]·m[N, K]ᵀ. */
    static void timesTransposed(float[] x, int T, float[] m, int N, int K, float[] y) {
        Kernels.linear(MemorySegment.ofArray(m), DType.F32, N, K).forward(x, T, y);
    }

    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }
}
