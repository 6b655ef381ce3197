package dev.tare.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** VecOps.sumSquares against the exact sum (BigDecimal) at every tail length, long rows, and with wide magnitudes. */
class VecOpsSumSquaresTest {
    @Test
    void sumOfSquaresIsTheExactSumRoundedWithinAFewUlps() {
        Random rnd = new Random(21);
        int[] lengths = java.util.stream.IntStream.concat(java.util.stream.IntStream.rangeClosed(0, 37),
                java.util.stream.IntStream.of(63, 64, 65, 100, 896, 4099)).toArray();
        for (int n : lengths) {
            for (int trial = 0; trial < 20; trial++) {
                int from = rnd.nextInt(5);
                float[] x = new float[from + n + 3];
                for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
                BigDecimal exact = BigDecimal.ZERO;
                for (int i = from; i < from + n; i++) {
                    BigDecimal v = new BigDecimal(x[i]);
                    exact = exact.add(v.multiply(v));
                }
                double want = exact.round(MathContext.DECIMAL128).doubleValue(), got = VecOps.sumSquares(x, from, n);
                // n − 1 double additions of non-negative terms: relative error at most (n − 1)·2^-53
                assertEquals(want, got, Math.max(n, 1) * Math.ulp(want) + Double.MIN_VALUE, "n " + n + " from " + from);
            }
        }
        float[] ones = new float[10];
        java.util.Arrays.fill(ones, 1f);
        assertEquals(7.0, VecOps.sumSquares(ones, 2, 7), 0.0, "only [from, from + n)");
    }
}
