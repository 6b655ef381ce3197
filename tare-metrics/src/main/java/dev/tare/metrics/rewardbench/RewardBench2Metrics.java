package dev.tare.metrics.rewardbench;

import dev.tare.data.rewardbench.RewardBench2Reader;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RewardBench 2 scoring (reward-bench {@code scripts/run_v2.py} + {@code process_single_model}): best-of-N per item
 * computed from the scores (chosen first; 1/k if the chosen score is the maximum shared by k completions, else 0),
 * subset = mean; Ties by {@link TiesScore}; overall = unweighted mean of the six subsets. Bootstrap units are items,
 * except for Ties where a unit is one pid (its ref and tied rows together), so the pairing survives resampling.
 */
public final class RewardBench2Metrics {
    private RewardBench2Metrics() {}

    public static RewardBench2Scores compute(List<ScoredItem> items, Bootstrap bootstrap) {
        if (items.isEmpty()) throw new IllegalArgumentException("no items to score");
        Map<String, List<ScoredItem>> bySubset = new LinkedHashMap<>();
        for (String s : RewardBench2Reader.SUBSETS) bySubset.put(s, new ArrayList<>());
        for (ScoredItem it : items) {
            var l = bySubset.get(it.subset());
            if (l == null) throw new IllegalArgumentException("item " + it.key() + ": unknown RewardBench 2 subset '" + it.subset()
                    + "' (expected one of " + RewardBench2Reader.SUBSETS + ")");
            l.add(it);
        }
        // units: one per non-Ties item (value = best-of-N result), one per Ties pid (its groups)
        List<String> unitSubset = new ArrayList<>();
        List<Double> unitValue = new ArrayList<>();
        List<List<TiesScore.Group>> unitGroups = new ArrayList<>();
        List<SubsetScore> subsetScores = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        TiesScore.Parts tiesParts = null;
        for (var e : bySubset.entrySet()) {
            List<ScoredItem> rows = e.getValue();
            if (rows.isEmpty()) { missing.add(e.getKey()); continue; }
            if (e.getKey().equals("Ties")) {
                List<TiesScore.Group> groups = TiesScore.groups(rows);
                Map<String, List<TiesScore.Group>> byPid = new LinkedHashMap<>();
                for (var g : groups) byPid.computeIfAbsent(g.pid(), k -> new ArrayList<>()).add(g);
                List<List<TiesScore.Group>> pidUnits = new ArrayList<>(byPid.values());
                for (var u : pidUnits) { unitSubset.add("Ties"); unitValue.add(Double.NaN); unitGroups.add(u); }
                tiesParts = TiesScore.score(groups);
                Interval ci = bootstrap.interval(pidUnits.size(), idx -> {
                    List<TiesScore.Group> drawn = new ArrayList<>();
                    for (int i : idx) drawn.addAll(pidUnits.get(i));
                    return TiesScore.score(drawn).score();
                });
                subsetScores.add(new SubsetScore("Ties", rows.size(), ci, 0));
                continue;
            }
            double[] v = new double[rows.size()];
            int ties = 0;
            for (int i = 0; i < v.length; i++) {
                ScoredItem it = rows.get(i);
                v[i] = ScoredItem.bestOfNResult(it.scoresChosen(), it.scoresRejected());
                if (v[i] > 0 && v[i] < 1) ties++;
                unitSubset.add(e.getKey()); unitValue.add(v[i]); unitGroups.add(null);
            }
            subsetScores.add(new SubsetScore(e.getKey(), v.length, bootstrap.mean(v), ties));
        }
        int n = unitSubset.size();
        List<String> present = subsetScores.stream().map(SubsetScore::subset).toList();
        Interval overall = bootstrap.interval(n, idx -> {
            Map<String, double[]> acc = new LinkedHashMap<>();
            List<TiesScore.Group> ties = new ArrayList<>();
            for (int i : idx) {
                if (unitGroups.get(i) != null) { ties.addAll(unitGroups.get(i)); continue; }
                double[] a = acc.computeIfAbsent(unitSubset.get(i), k -> new double[2]);
                a[0] += unitValue.get(i); a[1]++;
            }
            double s = 0;
            int k = 0;
            for (String sub : present) {
                if (sub.equals("Ties")) {
                    if (ties.isEmpty()) return Double.NaN;
                    s += TiesScore.score(ties).score();
                } else {
                    double[] a = acc.get(sub);
                    if (a == null) return Double.NaN;
                    s += a[0] / a[1];
                }
                k++;
            }
            return s / k;
        });
        return new RewardBench2Scores(items.get(0).model(), items.size(), subsetScores, tiesParts, overall,
                missing.isEmpty(), missing);
    }
}
