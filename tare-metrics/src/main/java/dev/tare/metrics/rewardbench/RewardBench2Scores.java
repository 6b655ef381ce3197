package dev.tare.metrics.rewardbench;

import dev.tare.metrics.stats.Interval;

import java.util.List;

/**
 * RewardBench 2 scores (fractions; x100 on the leaderboard): per-subset best-of-N accuracy (1/k credit for a k-way
 * tie at the top), the Ties formula with its parts, and the overall score = unweighted mean of the present subsets
 * ({@code complete} when all six are present).
 */
public record RewardBench2Scores(String model, int items, List<SubsetScore> subsets, TiesScore.Parts tiesParts,
                                 Interval score, boolean complete, List<String> missingSubsets) {}
