package dev.tare.runtime.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocked attention against the textbook formula in double precision (softmax(q·kᵀ·scale)·v, causal, GQA, sliding
 * window, soft-capping, cached keys), over head sizes that are and are not multiples of the vector length and
 * sequences whose lengths are not multiples of the 4-row tile. (End to end it is also checked against transformers by
 * the hf-parity fixtures, whose 33- and 100-token inputs take this path.)
 */
class AttentionTest {
    private static ModelConfig config(int nh, int kvh, int hd, int window, float cap) {
        return new ModelConfig(null, ModelConfig.Family.LLAMA, ModelConfig.Head.SEQUENCE_CLASSIFICATION, "LlamaForSequenceClassification",
                16, nh * hd, 8, 1, nh, kvh, hd, 1e-6,
                new ModelConfig.RopeParams[] {new ModelConfig.RopeParams(10000, null)}, ModelConfig.Activation.SILU,
                false, null, 1, List.of("LABEL_0"), new int[] {window}, cap, 0f, (float) (1 / Math.sqrt(hd)),
                false, false, false, "float32", null, 4096, null);
    }

    /** One case: a few sequences (new tokens, cached tokens) packed as the runtime packs them. */
    private static void check(int nh, int kvh, int hd, int window, float cap, int[][] newAndPast, long seed) {
        ModelConfig cfg = config(nh, kvh, hd, window, cap);
        SplittableRandom rnd = new SplittableRandom(seed);
        int kvW = kvh * hd, T = 0;
        int[] starts = new int[newAndPast.length];
        for (int s = 0; s < newAndPast.length; s++) {
            starts[s] = T;
            T += newAndPast[s][0];
        }
        float[] q = random(rnd, T * nh * hd), k = random(rnd, T * kvW), v = random(rnd, T * kvW);
        List<Transformer.Seq> seqs = new ArrayList<>();
        float[][] allK = new float[newAndPast.length][], allV = new float[newAndPast.length][];
        for (int s = 0; s < newAndPast.length; s++) {
            int n = newAndPast[s][0], past = newAndPast[s][1];
            KvCache c = null;
            if (past >= 0) {   // -1: no cache; else `past` cached tokens, then this layer's n new ones appended
                c = new KvCache(1, kvW, past + n);
                float[] pk = random(rnd, past * kvW), pv = random(rnd, past * kvW);
                System.arraycopy(pk, 0, c.keys[0], 0, past * kvW);
                System.arraycopy(pv, 0, c.values[0], 0, past * kvW);
                System.arraycopy(k, starts[s] * kvW, c.keys[0], past * kvW, n * kvW);
                System.arraycopy(v, starts[s] * kvW, c.values[0], past * kvW, n * kvW);
                c.length = past;
                allK[s] = java.util.Arrays.copyOf(c.keys[0], (past + n) * kvW);
                allV[s] = java.util.Arrays.copyOf(c.values[0], (past + n) * kvW);
            } else {
                allK[s] = java.util.Arrays.copyOfRange(k, starts[s] * kvW, (starts[s] + n) * kvW);
                allV[s] = java.util.Arrays.copyOfRange(v, starts[s] * kvW, (starts[s] + n) * kvW);
            }
            seqs.add(new Transformer.Seq(new int[n], new int[n], c));
        }
        Attention a = new Attention(cfg);
        float[] att = new float[T * nh * hd];
        a.forward(0, window, seqs, starts, q, k, v, att, a.blocks(seqs));
        float[] again = new float[att.length];
        a.forward(0, window, seqs, starts, q, k, v, again, a.blocks(seqs));
        assertArrayEquals(att, again, "the same input gives the same bits");

        double maxDiff = 0;
        for (int s = 0; s < newAndPast.length; s++) {
            int n = newAndPast[s][0], past = Math.max(0, newAndPast[s][1]);
            for (int i = 0; i < n; i++) {
                int qi = past + i, lo = window > 0 ? Math.max(0, qi - window + 1) : 0;
                for (int h = 0; h < nh; h++) {
                    int g = h / (nh / kvh), qo = (starts[s] + i) * nh * hd + h * hd;
                    double[] w = new double[qi + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = lo; j <= qi; j++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) dot += (double) q[qo + d] * allK[s][j * kvW + g * hd + d];
                        dot *= cfg.attentionScale();
                        if (cap > 0) dot = Math.tanh(dot / cap) * cap;
                        w[j] = dot;
                        max = Math.max(max, dot);
                    }
                    for (int j = lo; j <= qi; j++) sum += w[j] = Math.exp(w[j] - max);
                    for (int d = 0; d < hd; d++) {
                        double o = 0;
                        for (int j = lo; j <= qi; j++) o += w[j] / sum * allV[s][j * kvW + g * hd + d];
                        maxDiff = Math.max(maxDiff, Math.abs(o - att[qo + d]));
                    }
                }
            }
        }
        assertTrue(maxDiff < 2e-6, "max |diff| vs the double-precision formula: " + maxDiff);
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 4 - 2);
        return x;
    }

    @Test
    void causalGroupedQueryAttentionOverHeadSizesAndRaggedLengths() {
        for (int hd : new int[] {8, 20, 64, 80, 128})
            check(4, 2, hd, 0, 0f, new int[][] {{37, -1}, {16, -1}, {5, -1}, {130, -1}}, hd);
    }

    @Test
    void slidingWindowAndSoftCapping() {
        check(4, 1, 16, 7, 0f, new int[][] {{50, -1}, {19, -1}}, 1);
        check(2, 2, 24, 0, 30f, new int[][] {{41, -1}, {3, -1}}, 2);
        check(4, 2, 32, 11, 5f, new int[][] {{66, -1}}, 3);
    }

    @Test
    void continuationsOfACachedPrefix() {
        // the shape prefix sharing produces: a cached prompt, then each response's tokens as new rows
        check(4, 2, 64, 0, 0f, new int[][] {{23, 40}, {17, 40}, {1, 90}, {64, 0}}, 4);
        check(2, 1, 16, 9, 0f, new int[][] {{30, 25}}, 5);
    }
}
