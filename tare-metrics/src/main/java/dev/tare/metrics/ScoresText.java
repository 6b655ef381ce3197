package dev.tare.metrics;

import dev.tare.metrics.stats.Interval;

import java.util.Locale;

/** Shared pieces of the {@link BenchmarkScores#table()} texts (x100, as the leaderboards print). */
public final class ScoresText {
    private ScoresText() {}

    /** "  88.61  [ 87.40,  89.73]", the value alone without an interval, "   n/a" when undefined. */
    public static String pct(Interval i) {
        if (Double.isNaN(i.value())) return "   n/a";
        if (Double.isNaN(i.lo())) return String.format(Locale.ROOT, "%6.2f", 100 * i.value());
        return String.format(Locale.ROOT, "%6.2f  [%6.2f, %6.2f]", 100 * i.value(), 100 * i.lo(), 100 * i.hi());
    }

    /** "  model=NAME" for a table header, or nothing when the results name no model (never "model=null"). */
    public static String modelLabel(String model) { return model == null || model.isBlank() ? "" : "  model=" + model; }

    /** One indented "name value" line. */
    public static String row(String name, String value) { return String.format(Locale.ROOT, "  %-30s %s%n", name, value); }
}
