package dev.tare.metrics.rewardbench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.rewardbench.RewardBenchSubsets;
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
 * RewardBench v1 scores (fractions in [0,1], leaderboard shows x100): per-subset accuracy, the four section scores
 * (EXAMPLE_COUNTS-weighted), the score without prior sets (mean of the four sections), and when prior-set items are
 * present the Prior Sets score and the 2024 leaderboard score (sections + 0.5 x prior) / 4.5.
 * {@code missingSubsets} lists core subsets absent from the results (their section then lacks them).
 * {@code missingSections} lists the sections with no item at all (e.g. a run with {@code --limit}): they are not in
 * {@code sections} (n/a, never 0), and the score is then the mean of the sections present, labelled partial.
 */
public record RewardBenchScores(String model, int items, int ties, List<SubsetScore> subsets,
                                Map<String, Interval> sections, Interval score, Interval priorSets,
                                Interval scoreWithPriorSets, List<String> missingSubsets, List<String> missingSections)
        implements BenchmarkScores {
    /** Whether a section has no item, so that the score is a mean over fewer than the four sections. */
    public boolean partial() { return !missingSections.isEmpty(); }

    /** What {@link #score()} is: "mean of 4 sections", or "partial: mean of K of 4 sections". */
    public String scoreLabel() {
        int all = RewardBenchSubsets.SECTIONS.size();
        return partial() ? "partial: mean of " + (all - missingSections.size()) + " of " + all + " sections" : "mean of " + all + " sections";
    }

    /** Missing core subsets whose section has other subsets (the section is then scored on fewer subsets). */
    public List<String> thinSubsets() {
        return missingSubsets.stream().filter(x -> !missingSections.contains(RewardBenchSubsets.sectionOf(x))).toList();
    }

    /** Core subsets present with fewer rows than the filtered split has ("name n/N"). */
    public List<String> incompleteSubsets() {
        List<String> out = new ArrayList<>();
        for (SubsetScore s : subsets) {
            Integer full = RewardBenchSubsets.ROW_COUNTS.get(s.subset());
            if (full != null && s.items() < full) out.add(s.subset() + " " + s.items() + "/" + full);
        }
        return out;
    }

    /** Parts: the sections with items (the others are n/a, never 0) and Prior Sets when defined. */
    @Override public ScoreOverview overview() {
        Map<String, Interval> parts = new LinkedHashMap<>(sections);
        List<String> notes = new ArrayList<>();
        if (partial()) notes.add(scoreLabel() + ": no items in " + String.join(", ", missingSections)
                + " (n/a); the score is not comparable with the leaderboard");
        if (priorSets != null && !Double.isNaN(priorSets.value())) parts.put("Prior Sets", priorSets);
        var thin = thinSubsets();
        if (!thin.isEmpty()) notes.add("missing subsets: " + String.join(", ", thin));
        if (ties > 0) notes.add(ties + " pairs with equal scores (counted as wrong)");
        return new ScoreOverview(score, parts, notes, missingSections, scoreLabel());
    }

    @Override public ObjectNode json() {
        ObjectNode o = ScoresJson.object(model, items);
        o.put("ties", ties);
        o.set("score", ScoresJson.ci(score));
        o.put("score_label", scoreLabel());
        o.put("partial", partial());
        ObjectNode s = o.putObject("sections");
        for (String k : RewardBenchSubsets.SECTIONS) s.set(k, ScoresJson.ci(sections.get(k)));   // null: no item of this section (n/a, not 0)
        o.set("missing_sections", ScoresJson.tree(missingSections));
        if (priorSets != null) { o.set("prior_sets", ScoresJson.ci(priorSets)); o.set("score_with_prior_sets", ScoresJson.ci(scoreWithPriorSets)); }
        o.set("subsets", ScoresJson.subsets(subsets));
        o.set("missing_subsets", ScoresJson.tree(missingSubsets));
        o.set("incomplete_subsets", ScoresJson.tree(incompleteSubsets()));
        return o;
    }

    @Override public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "RewardBench v1%s  items=%d  ties=%d (counted wrong)%n", modelLabel(model), items, ties));
        sb.append(row("", "score   95% CI"));
        for (String k : RewardBenchSubsets.SECTIONS) {
            Interval v = sections.get(k);
            sb.append(row(k, v == null ? "   n/a  (no items in this section)" : pct(v)));
        }
        sb.append(row(partial() ? "Score (" + scoreLabel() + ")" : "Score (mean of 4)", pct(score)));
        if (priorSets != null) {
            sb.append(row("Prior Sets", pct(priorSets)));
            sb.append(row(partial() ? "Score w/ prior (partial)" : "Score w/ prior (0.5)", pct(scoreWithPriorSets)));
        }
        sb.append(String.format("%nsubsets:%n"));
        for (SubsetScore s : subsets) sb.append(row(s.subset() + " (" + s.items() + ")", pct(s.score())));
        if (partial()) sb.append(String.format("%nmissing sections %s: the score is the mean of the sections present, not comparable with the leaderboard%n", missingSections));
        var thin = thinSubsets();
        if (!thin.isEmpty()) sb.append(String.format("%nmissing subsets (their sections are partial): %s%n", thin));
        var partial = incompleteSubsets();
        if (!partial.isEmpty()) sb.append(String.format("%nsubsets with fewer rows than the filtered split: %s%n", partial));
        return sb.toString().stripTrailing();
    }
}
