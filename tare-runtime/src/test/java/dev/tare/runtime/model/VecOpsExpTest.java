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
}
