package dev.tare.runtime.model;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.NativeMatmul;
import dev.tare.runtime.kernel.OneDnn;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
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
        check(nh, kvh, hd, window, cap, newAndPast, seed, null);
    }

    /** bf16 of x, widened back (round to nearest even). */
    private static double bf(double x) { return Float.intBitsToFloat((DType.toBf16((float) x) & 0xFFFF) << 16); }

    /**
     * As above; with {@code mm} the blocked-path sequences (≥ {@link Attention#MIN_TILED} new tokens) attend in bf16,
     * checked against the formula with q, k, v and the unnormalised weights exp(x − max) rounded to bf16 and the sum
     * of the unrounded ones (what transformers' bf16 sdpa computes on CPU), and against the f32 formula within bf16's
     * rounding. Shorter sequences must keep the f32 bits of the path without mm.
     */
    private static void check(int nh, int kvh, int hd, int window, float cap, int[][] newAndPast, long seed, NativeMatmul mm) {
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
        try (Attention.Blocks b = a.blocks(seqs)) {
            a.forward(0, window, seqs, starts, q, k, v, att, b, mm);
        }
        float[] again = new float[att.length];
        try (Attention.Blocks b = a.blocks(seqs)) {
            a.forward(0, window, seqs, starts, q, k, v, again, b, mm);
        }
        assertArrayEquals(att, again, "the same input gives the same bits");
        // the last layer's path for kept rows (each sequence's last and first new token): the full pass's bits in f32,
        // its values within f32 sums in another order (and a bf16 tie now and then) in bf16
        int K = 2 * newAndPast.length;
        int[] seqOf = new int[K], local = new int[K];
        float[] qk = new float[K * nh * hd], ak = new float[K * nh * hd];
        for (int s = 0; s < newAndPast.length; s++) {
            seqOf[2 * s] = seqOf[2 * s + 1] = s;
            local[2 * s] = newAndPast[s][0] - 1;
            local[2 * s + 1] = 0;
        }
        for (int i = 0; i < K; i++) System.arraycopy(q, (starts[seqOf[i]] + local[i]) * nh * hd, qk, i * nh * hd, nh * hd);
        try (Attention.Blocks b = a.blocks(seqs)) {
            a.rows(0, window, seqs, starts, seqOf, local, qk, k, v, ak, b, mm);
        }
        for (int i = 0; i < K; i++)
            for (int e = 0; e < nh * hd; e++) {
                float full = att[(starts[seqOf[i]] + local[i]) * nh * hd + e], row = ak[i * nh * hd + e];
                if (mm == null) assertEquals(Float.floatToIntBits(full), Float.floatToIntBits(row), "kept row " + i + " element " + e);
                else assertEquals(full, row, 1e-3f, "kept row " + i + " element " + e);
            }
        if (mm != null) {
            float[] f32 = new float[att.length];
            try (Attention.Blocks b = a.blocks(seqs)) {
                a.forward(0, window, seqs, starts, q, k, v, f32, b, null);
            }
            double bfDiff = 0, f32Diff = 0;
            for (int s = 0; s < newAndPast.length; s++) {
                int n = newAndPast[s][0], past = Math.max(0, newAndPast[s][1]);
                for (int i = 0; i < n; i++) {
                    int qi = past + i, lo = window > 0 ? Math.max(0, qi - window + 1) : 0;
                    for (int h = 0; h < nh; h++) {
                        int g = h / (nh / kvh), qo = (starts[s] + i) * nh * hd + h * hd;
                        if (n < Attention.MIN_TILED) {   // not on the blocked path: f32, bit for bit
                            for (int d = 0; d < hd; d++)
                                assertEquals(Float.floatToIntBits(f32[qo + d]), Float.floatToIntBits(att[qo + d]), "short sequence " + s + " keeps f32");
                            continue;
                        }
                        double[] o = formula(q, qo, allK[s], allV[s], kvW, g * hd, hd, lo, qi, cfg.attentionScale(), cap, true);
                        for (int d = 0; d < hd; d++) {
                            bfDiff = Math.max(bfDiff, Math.abs(o[d] - att[qo + d]));
                            f32Diff = Math.max(f32Diff, Math.abs(f32[qo + d] - att[qo + d]));
                        }
                    }
                }
            }
            // a weight within f32 rounding of a bf16 tie may round the other way: one bf16 step (2^-8) of one weight
            assertTrue(bfDiff < 1e-3, "max |diff| vs the bf16 formula in double: " + bfDiff);
            assertTrue(f32Diff < 3e-2 && f32Diff > 1e-4, "max |diff| vs the f32 path: " + f32Diff + " (bf16 rounding, and not zero)");
            return;
        }

        double maxDiff = 0;
        for (int s = 0; s < newAndPast.length; s++) {
            int n = newAndPast[s][0], past = Math.max(0, newAndPast[s][1]);
            for (int i = 0; i < n; i++) {
                int qi = past + i, lo = window > 0 ? Math.max(0, qi - window + 1) : 0;
                for (int h = 0; h < nh; h++) {
                    int g = h / (nh / kvh), qo = (starts[s] + i) * nh * hd + h * hd;
                    double[] o = formula(q, qo, allK[s], allV[s], kvW, g * hd, hd, lo, qi, cfg.attentionScale(), cap, false);
                    for (int d = 0; d < hd; d++) maxDiff = Math.max(maxDiff, Math.abs(o[d] - att[qo + d]));
                }
            }
        }
        assertTrue(maxDiff < 2e-6, "max |diff| vs the double-precision formula: " + maxDiff);
    }

    /**
     * The textbook formula in double for one head and query (q at qo; key/value j at j·kvW + off): softmax(q·kᵀ·scale
     * [soft-capped]) over keys [lo, qi], times v. With {@code bf16}: what bf16 attention computes — q, k, v rounded to
     * bf16, the dot product rounded to f32 before the scale, the unnormalised weights exp(x − max) rounded to bf16 for
     * the sum with v, divided by the sum of the unrounded ones.
     */
    private static double[] formula(float[] q, int qo, float[] keys, float[] vals, int kvW, int off, int hd, int lo, int qi,
                                    float scale, float cap, boolean bf16) {
        java.util.function.DoubleUnaryOperator r = bf16 ? AttentionTest::bf : x -> x;
        double[] w = new double[qi + 1];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = lo; j <= qi; j++) {
            double dot = 0;
            for (int d = 0; d < hd; d++) dot += r.applyAsDouble(q[qo + d]) * r.applyAsDouble(keys[j * kvW + off + d]);
            dot = (bf16 ? (float) dot : dot) * scale;
            if (cap > 0) dot = Math.tanh(dot / cap) * cap;
            w[j] = dot;
            max = Math.max(max, dot);
        }
        for (int j = lo; j <= qi; j++) sum += w[j] = Math.exp(w[j] - max);
        double[] o = new double[hd];
        for (int d = 0; d < hd; d++) {
            for (int j = lo; j <= qi; j++) o[d] += r.applyAsDouble(w[j]) * r.applyAsDouble(vals[j * kvW + off + d]);
            o[d] /= sum;
        }
        return o;
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
    void bf16AttentionOnOneDnnProductsMatchesTheBf16Formula() {
        NativeMatmul mm = NativeMatmul.bf16().orElse(null);
        assumeTrue(mm != null, "oneDNN with bf16 instructions not usable here: bf16 attention not tested ("
                + OneDnn.unavailableReason().orElse("CPU without bf16 instructions") + ")");
        // GQA groups of 1, 2 and 7 heads; rows not multiples of 16; keys not multiples of 64; blocks of 64 rows
        for (int hd : new int[] {16, 64, 80, 128})
            check(4, 2, hd, 0, 0f, new int[][] {{37, -1}, {16, -1}, {5, -1}, {130, -1}}, 10 + hd, mm);
        check(14, 2, 64, 0, 0f, new int[][] {{200, -1}, {64, -1}}, 20, mm);
        check(4, 4, 32, 0, 0f, new int[][] {{70, -1}}, 21, mm);
        // windows, soft-capping, cached keys
        check(4, 1, 16, 7, 0f, new int[][] {{50, -1}, {19, -1}}, 22, mm);
        check(4, 2, 32, 11, 5f, new int[][] {{66, -1}}, 23, mm);
        check(4, 2, 64, 0, 0f, new int[][] {{23, 40}, {17, 40}, {1, 90}, {64, 0}}, 24, mm);
    }

    @Test
    void continuationsOfACachedPrefix() {
        // the shape prefix sharing produces: a cached prompt, then each response's tokens as new rows
        check(4, 2, 64, 0, 0f, new int[][] {{23, 40}, {17, 40}, {1, 90}, {64, 0}}, 4);
        check(2, 1, 16, 9, 0f, new int[][] {{30, 25}}, 5);
    }
}
