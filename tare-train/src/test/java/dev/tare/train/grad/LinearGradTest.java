package dev.tare.train.grad;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.tare.train.grad.FiniteDifferences.relError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A linear layer with bias and a PEFT LoRA term (y = x·Wᵀ + b + s·(drop(x)·Aᵀ)·Bᵀ): forward against a float64
 * reference, and dL/dx, dL/dW, dL/db, dL/dA, dL/dB against central differences of it, without dropout and with the
 * dropout mask its seed draws.
 */
class LinearGradTest {
    static final int T = 5, IN = 6, OUT = 7, R = 3;
    static final float SCALING = 2f;

    /** y in float64; {@code keep} null = no dropout, else the mask, kept inputs scaled by 1/(1−p). */
    static double[] ref(double[] x, double[] w, double[] b, double[] a, double[] bm, boolean[] keep, double p) {
        double[] y = new double[T * OUT];
        for (int t = 0; t < T; t++) {
            double[] u = new double[R];
            for (int k = 0; k < R; k++)
                for (int i = 0; i < IN; i++) {
                    double xi = keep == null ? x[t * IN + i] : keep[t * IN + i] ? x[t * IN + i] / (1 - p) : 0;
                    u[k] += xi * (a == null ? 0 : a[k * IN + i]);
                }
            for (int o = 0; o < OUT; o++) {
                double s = b[o];
                for (int i = 0; i < IN; i++) s += x[t * IN + i] * w[o * IN + i];
                if (a != null) for (int k = 0; k < R; k++) s += SCALING * u[k] * bm[o * R + k];
                y[t * OUT + o] = s;
            }
        }
        return y;
    }

    @ParameterizedTest(name = "lora={0} dropout={1} baseTrains={2}")
    @CsvSource({"false, 0.0, true", "true, 0.0, true", "true, 0.0, false", "true, 0.4, true", "true, 0.4, false"})
    void backwardMatchesFiniteDifferences(boolean lora, double dropout, boolean baseTrains) {
        Random rnd = new Random(7 + (lora ? 1 : 0) + (long) (dropout * 10) + (baseTrains ? 100 : 0));
        float[] x = FiniteDifferences.gauss(rnd, T * IN), w = FiniteDifferences.gauss(rnd, OUT * IN, 0.5),
                b = FiniteDifferences.gauss(rnd, OUT), a = FiniteDifferences.gauss(rnd, R * IN, 0.5),
                bm = FiniteDifferences.gauss(rnd, OUT * R, 0.5), g = FiniteDifferences.gauss(rnd, T * OUT);
        Param pw = Param.of("m.weight", w, OUT, IN), pb = Param.of("m.bias", b, OUT);
        if (baseTrains) {
            pw.train();
            pb.train();
        }
        Linear l = new Linear("model.layers.0.self_attn.q_proj", pw, pb);
        if (lora) l.lora = new Linear.Lora(Param.of("A", a, R, IN).train(), Param.of("B", bm, OUT, R).train(), SCALING, (float) dropout);
        float[] y = new float[T * OUT];
        Linear.Tape tape = l.forward(x, T, y, 1234L, true);
        boolean[] keep = tape == null ? null : tape.keep();
        assertEquals(dropout > 0, keep != null, "a dropout mask exactly when training with dropout > 0");

        double[] xd = FiniteDifferences.toDouble(x), wd = FiniteDifferences.toDouble(w), bd = FiniteDifferences.toDouble(b),
                ad = lora ? FiniteDifferences.toDouble(a) : null, bmd = FiniteDifferences.toDouble(bm), gd = FiniteDifferences.toDouble(g);
        double fwd = relError(y, ref(xd, wd, bd, ad, bmd, keep, dropout));
        assertTrue(fwd < 1e-6, "forward off by " + fwd);

        float[] dx = new float[T * IN];
        l.backward(x, g, T, dx, tape);
        double h = 1e-4;
        double ex = relError(dx, FiniteDifferences.gradient(v -> FiniteDifferences.dot(ref(v, wd, bd, ad, bmd, keep, dropout), gd), xd, h));
        double worst = ex;
        assertTrue(ex < 1e-5, "dL/dx off by " + ex);
        if (baseTrains) {
            double ew = relError(pw.grad(), FiniteDifferences.gradient(v -> FiniteDifferences.dot(ref(xd, v, bd, ad, bmd, keep, dropout), gd), wd, h));
            double eb = relError(pb.grad(), FiniteDifferences.gradient(v -> FiniteDifferences.dot(ref(xd, wd, v, ad, bmd, keep, dropout), gd), bd, h));
            assertTrue(ew < 1e-5, "dL/dW off by " + ew);
            assertTrue(eb < 1e-5, "dL/db off by " + eb);
            worst = Math.max(worst, Math.max(ew, eb));
        } else {
            assertNull(pw.grad(), "frozen W has no gradient");
            assertNull(pb.grad(), "frozen bias has no gradient");
        }
        if (lora) {
            double ea = relError(l.lora.a().grad(), FiniteDifferences.gradient(v -> FiniteDifferences.dot(ref(xd, wd, bd, v, bmd, keep, dropout), gd), ad, h));
            double eB = relError(l.lora.b().grad(), FiniteDifferences.gradient(v -> FiniteDifferences.dot(ref(xd, wd, bd, ad, v, keep, dropout), gd), bmd, h));
            assertTrue(ea < 1e-5, "dL/dA off by " + ea);
            assertTrue(eB < 1e-5, "dL/dB off by " + eB);
            worst = Math.max(worst, Math.max(ea, eB));
        }
        System.out.printf("Linear lora=%s dropout=%.1f baseTrains=%s: forward %.1e, worst gradient %.1e%n", lora, dropout, baseTrains, fwd, worst);
    }

    /** The dropout mask is a function of the seed (and module) only: same seed same mask, another seed another; eval mode has none. */
    @Test
    void dropoutMaskIsSeeded() {
        Random rnd = new Random(3);
        int t = 200;
        float p = 0.3f;
        float[] x = FiniteDifferences.gauss(rnd, t * IN);
        Linear l = new Linear("model.layers.1.mlp.up_proj", Param.of("w", FiniteDifferences.gauss(rnd, OUT * IN), OUT, IN), null);
        l.lora = new Linear.Lora(Param.of("A", FiniteDifferences.gauss(rnd, R * IN), R, IN).train(),
                Param.of("B", FiniteDifferences.gauss(rnd, OUT * R), OUT, R).train(), SCALING, p);
        float[] y1 = new float[t * OUT], y2 = new float[t * OUT], y3 = new float[t * OUT], y4 = new float[t * OUT];
        Linear.Tape a = l.forward(x, t, y1, 99L, true), b = l.forward(x, t, y2, 99L, true), c = l.forward(x, t, y3, 100L, true);
        assertArrayEquals(a.keep(), b.keep(), "same seed, same mask");
        assertArrayEquals(y1, y2, "same seed, same output");
        assertFalse(java.util.Arrays.equals(a.keep(), c.keep()), "another seed, another mask");
        int dropped = 0;
        for (boolean k : a.keep()) if (!k) dropped++;
        double rate = dropped / (double) a.keep().length;
        assertTrue(Math.abs(rate - p) < 0.05, "dropped " + rate + " of the inputs, p = " + p);
        Linear.Tape e = l.forward(x, t, y4, 99L, false);
        assertNotNull(e);
        assertNull(e.keep(), "no dropout in eval mode");
        Linear other = new Linear("model.layers.1.mlp.gate_proj", l.w, null);
        other.lora = l.lora;
        float[] y5 = new float[t * OUT];
        assertFalse(java.util.Arrays.equals(a.keep(), other.forward(x, t, y5, 99L, true).keep()), "each module draws its own mask from one seed");
    }
}
