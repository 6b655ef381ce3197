package dev.tare.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.metrics.stats.Interval;

/**
 * The one unit convention of the JSON tare writes: every rate, accuracy and score is a fraction in [0, 1] (a bias
 * score such as BBQ's s_amb in [-1, 1]; correlations stay correlations), and every top-level JSON summary says so with
 * {@code "units": "fraction"}. The single exception is {@code tare alpacaeval}'s JSON, in percent as AlpacaEval
 * publishes its win rates, marked {@code "units": "percent"}. Text tables and HTML reports show percent.
 */
public final class Units {
    /** The field every top-level JSON summary carries. */
    public static final String FIELD = "units";
    /** Rates, accuracies and scores in [0, 1]. */
    public static final String FRACTION = "fraction";
    /** Rates in percent (only {@code tare alpacaeval}'s JSON). */
    public static final String PERCENT = "percent";

    private Units() {}

    /** Marks {@code summary} as written in fractions; returns it. */
    public static ObjectNode fraction(ObjectNode summary) {
        summary.put(FIELD, FRACTION);
        return summary;
    }

    /** A percent value as a fraction (NaN stays NaN). */
    public static double toFraction(double percent) { return percent / 100; }

    /** A percent interval as a fraction (value and bounds; null stays null). */
    public static Interval toFraction(Interval percent) {
        return percent == null ? null : new Interval(percent.value() / 100, percent.lo() / 100, percent.hi() / 100, percent.level());
    }
}
