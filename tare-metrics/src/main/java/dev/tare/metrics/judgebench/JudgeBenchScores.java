package dev.tare.metrics.judgebench;

import dev.tare.metrics.stats.Interval;

import java.util.Map;

/**
 * JudgeBench scores in percent. {@code overall} is pair-weighted (JudgeBench's metrics.py), {@code categoryMean}
 * the plain mean of the four category scores (the published tables). Position consistency is the share of
 * two-game pairs whose verdicts agree once the swapped game is flipped back. Counts follow metrics.py.
 * {@code ci95} holds seeded percentile-bootstrap intervals over pairs, in percent, for {@code overall}, each present
 * category, {@code category_mean} and {@code position_consistency} (when there are two-game pairs).
 */
public record JudgeBenchScores(
        Interval overall, Map<String, Double> categories, Map<String, Integer> categoryPairs, double categoryMean,
        int pairs, int correct, int incorrect, int tie, int allCorrect, int allIncorrect, int someCorrect,
        int inconsistent, int nulls, int twoGamePairs, double positionConsistency, int scoreDecisionMismatches,
        Map<String, Interval> ci95) {}
