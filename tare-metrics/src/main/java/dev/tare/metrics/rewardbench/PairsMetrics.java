package dev.tare.metrics.rewardbench;

import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Accuracy of generic preference pairs (chosen &gt; rejected, strict, as in RewardBench v1) per subset and overall. */
public final class PairsMetrics {
    private PairsMetrics() {}

    public static PairsScores compute(List<ScoredItem> items, Bootstrap bootstrap) {
        if (items.isEmpty()) throw new IllegalArgumentException("no items to score");
        double[] all = new double[items.size()];
        Map<String, List<Integer>> bySubset = new LinkedHashMap<>();
        int ties = 0;
        for (int i = 0; i < all.length; i++) {
            ScoredItem it = items.get(i);
            all[i] = RewardBenchMetrics.outcome(it);
            if (it.chosen() == it.rejected()) ties++;
            bySubset.computeIfAbsent(it.subset(), k -> new ArrayList<>()).add(i);
        }
        List<SubsetScore> subsets = new ArrayList<>();
        for (var e : bySubset.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(i -> all[i]).toArray();
            int t = (int) e.getValue().stream().filter(i -> items.get(i).chosen() == items.get(i).rejected()).count();
            subsets.add(new SubsetScore(e.getKey(), v.length, bootstrap.mean(v), t));
        }
        return new PairsScores(items.get(0).model(), all.length, ties, subsets, bootstrap.mean(all));
    }
}
