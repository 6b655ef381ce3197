package dev.tare.metrics.rewardbench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.metrics.BenchmarkScores;
import dev.tare.metrics.ScoreOverview;
import dev.tare.metrics.ScoresJson;
import dev.tare.metrics.stats.Interval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.tare.metrics.ScoresText.modelLabel;
import static dev.tare.metrics.ScoresText.pct;
import static dev.tare.metrics.ScoresText.row;

/**
 * RewardBench 2 scores (fractions; x100 on the leaderboard): per-subset best-of-N accuracy (1/k credit for a k-way
 * tie at the top), the Ties formula with its parts, and the overall score = unweighted mean of the present subsets
 * ({@code complete} when all six are present).
 */
public record RewardBench2Scores(String model, int items, List<SubsetScore> subsets, TiesScore.Parts tiesParts,
                                 Interval score, boolean complete, List<String> missingSubsets) implements BenchmarkScores {
    /** Parts: the subsets present. */
    @Override public ScoreOverview overview() {
        Map<String, Interval> parts = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (SubsetScore s : subsets) parts.put(s.subset(), s.score());
        if (!complete) notes.add("incomplete: missing " + String.join(", ", missingSubsets));
        return new ScoreOverview(score, parts, notes);
    }

    @Override public ObjectNode json() {
        ObjectNode o = ScoresJson.object(model, items);
        o.set("score", ScoresJson.ci(score));
        o.put("complete", complete);
        o.set("subsets", ScoresJson.subsets(subsets));
        if (tiesParts != null) o.set("ties_parts", ScoresJson.tree(tiesParts));
        o.set("missing_subsets", ScoresJson.tree(missingSubsets));
        return o;
    }

    @Override public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "RewardBench 2%s  items=%d%n", modelLabel(model), items));
        sb.append(row("", "score   95% CI"));
        for (SubsetScore s : subsets) sb.append(row(s.subset() + " (" + s.items() + ")", pct(s.score())));
        sb.append(row(complete ? "Score (mean of 6)" : "Score (partial!)", pct(score)));
        if (tiesParts != null) {
            var t = tiesParts;
            sb.append(String.format(Locale.ROOT, "%nTies parts: ref_acc %.4f  tied_acc %.4f  preferred %.4f  preferred_hard %.4f  margin %.4f%n",
                    t.refAccuracy(), t.tiedAccuracy(), t.correctnessPreferred(), t.correctnessPreferredHard(), t.margin()));
        }
        if (!missingSubsets.isEmpty()) sb.append(String.format("%nmissing subsets: %s%n", missingSubsets));
        return sb.toString().stripTrailing();
    }
}
