package dev.tare.demo.bench;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.kernel.NativeLinear;
import dev.tare.runtime.kernel.OneDnn;
import dev.tare.runtime.kernel.PackedLinear;
import dev.tare.runtime.kernel.PeakFlops;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Times the Java kernels and the native oneDNN f32 and bf16 kernels on the same BF16 weights and inputs, in one run. */
public final class KernelBench {
    /** Qwen2.5-0.5B linear shapes (rows, in, out): MLP up/gate, attention q/o, MLP down, and one-row generation. */
    public static final int[][] QWEN25_05B = {{512, 896, 4864}, {512, 896, 896}, {512, 4864, 896}, {1, 896, 4864}};

    /**
     * One shape: the Java result, the native f32 one (null without oneDNN) and the native bf16 one (null without
     * oneDNN or bf16 instructions) with its implementation name.
     */
    public record Row(MatmulBench.Result java, MatmulBench.Result nativeF32, MatmulBench.Result nativeBf16, String nativeImpl) {
        /** Native / Java median GFLOP/s, NaN without a native result. */
        public double ratio() { return nativeBf16 == null ? Double.NaN : nativeBf16.median() / java.median(); }
    }

    /**
     * The run: kernel threads, why native is off (null when on), its description, the f32 peak, the rows, and the
     * one-row products over more weights than the caches hold (null when not asked for).
     */
    public record Result(int threads, String nativeOff, String nativeDescription, PeakFlops.Result peak, Tile tile,
                         List<Row> rows, MemoryBench.Result memory) {}

    /**
     * The Java register tile alone on one thread (GFLOP/s, weights and x cache-resident: the ceiling of the Java
     * matrix products) beside one thread's f32 FMA peak, and the vector width it ran.
     */
    public record Tile(int vectorBits, double peakOneThread, double bf16, double f32) {}

    private KernelBench() {}

    /**
     * Measures the f32 peak, then times each (rows, in, out) shape on both kernels with {@code repeats} timed calls,
     * then (when {@code memoryMiB} > 0) one-row products over that many MiB of weights against the read bandwidth.
     */
    public static Result run(int[][] shapes, int repeats, long memoryMiB, PrintStream err) {
        int threads = KernelPool.threads();
        err.println("measuring f32 FMA peak ...");
        PeakFlops.Result peak = PeakFlops.measureBoth(threads, 0.5, 3);
        err.println("timing the Java register tile alone on one thread ...");
        Tile tile = new Tile(PackedLinear.defaultVectorBits(), PeakFlops.measure(1, 0.5, 3),
                PackedLinear.tileGflops(DType.BF16, 1.0), PackedLinear.tileGflops(DType.F32, 1.0));
        OneDnn dnn = OneDnn.get().orElse(null);
        String off = dnn == null ? OneDnn.unavailableReason().orElse("?")
                : dnn.hasBf16() ? null : "oneDNN " + dnn.version() + " runs " + dnn.isaName() + " here: no bf16 instructions";
        String desc = dnn == null ? null : "oneDNN " + dnn.version() + ", " + dnn.isaName() + " (" + dnn.library() + ")";
        List<Row> rows = new ArrayList<>();
        for (int[] s : shapes) {
            int m = s[0], in = s[1], out = s[2];
            err.printf("matmul %d x %d x %d ...%n", m, in, out);
            MemorySegment w = MatmulBench.randomWeights(in, out, DType.BF16, 1234);
            MatmulBench.Result java = MatmulBench.time(Kernels.linear(w, DType.BF16, out, in, Kernels.Choice.JAVA), DType.BF16, m, repeats, 1234);
            MatmulBench.Result natF32 = dnn == null ? null
                    : MatmulBench.time(Kernels.linear(w, DType.BF16, out, in, Kernels.Choice.NATIVE_F32), DType.BF16, m, repeats, 1234);
            MatmulBench.Result nat = null;
            String impl = null;
            if (off == null) {
                LinearWeight lw = Kernels.linear(w, DType.BF16, out, in, Kernels.Choice.NATIVE);
                impl = lw instanceof NativeLinear n ? n.implementation() : lw.getClass().getSimpleName();
                nat = MatmulBench.time(lw, DType.BF16, m, repeats, 1234);
            }
            rows.add(new Row(java, natF32, nat, impl));
        }
        MemoryBench.Result memory = memoryMiB > 0 ? MemoryBench.run(memoryMiB, Math.min(repeats, 5), off == null, err) : null;
        return new Result(threads, off, desc, peak, tile, rows, memory);
    }
}
