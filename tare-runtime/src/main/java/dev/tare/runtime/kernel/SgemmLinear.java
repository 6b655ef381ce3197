package dev.tare.runtime.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * y = x·Wᵀ for BF16 weights in f32 math with oneDNN's sgemm, the weights kept BF16 in the Java kernels' panels.
 *
 * <p>W stays in a {@link PackedLinear} (2 bytes per weight, as with {@code -Dtare.kernel=java}). A call of at least
 * {@link #MIN_ROWS} rows is cut into items (a group of panels × a range of rows) spread over the {@link KernelPool};
 * each item widens its panels to f32 into a per-thread buffer of at most {@link #BUFFER_BYTES} (exact: bf16 → f32 is
 * a shift) and multiplies with a one-thread {@code dnnl_sgemm} (x and y pass through native copies held by the
 * calling thread). Fewer rows (decoding) run the Java kernels on the same panels, where widening would cost
 * more than it saves. Products accumulate in f32 as in {@link PackedLinear}; the order of the sums is oneDNN's.
 */
public final class SgemmLinear implements LinearWeight {
    /** Rows below which a call runs the Java kernels ({@code -Dtare.kernel.sgemmMinRows}, default 128). */
    static final int MIN_ROWS = Integer.getInteger("tare.kernel.sgemmMinRows", 128);
    /** Bytes of widened f32 weights one item holds at most (so a group of panels of a wide K stays a few MiB). */
    static final long BUFFER_BYTES = Long.getLong("tare.kernel.sgemmBufferBytes", 16L << 20);
    /** Each thread's widened panels (bounded by {@link #BUFFER_BYTES} through the plan, so always kept). */
    private static final NativeMemory.PerThread WIDENED = new NativeMemory.PerThread(Long.MAX_VALUE);
    /** The calling thread's native copies of x and y, kept while at most 64 MiB (a larger call frees its own). */
    private static final NativeMemory.PerThread CALL = new NativeMemory.PerThread(64L << 20);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final OneDnn dnn;
    private final PackedLinear w;
    private final int out, in;

    private SgemmLinear(OneDnn dnn, PackedLinear w) {
        this.dnn = dnn;
        this.w = w;
        this.out = w.outFeatures();
        this.in = w.inFeatures();
    }

    /** Packs [out, in] row-major little-endian BF16 {@code data} into Java panels multiplied by oneDNN's sgemm. */
    public static SgemmLinear create(OneDnn dnn, MemorySegment data, DType dtype, int out, int in) {
        if (dtype != DType.BF16) throw new IllegalArgumentException("SgemmLinear keeps BF16 weights, got " + dtype);
        return new SgemmLinear(java.util.Objects.requireNonNull(dnn, "dnn"), PackedLinear.pack(data, dtype, out, in));
    }

    @Override public int outFeatures() { return out; }
    @Override public int inFeatures() { return in; }
    @Override public float get(int o, int k) { return w.get(o, k); }

    /** Off-heap bytes of the weights (BF16 panels; the per-thread widening buffers are not counted). */
    public long bytes() { return w.bytes(); }

    @Override
    public void forward(float[] x, int rows, float[] y) {
        if (rows < MIN_ROWS) {
            w.forward(x, rows, y);
            return;
        }
        if (x.length < (long) rows * in) throw new IllegalArgumentException("x holds " + x.length + " floats, need rows*in = " + (long) rows * in);
        if (y.length < (long) rows * out) throw new IllegalArgumentException("y holds " + y.length + " floats, need rows*out = " + (long) rows * out);
        PackedLinear.Split plan = plan(w.panels(), rows, in, KernelPool.isSequential() ? 1 : KernelPool.threads());
        // x and y pass through native buffers of the calling thread: sgemm cannot read or write Java arrays
        long xBytes = 4L * rows * in, yBytes = 4L * rows * out;
        try (NativeMemory.Lease call = CALL.lease(xBytes + yBytes)) {
            MemorySegment xs = call.segment().asSlice(0, xBytes), ys = call.segment().asSlice(xBytes, yBytes);
            KernelPool.forRanges(rows, in, (from, to) -> MemorySegment.copy(x, from * in, xs, F32, 4L * from * in, (to - from) * in));
            KernelPool.parallelFor(plan.items(), item -> {
                int p0 = plan.panelStart(item), p1 = plan.panelEnd(item), r0 = plan.blockStart(item), r1 = plan.blockEnd(item);
                int ld = (p1 - p0) * PackedLinear.NR, c0 = p0 * PackedLinear.NR, cols = Math.min(ld, out - c0);
                try (NativeMemory.Lease widened = WIDENED.lease((long) in * ld * 4)) {
                    w.widenBf16(p0, p1, widened.segment());
                    dnn.setThreads(1);   // this item is one thread's share: no OpenMP team inside
                    dnn.sgemm(r1 - r0, cols, in, xs.asSlice(4L * r0 * in), in, widened.segment(), ld,
                            ys.asSlice(4L * ((long) r0 * out + c0)), out);
                }
                for (int r = r0; r < r1; r++)   // this item's block of y, back into the Java array
                    MemorySegment.copy(ys, F32, 4L * ((long) r * out + c0), y, r * out + c0, cols);
            });
        }
    }

    /**
     * The items of one call as a {@link PackedLinear.Split} whose "blocks" are rows: panel groups (each widened into at
     * most {@link #BUFFER_BYTES}) × row ranges, at least one item per thread, groups a multiple of the thread count
     * where there are panels enough (so no thread waits on a last long item); rows are split only where there are too
     * few groups.
     */
    static PackedLinear.Split plan(int panels, int rows, int in, int threads) {
        long perPanel = (long) in * PackedLinear.NR * 4;
        int cap = (int) Math.max(1, Math.min(panels, BUFFER_BYTES / perPanel));
        int groups = (panels + cap - 1) / cap;
        groups = Math.min(panels, ((groups + threads - 1) / threads) * threads);
        int rowParts = groups >= threads ? 1 : Math.max(1, Math.min((threads + groups - 1) / groups, rows / MIN_ROWS));
        return new PackedLinear.Split(panels, groups, rows, rowParts);
    }
}
