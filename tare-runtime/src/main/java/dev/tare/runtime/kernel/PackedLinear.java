package dev.tare.runtime.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast y = x·Wᵀ with W packed once into off-heap column panels (32 outputs wide), f32 accumulation, an
 * 8-row × 32-column register tile for matrix products and a separate matrix-vector path for one row.
 * BF16 weights stay BF16 (k-pairs interleaved, widened in registers); F32 and F16 weights are packed as F32.
 * Machines whose preferred vector size is under 512 bits (AVX2) run the same panels through {@link Panel256}.
 */
public final class PackedLinear implements LinearWeight {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> IS = IntVector.SPECIES_512;
    static final int NR = 32;       // panel width (outputs): two 512-bit float vectors
    static final int MR = 8;        // rows per register tile
    static final int KB = 512;      // K block for BF16 panels (even): 512 k × 32 outputs × 2 bytes = 32 KiB, L1-sized
    static final int KB_F32 = Integer.getInteger("tare.kernel.kbf32", 256);  // the same 32 KiB for F32 panels
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** 512-bit kernels where the hardware has 512-bit vectors; {@code -Dtare.kernel.vector=256|512} forces one. */
    static final boolean WIDE_DEFAULT = switch (System.getProperty("tare.kernel.vector", "")) {
        case "256" -> false;
        case "512" -> true;
        default -> FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    };

    private final MemorySegment packed;
    private final boolean bf16;
    private final int out;
    private final int in;
    private final int panels;
    private final int kPairs;       // BF16 only: ceil(in / 2)
    private final boolean wide;     // 512-bit kernels (else Panel256)
    private final int groupPanels;  // panels whose weights fit GROUP_BYTES (at least 1)
    /**
     * Weight bytes a matrix product keeps in L2 while its row blocks pass over them (system property
     * {@code tare.kernel.groupBytes}; default a quarter of this CPU's L2, 512 KiB where sysfs does not tell). A work
     * item runs its panels group by group, each group row block by row block, each block K block by K block over the
     * group's panels: the block's x stays in L1 across the panels, the group's weights in L2 across the blocks, and a
     * y tile is finished before the next block. Each tile's sums are those of any other order (same bits). Against
     * K block → panel → row block, paired 24-layer Qwen2.5-0.5B-shaped forwards on 2 AMX Xeon cores ran 11–18 % faster
     * (AVX2 kernels 3–6 %).
     */
    static final long GROUP_BYTES = Long.getLong("tare.kernel.groupBytes", l2Bytes() / 4);

    private PackedLinear(MemorySegment packed, boolean bf16, int out, int in, boolean wide, long groupBytes) {
        this.packed = packed;
        this.bf16 = bf16;
        this.wide = wide;
        this.out = out;
        this.in = in;
        this.panels = (out + NR - 1) / NR;
        this.kPairs = (in + 1) / 2;
        long panelBytes = bf16 ? kPairs * 2L * NR * 2 : (long) in * NR * 4;
        this.groupPanels = (int) Math.max(1, Math.min(panels, groupBytes / panelBytes));
    }

    /** This CPU's per-core L2 size from sysfs (Linux: the cache entry of level 2, "2048K"), else 2 MiB. */
    private static long l2Bytes() {
        for (int i = 0; i < 8; i++) {
            java.nio.file.Path dir = java.nio.file.Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i);
            try {
                if (!java.nio.file.Files.readString(dir.resolve("level")).strip().equals("2")) continue;
                String v = java.nio.file.Files.readString(dir.resolve("size")).strip();
                long unit = v.endsWith("K") ? 1L << 10 : v.endsWith("M") ? 1L << 20 : 1;
                long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
                if (n >= 64L << 10 && n <= 1L << 30) return n;
            } catch (java.io.IOException | RuntimeException e) {
                break;   // not Linux, or no such entry
            }
        }
        return 2L << 20;
    }

    /** Bytes of packed storage for a weight of this shape and element type (BF16 stays 2 bytes, others 4). */
    public static long packedBytes(DType dtype, int out, int in) {
        long panels = (out + NR - 1) / NR;
        return dtype == DType.BF16 ? panels * ((in + 1) / 2) * 2L * NR * 2 : panels * in * NR * 4L;
    }

    /** Packs [out, in] row-major little-endian {@code data} of {@code dtype} into new off-heap panels. */
    public static PackedLinear pack(MemorySegment data, DType dtype, int out, int in) {
        return pack(data, dtype, out, in, WIDE_DEFAULT);
    }

    /** As {@link #pack(MemorySegment, DType, int, int)} with the 512-bit ({@code wide}) or the 256-bit kernels. */
    static PackedLinear pack(MemorySegment data, DType dtype, int out, int in, boolean wide) {
        return pack(data, dtype, out, in, wide, GROUP_BYTES);
    }

    /** As {@link #pack(MemorySegment, DType, int, int, boolean)} with panel groups of at most {@code groupBytes}. */
    static PackedLinear pack(MemorySegment data, DType dtype, int out, int in, boolean wide, long groupBytes) {
        if (out <= 0 || in <= 0) throw new IllegalArgumentException("weight shape must be positive, got [" + out + ", " + in + "]");
        long need = (long) out * in * dtype.bytes();
        if (data.byteSize() < need)
            throw new IllegalArgumentException("weight segment holds " + data.byteSize() + " bytes, need " + need
                    + " for [" + out + ", " + in + "] " + dtype);
        MemorySegment p = NativeMemory.allocate(packedBytes(dtype, out, in));
        PackedLinear w = new PackedLinear(p, dtype == DType.BF16, out, in, wide, groupBytes);
        if (KernelPool.workersCanRead(data))   // pack on all cores
            KernelPool.parallelFor(w.panels, panel -> w.packPanel(data, dtype, panel));
        else                                             // confined to the caller's thread
            for (int panel = 0; panel < w.panels; panel++) w.packPanel(data, dtype, panel);
        return w;
    }

    private void packPanel(MemorySegment src, DType dtype, int panel) {
        int c0 = panel * NR;
        if (bf16) {
            long base = (long) panel * kPairs * 2 * NR;   // in shorts
            for (int c = 0; c < NR; c++) {
                int o = c0 + c;
                long lane = (c / 16) * 32L + (c % 16) * 2L;
                for (int k = 0; k < 2 * kPairs; k++) {
                    short v = (o < out && k < in) ? src.getAtIndex(I16, (long) o * in + k) : 0;
                    packed.setAtIndex(I16, base + (long) (k >> 1) * 2 * NR + lane + (k & 1), v);
                }
            }
        } else {
            long base = (long) panel * in * NR;           // in floats
            for (int c = 0; c < NR; c++) {
                int o = c0 + c;
                for (int k = 0; k < in; k++) {
                    float v = o < out ? dtype.get(src, (long) o * in + k) : 0f;
                    packed.setAtIndex(F32, base + (long) k * NR + c, v);
                }
            }
        }
    }

    /** Column panels of {@value #NR} outputs (the last one zero-padded past {@code out}). */
    int panels() { return panels; }

    /**
     * Writes BF16 panels [p0, p1) widened to f32 into {@code dst} as a row-major [in][(p1 − p0)·32] matrix: the columns
     * of Wᵀ for outputs [32·p0, 32·p1), padding outputs as zeros. Exact (bf16 → f32 is a 16-bit shift).
     */
    void widenBf16(int p0, int p1, MemorySegment dst) {
        if (!bf16) throw new IllegalStateException("widenBf16 on F32 panels");
        VectorSpecies<Integer> s = IntVector.SPECIES_PREFERRED;
        int lanes = s.length();
        long ld = (long) (p1 - p0) * NR * 4;   // bytes per row of dst
        for (int p = p0; p < p1; p++) {
            long src = (long) p * kPairs * 2 * NR * 2, col = (long) (p - p0) * NR * 4;
            for (int j = 0; j < kPairs; j++, src += 2 * NR * 2) {
                long even = 2L * j * ld + col, odd = even + ld;
                boolean hasOdd = 2 * j + 1 < in;
                for (int i = 0; i < NR; i += lanes) {   // int i of a pair holds output i's (even k, odd k) as (low, high) halves
                    IntVector v = IntVector.fromMemorySegment(s, packed, src + 4L * i, LE);
                    v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoMemorySegment(dst, even + 4L * i, LE);
                    if (hasOdd) v.and(0xFFFF0000).reinterpretAsFloats().intoMemorySegment(dst, odd + 4L * i, LE);
                }
            }
        }
    }

    @Override public int outFeatures() { return out; }
    @Override public int inFeatures() { return in; }

    /** Whether the packed weights are BF16 (else F32). */
    public boolean isBf16() { return bf16; }

    /** Vector width of the kernels this weight runs: 512 or 256 bits. */
    public int vectorBits() { return wide ? 512 : 256; }

    /** Weight bytes of one panel group of a matrix product ({@code tare.kernel.groupBytes}, default a quarter of L2). */
    public static long groupBytes() { return GROUP_BYTES; }

    /** Vector width {@link #pack} chooses on this machine (512 or 256 bits). */
    public static int defaultVectorBits() { return WIDE_DEFAULT ? 512 : 256; }

    /** Off-heap bytes held by the packed weights. */
    public long bytes() { return packed.byteSize(); }

    @Override
    public float get(int o, int k) {
        if (o < 0 || o >= out || k < 0 || k >= in) throw new IndexOutOfBoundsException("[" + o + ", " + k + "] outside [" + out + ", " + in + "]");
        int panel = o / NR, c = o % NR;
        if (bf16) {
            long idx = (long) panel * kPairs * 2 * NR + (long) (k >> 1) * 2 * NR + (c / 16) * 32L + (c % 16) * 2L + (k & 1);
            return Float.intBitsToFloat((packed.getAtIndex(I16, idx) & 0xFFFF) << 16);
        }
        return packed.getAtIndex(F32, ((long) panel * in + k) * NR + c);
    }

    @Override
    public void forward(float[] x, int rows, float[] y) {
        if (rows <= 0) return;
        if (x.length < (long) rows * in) throw new IllegalArgumentException("x holds " + x.length + " floats, need rows*in = " + (long) rows * in);
        if (y.length < (long) rows * out) throw new IllegalArgumentException("y holds " + y.length + " floats, need rows*out = " + (long) rows * out);
        if (rows == 1) {
            gemv(x, y);
            return;
        }
        int fullBlocks = rows / MR;
        int tail = rows - fullBlocks * MR;
        float[] xt = null, yt = null;
        if (tail > 0) {
            xt = new float[MR * in];
            System.arraycopy(x, fullBlocks * MR * in, xt, 0, tail * in);
            yt = new float[MR * out];
        }
        final float[] xTail = xt, yTail = yt;
        int blocks = fullBlocks + (tail > 0 ? 1 : 0);
        Split split = Split.of(panels, blocks, (long) blocks * MR * in * panels * NR);
        KernelPool.parallelFor(split.items(), item -> {
            int p0 = split.panelStart(item), p1 = split.panelEnd(item);
            int b0 = split.blockStart(item), b1 = split.blockEnd(item);
            int kBlock = bf16 ? KB : KB_F32;
            for (int g0 = p0; g0 < p1; g0 += groupPanels) {   // panels whose weights stay in L2 while the rows pass
                int g1 = Math.min(p1, g0 + groupPanels);
                for (int b = b0; b < b1; b++) {
                    float[] xs = b < fullBlocks ? x : xTail, ys = b < fullBlocks ? y : yTail;
                    int xo = b < fullBlocks ? b * MR * in : 0, yo = b < fullBlocks ? b * MR * out : 0;
                    for (int kb = 0; kb < in; kb += kBlock) {   // this block's x (8 rows × kBlock) stays in L1 across the panels
                        int kLen = Math.min(kBlock, in - kb);
                        for (int p = g0; p < g1; p++) block(p, kb, kLen, xs, xo, ys, yo, kb > 0);
                    }
                }
            }
        });
        if (tail > 0) System.arraycopy(yTail, 0, y, fullBlocks * MR * out, tail * out);
    }

    /**
     * GFLOP/s of the register tile alone on the calling thread: one 8-row × 32-output block of {@code dtype} (BF16 or
     * F32) weights over one K block (512 k BF16, {@code tare.kernel.kbf32} k F32), weights and x cache-resident, no
     * hand-offs — the ceiling of this machine's Java matrix products. Best of 5 runs of about {@code seconds} / 5 each,
     * after a warm-up long enough for C2 to compile the tile.
     */
    public static double tileGflops(DType dtype, double seconds) {
        if (dtype == DType.F16) throw new IllegalArgumentException("tileGflops: BF16 or F32, got F16 (packed as F32)");
        if (!(seconds > 0) || seconds > 60) throw new IllegalArgumentException("tileGflops: seconds must be in (0, 60], got " + seconds);
        int in = dtype == DType.BF16 ? KB : KB_F32;
        MemorySegment src = Arena.ofAuto().allocate((long) NR * in * dtype.bytes(), 64);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        for (long i = 0; i < (long) NR * in; i++) {   // normal numbers: subnormal operands would slow the FMAs down
            float v = (float) (rnd.nextDouble() + 0.5) * (rnd.nextBoolean() ? 0.05f : -0.05f);
            if (dtype == DType.BF16) src.setAtIndex(I16, i, DType.toBf16(v));
            else src.setAtIndex(F32, i, v);
        }
        PackedLinear w = pack(src, dtype, NR, in);
        float[] x = new float[MR * in], y = new float[MR * NR];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() + 0.5);
        long warmEnd = System.nanoTime() + 300_000_000L;
        for (int i = 0; i < 20_000 || System.nanoTime() < warmEnd; i++) w.block(0, 0, in, x, 0, y, 0, false);
        double flopsPerCall = 2.0 * MR * NR * in, best = 0;
        long slice = (long) (seconds * 1e9 / 5);
        for (int r = 0; r < 5; r++) {
            long calls = 0, t0 = System.nanoTime(), t;
            do {
                for (int i = 0; i < 64; i++) w.block(0, 0, in, x, 0, y, 0, false);
                calls += 64;
            } while ((t = System.nanoTime()) - t0 < slice);
            best = Math.max(best, flopsPerCall * calls / (t - t0));
        }
        if (!Float.isFinite(y[0])) throw new IllegalStateException("tileGflops: the tile's sum is not finite");
        return best;
    }

    /** One 8-row × 32-column block of panel p over k in [kb, kb + kLen), with the kernels of this weight's width. */
    private void block(int p, int kb, int kLen, float[] x, int xOff, float[] y, int yOff, boolean acc) {
        if (wide) {
            if (bf16) tileBf16(packed, p, kPairs, kb, kLen, x, xOff, in, y, yOff, out, p * NR, acc);
            else tileF32(packed, p, in, kb, kLen, x, xOff, in, y, yOff, out, p * NR, acc);
        } else {
            if (bf16) Panel256.blockBf16(packed, p, kPairs, kb, kLen, x, xOff, in, y, yOff, out, p * NR, acc);
            else Panel256.blockF32(packed, p, in, kb, kLen, x, xOff, in, y, yOff, out, p * NR, acc);
        }
    }

    /** Multiply-adds below which a call stays on the caller's thread (a hand-off costs more than it saves). */
    static final long PARALLEL_MIN_MACS = 1L << 17;

    /**
     * The work items of one call: a grid of panel groups × row-block groups whose sizes differ by at most one (so
     * that the last items are not the long ones), about 4 items per thread; one item (no hand-off) when the work is
     * small. Row blocks are split only where there are too few panels to keep every thread busy.
     */
    record Split(int panels, int panelGroups, int blocks, int blockGroups) {
        static Split of(int panels, int blocks, long macs) {
            if (macs < PARALLEL_MIN_MACS) return new Split(panels, 1, blocks, 1);
            int want = KernelPool.threads() * 4;
            int pg = Math.min(panels, want);
            int bg = Math.max(1, Math.min(blocks, (want + pg - 1) / pg));
            return new Split(panels, pg, blocks, bg);
        }

        int items() { return panelGroups * blockGroups; }
        int panelStart(int item) { return start(item / blockGroups, panels, panelGroups); }
        int panelEnd(int item) { return start(item / blockGroups + 1, panels, panelGroups); }
        int blockStart(int item) { return start(item % blockGroups, blocks, blockGroups); }
        int blockEnd(int item) { return start(item % blockGroups + 1, blocks, blockGroups); }

        /** Start of group g when n units are cut into `groups` groups of ⌊n/groups⌋ or ⌈n/groups⌉, the larger first. */
        private static int start(int g, int n, int groups) {
            int q = n / groups, r = n % groups;
            return g * q + Math.min(g, r);
        }
    }

    private void gemv(float[] x, float[] y) {
        Split split = Split.of(panels, 1, (long) in * panels * NR);
        KernelPool.parallelFor(split.items(), item -> {
            int p0 = split.panelStart(item), p1 = split.panelEnd(item);
            for (int p = p0; p < p1; p++) {
                if (wide) {
                    if (bf16) gemvBf16(packed, p, kPairs, in, x, y, out);
                    else gemvF32(packed, p, in, x, y, out);
                } else {
                    if (bf16) Panel256.gemvBf16(packed, p, kPairs, in, KB, x, y, out);
                    else Panel256.gemvF32(packed, p, in, KB_F32, x, y, out);
                }
            }
        });
    }

    // ---- F32 kernels -------------------------------------------------------------------------------------

    private static void tileF32(MemorySegment w, int panel, int in, int kb, int kLen, float[] x, int xOff, int ldx,
                                float[] y, int yOff, int ldy, int col, boolean acc) {
        FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS), c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
        FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS), c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
        FloatVector c40 = FloatVector.zero(FS), c41 = FloatVector.zero(FS), c50 = FloatVector.zero(FS), c51 = FloatVector.zero(FS);
        FloatVector c60 = FloatVector.zero(FS), c61 = FloatVector.zero(FS), c70 = FloatVector.zero(FS), c71 = FloatVector.zero(FS);
        long wo = (((long) panel * in) + kb) * NR * 4L;
        int x0 = xOff + kb, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx, x4 = x3 + ldx, x5 = x4 + ldx, x6 = x5 + ldx, x7 = x6 + ldx;
        for (int k = 0; k < kLen; k++, wo += NR * 4L) {
            FloatVector w0 = FloatVector.fromMemorySegment(FS, w, wo, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(FS, w, wo + 64, LE);
            FloatVector b;
            b = FloatVector.broadcast(FS, x[x0 + k]); c00 = w0.fma(b, c00); c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(FS, x[x1 + k]); c10 = w0.fma(b, c10); c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(FS, x[x2 + k]); c20 = w0.fma(b, c20); c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(FS, x[x3 + k]); c30 = w0.fma(b, c30); c31 = w1.fma(b, c31);
            b = FloatVector.broadcast(FS, x[x4 + k]); c40 = w0.fma(b, c40); c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(FS, x[x5 + k]); c50 = w0.fma(b, c50); c51 = w1.fma(b, c51);
            b = FloatVector.broadcast(FS, x[x6 + k]); c60 = w0.fma(b, c60); c61 = w1.fma(b, c61);
            b = FloatVector.broadcast(FS, x[x7 + k]); c70 = w0.fma(b, c70); c71 = w1.fma(b, c71);
        }
        int out = ldy;
        VectorMask<Float> m0 = FS.indexInRange(col, out), m1 = FS.indexInRange(col + 16, out);
        int y0 = yOff + col;
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(FS, y, y0, m0)); c01 = c01.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c10 = c10.add(FloatVector.fromArray(FS, y, y0, m0)); c11 = c11.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c20 = c20.add(FloatVector.fromArray(FS, y, y0, m0)); c21 = c21.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c30 = c30.add(FloatVector.fromArray(FS, y, y0, m0)); c31 = c31.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c40 = c40.add(FloatVector.fromArray(FS, y, y0, m0)); c41 = c41.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c50 = c50.add(FloatVector.fromArray(FS, y, y0, m0)); c51 = c51.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c60 = c60.add(FloatVector.fromArray(FS, y, y0, m0)); c61 = c61.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c70 = c70.add(FloatVector.fromArray(FS, y, y0, m0)); c71 = c71.add(FloatVector.fromArray(FS, y, y0 + 16, m1));
            y0 = yOff + col;
        }
        c00.intoArray(y, y0, m0); c01.intoArray(y, y0 + 16, m1); y0 += ldy;
        c10.intoArray(y, y0, m0); c11.intoArray(y, y0 + 16, m1); y0 += ldy;
        c20.intoArray(y, y0, m0); c21.intoArray(y, y0 + 16, m1); y0 += ldy;
        c30.intoArray(y, y0, m0); c31.intoArray(y, y0 + 16, m1); y0 += ldy;
        c40.intoArray(y, y0, m0); c41.intoArray(y, y0 + 16, m1); y0 += ldy;
        c50.intoArray(y, y0, m0); c51.intoArray(y, y0 + 16, m1); y0 += ldy;
        c60.intoArray(y, y0, m0); c61.intoArray(y, y0 + 16, m1); y0 += ldy;
        c70.intoArray(y, y0, m0); c71.intoArray(y, y0 + 16, m1);
    }

    /**
     * y[32 columns of the panel] = x · W for one row, summed in the order of the matrix tile (per K block one chain
     * over k from zero, added onto the blocks before it), so that a row gets the same bits alone as in a matrix
     * product: a sequence's logits do not depend on how many others share its decoding step. One row is bound by
     * memory, not by the chain's latency.
     */
    private static void gemvF32(MemorySegment w, int panel, int in, float[] x, float[] y, int out) {
        FloatVector y0 = FloatVector.zero(FS), y1 = FloatVector.zero(FS);
        long wo = (long) panel * in * NR * 4L;
        for (int kb = 0; kb < in; kb += KB_F32) {
            int end = Math.min(in, kb + KB_F32);
            FloatVector c0 = FloatVector.zero(FS), c1 = FloatVector.zero(FS);
            for (int k = kb; k < end; k++, wo += NR * 4L) {
                FloatVector s = FloatVector.broadcast(FS, x[k]);
                c0 = FloatVector.fromMemorySegment(FS, w, wo, LE).fma(s, c0);
                c1 = FloatVector.fromMemorySegment(FS, w, wo + 64, LE).fma(s, c1);
            }
            y0 = kb == 0 ? c0 : c0.add(y0);
            y1 = kb == 0 ? c1 : c1.add(y1);
        }
        int col = panel * NR;
        y0.intoArray(y, col, FS.indexInRange(col, out));
        y1.intoArray(y, col + 16, FS.indexInRange(col + 16, out));
    }

    // ---- BF16 kernels: a 512-bit load holds 16 outputs × (k, k+1); low half << 16 is k, high half masked is k+1 ----

    private static void tileBf16(MemorySegment w, int panel, int kPairs, int kb, int kLen, float[] x, int xOff, int ldx,
                                 float[] y, int yOff, int ldy, int col, boolean acc) {
        FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS), c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
        FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS), c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
        FloatVector c40 = FloatVector.zero(FS), c41 = FloatVector.zero(FS), c50 = FloatVector.zero(FS), c51 = FloatVector.zero(FS);
        FloatVector c60 = FloatVector.zero(FS), c61 = FloatVector.zero(FS), c70 = FloatVector.zero(FS), c71 = FloatVector.zero(FS);
        int pairs = kLen >> 1;
        long wo = ((long) panel * kPairs + (kb >> 1)) * NR * 4L;   // 2 k × 32 outputs × 2 bytes per pair
        int x0 = xOff + kb, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx, x4 = x3 + ldx, x5 = x4 + ldx, x6 = x5 + ldx, x7 = x6 + ldx;
        for (int kp = 0; kp < pairs; kp++, wo += NR * 4L) {
            IntVector v0 = IntVector.fromMemorySegment(IS, w, wo, LE);
            IntVector v1 = IntVector.fromMemorySegment(IS, w, wo + 64, LE);
            FloatVector e0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector o0 = v0.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector e1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector o1 = v1.and(0xFFFF0000).reinterpretAsFloats();
            int k = 2 * kp;
            FloatVector be, bo;
            be = FloatVector.broadcast(FS, x[x0 + k]); bo = FloatVector.broadcast(FS, x[x0 + k + 1]);
            c00 = o0.fma(bo, e0.fma(be, c00)); c01 = o1.fma(bo, e1.fma(be, c01));
            be = FloatVector.broadcast(FS, x[x1 + k]); bo = FloatVector.broadcast(FS, x[x1 + k + 1]);
            c10 = o0.fma(bo, e0.fma(be, c10)); c11 = o1.fma(bo, e1.fma(be, c11));
            be = FloatVector.broadcast(FS, x[x2 + k]); bo = FloatVector.broadcast(FS, x[x2 + k + 1]);
            c20 = o0.fma(bo, e0.fma(be, c20)); c21 = o1.fma(bo, e1.fma(be, c21));
            be = FloatVector.broadcast(FS, x[x3 + k]); bo = FloatVector.broadcast(FS, x[x3 + k + 1]);
            c30 = o0.fma(bo, e0.fma(be, c30)); c31 = o1.fma(bo, e1.fma(be, c31));
            be = FloatVector.broadcast(FS, x[x4 + k]); bo = FloatVector.broadcast(FS, x[x4 + k + 1]);
            c40 = o0.fma(bo, e0.fma(be, c40)); c41 = o1.fma(bo, e1.fma(be, c41));
            be = FloatVector.broadcast(FS, x[x5 + k]); bo = FloatVector.broadcast(FS, x[x5 + k + 1]);
            c50 = o0.fma(bo, e0.fma(be, c50)); c51 = o1.fma(bo, e1.fma(be, c51));
            be = FloatVector.broadcast(FS, x[x6 + k]); bo = FloatVector.broadcast(FS, x[x6 + k + 1]);
            c60 = o0.fma(bo, e0.fma(be, c60)); c61 = o1.fma(bo, e1.fma(be, c61));
            be = FloatVector.broadcast(FS, x[x7 + k]); bo = FloatVector.broadcast(FS, x[x7 + k + 1]);
            c70 = o0.fma(bo, e0.fma(be, c70)); c71 = o1.fma(bo, e1.fma(be, c71));
        }
        if ((kLen & 1) != 0) {   // odd in: the last k pairs with zero padding, whose x index would leave the row
            IntVector v0 = IntVector.fromMemorySegment(IS, w, wo, LE);
            IntVector v1 = IntVector.fromMemorySegment(IS, w, wo + 64, LE);
            FloatVector e0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector e1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            int k = 2 * pairs;
            FloatVector be;
            be = FloatVector.broadcast(FS, x[x0 + k]); c00 = e0.fma(be, c00); c01 = e1.fma(be, c01);
            be = FloatVector.broadcast(FS, x[x1 + k]); c10 = e0.fma(be, c10); c11 = e1.fma(be, c11);
            be = FloatVector.broadcast(FS, x[x2 + k]); c20 = e0.fma(be, c20); c21 = e1.fma(be, c21);
            be = FloatVector.broadcast(FS, x[x3 + k]); c30 = e0.fma(be, c30); c31 = e1.fma(be, c31);
            be = FloatVector.broadcast(FS, x[x4 + k]); c40 = e0.fma(be, c40); c41 = e1.fma(be, c41);
            be = FloatVector.broadcast(FS, x[x5 + k]); c50 = e0.fma(be, c50); c51 = e1.fma(be, c51);
            be = FloatVector.broadcast(FS, x[x6 + k]); c60 = e0.fma(be, c60); c61 = e1.fma(be, c61);
            be = FloatVector.broadcast(FS, x[x7 + k]); c70 = e0.fma(be, c70); c71 = e1.fma(be, c71);
        }
        int out = ldy;
        VectorMask<Float> m0 = FS.indexInRange(col, out), m1 = FS.indexInRange(col + 16, out);
        int y0 = yOff + col;
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(FS, y, y0, m0)); c01 = c01.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c10 = c10.add(FloatVector.fromArray(FS, y, y0, m0)); c11 = c11.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c20 = c20.add(FloatVector.fromArray(FS, y, y0, m0)); c21 = c21.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c30 = c30.add(FloatVector.fromArray(FS, y, y0, m0)); c31 = c31.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c40 = c40.add(FloatVector.fromArray(FS, y, y0, m0)); c41 = c41.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c50 = c50.add(FloatVector.fromArray(FS, y, y0, m0)); c51 = c51.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c60 = c60.add(FloatVector.fromArray(FS, y, y0, m0)); c61 = c61.add(FloatVector.fromArray(FS, y, y0 + 16, m1)); y0 += ldy;
            c70 = c70.add(FloatVector.fromArray(FS, y, y0, m0)); c71 = c71.add(FloatVector.fromArray(FS, y, y0 + 16, m1));
            y0 = yOff + col;
        }
        c00.intoArray(y, y0, m0); c01.intoArray(y, y0 + 16, m1); y0 += ldy;
        c10.intoArray(y, y0, m0); c11.intoArray(y, y0 + 16, m1); y0 += ldy;
        c20.intoArray(y, y0, m0); c21.intoArray(y, y0 + 16, m1); y0 += ldy;
        c30.intoArray(y, y0, m0); c31.intoArray(y, y0 + 16, m1); y0 += ldy;
        c40.intoArray(y, y0, m0); c41.intoArray(y, y0 + 16, m1); y0 += ldy;
        c50.intoArray(y, y0, m0); c51.intoArray(y, y0 + 16, m1); y0 += ldy;
        c60.intoArray(y, y0, m0); c61.intoArray(y, y0 + 16, m1); y0 += ldy;
        c70.intoArray(y, y0, m0); c71.intoArray(y, y0 + 16, m1);
    }

    /** As {@link #gemvF32} over a BF16 panel: per k-pair the even k, then the odd k, into one chain per 16 outputs. */
    private static void gemvBf16(MemorySegment w, int panel, int kPairs, int in, float[] x, float[] y, int out) {
        FloatVector y0 = FloatVector.zero(FS), y1 = FloatVector.zero(FS);
        long wo = (long) panel * kPairs * NR * 4L;
        for (int kb = 0; kb < in; kb += KB) {
            int kLen = Math.min(KB, in - kb), end = kb + (kLen & ~1);
            FloatVector c0 = FloatVector.zero(FS), c1 = FloatVector.zero(FS);
            for (int k = kb; k < end; k += 2, wo += NR * 4L) {
                IntVector v0 = IntVector.fromMemorySegment(IS, w, wo, LE);
                IntVector v1 = IntVector.fromMemorySegment(IS, w, wo + 64, LE);
                FloatVector se = FloatVector.broadcast(FS, x[k]), so = FloatVector.broadcast(FS, x[k + 1]);
                // c + even·se + odd·so, even k first as in the matrix tiles (spelled out: see Panel256's class comment)
                c0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(so, v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, c0));
                c1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(so, v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, c1));
            }
            if ((kLen & 1) != 0) {   // odd in: the last k, whose pair partner is zero padding
                FloatVector se = FloatVector.broadcast(FS, x[end]);
                c0 = IntVector.fromMemorySegment(IS, w, wo, LE).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, c0);
                c1 = IntVector.fromMemorySegment(IS, w, wo + 64, LE).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, c1);
            }
            y0 = kb == 0 ? c0 : c0.add(y0);
            y1 = kb == 0 ? c1 : c1.add(y1);
        }
        int col = panel * NR;
        y0.intoArray(y, col, FS.indexInRange(col, out));
        y1.intoArray(y, col + 16, FS.indexInRange(col + 16, out));
    }
}
