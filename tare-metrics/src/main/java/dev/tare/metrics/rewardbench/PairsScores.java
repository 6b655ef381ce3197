package dev.tare.metrics.rewardbench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.metrics.BenchmarkScores;
import dev.tare.metrics.ScoreOverview;
import dev.tare.metrics.ScoresJson;
import dev.tare.metrics.stats.Interval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.tare.metrics.ScoresText.modelLabel;
import static dev.tare.metrics.ScoresText.pct;
import static dev.tare.metrics.ScoresText.row;

/** Generic preference-pair accuracy: per subset and over all pairs (micro), ties counted wrong, with 95% CIs. */
public record PairsScores(String model, int items, int ties, List<SubsetScore> subsets, Interval accuracy) implements BenchmarkScores {
    /** The accuracy over all pairs. */
    @Override public Interval score() { return accuracy; }

    /** Parts: the subsets, when there are several. */
    @Override public ScoreOverview overview() {
        Map<String, Interval> parts = new LinkedHashMap<>();
        if (subsets.size() > 1) for (SubsetScore s : subsets) parts.put(s.subset(), s.score());
        return new ScoreOverview(accuracy, parts, List.of("accuracy over " + items + " items (a tie counts as wrong)"));
    }

    @Override public ObjectNode json() {
        ObjectNode o = ScoresJson.object(model, items);
        o.put("ties", ties);
        o.set("accuracy", ScoresJson.ci(accuracy));
        o.set("subsets", ScoresJson.subsets(subsets));
        return o;
    }

    @Override public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Preference pairs%s  items=%d  ties=%d (counted wrong)%n", modelLabel(model), items, ties));
        sb.append(row("", "accuracy   95% CI"));
        for (SubsetScore s : subsets) sb.append(row(s.subset() + " (" + s.items() + ")", pct(s.score())));
        sb.append(row("All pairs", pct(accuracy)));
        return sb.toString().stripTrailing();
    }
}
