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
        assertTrue(VecOps.exp(-200f) < 1e-37f && VecOps.exp(-200f) >= 0f, "clamped far below: a negligible positive weight");
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
        assertEquals(VecOps.exp(-87.33654f), VecOps.exp(Float.NEGATIVE_INFINITY), 0f, "-inf clamped below: a tiny positive weight");
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
}
