package dev.tare.train.grad;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.tare.train.grad.FiniteDifferences.relError;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Causal grouped-query attention over packed sequences (full, sliding-window, logit soft-capped; heads sharing KV heads):
 * forward against a float64 reference, dL/dq, dL/dk, dL/dv against central differences of it.
 */
class AttentionGradTest {
    /** Three packed sequences, one of a single token. */
    static final int[] LENGTHS = {6, 1, 9};

    /** Attention output [T, nh·hd] in float64, from the definition (keys j with i − window < j ≤ i; s ← cap·tanh(s/cap)). */
    static double[] ref(double[] q, double[] k, double[] v, int hd, int nh, int kvh, double scale, double cap, int window) {
        int T = 0;
        for (int n : LENGTHS) T += n;
        double[] out = new double[T * nh * hd];
        int start = 0;
        for (int n : LENGTHS) {
            for (int h = 0; h < nh; h++) {
                int g = h / (nh / kvh);
                for (int i = 0; i < n; i++) {
                    int lo = window > 0 ? Math.max(0, i - window + 1) : 0;
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = lo; j <= i; j++) {
                        double d = 0;
                        for (int e = 0; e < hd; e++) d += q[((start + i) * nh + h) * hd + e] * k[((start + j) * kvh + g) * hd + e];
                        d *= scale;
                        if (cap > 0) d = cap * Math.tanh(d / cap);
                        s[j] = d;
                        max = Math.max(max, d);
                    }
                    for (int j = lo; j <= i; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int j = lo; j <= i; j++)
                        for (int e = 0; e < hd; e++) out[((start + i) * nh + h) * hd + e] += s[j] / sum * v[((start + j) * kvh + g) * hd + e];
                }
            }
            start += n;
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "causal MHA,                        8, 2, 2, 0.0, 0",
            "causal GQA 4 heads on 2,           8, 4, 2, 0.0, 0",
            "causal MQA 4 heads on 1,           4, 4, 1, 0.0, 0",
            "sliding window 3,                  8, 4, 2, 0.0, 3",
            "softcap 1.5,                       8, 2, 2, 1.5, 0",
            "Gemma2-like softcap+window+GQA,    8, 4, 1, 1.5, 3"})
    void backwardMatchesFiniteDifferences(String name, int hd, int nh, int kvh, double cap, int window) {
        Random rnd = new Random(name.hashCode());
        int T = 0;
        for (int n : LENGTHS) T += n;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] q = FiniteDifferences.gauss(rnd, T * nh * hd, 1.5), k = FiniteDifferences.gauss(rnd, T * kvh * hd, 1.5),
                v = FiniteDifferences.gauss(rnd, T * kvh * hd), g = FiniteDifferences.gauss(rnd, T * nh * hd);
        Attention att = new Attention(hd, nh, kvh, scale, (float) cap, window);
        float[] out = new float[T * nh * hd];
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        int start = 0;
        for (int n : LENGTHS) {
            for (int h = 0; h < nh; h++) {
                att.forward(start, n, h, q, k, v, out);
                att.backward(start, n, h, q, k, v, g, dq, dk, dv);
            }
            start += n;
        }
        double[] qd = FiniteDifferences.toDouble(q), kd = FiniteDifferences.toDouble(k), vd = FiniteDifferences.toDouble(v),
                gd = FiniteDifferences.toDouble(g);
        double fwd = relError(out, ref(qd, kd, vd, hd, nh, kvh, scale, cap, window));
        assertTrue(fwd < 1e-6, "forward off by " + fwd);
        double h = 1e-4;
        double eq = relError(dq, FiniteDifferences.gradient(x -> FiniteDifferences.dot(ref(x, kd, vd, hd, nh, kvh, scale, cap, window), gd), qd, h));
        double ek = relError(dk, FiniteDifferences.gradient(x -> FiniteDifferences.dot(ref(qd, x, vd, hd, nh, kvh, scale, cap, window), gd), kd, h));
        double ev = relError(dv, FiniteDifferences.gradient(x -> FiniteDifferences.dot(ref(qd, kd, x, hd, nh, kvh, scale, cap, window), gd), vd, h));
        System.out.printf("Attention %s: forward %.1e, dq %.1e, dk %.1e, dv %.1e%n", name, fwd, eq, ek, ev);
        assertTrue(eq < 2e-5, "dL/dq off by " + eq + " of its largest entry");
        assertTrue(ek < 2e-5, "dL/dk off by " + ek + " of its largest entry");
        assertTrue(ev < 2e-5, "dL/dv off by " + ev + " of its largest entry");
    }
}
