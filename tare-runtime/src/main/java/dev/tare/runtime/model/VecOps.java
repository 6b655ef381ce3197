package dev.tare.runtime.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/** Small Vector API helpers for attention, activations and LoRA (dot product, scaled add, softmax's exponentials, SiLU). */
public final class VecOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VecOps() {}

    /** Σ a[ao+i]·b[bo+i] for i in [0, n). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float r = 0f;
        int step = S.length();
        if (n >= step) {
            FloatVector acc = FloatVector.zero(S);
            for (; i <= n - step; i += step)
                acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            // Not reduceLanes(ADD): its float summation order differs between the JIT intrinsic and the
            // interpreter/C1 fallback, which made the same input score differently before and after warm-up.
            for (int l = 0; l < step; l++) r += acc.lane(l);
        }
        for (; i < n; i++) r += a[ao + i] * b[bo + i];
        return r;
    }

    /** y[yo+i] += p·x[xo+i] for i in [0, n). */
    public static void axpy(float p, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int step = S.length();
        if (n >= step) {
            FloatVector pv = FloatVector.broadcast(S, p);
            for (; i <= n - step; i += step)
                FloatVector.fromArray(S, x, xo + i).fma(pv, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += p * x[xo + i];
    }

    // exp(x) as Cephes' expf: x = k·ln2 + r (k = round(x·log2 e), ln2 split in two for an exact reduction), a degree-7
    // polynomial in r, scaled by 2^k built in the exponent bits. Only fused multiply-adds (Math.fma in the scalar path:
    // exactly rounded everywhere), +, ·, integer ops on the bits and compare/blend: the same bits JIT-compiled or
    // interpreted (unlike lanewise(EXP), whose intrinsic and fallback differ).
    private static final float LOG2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private static final float MAGIC = 12582912f;   // 1.5·2^23: adding and subtracting it rounds to the nearest integer
    // t = x·log2 e + MAGIC holds k = round(x·log2 e) exactly; its bits are MAGIC's plus k, so 2^k's exponent bits are
    // (bits(t) − EXP_BIAS) << 23 with integer lane ops only (a float-to-int conversion costs ~8 instructions: Java's
    // NaN and saturation rules)
    private static final int EXP_BIAS = Float.floatToRawIntBits(MAGIC) - 127;
    private static final float LO = -87.33654f, HI = 88.72283f;

    /**
     * exp(x) by the same steps as {@link #expShift}'s vector lanes: within 2 ulp of Math.exp for x in [-87.3, 88.7],
     * exactly 0 below LO (where exp leaves float's normal range: a masked key, x = −∞, weighs nothing), clamped above HI.
     */
    public static float exp(float x) {
        if (x < LO) return 0f;
        x = Math.min(x, HI);
        float t = Math.fma(x, LOG2E, MAGIC);
        float k = t - MAGIC;
        float r = Math.fma(k, -C1, x);
        r = Math.fma(k, -C2, r);
        float z = r * r;
        float y = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
        y = Math.fma(y, z, r) + 1f;
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(t) - EXP_BIAS) << 23);
    }

    // The vector exp is spelled out in each loop (expShift, siluMul, expShiftInto, expScaledToBf16) by the steps of exp(float): a helper
    // taking or returning a vector can be compiled on its own first and then refused inlining, boxing every call (see
    // Panel256's class comment).

    /**
     * sc[lo+i] ← exp(sc[lo+i] − max) for i in [0, n); returns their sum: float lanes summed across vectors, then the lanes
     * and the tail in a fixed order (the same bits compiled or interpreted).
     */
    public static double expShift(float[] sc, int lo, int n, float max) {
        int i = 0, step = S.length();
        double sum = 0;
        if (n >= step) {
            FloatVector m = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
            for (; i <= n - step; i += step) {
                FloatVector x = FloatVector.fromArray(S, sc, lo + i).sub(m);
                x = x.blend(HI, x.compare(VectorOperators.GT, HI));
                VectorMask<Float> under = x.compare(VectorOperators.LT, LO);   // a NaN lane is not under and stays NaN
                x = x.blend(LO, under);
                FloatVector t = x.fma(LOG2E, MAGIC);
                FloatVector k = t.sub(MAGIC);
                FloatVector r = k.fma(FloatVector.broadcast(S, -C1), x);
                r = k.fma(FloatVector.broadcast(S, -C2), r);
                FloatVector z = r.mul(r);
                FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(S, P2)).fma(r, FloatVector.broadcast(S, P3))
                        .fma(r, FloatVector.broadcast(S, P4)).fma(r, FloatVector.broadcast(S, P5));
                p = p.fma(z, r).add(1f);
                IntVector two = t.reinterpretAsInts().sub(EXP_BIAS).lanewise(VectorOperators.LSHL, 23);
                FloatVector e = p.mul(two.reinterpretAsFloats()).blend(0f, under);
                e.intoArray(sc, lo + i);
                acc = acc.add(e);
            }
            for (int l = 0; l < step; l++) sum += acc.lane(l);
        }
        for (; i < n; i++) sum += sc[lo + i] = exp(sc[lo + i] - max);
        return sum;
    }

    /** g[from+i] ← silu(g[from+i])·u[from+i] = g/(1 + exp(−g))·u for i in [0, n). */
    public static void siluMul(float[] g, float[] u, int from, int n) { siluMul(g, from, u, from, n); }

    /** g[gFrom+i] ← silu(g[gFrom+i])·u[uFrom+i] for i in [0, n): each element as {@link #siluMul(float[], float[], int, int)}. */
    public static void siluMul(float[] g, int gFrom, float[] u, int uFrom, int n) {
        int i = 0, step = S.length();
        for (; i <= n - step; i += step) {
            FloatVector a = FloatVector.fromArray(S, g, gFrom + i), x = a.neg();
            x = x.blend(HI, x.compare(VectorOperators.GT, HI));
            VectorMask<Float> under = x.compare(VectorOperators.LT, LO);   // a NaN lane is not under and stays NaN
            x = x.blend(LO, under);
            FloatVector t = x.fma(LOG2E, MAGIC);
            FloatVector k = t.sub(MAGIC);
            FloatVector r = k.fma(FloatVector.broadcast(S, -C1), x);
            r = k.fma(FloatVector.broadcast(S, -C2), r);
            FloatVector z = r.mul(r);
            FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(S, P2)).fma(r, FloatVector.broadcast(S, P3))
                    .fma(r, FloatVector.broadcast(S, P4)).fma(r, FloatVector.broadcast(S, P5));
            p = p.fma(z, r).add(1f);
            IntVector two = t.reinterpretAsInts().sub(EXP_BIAS).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(two.reinterpretAsFloats()).blend(0f, under);
            a.div(e.add(1f)).mul(FloatVector.fromArray(S, u, uFrom + i)).intoArray(g, gFrom + i);
        }
        for (; i < n; i++) {
            float a = g[gFrom + i];
            g[gFrom + i] = a / (exp(-a) + 1f) * u[uFrom + i];
        }
    }

    /**
     * sc[lo+i] ← exp(sc[lo+i] − max) for i in [0, n) (n a multiple of the vector length), while the running sums in
     * acc[accOff, accOff + vector length) become alpha·acc + the new values, lane by lane (the caller adds the lanes
     * once, at the end of the row).
     */
    public static void expShiftInto(float[] sc, int lo, int n, float max, float[] acc, int accOff, float alpha) {
        FloatVector m = FloatVector.broadcast(S, max), a = FloatVector.fromArray(S, acc, accOff).mul(alpha);
        for (int i = 0, step = S.length(); i < n; i += step) {
            FloatVector x = FloatVector.fromArray(S, sc, lo + i).sub(m);   // ≤ 0 or NaN: no upper clamp
            VectorMask<Float> under = x.compare(VectorOperators.LT, LO);   // a NaN lane is not under and stays NaN
            x = x.blend(LO, under);
            FloatVector t = x.fma(LOG2E, MAGIC);
            FloatVector k = t.sub(MAGIC);
            FloatVector r = k.fma(FloatVector.broadcast(S, -C1), x);
            r = k.fma(FloatVector.broadcast(S, -C2), r);
            FloatVector z = r.mul(r);
            FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(S, P2)).fma(r, FloatVector.broadcast(S, P3))
                    .fma(r, FloatVector.broadcast(S, P4)).fma(r, FloatVector.broadcast(S, P5));
            p = p.fma(z, r).add(1f);
            IntVector two = t.reinterpretAsInts().sub(EXP_BIAS).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(two.reinterpretAsFloats()).blend(0f, under);
            e.intoArray(sc, lo + i);
            a = a.add(e);
        }
        a.intoArray(acc, accOff);
    }

    private static final VectorSpecies<Short> HALF = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** The maximum of the floats s[at + i] of a native segment for i in [0, n) (n ≥ 1), as {@link #max(float[], int, int)}. */
    public static float max(MemorySegment s, long at, int n) {
        int i = 0, step = S.length();
        float max = Float.NEGATIVE_INFINITY;
        if (n >= step) {
            FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), m1 = m0;
            for (; i <= n - 2 * step; i += 2 * step) {
                FloatVector v0 = FloatVector.fromMemorySegment(S, s, 4 * (at + i), ByteOrder.nativeOrder());
                FloatVector v1 = FloatVector.fromMemorySegment(S, s, 4 * (at + i + step), ByteOrder.nativeOrder());
                m0 = m0.blend(v0, v0.compare(VectorOperators.GT, m0));
                m1 = m1.blend(v1, v1.compare(VectorOperators.GT, m1));
            }
            for (; i <= n - step; i += step) {
                FloatVector v0 = FloatVector.fromMemorySegment(S, s, 4 * (at + i), ByteOrder.nativeOrder());
                m0 = m0.blend(v0, v0.compare(VectorOperators.GT, m0));
            }
            max = m0.blend(m1, m1.compare(VectorOperators.GT, m0)).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            float v = s.getAtIndex(F32, at + i);
            if (v > max) max = v;   // as the array version: a NaN element is ignored
        }
        return max;
    }

    /**
     * p[pAt + i] ← bf16(exp(s[sAt + i]·scale − max)) for i in [0, n): f32 scores of a native segment to bf16 weights
     * (round to nearest even, as {@link dev.tare.runtime.kernel.DType#toBf16}) of another, by the steps of
     * {@link #expShift} (the product s·scale rounded to f32 first, as {@link #scaleMax} stores it); returns the sum of
     * the f32 values before rounding (float lanes, the last vector masked, then the lanes in a fixed order). One pass:
     * softmax's weights for a bf16 product P·V.
     */
    public static double expScaledToBf16(MemorySegment s, long sAt, int n, float scale, float max, MemorySegment p, long pAt) {
        int step = S.length();
        FloatVector m = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += step) {   // the last vector masked: lanes past n are neither read, written nor summed
            VectorMask<Float> in = S.indexInRange(i, n);
            FloatVector x = FloatVector.fromMemorySegment(S, s, 4 * (sAt + i), ByteOrder.nativeOrder(), in).mul(scale).sub(m);
            x = x.blend(HI, x.compare(VectorOperators.GT, HI));
            VectorMask<Float> under = x.compare(VectorOperators.LT, LO);
            x = x.blend(LO, under);
            FloatVector t = x.fma(LOG2E, MAGIC);
            FloatVector k = t.sub(MAGIC);
            FloatVector r = k.fma(FloatVector.broadcast(S, -C1), x);
            r = k.fma(FloatVector.broadcast(S, -C2), r);
            FloatVector z = r.mul(r);
            FloatVector q = r.fma(P0, P1).fma(r, FloatVector.broadcast(S, P2)).fma(r, FloatVector.broadcast(S, P3))
                    .fma(r, FloatVector.broadcast(S, P4)).fma(r, FloatVector.broadcast(S, P5));
            q = q.fma(z, r).add(1f);
            IntVector two = t.reinterpretAsInts().sub(EXP_BIAS).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = q.mul(two.reinterpretAsFloats()).blend(0f, under.or(in.not()));
            acc = acc.add(e);
            // round to nearest even: e is finite and ≥ 0 (no NaN case)
            IntVector bits = e.reinterpretAsInts();
            IntVector b16 = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).lanewise(VectorOperators.LSHR, 16);
            ShortVector h = b16.castShape(HALF, 0).reinterpretAsShorts();
            if (i + step <= n) h.intoMemorySegment(p, 2 * (pAt + i), ByteOrder.LITTLE_ENDIAN);
            else h.intoMemorySegment(p, 2 * (pAt + i), ByteOrder.LITTLE_ENDIAN, in.cast(HALF));
        }
        double sum = 0;
        for (int l = 0; l < step; l++) sum += acc.lane(l);
        return sum;
    }

    /** The vector length of {@link #expShiftInto}'s running sums. */
    public static int lanes() { return S.length(); }

    /** The maximum of a[from+i] for i in [0, n) (n ≥ 1; NaN elements are ignored, so all-NaN gives −∞). */
    public static float max(float[] a, int from, int n) {
        int i = 0, step = S.length();
        float max = Float.NEGATIVE_INFINITY;
        if (n >= step) {
            FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), m1 = m0;
            for (; i <= n - 2 * step; i += 2 * step) {   // two chains: a compare-and-blend step is ~5 cycles of latency
                FloatVector v0 = FloatVector.fromArray(S, a, from + i), v1 = FloatVector.fromArray(S, a, from + i + step);
                m0 = m0.blend(v0, v0.compare(VectorOperators.GT, m0));
                m1 = m1.blend(v1, v1.compare(VectorOperators.GT, m1));
            }
            for (; i <= n - step; i += step) {
                FloatVector v0 = FloatVector.fromArray(S, a, from + i);
                m0 = m0.blend(v0, v0.compare(VectorOperators.GT, m0));
            }
            // a maximum does not depend on the order of its lanes (a ±0 tie shifts exp by a signed zero: same result)
            max = m0.blend(m1, m1.compare(VectorOperators.GT, m0)).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) if (a[from + i] > max) max = a[from + i];
        return max;
    }

    /** sc[lo+i] ← sc[lo+i]·scale for i in [0, n) (n ≥ 1); returns their maximum. */
    public static float scaleMax(float[] sc, int lo, int n, float scale) {
        int i = 0, step = S.length();
        float max = Float.NEGATIVE_INFINITY;
        if (n >= step) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i <= n - step; i += step) {
                FloatVector v = FloatVector.fromArray(S, sc, lo + i).mul(scale);
                v.intoArray(sc, lo + i);
                m = m.blend(v, v.compare(VectorOperators.GT, m));   // not max(): see exp's clamp
            }
            for (int l = 0; l < step; l++) max = Math.max(max, m.lane(l));
        }
        for (; i < n; i++) {
            float v = sc[lo + i] * scale;
            sc[lo + i] = v;
            if (v > max) max = v;
        }
        return max;
    }

    /**
     * Σ x[from + i]² over n elements in double: two vectors of double lanes (floats widened, squares added by FMA)
     * summed lane by lane in a fixed order, then the rest in four running sums (elements i mod 4) added pairwise, so
     * the adds do not wait on each other (one chain of double adds made the RMS norms 4 % of a native bf16 forward;
     * four scalar chains still 4.4 %). Each square is exact in double (two 24-bit significands); the norms of
     * inference and of training both use it.
     */
    public static double sumSquares(float[] x, int from, int n) {
        int i = 0, step = SQ_D.length();
        double sum = 0;
        if (n >= 2 * step) {   // two vector sums of doubles (each square exact in double, the adds rounded in double)
            DoubleVector s0 = DoubleVector.zero(SQ_D), s1 = s0;
            for (; i <= n - 2 * step; i += 2 * step) {
                DoubleVector a = (DoubleVector) FloatVector.fromArray(SQ_F, x, from + i).convertShape(VectorOperators.F2D, SQ_D, 0);
                DoubleVector b = (DoubleVector) FloatVector.fromArray(SQ_F, x, from + i + step).convertShape(VectorOperators.F2D, SQ_D, 0);
                s0 = a.fma(a, s0);
                s1 = b.fma(b, s1);
            }
            DoubleVector t = s0.add(s1);
            for (int l = 0; l < step; l++) sum += t.lane(l);   // lanes in a fixed order
        }
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; i + 4 <= n; i += 4) {
            double a = x[from + i], b = x[from + i + 1], c = x[from + i + 2], d = x[from + i + 3];
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; i < n; i++) {
            double a = x[from + i];
            s0 += a * a;
        }
        return sum + ((s0 + s1) + (s2 + s3));
    }

    /** sumSquares' species: doubles of the preferred width and the floats that widen into them (half as wide). */
    private static final VectorSpecies<Double> SQ_D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> SQ_F = VectorSpecies.of(float.class, VectorShape.forBitSize(SQ_D.vectorBitSize() / 2));
}
