package dev.tare.metrics.judgebench;

import dev.tare.data.judgebench.JudgeOutput;
import dev.tare.data.judgebench.JudgePair;
import dev.tare.data.judgebench.Judgment;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * JudgeBench scoring exactly as its utils/metrics.py: the swapped game's decision is flipped back; each decision
 * adds +1 if it equals the label, −1 if it equals the flipped label, 0 otherwise (tie, null); a pair is correct
 * when the sum is > 0. A pair with one game is correct when that decision equals the label.
 */
public final class JudgeBenchMetrics {
    private JudgeBenchMetrics() {}

    /** A>B ↔ B>A; anything else (A=B, null) unchanged. */
    public static String flip(String decision) {
        if ("A>B".equals(decision)) return "B>A";
        if ("B>A".equals(decision)) return "A>B";
        return decision;
    }

    /** +1 / 0 / −1 vote of one pair (single game: +1 if right, else −1 so that only right counts as correct). */
    public static int vote(JudgeOutput o) { return vote(o, false); }

    /** As {@link #vote(JudgeOutput)}; with {@code singleGame} only the first game counts (JudgeBench --single_game). */
    public static int vote(JudgeOutput o, boolean singleGame) {
        String label = o.pair().label();
        List<Judgment> g = o.games();
        if (g.size() == 1 || singleGame) return label.equals(decision(g.getFirst())) ? 1 : -1;
        int counter = 0;
        for (String d : new String[]{decision(g.get(0)), flip(decision(g.get(1)))}) {
            if (label.equals(d)) counter++;
            else if (flip(label).equals(d)) counter--;
        }
        return Integer.signum(counter);
    }

    private static String decision(Judgment j) { return j == null ? null : j.decision(); }

    /** Scores of a judge's outputs, per category and overall, with a bootstrap interval on the overall score. */
    public static JudgeBenchScores score(List<JudgeOutput> outputs, Bootstrap bootstrap) { return score(outputs, bootstrap, false); }

    /** Scores; with {@code singleGame} a pair is correct iff its first game's decision equals the label. */
    public static JudgeBenchScores score(List<JudgeOutput> outputs, Bootstrap bootstrap, boolean singleGame) {
        int n = outputs.size();
        if (n == 0) throw new IllegalArgumentException("no JudgeBench outputs to score");
        double[] correct = new double[n];
        int nCorrect = 0, nIncorrect = 0, nTie = 0, allC = 0, allI = 0, someC = 0, inconsistent = 0, nulls = 0, two = 0, mismatches = 0;
        Map<String, int[]> cat = new LinkedHashMap<>();
        for (JudgePair.Category c : JudgePair.Category.values()) cat.put(c.key, new int[2]);
        int[] catOf = new int[n];                 // category ordinal per pair, -1 for none
        double[] consistent = new double[n];      // 1 when both games agree (two-game pairs only)
        boolean[] twoGame = new boolean[n];
        for (int i = 0; i < n; i++) {
            JudgeOutput o = outputs.get(i);
            int v = vote(o, singleGame);
            if (v > 0) { nCorrect++; correct[i] = 1; } else if (v < 0) nIncorrect++; else nTie++;
            JudgePair.Category c = o.pair().category();
            catOf[i] = c == null ? -1 : c.ordinal();
            if (c != null) { cat.get(c.key)[0] += v > 0 ? 1 : 0; cat.get(c.key)[1]++; }
            for (int k = 0; k < o.games().size(); k++) if (scoreMismatch(o.games().get(k))) mismatches++;
            if (o.games().size() == 2) {
                two++;
                String label = o.pair().label();
                String d1 = decision(o.games().get(0)), d2 = flip(decision(o.games().get(1)));
                if (d1 == null || d2 == null) nulls++;
                if (label.equals(d1) && label.equals(d2)) allC++;
                else if (!label.equals(d1) && !label.equals(d2)) allI++;
                else someC++;
                if (!Objects.equals(d1, d2)) inconsistent++; else consistent[i] = 1;
                twoGame[i] = true;
            }
        }
        Map<String, Double> catScores = new LinkedHashMap<>();
        Map<String, Integer> catPairs = new LinkedHashMap<>();
        double sum = 0;
        int presentCount = 0;
        for (var e : cat.entrySet()) {
            int[] c = e.getValue();
            catPairs.put(e.getKey(), c[1]);
            double s = c[1] == 0 ? Double.NaN : 100.0 * c[0] / c[1];
            catScores.put(e.getKey(), s);
            if (c[1] > 0) { sum += s; presentCount++; }
        }
        double mean = presentCount == 0 ? Double.NaN : sum / presentCount;
        double consistency = two == 0 ? Double.NaN : 100.0 * (two - inconsistent) / two;
        Interval overall = bootstrap.mean(correct).times(100);
        Map<String, Interval> ci = new LinkedHashMap<>();
        ci.put("overall", overall);
        JudgePair.Category[] cats = JudgePair.Category.values();
        boolean[] present = new boolean[cats.length];
        for (JudgePair.Category c : cats) {
            if (catPairs.get(c.key) == 0) continue;
            present[c.ordinal()] = true;
            ci.put(c.key, bootstrap.interval(n, idx -> 100 * categoryAccuracies(idx, correct, catOf, cats.length)[c.ordinal()]));
        }
        final int nPresent = presentCount;
        if (nPresent > 0)
            ci.put("category_mean", bootstrap.interval(n, idx -> {
                double[] acc = categoryAccuracies(idx, correct, catOf, cats.length);
                double s = 0;
                for (int k = 0; k < acc.length; k++) {
                    if (!present[k]) continue;
                    if (Double.isNaN(acc[k])) return Double.NaN;   // a present category not drawn: no category mean
                    s += acc[k];
                }
                return 100 * s / nPresent;
            }));
        if (two > 0)
            ci.put("position_consistency", bootstrap.interval(n, idx -> {
                int m = 0;
                double s = 0;
                for (int i : idx) if (twoGame[i]) { m++; s += consistent[i]; }
                return m == 0 ? Double.NaN : 100 * s / m;
            }));
        return new JudgeBenchScores(overall, catScores, catPairs, mean, n, nCorrect,
                nIncorrect, nTie, allC, allI, someC, inconsistent, nulls, two, consistency, mismatches, java.util.Collections.unmodifiableMap(ci));
    }

    /** Accuracy per category over the drawn pairs (NaN for a category with no draw). */
    private static double[] categoryAccuracies(int[] idx, double[] correct, int[] catOf, int categories) {
        double[] sum = new double[categories];
        int[] cnt = new int[categories];
        for (int i : idx) if (catOf[i] >= 0) { sum[catOf[i]] += correct[i]; cnt[catOf[i]]++; }
        double[] acc = new double[categories];
        for (int k = 0; k < categories; k++) acc[k] = cnt[k] == 0 ? Double.NaN : sum[k] / cnt[k];
        return acc;
    }

    /** A reward-model game whose stored decision disagrees with its scores (A>B iff first > second; tie → B>A). */
    static boolean scoreMismatch(Judgment j) {
        if (j == null || j.scores().size() != 2 || j.decision() == null) return false;
        String expected = j.scores().get(0) > j.scores().get(1) ? "A>B" : "B>A";
        return !expected.equals(j.decision());
    }
}
