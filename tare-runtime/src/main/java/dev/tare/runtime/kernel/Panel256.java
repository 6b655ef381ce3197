package dev.tare.runtime.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 256-bit (AVX2-class) kernels over {@link PackedLinear}'s panels: the same packed layout read with 8-lane
 * vectors. A 512-bit species on a machine without 512-bit registers is not compiled to vector instructions (each
 * operation falls back to a boxed lane loop, tens of times slower), so machines whose preferred species is narrower
 * use these. Register budget (16 × 256-bit): a 4-row × 16-column tile holds 8 accumulators, 2–4 weight vectors and
 * one broadcast; an 8-row × 32-column block of {@link PackedLinear} is four such tiles.
 *
 * <p>No method of the kernels takes or returns a vector: a helper that the JIT compiles on its own first (hot while
 * its caller still runs in the interpreter or C1) is later refused inlining ("already compiled into a big method")
 * and every call boxes its vectors. Seen with a 15-byte {@code pairFma(IntVector, FloatVector, FloatVector,
 * FloatVector)}: one-row BF16 products stuck at 2.2–2.8 GFLOP/s for the rest of the process instead of 41–58. The
 * widening, the multiply-adds and the stores are spelled out in each loop instead (KernelShapeTest checks).
 */
final class Panel256 {
    private Panel256() {}

    static final VectorSpecies<Float> FS = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> IS = IntVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int NR = PackedLinear.NR;

    /** y[8 rows, 32 columns of the panel] (+)= x[8 rows, kb..kb+kLen) · W over an F32 panel, as four 4 × 16 tiles. */
    static void blockF32(MemorySegment w, int panel, int in, int kb, int kLen, float[] x, int xOff, int ldx,
                         float[] y, int yOff, int ldy, int col, boolean acc) {
        for (int r = 0; r < 8; r += 4)
            for (int h = 0; h < 2; h++)
                tileF32(w, panel, in, kb, kLen, x, xOff + r * ldx, ldx, y, yOff + r * ldy, ldy, col, h, acc);
    }

    /** The same over a BF16 panel (k-pairs interleaved). */
    static void blockBf16(MemorySegment w, int panel, int kPairs, int kb, int kLen, float[] x, int xOff, int ldx,
                          float[] y, int yOff, int ldy, int col, boolean acc) {
        for (int r = 0; r < 8; r += 4)
            for (int h = 0; h < 2; h++)
                tileBf16(w, panel, kPairs, kb, kLen, x, xOff + r * ldx, ldx, y, yOff + r * ldy, ldy, col, h, acc);
    }

    private static void tileF32(MemorySegment w, int panel, int in, int kb, int kLen, float[] x, int xOff, int ldx,
                                float[] y, int yOff, int ldy, int col, int half, boolean acc) {
        FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS), c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
        FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS), c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
        long wo = (((long) panel * in) + kb) * NR * 4L + half * 64L;
        int x0 = xOff + kb, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
        for (int k = 0; k < kLen; k++, wo += NR * 4L) {
            FloatVector w0 = FloatVector.fromMemorySegment(FS, w, wo, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(FS, w, wo + 32, LE);
            FloatVector b;
            b = FloatVector.broadcast(FS, x[x0 + k]); c00 = w0.fma(b, c00); c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(FS, x[x1 + k]); c10 = w0.fma(b, c10); c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(FS, x[x2 + k]); c20 = w0.fma(b, c20); c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(FS, x[x3 + k]); c30 = w0.fma(b, c30); c31 = w1.fma(b, c31);
        }
        int c = col + half * 16;   // the tile's stores spelled out (see the class comment), columns ≥ ldy masked off
        VectorMask<Float> m0 = FS.indexInRange(c, ldy), m1 = FS.indexInRange(c + 8, ldy);
        int y0 = yOff + c, y1 = y0 + ldy, y2 = y1 + ldy, y3 = y2 + ldy;
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(FS, y, y0, m0)); c01 = c01.add(FloatVector.fromArray(FS, y, y0 + 8, m1));
            c10 = c10.add(FloatVector.fromArray(FS, y, y1, m0)); c11 = c11.add(FloatVector.fromArray(FS, y, y1 + 8, m1));
            c20 = c20.add(FloatVector.fromArray(FS, y, y2, m0)); c21 = c21.add(FloatVector.fromArray(FS, y, y2 + 8, m1));
            c30 = c30.add(FloatVector.fromArray(FS, y, y3, m0)); c31 = c31.add(FloatVector.fromArray(FS, y, y3 + 8, m1));
        }
        c00.intoArray(y, y0, m0); c01.intoArray(y, y0 + 8, m1);
        c10.intoArray(y, y1, m0); c11.intoArray(y, y1 + 8, m1);
        c20.intoArray(y, y2, m0); c21.intoArray(y, y2 + 8, m1);
        c30.intoArray(y, y3, m0); c31.intoArray(y, y3 + 8, m1);
    }

    private static void tileBf16(MemorySegment w, int panel, int kPairs, int kb, int kLen, float[] x, int xOff, int ldx,
                                 float[] y, int yOff, int ldy, int col, int half, boolean acc) {
        FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS), c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
        FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS), c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
        int pairs = kLen >> 1;
        long wo = ((long) panel * kPairs + (kb >> 1)) * NR * 4L + half * 64L;   // a pair: 2 k × 32 outputs × 2 bytes
        int x0 = xOff + kb, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
        for (int kp = 0; kp < pairs; kp++, wo += NR * 4L) {
            IntVector v0 = IntVector.fromMemorySegment(IS, w, wo, LE);        // outputs 0..7 of the half, k and k+1
            IntVector v1 = IntVector.fromMemorySegment(IS, w, wo + 32, LE);   // outputs 8..15
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
        }
        if ((kLen & 1) != 0) {   // odd in: the last k pairs with zero padding, whose x index would leave the row
            IntVector v0 = IntVector.fromMemorySegment(IS, w, wo, LE);
            IntVector v1 = IntVector.fromMemorySegment(IS, w, wo + 32, LE);
            FloatVector e0 = v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector e1 = v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            int k = 2 * pairs;
            FloatVector be;
            be = FloatVector.broadcast(FS, x[x0 + k]); c00 = e0.fma(be, c00); c01 = e1.fma(be, c01);
            be = FloatVector.broadcast(FS, x[x1 + k]); c10 = e0.fma(be, c10); c11 = e1.fma(be, c11);
            be = FloatVector.broadcast(FS, x[x2 + k]); c20 = e0.fma(be, c20); c21 = e1.fma(be, c21);
            be = FloatVector.broadcast(FS, x[x3 + k]); c30 = e0.fma(be, c30); c31 = e1.fma(be, c31);
        }
        int c = col + half * 16;   // the tile's stores spelled out (see the class comment), columns ≥ ldy masked off
        VectorMask<Float> m0 = FS.indexInRange(c, ldy), m1 = FS.indexInRange(c + 8, ldy);
        int y0 = yOff + c, y1 = y0 + ldy, y2 = y1 + ldy, y3 = y2 + ldy;
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(FS, y, y0, m0)); c01 = c01.add(FloatVector.fromArray(FS, y, y0 + 8, m1));
            c10 = c10.add(FloatVector.fromArray(FS, y, y1, m0)); c11 = c11.add(FloatVector.fromArray(FS, y, y1 + 8, m1));
            c20 = c20.add(FloatVector.fromArray(FS, y, y2, m0)); c21 = c21.add(FloatVector.fromArray(FS, y, y2 + 8, m1));
            c30 = c30.add(FloatVector.fromArray(FS, y, y3, m0)); c31 = c31.add(FloatVector.fromArray(FS, y, y3 + 8, m1));
        }
        c00.intoArray(y, y0, m0); c01.intoArray(y, y0 + 8, m1);
        c10.intoArray(y, y1, m0); c11.intoArray(y, y1 + 8, m1);
        c20.intoArray(y, y2, m0); c21.intoArray(y, y2 + 8, m1);
        c30.intoArray(y, y3, m0); c31.intoArray(y, y3 + 8, m1);
    }

    /** y[32 columns of the panel] = x · W for one row (F32 panel), in the matrix tiles' order (K blocks of {@code kBlock}). */
    static void gemvF32(MemorySegment w, int panel, int in, int kBlock, float[] x, float[] y, int out) {
        FloatVector y0 = FloatVector.zero(FS), y1 = FloatVector.zero(FS), y2 = FloatVector.zero(FS), y3 = FloatVector.zero(FS);
        long wo = (long) panel * in * NR * 4L;
        for (int kb = 0; kb < in; kb += kBlock) {
            int end = Math.min(in, kb + kBlock);
            FloatVector a0 = FloatVector.zero(FS), a1 = FloatVector.zero(FS), a2 = FloatVector.zero(FS), a3 = FloatVector.zero(FS);
            for (int k = kb; k < end; k++, wo += NR * 4L) {
                FloatVector s = FloatVector.broadcast(FS, x[k]);
                a0 = FloatVector.fromMemorySegment(FS, w, wo, LE).fma(s, a0);
                a1 = FloatVector.fromMemorySegment(FS, w, wo + 32, LE).fma(s, a1);
                a2 = FloatVector.fromMemorySegment(FS, w, wo + 64, LE).fma(s, a2);
                a3 = FloatVector.fromMemorySegment(FS, w, wo + 96, LE).fma(s, a3);
            }
            if (kb == 0) { y0 = a0; y1 = a1; y2 = a2; y3 = a3; }
            else { y0 = a0.add(y0); y1 = a1.add(y1); y2 = a2.add(y2); y3 = a3.add(y3); }
        }
        int col = panel * NR;
        y0.intoArray(y, col, FS.indexInRange(col, out));
        y1.intoArray(y, col + 8, FS.indexInRange(col + 8, out));
        y2.intoArray(y, col + 16, FS.indexInRange(col + 16, out));
        y3.intoArray(y, col + 24, FS.indexInRange(col + 24, out));
    }

    /** The same over a BF16 panel: per k-pair 4 loads give the even-k and odd-k halves of 32 outputs. */
    static void gemvBf16(MemorySegment w, int panel, int kPairs, int in, int kBlock, float[] x, float[] y, int out) {
        FloatVector y0 = FloatVector.zero(FS), y1 = FloatVector.zero(FS), y2 = FloatVector.zero(FS), y3 = FloatVector.zero(FS);
        long wo = (long) panel * kPairs * NR * 4L;
        for (int kb = 0; kb < in; kb += kBlock) {
            int kLen = Math.min(kBlock, in - kb), end = kb + (kLen & ~1);
            FloatVector a0 = FloatVector.zero(FS), a1 = FloatVector.zero(FS), a2 = FloatVector.zero(FS), a3 = FloatVector.zero(FS);
            for (int k = kb; k < end; k += 2, wo += NR * 4L) {
                FloatVector se = FloatVector.broadcast(FS, x[k]), so = FloatVector.broadcast(FS, x[k + 1]);
                IntVector v0 = IntVector.fromMemorySegment(IS, w, wo, LE);
                IntVector v1 = IntVector.fromMemorySegment(IS, w, wo + 32, LE);
                IntVector v2 = IntVector.fromMemorySegment(IS, w, wo + 64, LE);
                IntVector v3 = IntVector.fromMemorySegment(IS, w, wo + 96, LE);
                a0 = v0.and(0xFFFF0000).reinterpretAsFloats().fma(so, v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a0));
                a1 = v1.and(0xFFFF0000).reinterpretAsFloats().fma(so, v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a1));
                a2 = v2.and(0xFFFF0000).reinterpretAsFloats().fma(so, v2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a2));
                a3 = v3.and(0xFFFF0000).reinterpretAsFloats().fma(so, v3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a3));
            }
            if ((kLen & 1) != 0) {   // odd in: the last k, whose pair partner is zero padding
                FloatVector se = FloatVector.broadcast(FS, x[end]);
                a0 = IntVector.fromMemorySegment(IS, w, wo, LE).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a0);
                a1 = IntVector.fromMemorySegment(IS, w, wo + 32, LE).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a1);
                a2 = IntVector.fromMemorySegment(IS, w, wo + 64, LE).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a2);
                a3 = IntVector.fromMemorySegment(IS, w, wo + 96, LE).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(se, a3);
            }
            if (kb == 0) { y0 = a0; y1 = a1; y2 = a2; y3 = a3; }
            else { y0 = a0.add(y0); y1 = a1.add(y1); y2 = a2.add(y2); y3 = a3.add(y3); }
        }
        int col = panel * NR;
        y0.intoArray(y, col, FS.indexInRange(col, out));
        y1.intoArray(y, col + 8, FS.indexInRange(col + 8, out));
        y2.intoArray(y, col + 16, FS.indexInRange(col + 16, out));
        y3.intoArray(y, col + 24, FS.indexInRange(col + 24, out));
    }

}
