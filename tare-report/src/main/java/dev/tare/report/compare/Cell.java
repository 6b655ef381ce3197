package dev.tare.report.compare;

/** One leaderboard value with its 95% interval (NaN bounds: no interval). */
public record Cell(double value, double lo, double hi) {
    /** A value without an interval. */
    public static Cell of(double value) { return new Cell(value, Double.NaN, Double.NaN); }

    /** The same cell times {@code k} (fraction to percent). */
    public Cell times(double k) { return new Cell(value * k, lo * k, hi * k); }

    /** Whether an interval is known. */
    public boolean hasInterval() { return !Double.isNaN(lo) && !Double.isNaN(hi); }
}
