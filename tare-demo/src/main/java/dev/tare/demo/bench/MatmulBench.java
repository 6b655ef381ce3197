package dev.tare.demo.bench;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.kernel.PeakFlops;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Times y = x·Wᵀ through {@link Kernels#linear} for one shape and weight type; reports GFLOP/s over repeats. */
public final class MatmulBench {
    /** GFLOP/s per repeat, sorted ascending. */
    public record Result(int rows, int in, int out, DType dtype, double[] gflops, double perCpuSecond) {
        public double best() { return gflops[gflops.length - 1]; }
        public double median() { return gflops[gflops.length / 2]; }
        public double worst() { return gflops[0]; }
    }

    private MatmulBench() {}

    /** Times {@link Kernels#linear} (the kernel {@code -Dtare.kernel} selects) on seeded random weights and inputs. */
    public static Result run(int rows, int in, int out, DType dtype, int repeats, long seed) {
        return run(rows, in, out, dtype, repeats, seed, Kernels.configured());
    }

    /** As {@link #run(int, int, int, DType, int, long)} with the kernel given. */
    public static Result run(int rows, int in, int out, DType dtype, int repeats, long seed, Kernels.Choice kernel) {
        return time(Kernels.linear(randomWeights(in, out, dtype, seed), dtype, out, in, kernel), dtype, rows, repeats, seed);
    }

    /** Seeded random [out, in] weights of {@code dtype}, values in ±0.05 (the same for the same seed). */
    public static MemorySegment randomWeights(int in, int out, DType dtype, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MemorySegment w = Arena.ofAuto().allocate((long) out * in * dtype.bytes(), 64);
        for (long i = 0; i < (long) out * in; i++) {
            float v = (float) (rnd.nextDouble() * 2 - 1) * 0.05f;
            if (dtype == DType.F32) w.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
            else if (dtype == DType.BF16) w.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, DType.toBf16(v));
            else w.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
        }
        return w;
    }

    /** Times {@code lw.forward} on {@code rows} seeded random input rows: warm-up, then {@code repeats} timed calls. */
    public static Result time(LinearWeight lw, DType dtype, int rows, int repeats, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        int in = lw.inFeatures(), out = lw.outFeatures();
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        float[] y = new float[rows * out];
        double flops = 2.0 * rows * in * out;
        // warm up for 1.5 s (at least 3 calls): a cap on the call count let a fast one-row product reach its timed
        // calls before C2 had compiled its loop (2.4 instead of ~40 GFLOP/s in one run)
        long warmEnd = System.nanoTime() + 1_500_000_000L;
        int warm = 0;
        while (warm < 3 || System.nanoTime() < warmEnd) { lw.forward(x, rows, y); warm++; }
        double[] g = new double[repeats];
        long cpu0 = PeakFlops.processCpuNanos();
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            lw.forward(x, rows, y);
            g[r] = flops / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
        double cpu = (PeakFlops.processCpuNanos() - cpu0) / 1e9;
        Arrays.sort(g);
        return new Result(rows, in, out, dtype, g, cpu0 >= 0 && cpu > 0 ? flops * repeats / cpu / 1e9 : Double.NaN);
    }
}
