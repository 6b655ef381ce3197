package dev.tare.runtime.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Softmax's exponentials: within 2 ulp of Math.exp (the JDK's, an independent implementation), vector lanes equal to the scalar path. */
class VecOpsExpTest {
    @Test
    void expIsWithinTwoUlpOfMathExpAndLanesEqualTheScalarPath() {
        Random r = new Random(5);
        int n = 100_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i < 1000 ? -87f + i * 0.087f : (float) (-87 * r.nextDouble());
        float[] v = x.clone();
        double sum = VecOps.expShift(v, 0, n, 0f);
        double want = 0, worst = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(x[i]);
            want += e;
            float exact = (float) e;
            worst = Math.max(worst, Math.abs(v[i] - exact) / Math.ulp(exact));
            assertEquals(VecOps.exp(x[i]), v[i], 0f, "lane vs scalar at " + x[i]);
        }
        System.out.printf("exp: worst %.2f ulp over %d points in [-87, 0]%n", worst, n);
        assertTrue(worst <= 2, "worst " + worst + " ulp");
        assertEquals(want, sum, 1e-5 * want);
        assertEquals(1f, VecOps.exp(0f), 0f);
        assertEquals(0f, VecOps.exp(-200f), 0f, "below float's normal range: exactly 0 (the true value is under 1e-38)");
    }

    /** Inputs past both clamps, infinities and NaN: every vector lane equals the scalar path (NaN stays NaN). */
    @Test
    void clampsAndNaNGiveTheScalarPathsBitsInEveryLane() {
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1e30f, -200f, -87.4f, -87.33654f,
                88.72283f, 88.8f, 100f, 1e30f, -0f, 0f, 1e-30f, -1e-30f, 0.5f};
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) x[i] = special[i % special.length];
        float[] v = x.clone();
        VecOps.expShift(v, 0, x.length, 0f);
        for (int i = 0; i < x.length; i++) {
            float want = VecOps.exp(x[i]);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(v[i]), "lane " + i + " exp(" + x[i] + ") = " + v[i] + ", scalar " + want);
        }
        assertTrue(Float.isNaN(VecOps.exp(Float.NaN)));
        assertEquals(VecOps.exp(88.72283f), VecOps.exp(1e30f), 0f, "clamped above");
        assertEquals(VecOps.exp(Float.POSITIVE_INFINITY), VecOps.exp(1e30f), 0f, "+inf clamped like any large input");
        assertEquals(0f, VecOps.exp(Float.NEGATIVE_INFINITY), 0f, "-inf: exactly 0 (a masked key weighs nothing)");
        assertTrue(VecOps.exp(-87.33654f) > 0f, "the lowest input that still gives a normal float");
    }

    /**
     * The online softmax step: each value becomes exp(x − max) with the scalar path's bits (non-positive inputs, -inf
     * and NaN), and every lane of the running sums becomes alpha·sum + that lane's new values, added in order.
     */
    @Test
    void expShiftIntoMatchesTheScalarPathAndKeepsLaneSums() {
        Random r = new Random(11);
        int lanes = VecOps.lanes(), n = 8 * lanes;
        float[] x = new float[n + 5];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 30);
        x[3] = Float.NEGATIVE_INFINITY;
        x[4] = Float.NaN;
        x[5] = -1000f;
        float max = 40f, alpha = 0.25f;
        float[] acc = new float[lanes + 2], before = new float[lanes + 2];
        for (int i = 0; i < acc.length; i++) acc[i] = before[i] = 1f + i;
        float[] v = x.clone();
        VecOps.expShiftInto(v, 5, n, max, acc, 1, alpha);
        for (int i = 0; i < x.length; i++) {
            if (i < 5 || i >= 5 + n) {
                assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(v[i]), "outside the range: untouched at " + i);
                continue;
            }
            float want = VecOps.exp(x[i] - max);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(v[i]), "exp(" + x[i] + " - " + max + ")");
        }
        assertEquals(0f, v[5], 0f, "-1000 below max: 0");
        for (int l = 0; l < lanes; l++) {
            float want = before[1 + l] * alpha;
            for (int i = 5 + l; i < 5 + n; i += lanes) want += v[i];
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(acc[1 + l]), "lane " + l);
        }
        assertEquals(before[0], acc[0], 0f);
        assertEquals(before[lanes + 1], acc[lanes + 1], 0f);
    }

    /** max finds the largest element wherever it is, over lengths around the vector and unrolled widths; -inf alone is -inf. */
    @Test
    void maxFindsTheLargestElementAnywhere() {
        Random r = new Random(13);
        int lanes = VecOps.lanes();
        for (int n : new int[] {1, lanes - 1, lanes, lanes + 1, 2 * lanes, 2 * lanes + 3, 4 * lanes, 7 * lanes + 5}) {
            if (n < 1) continue;
            for (int at = 0; at < n; at++) {
                float[] a = new float[n + 4];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                a[2 + at] = 50f;
                a[0] = 99f;   // outside the range
                a[n + 3] = 99f;
                assertEquals(50f, VecOps.max(a, 2, n), 0f, "n=" + n + " at " + at);
            }
        }
        float[] inf = new float[3 * lanes];
        java.util.Arrays.fill(inf, Float.NEGATIVE_INFINITY);
        assertEquals(Float.NEGATIVE_INFINITY, VecOps.max(inf, 0, inf.length), 0f);
    }

    /** scaleMax returns the largest scaled element and leaves every element scaled, whatever the position of the maximum. */
    @Test
    void scaleMaxFindsTheMaximumAnywhere() {
        Random r = new Random(9);
        for (int n : new int[] {1, 15, 16, 17, 63, 64, 100}) {
            for (int at = 0; at < n; at++) {
                float[] a = new float[n + 3];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian() - 10f;
                a[1 + at] = 7.25f;
                float[] before = a.clone();
                float max = VecOps.scaleMax(a, 1, n, 0.125f);
                assertEquals(7.25f * 0.125f, max, 0f, "n " + n + " max at " + at);
                for (int i = 0; i < a.length; i++)
                    assertEquals(i >= 1 && i <= n ? before[i] * 0.125f : before[i], a[i], 0f, "element " + i);
            }
        }
    }

    /**
     * SiLU·up spells the vector exp out again (no method passes vectors: see Panel256): every vector lane has the
     * scalar tail's bits, g/(exp(−g) + 1)·u, over ordinary values, both clamps, infinities and NaN.
     */
    @Test
    void siluMulLanesEqualTheScalarPath() {
        Random r = new Random(17);
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1e30f, -200f, -88.8f, 87.4f, 200f,
                1e30f, -0f, 0f, 1e-30f, -1e-30f, 0.5f};
        int n = 4099;
        float[] g = new float[n], u = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = i < special.length ? special[i] : (float) (r.nextGaussian() * 6);
            u[i] = (float) r.nextGaussian();
        }
        float[] v = g.clone();
        VecOps.siluMul(v, u, 0, n);
        for (int i = 0; i < n; i++) {
            float want = g[i] / (VecOps.exp(-g[i]) + 1f) * u[i];
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(v[i]), "element " + i + ": silu(" + g[i] + ")·" + u[i]);
        }
    }

    /**
     * The bf16 attention's weights from native scores: every element is DType.toBf16 of the scalar path's
     * exp(s·scale − max) (so the f32 value is within 2 ulp of Math.exp), the sum is the f32 values' sum, every length
     * 0–40 from unaligned starts (the masked last vector), and nothing outside the range is written; the max over a
     * segment equals the array max.
     */
    @Test
    void expScaledToBf16WritesTheRoundedScalarValuesAndSumsTheUnroundedOnes() {
        Random r = new Random(19);
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment s = a.allocate(4 * 64, 64), p = a.allocate(2 * 64, 64);
            float[] x = new float[64];
            for (int i = 0; i < 64; i++) {
                x[i] = (float) (r.nextGaussian() * 20);
                s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, x[i]);
            }
            float scale = 0.125f;
            for (int from = 0; from < 5; from++)
                for (int n = 0; n <= 40; n++) {
                    p.fill((byte) 0x55);
                    float max = n == 0 ? 0f : VecOps.max(s, from, n) * scale;
                    if (n > 0) assertEquals(VecOps.max(x, from, n) * scale, max, 0f, "max of " + n + " from " + from);
                    double sum = VecOps.expScaledToBf16(s, from, n, scale, max, p, from);
                    double want = 0;
                    for (int i = 0; i < 64; i++) {
                        short got = p.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT, i);
                        if (i < from || i >= from + n) {
                            assertEquals((short) 0x5555, got, "element " + i + " outside [" + from + ", " + (from + n) + ") untouched");
                            continue;
                        }
                        float e = VecOps.exp(x[i] * scale - max);
                        want += e;
                        assertEquals(dev.tare.runtime.kernel.DType.toBf16(e), got, "element " + i + " of " + n + " from " + from);
                    }
                    assertEquals(want, sum, 1e-6 * Math.max(1, want), n + " from " + from);
                }
        }
    }
}
