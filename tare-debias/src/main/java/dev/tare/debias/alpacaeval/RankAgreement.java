package dev.tare.debias.alpacaeval;

import dev.tare.metrics.stats.Interval;

/**
 * How well a reward model's ranking of models (by reward win rate) matches the judge's LC leaderboard: Spearman's rho
 * and Kendall's tau-b over {@code models} models, each with a bootstrap interval over instructions (null with fewer than 3).
 */
public record RankAgreement(int models, Interval spearman, Interval kendall) {}
