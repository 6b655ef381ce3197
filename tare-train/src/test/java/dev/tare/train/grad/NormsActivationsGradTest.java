package dev.tare.train.grad;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.tare.train.grad.FiniteDifferences.relError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RMSNorm (w·x·r and Gemma's (1+w)·x·r) and the MLP gate activations (SiLU, GELU-tanh) against float64 references:
 * the float32 forward against the reference, the analytic backward against central differences of the reference.
 */
class NormsActivationsGradTest {

    /** RMSNorm in float64, written from the definition: y = w'·x / √(mean(x²) + ε), w' = w or 1 + w. */
    static double[] rmsRef(double[] x, double[] w, int rows, int n, boolean onePlus, double eps) {
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < n; i++) ss += x[r * n + i] * x[r * n + i];
            double inv = 1 / Math.sqrt(ss / n + eps);
            for (int i = 0; i < n; i++) y[r * n + i] = (onePlus ? 1 + w[i] : w[i]) * x[r * n + i] * inv;
        }
        return y;
    }

    /**
     * dL/dx and dL/dw of L = ⟨norm(x; w), G⟩. Rows: hidden-size vectors (n = 16), and Qwen3's per-head q/k norm (rows =
     * tokens × heads of head_dim 8); one row is scaled to 1e-3 so that ε is not negligible against mean(x²).
     */
    @ParameterizedTest(name = "onePlus={0} n={1} rows={2}")
    @CsvSource({"false, 16, 3", "true, 16, 3", "false, 8, 12"})
    void rmsNormBackwardMatchesFiniteDifferences(boolean onePlus, int n, int rows) {
        Random rnd = new Random(11L + n + rows + (onePlus ? 100 : 0));
        float eps = 1e-6f;
        float[] x = FiniteDifferences.gauss(rnd, rows * n);
        for (int i = 0; i < n; i++) x[n + i] *= 1e-3f;
        float[] w = FiniteDifferences.gauss(rnd, n, 0.5);
        if (!onePlus) for (int i = 0; i < n; i++) w[i] += 1f;
        float[] g = FiniteDifferences.gauss(rnd, rows * n);
        double[] xd = FiniteDifferences.toDouble(x), wd = FiniteDifferences.toDouble(w), gd = FiniteDifferences.toDouble(g);

        float[] y = new float[rows * n];
        Norms.rms(x, y, rows, n, w, onePlus, eps);
        double fwd = relError(y, rmsRef(xd, wd, rows, n, onePlus, eps));
        assertTrue(fwd < 1e-6, "forward off by " + fwd);

        Param weight = Param.of("w", w, n).train();
        float[] g0 = FiniteDifferences.gauss(rnd, n);
        System.arraycopy(g0, 0, weight.grad(), 0, n);   // the weight gradient is accumulated, not overwritten
        float[] dx = Norms.rmsBackward(x, g, rows, n, weight, onePlus, eps);
        float[] dw = weight.grad().clone();
        for (int i = 0; i < n; i++) dw[i] -= g0[i];

        double[] fdX = FiniteDifferences.gradient(v -> FiniteDifferences.dot(rmsRef(v, wd, rows, n, onePlus, eps), gd), xd, 1e-5);
        double[] fdW = FiniteDifferences.gradient(v -> FiniteDifferences.dot(rmsRef(xd, v, rows, n, onePlus, eps), gd), wd, 1e-5);
        double ex = relError(dx, fdX), ew = relError(dw, fdW);
        System.out.printf("RMSNorm onePlus=%s n=%d rows=%d: forward %.1e, dx %.1e, dw %.1e%n", onePlus, n, rows, fwd, ex, ew);
        assertTrue(ex < 2e-5, "dL/dx off by " + ex + " of its largest entry");
        assertTrue(ew < 2e-5, "dL/dw off by " + ew + " of its largest entry");

        Param frozen = Param.of("w", w, n);
        float[] dxFrozen = Norms.rmsBackward(x, g, rows, n, frozen, onePlus, eps);
        assertNull(frozen.grad(), "a frozen weight gets no gradient");
        assertArrayEquals(dx, dxFrozen, "dL/dx does not depend on whether the weight trains");
    }

    /** SiLU a·σ(a) in float64. */
    static double siluRef(double a) { return a / (1 + Math.exp(-a)); }

    /** gelu_pytorch_tanh in float64, in the σ form: 0.5·(1 + tanh z) = σ(2z) with z = √(2/π)·(a + 0.044715·a³). */
    static double geluRef(double a) {
        double z = Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a);
        return a / (1 + Math.exp(-2 * z));
    }

    @ParameterizedTest(name = "silu={0}")
    @CsvSource({"true", "false"})
    void activationsAndDerivativesMatchFloat64(boolean silu) {
        double worstValue = 0, worstDerivative = 0;
        for (int i = -400; i <= 400; i++) {
            float a = i / 40f + (i % 7) * 1e-3f;   // [-10, 10], off the grid's round numbers
            double ref = silu ? siluRef(a) : geluRef(a);
            double fd = FiniteDifferences.derivative(t -> silu ? siluRef(a + t) : geluRef(a + t), 1e-4);
            double ev = Math.abs(Activations.value(a, silu) - ref) / Math.max(Math.abs(ref), 1e-3);
            double ed = Math.abs(Activations.derivative(a, silu) - fd) / Math.max(Math.abs(fd), 1e-3);
            worstValue = Math.max(worstValue, ev);
            worstDerivative = Math.max(worstDerivative, ed);
            assertTrue(ev < 1e-6, "value at " + a + " off by " + ev);
            assertTrue(ed < 1e-6, "derivative at " + a + " off by " + ed + " (" + Activations.derivative(a, silu) + " vs " + fd + ")");
        }
        System.out.printf("%s: worst value error %.1e, derivative error %.1e%n", silu ? "SiLU" : "GELU-tanh", worstValue, worstDerivative);
    }

    @Test
    void activationDerivativesKnownPoints() {
        assertEquals(0.5f, Activations.derivative(0f, true), 0f, "SiLU'(0) = σ(0) = 1/2");
        assertEquals(0.5f, Activations.derivative(0f, false), 0f, "GELU'(0) = 1/2");
        assertEquals(1f, Activations.derivative(30f, true), 1e-6f);
        assertEquals(0f, Activations.derivative(-30f, false), 1e-6f);
    }
}
