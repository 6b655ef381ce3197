package dev.tare.demo.bench;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products (one row: a generation step) over more BF16 weights than the caches hold, against this
 * machine's measured memory read bandwidth: how near the memory limit the generation path runs.
 */
public final class MemoryBench {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    /** The matrices cycled through: Qwen2.5-0.5B's MLP up projection, 896 → 4864, 8.3 MiB each in BF16. */
    public static final int IN = 896, OUT = 4864;
    /** The sizes {@link #run} accepts, in MiB: at least one whole matrix, at most 1 TiB. */
    public static final long MIN_MIB = 16, MAX_MIB = 1L << 20;

    /** Read bandwidth (GB/s, best of the repeats) and weight bytes streamed per second by each kernel (NaN when not run). */
    public record Result(long weightBytes, int matrices, double readGBs, double javaGBs, double nativeGBs) {
        /** Java's rate as a fraction of the read bandwidth. */
        public double javaShare() { return javaGBs / readGBs; }
        /** Native's rate as a fraction of the read bandwidth (NaN when native did not run). */
        public double nativeShare() { return nativeGBs / readGBs; }
    }

    private MemoryBench() {}

    /**
     * Measures the read bandwidth over a buffer of {@code mib} MiB on every kernel thread, then times one-row products
     * cycling through {@code mib} MiB of BF16 weights on the Java kernel and, when {@code withNative}, the native one.
     */
    public static Result run(long mib, int repeats, boolean withNative, PrintStream err) {
        if (mib < MIN_MIB || mib > MAX_MIB) throw new IllegalArgumentException("weight MiB " + mib + " is outside " + MIN_MIB + ".." + MAX_MIB);
        if (repeats < 1) throw new IllegalArgumentException("repeats " + repeats + " < 1");
        long bytes = mib << 20;
        err.printf("measuring memory read bandwidth over %d MiB ...%n", mib);
        double read = readBandwidth(bytes, repeats);
        int matrices = (int) Math.max(1, bytes / (2L * IN * OUT));
        double java = gemvRate(matrices, Kernels.Choice.JAVA, repeats, err);
        double nat = withNative ? gemvRate(matrices, Kernels.Choice.NATIVE, repeats, err) : Double.NaN;
        return new Result(2L * IN * OUT * matrices, matrices, read, java, nat);
    }

    /** Best GB/s over {@code repeats} passes summing a {@code bytes}-byte buffer, one contiguous part per kernel thread. */
    static double readBandwidth(long bytes, int repeats) {
        int threads = KernelPool.threads();
        long part = bytes / threads / 256 * 256;
        double best = 0;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment m = arena.allocate(part * threads, 64);
            m.fill((byte) 1);
            float[] sink = new float[threads];
            for (int i = 0; i < 3000; i++) sink[0] += sum(m, 0, Math.min(part, 1 << 16));   // until the JIT has compiled sum
            for (int r = 0; r <= repeats; r++) {   // the first pass (the pool's threads, the whole buffer) is not counted
                long t0 = System.nanoTime();
                KernelPool.parallelFor(threads, t -> sink[t] += sum(m, t * part, part));
                double s = (System.nanoTime() - t0) / 1e9;
                if (r > 0) best = Math.max(best, part * threads / s / 1e9);
            }
        }
        return best;
    }

    private static float sum(MemorySegment m, long from, long len) {
        FloatVector s0 = FloatVector.zero(FS), s1 = FloatVector.zero(FS), s2 = FloatVector.zero(FS), s3 = FloatVector.zero(FS);
        long step = 4L * FS.vectorByteSize(), vb = FS.vectorByteSize(), end = from + len / step * step;
        for (long o = from; o < end; o += step) {
            s0 = s0.add(FloatVector.fromMemorySegment(FS, m, o, ByteOrder.LITTLE_ENDIAN));
            s1 = s1.add(FloatVector.fromMemorySegment(FS, m, o + vb, ByteOrder.LITTLE_ENDIAN));
            s2 = s2.add(FloatVector.fromMemorySegment(FS, m, o + 2 * vb, ByteOrder.LITTLE_ENDIAN));
            s3 = s3.add(FloatVector.fromMemorySegment(FS, m, o + 3 * vb, ByteOrder.LITTLE_ENDIAN));
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Best weight GB/s over {@code repeats} passes of one-row products through {@code matrices} distinct weights. */
    private static double gemvRate(int matrices, Kernels.Choice kernel, int repeats, PrintStream err) {
        err.printf("rows = 1 through %d weight matrices (%s) ...%n", matrices, kernel.name().toLowerCase());
        List<LinearWeight> ws = new ArrayList<>(matrices);
        for (int i = 0; i < matrices; i++) {
            try (Arena a = Arena.ofConfined()) {   // packing copies the weights: the source is freed at once
                MemorySegment src = a.allocate(2L * IN * OUT, 64);
                MemorySegment rnd = MatmulBench.randomWeights(IN, 64, DType.BF16, 1234 + i);   // a 64-row pattern, tiled
                for (long o = 0; o < src.byteSize(); o += rnd.byteSize())
                    MemorySegment.copy(rnd, 0, src, o, Math.min(rnd.byteSize(), src.byteSize() - o));
                ws.add(Kernels.linear(src, DType.BF16, OUT, IN, kernel));
            }
        }
        float[] x = new float[IN], y = new float[OUT];
        for (int i = 0; i < IN; i++) x[i] = (i % 13 - 6) / 13f;
        for (int i = 0; i < 300; i++) ws.get(0).forward(x, 1, y);   // until the JIT has compiled the kernel
        double best = 0, bytes = 2.0 * IN * OUT * matrices;
        for (int r = 0; r <= repeats; r++) {   // the first pass (the native kernel builds each weight's primitive) is not counted
            long t0 = System.nanoTime();
            for (LinearWeight w : ws) w.forward(x, 1, y);
            double s = (System.nanoTime() - t0) / 1e9;
            if (r > 0) best = Math.max(best, bytes / s / 1e9);
        }
        return best;
    }
}
