package dev.tare.runtime.model;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * One sequence's output from a gated multi-objective head (ArmoRM): per-objective {@code rewards}, the gating
 * network's weights {@code gating} (softmax × logit_scale), the per-objective {@code coefficients} (gating @
 * transformᵀ) and the {@code score} = Σ gating · (rewards @ transform) = Σ rewards · coefficients.
 */
public record ObjectiveScores(float[] rewards, float[] gating, float[] coefficients, float score) {
    public ObjectiveScores {
        if (rewards.length != gating.length || rewards.length != coefficients.length)
            throw new IllegalArgumentException("rewards, gating and coefficients differ in length: " + rewards.length + "/" + gating.length + "/" + coefficients.length);
        rewards = rewards.clone();
        gating = gating.clone();
        coefficients = coefficients.clone();
    }

    @Override public float[] rewards() { return rewards.clone(); }
    @Override public float[] gating() { return gating.clone(); }
    @Override public float[] coefficients() { return coefficients.clone(); }

    /** Number of objectives. */
    public int size() { return rewards.length; }

    /** Objective i's contribution to the score: rewards[i] · coefficients[i] (the contributions sum to the score). */
    public double contribution(int i) { return (double) rewards[i] * coefficients[i]; }

    /** The {@code k} objectives with the largest |coefficient|, largest first (ties: lower index first), as ArmoRM's card ranks them. */
    public int[] topByCoefficient(int k) {
        return IntStream.range(0, rewards.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(coefficients[i])).thenComparingInt(i -> i))
                .limit(Math.max(0, k)).mapToInt(Integer::intValue).toArray();
    }

    /**
     * The score with objective i's contribution multiplied by {@code weights[i]} (0 masks it, 1 keeps it):
     * Σ weights[i] · rewards[i] · coefficients[i]. All ones gives {@link #score()} up to rounding.
     */
    public double reweighted(double[] weights) {
        if (weights.length != rewards.length)
            throw new IllegalArgumentException(weights.length + " objective weights for " + rewards.length + " objectives");
        double s = 0;
        for (int i = 0; i < rewards.length; i++) s += weights[i] * contribution(i);
        return s;
    }

    /**
     * The same rewards and gating mixed through another transform matrix {@code t} ([n][n], row i = objective i):
     * coefficients = gating @ tᵀ and score = Σ gating · (rewards @ t). The identity drops the transform (score =
     * Σ gating · rewards).
     */
    public ObjectiveScores withTransform(float[][] t) {
        int n = rewards.length;
        if (t.length != n) throw new IllegalArgumentException("transform has " + t.length + " rows for " + n + " objectives");
        float[] c = new float[n];
        double score = 0;
        for (int i = 0; i < n; i++) {
            if (t[i].length != n) throw new IllegalArgumentException("transform row " + i + " has " + t[i].length + " values for " + n + " objectives");
            double acc = 0;
            for (int j = 0; j < n; j++) acc += (double) gating[j] * t[i][j];
            c[i] = (float) acc;
            score += rewards[i] * acc;
        }
        return new ObjectiveScores(rewards, gating, c, (float) score);
    }

    @Override public boolean equals(Object o) {
        return o instanceof ObjectiveScores s && Arrays.equals(rewards, s.rewards) && Arrays.equals(gating, s.gating)
                && Arrays.equals(coefficients, s.coefficients) && Float.compare(score, s.score) == 0;
    }

    @Override public int hashCode() { return Arrays.hashCode(rewards) * 31 + Arrays.hashCode(coefficients) * 7 + Float.hashCode(score); }

    @Override public String toString() {
        return "ObjectiveScores[score=" + score + ", rewards=" + Arrays.toString(rewards) + ", gating=" + Arrays.toString(gating)
                + ", coefficients=" + Arrays.toString(coefficients) + "]";
    }
}
