package dev.tare.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.metrics.stats.Interval;

/**
 * The typed scores of one benchmark with 95% bootstrap CIs, as a {@link BenchmarkScoring} computes them from
 * per-example results (RewardBench v1 / 2, RM-Bench, generic pairs), and the views every consumer shares.
 */
public interface BenchmarkScores {
    /** The model named by the results (may be null). */
    String model();

    /** Scored items. */
    int items();

    /** The headline score (a fraction). */
    Interval score();

    /** Headline score, named parts and notes: what eval summaries, leaderboard rows and judge summaries show. */
    ScoreOverview overview();

    /** Every figure as {@code tare metrics} writes it (intervals in the {@link dev.tare.metrics.stats.IntervalJson#METRICS} form). */
    ObjectNode json();

    /** Every figure as {@code tare metrics} prints it: percent with CIs, as the leaderboards show them. */
    String table();
}
