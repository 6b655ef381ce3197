package dev.tare.metrics.alpacaeval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SoftLogisticFitTest {
    @Test void interceptOnlyIsTheLogitOfTheWeightedMean() {
        double[][] x = {{1}, {1}, {1}, {1}};
        double[] y = {0.1, 0.9, 0.3, 0.2}, w = {1, 2, 1, 0.5};
        double mean = (0.1 + 1.8 + 0.3 + 0.1) / 4.5;
        var r = SoftLogisticFit.fit(x, y, w, 0);
        assertEquals(Math.log(mean / (1 - mean)), r.coefficients()[0], 1e-12);
    }

    /** AlpacaEval fits soft labels by duplicating each row as label 1 weighted y and label 0 weighted 1 - y: same optimum. */
    @Test void softLabelsEqualAlpacaEvalsDuplicatedHardLabels() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 300;
        double[][] x = new double[n][], xd = new double[2 * n][];
        double[] y = new double[n], w = new double[n], yd = new double[2 * n], wd = new double[2 * n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[]{Math.tanh(rnd.nextGaussian()), rnd.nextGaussian(), 1};
            y[i] = SoftLogisticFit.sigmoid(-1.2 * x[i][0] + 0.7 * x[i][1] + 0.3 + 0.5 * rnd.nextGaussian());
            w[i] = i % 3 == 0 ? 0.1 : 1;
            xd[2 * i] = x[i]; yd[2 * i] = 1; wd[2 * i] = w[i] * y[i];
            xd[2 * i + 1] = x[i]; yd[2 * i + 1] = 0; wd[2 * i + 1] = w[i] * (1 - y[i]);
        }
        var soft = SoftLogisticFit.fit(x, y, w, 0);
        var hard = SoftLogisticFit.fit(xd, yd, wd, 0);
        assertArrayEquals(soft.coefficients(), hard.coefficients(), 1e-9);
        // at the optimum the weighted score equations hold
        double[] g = new double[3];
        for (int i = 0; i < n; i++) {
            double r = w[i] * (y[i] - SoftLogisticFit.sigmoid(SoftLogisticFit.dot(x[i], soft.coefficients())));
            for (int k = 0; k < 3; k++) g[k] += r * x[i][k];
        }
        for (double v : g) assertEquals(0, v, 1e-9);
        // a ridge shrinks: the penalised optimum satisfies X'W(y - μ) = ridge·β
        var ridge = SoftLogisticFit.fit(x, y, w, 5);
        double norm = 0, normRidge = 0;
        for (int k = 0; k < 3; k++) { norm += soft.coefficients()[k] * soft.coefficients()[k]; normRidge += ridge.coefficients()[k] * ridge.coefficients()[k]; }
        assertTrue(normRidge < norm);
    }

    @Test void collinearDesignIsAnError() {
        double[][] x = {{1, 2}, {2, 4}, {3, 6}};
        assertThrows(IllegalStateException.class, () -> SoftLogisticFit.fit(x, new double[]{0.2, 0.5, 0.7}, new double[]{1, 1, 1}, 0));
    }
}
