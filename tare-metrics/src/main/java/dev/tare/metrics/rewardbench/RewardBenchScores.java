package dev.tare.metrics.rewardbench;

import dev.tare.data.rewardbench.RewardBenchSubsets;
import dev.tare.metrics.stats.Interval;

import java.util.List;
import java.util.Map;

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
                                Interval scoreWithPriorSets, List<String> missingSubsets, List<String> missingSections) {
    /** Whether a section has no item, so that the score is a mean over fewer than the four sections. */
    public boolean partial() { return !missingSections.isEmpty(); }

    /** What {@link #score()} is: "mean of 4 sections", or "partial: mean of K of 4 sections". */
    public String scoreLabel() {
        int all = RewardBenchSubsets.SECTIONS.size();
        return partial() ? "partial: mean of " + (all - missingSections.size()) + " of " + all + " sections" : "mean of " + all + " sections";
    }
}
