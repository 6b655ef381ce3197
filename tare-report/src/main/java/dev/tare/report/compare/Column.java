package dev.tare.report.compare;

/**
 * A leaderboard column: its title and unit — {@link Unit#PERCENT} for every score and rate (tare's one convention in the
 * leaderboard, whatever the source file used), {@link Unit#CORRELATION} for rank correlations in [−1, 1] — and whether
 * it is a bias diagnostic rather than a score.
 */
public record Column(String title, Unit unit, boolean bias) {
    /** How a column's numbers read. */
    public enum Unit { PERCENT, CORRELATION }

    /** A score in percent. */
    public static Column percent(String title) { return new Column(title, Unit.PERCENT, false); }

    /** A bias measure in percent. */
    public static Column biasPercent(String title) { return new Column(title, Unit.PERCENT, true); }

    /** A bias measure that is a rank correlation. */
    public static Column correlation(String title) { return new Column(title, Unit.CORRELATION, true); }

    /** The number formatted for this unit (2 decimals for percent, 3 for correlations). */
    public String format(double v) {
        if (Double.isNaN(v)) return "";
        return String.format(java.util.Locale.ROOT, unit == Unit.PERCENT ? "%.2f" : "%.3f", v);
    }
}
