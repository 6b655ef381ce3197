package dev.tare.metrics.rewardbench;

import dev.tare.metrics.stats.Interval;

import java.util.List;

/** Generic preference-pair accuracy: per subset and over all pairs (micro), ties counted wrong, with 95% CIs. */
public record PairsScores(String model, int items, int ties, List<SubsetScore> subsets, Interval accuracy) {}
