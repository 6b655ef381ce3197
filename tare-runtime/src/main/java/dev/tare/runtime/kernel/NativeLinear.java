package dev.tare.runtime.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x·Wᵀ as a oneDNN matmul primitive in one of two {@link Precision}s: BF16 (W rounded once to bf16, x rounded to
 * bf16 per call, round to nearest even as {@link DType#toBf16}; needs bf16 instructions) or F32 (W widened once to f32,
 * x as given: f32 math throughout, any CPU oneDNN supports). Products are accumulated in f32, y written as f32.
 *
 * <p>The stored [out, in] row-major matrix is the matmul's weights {K=in, N=out} in format {@code ba}; it is reordered
 * once into the blocked layout oneDNN prefers for this shape (queried with format {@code any}), so no call repacks it.
 * Primitives are compiled per (rows, threads) and cached (up to {@value #MAX_CACHED} per weight; beyond that a call
 * builds and frees its own, which oneDNN's primitive cache keeps cheap). Scratchpads are passed per call, so one
 * weight can run on several threads at once. Native resources are freed when the weight becomes unreachable.
 */
public final class NativeLinear implements LinearWeight {
    /** The element type of the weights and of the activations oneDNN multiplies (accumulation is f32 in both). */
    public enum Precision {
        BF16(OneDnn.DT_BF16, 2), F32(OneDnn.DT_F32, 4);

        final int dnnType;
        final int bytes;

        Precision(int dnnType, int bytes) {
            this.dnnType = dnnType;
            this.bytes = bytes;
        }

        /** "bf16" or "f32". */
        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    static final int MAX_CACHED = 32;
    private static final int PROBE_ROWS = 256;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /**
     * Per-thread call buffers (src in the precision's type, dst f32, scratchpad), kept while at most this many bytes (so a thread that
     * ever ran a native product holds up to 128 MiB until it ends: a bf16 gated MLP block takes 16 MB for Qwen2.5-0.5B,
     * 48 MB for Llama-3-8B, an f32 one 32 / 97 MB); a larger call allocates and frees its own.
     */
    private static final NativeMemory.PerThread BUFFER = new NativeMemory.PerThread(128L << 20);
    /**
     * Rows multiplied per native call: a longer batch runs in blocks of this many rows, so that the call buffers stay
     * small enough to be kept (a Qwen2.5-0.5B gated MLP over a 2,048-token batch needs 104 MB at once: allocated and freed
     * every layer, its page faults took 29 % of a bf16 forward here; blocks of 256 rows re-read the weights too often,
     * 11 % slower than 512). Every native product blocks its rows the same way, so the fused steps keep the bits of the
     * steps one at a time.
     */
    public static final int BLOCK_ROWS = 512;

    private record Prim(MemorySegment primitive, MemorySegment srcMd, MemorySegment dstMd, MemorySegment scratchMd, long scratchBytes,
                        String impl, int dstBytes) {}

    private final OneDnn dnn;
    private final Precision precision;
    private final int out, in;
    private final Arena arena;                 // descriptors and weights: lives as long as this object
    private final MemorySegment weights;       // in the precision's type, in oneDNN's chosen layout
    private final MemorySegment wMd;
    private final OneDnn.Blocked layout;     // where each weight lies in oneDNN's layout (for get)
    private final ConcurrentHashMap<Long, Prim> prims = new ConcurrentHashMap<>();
    private final String impl;

    private NativeLinear(OneDnn dnn, Precision precision, MemorySegment data, DType dtype, int out, int in) throws Throwable {
        this.dnn = dnn;
        this.precision = precision;
        int dt = precision.dnnType;
        this.out = out;
        this.in = in;
        this.arena = Arena.ofShared();
        ConcurrentHashMap<Long, Prim> cache = prims;
        Arena owned = arena;
        CLEANER.register(this, () -> {
            for (Prim p : cache.values()) dnn.destroyPrimitive(p.primitive());
            owned.close();
        });
        MemorySegment plainMd = dnn.md(arena, in, out, dt, OneDnn.TAG_BA);
        // the layout oneDNN prefers for these weights (it does not depend on the row count for a given shape)
        MemorySegment pd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment anyMd = dnn.md(a, in, out, dt, OneDnn.TAG_ANY);
            pd = dnn.matmulPd(a, dnn.md(a, PROBE_ROWS, in, dt, OneDnn.TAG_AB), anyMd,
                    dnn.md(a, PROBE_ROWS, out, OneDnn.DT_F32, OneDnn.TAG_AB));
        }
        try {
            wMd = dnn.queryMd(arena, pd, OneDnn.QUERY_WEIGHTS_MD);
            impl = dnn.implName(pd);
        } finally {
            dnn.destroyPd(pd);
        }
        layout = dnn.layout(wMd);   // an error where oneDNN did not choose a blocked layout
        weights = NativeMemory.allocate(dnn.bytes(wMd));   // malloc: not limited by MaxDirectMemorySize
        long n = (long) out * in, eb = precision.bytes;
        if (weights.byteSize() != n * eb) weights.fill((byte) 0);   // padded blocks (K, N not multiples): zeros
        try (Arena a = Arena.ofShared()) {   // shared: the kernel threads convert into it
            MemorySegment plain;
            boolean same = precision == Precision.BF16 ? dtype == DType.BF16 : dtype == DType.F32;
            if (same && data.isNative() && data.address() % eb == 0) {
                plain = data.asSlice(0, n * eb);   // read in place (e.g. a mapped checkpoint): no copy
            } else {
                plain = NativeMemory.allocate(n * eb, a);   // freed when this constructor's arena closes
                MemorySegment to = plain;
                KernelPool.Range convert = (from, end) -> {
                    long i0 = (long) from * in, i1 = (long) end * in;
                    if (same) MemorySegment.copy(data, i0 * eb, to, i0 * eb, (i1 - i0) * eb);
                    else if (precision == Precision.BF16) for (long i = i0; i < i1; i++) to.setAtIndex(I16, i, DType.toBf16(dtype.get(data, i)));
                    else for (long i = i0; i < i1; i++) to.setAtIndex(F32, i, dtype.get(data, i));
                };
                if (KernelPool.workersCanRead(data)) KernelPool.forRanges(out, in, convert);
                else convert.run(0, out);   // confined to this thread
            }
            if ((int) dnn.memoryDescEqual.invokeExact(plainMd, wMd) != 0) weights.copyFrom(plain);
            else reorder(a, plainMd, plain);
        }
    }

    private void reorder(Arena a, MemorySegment plainMd, MemorySegment plain) throws Throwable {
        MemorySegment outPd = a.allocate(ValueLayout.ADDRESS);
        dnn.check((int) dnn.reorderPrimitiveDescCreate.invokeExact(outPd, plainMd, dnn.engine, wMd, dnn.engine, dnn.userScratchpadAttr),
                "reorder primitive_desc_create");
        MemorySegment pd = outPd.get(ValueLayout.ADDRESS, 0);
        try {
            MemorySegment scratchMd = dnn.queryMd(a, pd, OneDnn.QUERY_SCRATCHPAD_MD);
            long scratch = dnn.bytes(scratchMd);
            MemorySegment p = dnn.primitive(pd);
            try {
                if (scratch > 0)
                    dnn.execute(p, new int[] {OneDnn.ARG_FROM, OneDnn.ARG_TO, OneDnn.ARG_SCRATCHPAD},
                            new MemorySegment[] {plainMd, wMd, scratchMd}, new MemorySegment[] {plain, weights, a.allocate(scratch, 64)});
                else
                    dnn.execute(p, new int[] {OneDnn.ARG_FROM, OneDnn.ARG_TO}, new MemorySegment[] {plainMd, wMd},
                            new MemorySegment[] {plain, weights});
            } finally {
                dnn.destroyPrimitive(p);
            }
        } finally {
            dnn.destroyPd(pd);
        }
    }

    /** Converts [out, in] row-major little-endian {@code data} of {@code dtype} to bf16 weights of a oneDNN matmul. */
    public static NativeLinear create(OneDnn dnn, MemorySegment data, DType dtype, int out, int in) {
        return create(dnn, Precision.BF16, data, dtype, out, in);
    }

    /** Converts [out, in] row-major little-endian {@code data} of {@code dtype} to weights of a oneDNN matmul in {@code precision}. */
    public static NativeLinear create(OneDnn dnn, Precision precision, MemorySegment data, DType dtype, int out, int in) {
        if (out <= 0 || in <= 0) throw new IllegalArgumentException("weight shape must be positive, got [" + out + ", " + in + "]");
        long need = (long) out * in * dtype.bytes();
        if (data.byteSize() < need)
            throw new IllegalArgumentException("weight segment holds " + data.byteSize() + " bytes, need " + need
                    + " for [" + out + ", " + in + "] " + dtype);
        try {
            return new NativeLinear(dnn, precision, data, dtype, out, in);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("oneDNN " + precision.label() + " weight [" + out + ", " + in + "]: " + t, t);
        }
    }

    @Override public int outFeatures() { return out; }
    @Override public int inFeatures() { return in; }

    /** oneDNN's implementation for this weight's shape, e.g. "brg:avx512_core_bf16". */
    public String implementation() { return impl; }

    /** The precision oneDNN multiplies in. */
    public Precision precision() { return precision; }

    /** True in BF16 precision, where every call rounds x to bf16. */
    @Override public boolean bf16Activations() { return precision == Precision.BF16; }

    /** Bytes of native memory the weights occupy. */
    public long bytes() { return weights.byteSize(); }

    /** W[o][k] as oneDNN holds it (after rounding to bf16 in BF16 precision), read from its blocked layout. */
    @Override
    public float get(int o, int k) {
        if (o < 0 || o >= out || k < 0 || k >= in) throw new IndexOutOfBoundsException("[" + o + ", " + k + "] outside [" + out + ", " + in + "]");
        long off = layout.offset(k, o);   // weights dims are {K, N}
        if (precision == Precision.F32) return weights.getAtIndex(F32, off);
        return Float.intBitsToFloat((weights.getAtIndex(I16, off) & 0xFFFF) << 16);
    }

    @Override
    public void forward(float[] x, int rows, float[] y) {
        if (rows <= 0) return;
        if (y.length < (long) rows * out) throw new IllegalArgumentException("y holds " + y.length + " floats, need rows*out = " + (long) rows * out);
        forwardShared(new NativeLinear[] {this}, x, rows, (products, first, from, to) ->
                MemorySegment.copy(products[0], F32, 4L * (from - first) * out, y, from * out, (to - from) * out));
    }

    /**
     * Receives the f32 products of {@link #forwardShared} for rows [from, to): {@code products[i]} holds the i-th
     * weight's rows [first, first + {@link #BLOCK_ROWS}) (or fewer), out floats each, row-major, so row r starts at float
     * (r − first)·out. Called on the kernel threads, once for each range of a split of a block's rows.
     */
    @FunctionalInterface
    public interface Epilogue { void rows(MemorySegment[] products, int first, int from, int to); }

    /**
     * Multiplies x by each of {@code ws} (one precision and input width) with x converted to the precision once, then
     * hands all their products to {@code epilogue} row range by row range, so the results are copied out (and added,
     * activated…) in one pass while they are still in the caches. Rows go in blocks of {@link #BLOCK_ROWS}. Each
     * product has the bits of {@link #forward}.
     */
    public static void forwardShared(NativeLinear[] ws, float[] x, int rows, Epilogue epilogue) {
        if (ws.length == 0) throw new IllegalArgumentException("no weights");
        NativeLinear w0 = ws[0];
        for (NativeLinear w : ws) requireSameInput(w0, w);
        if (rows <= 0) return;
        int in = w0.in;
        if (x.length < (long) rows * in) throw new IllegalArgumentException("x holds " + x.length + " floats, need rows*in = " + (long) rows * in);
        int block = Math.min(rows, BLOCK_ROWS), tail = rows % block;
        Run[] runs = new Run[ws.length], tailRuns = new Run[ws.length];
        try {
            long srcBytes = align((long) block * in * w0.precision.bytes), dstTotal = 0, scratch = 0, outs = 0;
            for (int i = 0; i < ws.length; i++) {
                runs[i] = ws[i].prepare(block);
                if (tail > 0) tailRuns[i] = ws[i].prepare(tail);
                dstTotal += align((long) block * ws[i].out * 4);
                scratch = Math.max(scratch, runs[i].scratchBytes());
                if (tail > 0) scratch = Math.max(scratch, tailRuns[i].scratchBytes());
                outs += ws[i].out;
            }
            // uninitialised: every byte a call reads is written first
            try (NativeMemory.Lease lease = BUFFER.lease(srcBytes + dstTotal + scratch)) {
                MemorySegment buf = lease.segment(), src = buf.asSlice(0, srcBytes);
                MemorySegment[] dst = new MemorySegment[ws.length];
                long at = srcBytes;
                for (int i = 0; i < ws.length; i++) {
                    dst[i] = buf.asSlice(at, align((long) block * ws[i].out * 4));
                    at += dst[i].byteSize();
                }
                MemorySegment scratchSeg = buf.asSlice(at, scratch);
                for (int first = 0; first < rows; first += block) {
                    int n = Math.min(block, rows - first), f0 = first;
                    Run[] r = n == block ? runs : tailRuns;
                    convert(w0.precision, x, first, n, in, src);
                    for (int i = 0; i < ws.length; i++) ws[i].execute(r[i], src, dst[i], scratchSeg);
                    KernelPool.forRanges(n, outs, (from, to) -> epilogue.rows(dst, f0, f0 + from, f0 + to));
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("oneDNN " + w0.precision.label() + " matmul " + rows + " x " + in + " x " + w0.out + ": " + t, t);
        } finally {
            for (int i = 0; i < ws.length; i++) {
                if (runs[i] != null) ws[i].release(runs[i]);
                if (tailRuns[i] != null) ws[i].release(tailRuns[i]);
            }
        }
    }

    /** A gated activation applied to one row in place: g[gFrom, gFrom + n) ← act(g)·u[uFrom, uFrom + n). */
    @FunctionalInterface
    public interface GatedRow { void apply(float[] g, int gFrom, float[] u, int uFrom, int n); }

    /**
     * A decoder layer's gated MLP added to the residual stream on native weights: x ← x + down(act(gate(h))·up(h)).
     * h is converted once for gate and up; each row's act(gate)·up is taken from the two products and converted to the
     * down weight's precision straight into its input, without passing through a Java array; the down product is added
     * to x as it is copied out. In BF16 precision oneDNN writes the gate and up products in bf16 (its round to nearest
     * even of the f32 sums, as transformers' bf16 forward keeps them: half the bytes written and read back: +2–15 %
     * in paired runs of a forward here); the bits of the three products one at a time with those two rounded by {@link DType#toBf16}, the
     * activation and the add in between. In F32 the bits of the steps one at a time.
     */
    public static void gatedMlpAdd(NativeLinear gate, NativeLinear up, NativeLinear down, float[] h, int rows, float[] x, GatedRow act) {
        requireSameInput(gate, up);
        if (gate.out != up.out || down.in != gate.out || down.precision != gate.precision || down.dnn != gate.dnn)
            throw new IllegalArgumentException("gate [" + gate.out + ", " + gate.in + "], up [" + up.out + ", " + up.in + "] and down ["
                    + down.out + ", " + down.in + "] do not chain (" + gate.precision.label() + " / " + down.precision.label() + ")");
        if (rows <= 0) return;
        int hid = gate.in, mid = gate.out, out = down.out;
        if (h.length < (long) rows * hid) throw new IllegalArgumentException("h holds " + h.length + " floats, need rows*in = " + (long) rows * hid);
        if (x.length < (long) rows * out) throw new IllegalArgumentException("x holds " + x.length + " floats, need rows*out = " + (long) rows * out);
        Precision prec = gate.precision;
        int block = Math.min(rows, BLOCK_ROWS), tail = rows % block;
        Run[] rs = new Run[6];   // gate, up, down for full blocks, then for the tail
        NativeLinear[] of = {gate, up, down, gate, up, down};
        try {
            boolean half = prec == Precision.BF16;   // gate and up products in bf16, as transformers' bf16 forward keeps them
            for (int i = 0; i < 3; i++) rs[i] = of[i].prepare(block, half && i < 2);
            if (tail > 0) for (int i = 3; i < 6; i++) rs[i] = of[i].prepare(tail, half && i < 5);
            long src1 = align((long) block * hid * prec.bytes), dg = align((long) block * mid * (half ? 2 : 4)), src2 = align((long) block * mid * prec.bytes);
            long dd = align((long) block * out * 4), gSlot = Math.max(dg, dd);   // the down product reuses the gate product's room
            long scratch = 0;
            for (Run r : rs) if (r != null) scratch = Math.max(scratch, r.scratchBytes());
            try (NativeMemory.Lease lease = BUFFER.lease(src1 + gSlot + dg + src2 + scratch)) {
                MemorySegment buf = lease.segment(), in1 = buf.asSlice(0, src1), g = buf.asSlice(src1, dg), u = buf.asSlice(src1 + gSlot, dg),
                        in2 = buf.asSlice(src1 + gSlot + dg, src2), scratchSeg = buf.asSlice(src1 + gSlot + dg + src2, scratch);
                MemorySegment d = buf.asSlice(src1, dd);   // the gate product is consumed before down runs
                for (int first = 0; first < rows; first += block) {
                    int n = Math.min(block, rows - first), f0 = first, k = n == block ? 0 : 3;
                    convert(prec, h, first, n, hid, in1);
                    gate.execute(rs[k], in1, g, scratchSeg);
                    up.execute(rs[k + 1], in1, u, scratchSeg);
                    KernelPool.forRanges(n, 3L * mid, (from, to) -> {
                        float[][] b = ROWS.get();
                        if (b[0].length < mid) b = new float[][] {new float[mid], new float[mid]};
                        ROWS.set(b);
                        float[] gr = b[0], ur = b[1];
                        for (int r = from; r < to; r++) {
                            if (half) {
                                fromBf16(g, (long) r * mid, gr, mid);
                                fromBf16(u, (long) r * mid, ur, mid);
                            } else {
                                MemorySegment.copy(g, F32, 4L * r * mid, gr, 0, mid);
                                MemorySegment.copy(u, F32, 4L * r * mid, ur, 0, mid);
                            }
                            act.apply(gr, 0, ur, 0, mid);
                            if (half) toBf16(gr, 0, mid, in2, (long) r * mid);
                            else MemorySegment.copy(gr, 0, in2, F32, 4L * r * mid, mid);
                        }
                    });
                    down.execute(rs[k + 2], in2, d, scratchSeg);
                    KernelPool.forRanges(n, out, (from, to) -> addInto(d, x, (f0 + from) * out, (f0 + to) * out, f0 * out));
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("oneDNN " + prec.label() + " gated MLP " + rows + " x " + hid + " x " + mid + ": " + t, t);
        } finally {
            for (int i = 0; i < 6; i++) if (rs[i] != null) of[i].release(rs[i]);
        }
    }

    /** dst[i] ← the bf16 src element at + i widened to f32 (exact), for i in [0, n), 8 lanes at a time. */
    static void fromBf16(MemorySegment src, long at, float[] dst, int n) {
        int i = 0;
        for (int end = SS.loopBound(n); i < end; i += SS.length()) {
            ShortVector sv = ShortVector.fromMemorySegment(SS, src, 2L * (at + i), ByteOrder.LITTLE_ENDIAN);
            IntVector iv = (IntVector) sv.convertShape(VectorOperators.S2I, IS, 0);
            iv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, i);
        }
        for (; i < n; i++) dst[i] = DType.BF16.get(src, at + i);
    }

    /** Each kernel thread's two rows of a gated MLP's products (grown on demand). */
    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});
    private static final VectorSpecies<Float> ADD = FloatVector.SPECIES_PREFERRED;

    /**
     * y[i] ← y[i] + p[i − base] for i in [from, to) (p's floats; base: the y index of p's first float), the float addition
     * of a separate pass.
     */
    static void addInto(MemorySegment p, float[] y, int from, int to, int base) {
        int i = from;
        long off = -4L * base;
        for (int bound = from + ADD.loopBound(to - from); i < bound; i += ADD.length())
            FloatVector.fromArray(ADD, y, i).add(FloatVector.fromMemorySegment(ADD, p, off + 4L * i, ByteOrder.nativeOrder())).intoArray(y, i);
        for (; i < to; i++) y[i] += p.getAtIndex(F32, i - base);
    }

    private static void requireSameInput(NativeLinear w0, NativeLinear w) {
        if (w.precision != w0.precision || w.in != w0.in || w.dnn != w0.dnn)
            throw new IllegalArgumentException("weights of one shared-input product must agree in precision, input width and library: "
                    + w0.precision.label() + " [" + w0.out + ", " + w0.in + "] vs " + w.precision.label() + " [" + w.out + ", " + w.in + "]");
    }

    /** x's rows [first, first + rows) in the precision's element type into src (from its start), split over the kernel pool. */
    private static void convert(Precision p, float[] x, int first, int rows, int in, MemorySegment src) {
        int base = first * in;
        if (p == Precision.BF16) KernelPool.forRanges(rows, in, (from, to) -> toBf16(x, base + from * in, (to - from) * in, src, (long) from * in));
        else KernelPool.forRanges(rows, in, (from, to) -> MemorySegment.copy(x, base + from * in, src, F32, 4L * from * in, (to - from) * in));
    }

    /** How a product runs on several threads ({@code -Dtare.native.split}; see {@link #splitRows}). */
    enum Split { AUTO, JAVA, OMP }

    static final Split SPLIT = switch (System.getProperty("tare.native.split", "auto").trim()) {
        case "auto" -> Split.AUTO;
        case "java" -> Split.JAVA;
        case "omp" -> Split.OMP;
        default -> throw new IllegalArgumentException("-Dtare.native.split=" + System.getProperty("tare.native.split") + ": expected auto, java or omp");
    };
    /** Rows each thread must get for {@code auto} to cut a product into per-thread blocks (each block reads all the weights). */
    static final int MIN_SPLIT_ROWS = 128;

    /**
     * Whether a product of {@code rows} rows on {@code threads} threads runs as one block of rows per kernel-pool thread,
     * each multiplied by a one-thread primitive on that thread ({@code java}), instead of one call whose rows and columns
     * oneDNN's OpenMP threads split ({@code omp}). With OpenMP's passive wait policy (which tare sets: spinning OpenMP
     * threads took the cores from the Java steps) each call has to wake its OpenMP threads; the pool's threads are
     * already spinning from the step before. {@code auto}: java where every thread gets at least {@value #MIN_SPLIT_ROWS}
     * rows (measured on 2 cores: 4 × 512-token forwards +2–18 %, 5 pairs), omp otherwise (many threads on few rows would
     * each re-read all the weights).
     */
    static boolean splitRows(Split split, int rows, int threads) {
        return threads > 1 && (split == Split.JAVA || split == Split.AUTO && rows >= (long) MIN_SPLIT_ROWS * threads);
    }

    /**
     * A primitive for one call and the thread count it was built for; a transient one is destroyed by {@link #release}.
     * With {@code parts} &gt; 1 the rows run as {@code parts} blocks of {@code chunk} rows (the last: {@code last}'s rows)
     * on one thread each ({@link #splitRows}), {@code prim} the one-thread primitive of the full blocks.
     */
    private record Run(Prim prim, int threads, boolean transientPrim, int parts, int chunk, Prim last, boolean transientLast) {
        /** Scratchpad bytes one call needs (each block its own). */
        long scratchBytes() { return parts <= 1 ? align(prim.scratchBytes()) : (parts - 1) * align(prim.scratchBytes()) + align(last.scratchBytes()); }
    }

    private Run prepare(int rows) { return prepare(rows, false); }

    private Run prepare(int rows, boolean bf16Dst) {
        // one thread where the Java kernels would stay on the caller's thread too (sequential sections, small products)
        int threads = KernelPool.isSequential() || (long) rows * in * out < PackedLinear.PARALLEL_MIN_MACS ? 1 : KernelPool.threads();
        if (splitRows(SPLIT, rows, threads)) {
            int chunk = (rows + threads - 1) / threads;
            chunk = Math.min(rows, (chunk + 15) / 16 * 16);   // whole 16-row tiles but for the last block
            int parts = (rows + chunk - 1) / chunk, lastRows = rows - (parts - 1) * chunk;
            if (parts > 1) {
                Prim full = primitive(chunk, 1, bf16Dst), last = lastRows == chunk ? full : primitive(lastRows, 1, bf16Dst);
                return new Run(full, 1, !cachedHere(full, chunk, 1, bf16Dst), parts, chunk, last, last != full && !cachedHere(last, lastRows, 1, bf16Dst));
            }
            threads = 1;
        }
        Prim p = primitive(rows, threads, bf16Dst);
        return new Run(p, threads, !cachedHere(p, rows, threads, bf16Dst), 1, rows, p, false);
    }

    private static long key(int rows, int threads, boolean bf16Dst) { return (long) rows << 16 | threads | (bf16Dst ? 1L << 62 : 0); }

    private boolean cachedHere(Prim p, int rows, int threads, boolean bf16Dst) { return prims.get(key(rows, threads, bf16Dst)) == p; }

    /** The cached primitive for (rows, threads, dst type), built and kept while fewer than {@link #MAX_CACHED}, else built for one call. */
    private Prim primitive(int rows, int threads, boolean bf16Dst) {
        dnn.setThreads(threads);   // before creating a primitive: oneDNN fixes its thread count at creation
        long key = key(rows, threads, bf16Dst);
        Prim p = prims.get(key);
        if (p != null) return p;
        if (prims.size() < MAX_CACHED) return prims.computeIfAbsent(key, kk -> build(rows, arena, bf16Dst));
        return build(rows, null, bf16Dst);
    }

    private void release(Run r) {
        if (r.transientPrim()) dnn.destroyPrimitive(r.prim().primitive());   // its descriptors live in a GC-managed arena
        if (r.transientLast()) dnn.destroyPrimitive(r.last().primitive());
    }

    private Prim build(int rows, Arena where, boolean bf16Dst) {
        Arena a = where != null ? where : Arena.ofAuto();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment srcMd = dnn.md(a, rows, in, precision.dnnType, OneDnn.TAG_AB);
            MemorySegment dstMd = dnn.md(a, rows, out, bf16Dst ? OneDnn.DT_BF16 : OneDnn.DT_F32, OneDnn.TAG_AB);
            MemorySegment pd = dnn.matmulPd(tmp, srcMd, wMd, dstMd);
            try {
                MemorySegment scratchMd = dnn.queryMd(a, pd, OneDnn.QUERY_SCRATCHPAD_MD);
                long scratch = dnn.bytes(scratchMd);
                return new Prim(dnn.primitive(pd), srcMd, dstMd, scratchMd, scratch, dnn.implName(pd), bf16Dst ? 2 : 4);
            } finally {
                dnn.destroyPd(pd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("oneDNN " + precision.label() + " matmul " + rows + " x " + in + " x " + out + ": " + t, t);
        }
    }

    private void execute(Run run, MemorySegment src, MemorySegment dst, MemorySegment scratch) throws Throwable {
        if (run.parts() <= 1) {
            dnn.setThreads(run.threads());
            executeOne(run.prim(), src, dst, scratch);
            return;
        }
        long srcRow = (long) in * precision.bytes, dstRow = (long) out * run.prim().dstBytes(), scratchPer = align(run.prim().scratchBytes());
        KernelPool.parallelFor(run.parts(), i -> {
            Prim p = i == run.parts() - 1 ? run.last() : run.prim();
            long r0 = (long) i * run.chunk();
            try {
                dnn.setThreads(1);
                executeOne(p, src.asSlice(r0 * srcRow), dst.asSlice(r0 * dstRow), scratch.asSlice(i * scratchPer));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
    }

    private void executeOne(Prim p, MemorySegment src, MemorySegment dst, MemorySegment scratch) throws Throwable {
        dnn.executeMatmul(p.primitive(), p.srcMd(), wMd, p.dstMd(), p.scratchMd(), align(p.scratchBytes()),
                src, weights, dst, scratch);
    }

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> SS = ShortVector.SPECIES_128;

    /** dst[i] = {@link DType#toBf16}(x[i]) for i in [0, n): the same rounding (nearest even, NaN kept), 8 lanes at a time. */
    static void toBf16(float[] x, int n, MemorySegment dst) { toBf16(x, 0, n, dst, 0); }

    /** As {@link #toBf16(float[], int, MemorySegment)} for x[from, from + n) into dst's elements [at, at + n). */
    static void toBf16(float[] x, int from, int n, MemorySegment dst, long at) {
        int i = from, to = from + n;
        long shift = 2L * (at - from);   // byte offset of x[i]'s bf16 is 2·i + shift
        for (int end = from + FS.loopBound(n); i < end; i += FS.length()) {
            FloatVector f = FloatVector.fromArray(FS, x, i);
            IntVector bits = f.reinterpretAsInts();
            IntVector r = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).lanewise(VectorOperators.LSHR, 16);
            r = r.blend(0x7FC0, f.test(VectorOperators.IS_NAN).cast(IS));
            r.castShape(SS, 0).reinterpretAsShorts().intoMemorySegment(dst, 2L * i + shift, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < to; i++) dst.set(I16, 2L * i + shift, DType.toBf16(x[i]));
    }

    private static long align(long bytes) { return (bytes + 63) & ~63L; }
}
