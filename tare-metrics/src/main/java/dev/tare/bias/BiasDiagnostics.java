package dev.tare.bias;

import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;

/** Reward-bias diagnostics with bootstrap 95% CIs: reward-feature rank correlations and the "longer wins" rate. */
public final class BiasDiagnostics {
    private BiasDiagnostics() {}

    /** Spearman and Kendall tau-b of reward with one feature over n responses (CIs resample items, see {@link #correlation}). */
    public record FeatureCorrelation(String feature, int n, Interval spearman, Interval kendall) {}

    /**
     * Share of pairs, among those whose two responses differ in the length feature, where the longer response gets
     * the strictly higher reward (a score tie is not a win). {@code eligible} = pairs of different length.
     */
    public record LongerWins(int pairs, int eligible, Interval rate) {}

    /**
     * Correlations over responses that are each their own item (independent responses). For the responses of
     * preference pairs use {@link #correlation(String, double[], double[], int[], Bootstrap)}: a prompt's chosen and
     * rejected responses are correlated, and resampling them one by one understates the uncertainty.
     */
    public static FeatureCorrelation correlation(String feature, double[] featureValues, double[] scores, Bootstrap boot) {
        int[] itemOf = new int[scores.length];
        for (int i = 0; i < itemOf.length; i++) itemOf[i] = i;
        return correlation(feature, featureValues, scores, itemOf, boot);
    }

    /**
     * Spearman and Kendall tau-b of reward with one feature over all responses; the bootstrap resamples items
     * (prompts): {@code itemOf[i]} is the item of response i (any int labels), and a drawn item brings all its
     * responses along, so repeated or correlated responses within an item do not narrow the interval.
     */
    public static FeatureCorrelation correlation(String feature, double[] featureValues, double[] scores, int[] itemOf, Bootstrap boot) {
        if (featureValues.length != scores.length)
            throw new IllegalArgumentException(feature + ": " + featureValues.length + " feature values vs " + scores.length + " scores");
        if (itemOf.length != scores.length)
            throw new IllegalArgumentException(feature + ": " + itemOf.length + " item labels vs " + scores.length + " scores");
        int n = scores.length;
        int[][] members = groups(itemOf);
        Interval rho = boot.interval(members.length, idx -> {
            int[] r = expand(members, idx);
            return Correlation.spearman(pick(featureValues, r), pick(scores, r));
        });
        Interval tau = boot.interval(members.length, idx -> {
            int[] r = expand(members, idx);
            return Correlation.kendallTauB(pick(featureValues, r), pick(scores, r));
        });
        return new FeatureCorrelation(feature, n, rho, tau);
    }

    /** Item labels for pairs laid out as chosen 0..n-1 then rejected n..2n-1: response i and n+i share item i. */
    public static int[] pairItems(int pairs) {
        int[] out = new int[2 * pairs];
        for (int i = 0; i < pairs; i++) { out[i] = i; out[pairs + i] = i; }
        return out;
    }

    /** Response indexes per item, items in first-seen order (so the identity draw keeps every response). */
    private static int[][] groups(int[] itemOf) {
        java.util.Map<Integer, java.util.List<Integer>> by = new java.util.LinkedHashMap<>();
        for (int i = 0; i < itemOf.length; i++) by.computeIfAbsent(itemOf[i], k -> new java.util.ArrayList<>()).add(i);
        int[][] out = new int[by.size()][];
        int k = 0;
        for (var v : by.values()) out[k++] = v.stream().mapToInt(Integer::intValue).toArray();
        return out;
    }

    private static int[] expand(int[][] members, int[] items) {
        int m = 0;
        for (int it : items) m += members[it].length;
        int[] out = new int[m];
        int k = 0;
        for (int it : items) for (int r : members[it]) out[k++] = r;
        return out;
    }

    /** Longer-wins over pairs that are each their own item (one pair per prompt). */
    public static LongerWins longerWins(double[] chosenLen, double[] rejectedLen, double[] chosenScore,
                                        double[] rejectedScore, Bootstrap boot) {
        int[] itemOf = new int[chosenLen.length];
        for (int i = 0; i < itemOf.length; i++) itemOf[i] = i;
        return longerWins(chosenLen, rejectedLen, chosenScore, rejectedScore, itemOf, boot);
    }

    /**
     * Longer-wins where several pairs may share an item ({@code itemOf[i]} is pair i's item, e.g. RM-Bench's three
     * style pairs per prompt): the interval resamples items, and the rate on a draw is wins over eligible pairs drawn.
     */
    public static LongerWins longerWins(double[] chosenLen, double[] rejectedLen, double[] chosenScore,
                                        double[] rejectedScore, int[] itemOf, Bootstrap boot) {
        int n = chosenLen.length;
        if (rejectedLen.length != n || chosenScore.length != n || rejectedScore.length != n || itemOf.length != n)
            throw new IllegalArgumentException("longer-wins inputs differ in length");
        double[] win = new double[n];
        int[] eligibleItem = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (chosenLen[i] == rejectedLen[i]) continue;
            boolean chosenLonger = chosenLen[i] > rejectedLen[i];
            double longer = chosenLonger ? chosenScore[i] : rejectedScore[i];
            double shorter = chosenLonger ? rejectedScore[i] : chosenScore[i];
            eligibleItem[m] = itemOf[i];
            win[m++] = longer > shorter ? 1.0 : 0.0;
        }
        if (m == 0) return new LongerWins(n, 0, Interval.point(Double.NaN));
        int[][] members = groups(java.util.Arrays.copyOf(eligibleItem, m));
        Interval rate = boot.interval(members.length, idx -> {
            double s = 0;
            int k = 0;
            for (int it : idx) for (int p : members[it]) { s += win[p]; k++; }
            return k == 0 ? Double.NaN : s / k;
        });
        return new LongerWins(n, m, rate);
    }

    private static double[] pick(double[] a, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = a[idx[i]];
        return out;
    }
}
