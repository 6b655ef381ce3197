package dev.tare.report.audit;

import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.rmbench.StyleMatrix;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.chart.BarChart;
import dev.tare.results.ScoredItem;

import java.util.List;
import java.util.Locale;

/**
 * Style-bias audit of RM-Bench-shaped results (3 chosen + 3 rejected scores per row, styles concise / detailed /
 * detailed markdown): the pooled 3×3 accuracy matrix and Hard/Normal/Easy (RM-Bench's metrics), per domain with
 * 95% CIs when the rows carry their domain.
 */
public final class StyleAudit {
    static final List<String> STYLES = List.of("concise", "detailed", "detailed + markdown");

    /** The pooled matrix and, when rows have domains, RM-Bench's per-domain report (else null). */
    public record Result(String model, StyleMatrix pooled, RmBenchScores domains) {}

    private StyleAudit() {}

    /** True when every item has 3 chosen and 3 rejected scores. */
    public static boolean applies(List<ScoredItem> items) {
        return !items.isEmpty() && items.stream().allMatch(it -> it.scoresChosen().size() == 3 && it.scoresRejected().size() == 3);
    }

    public static Result run(List<ScoredItem> items, Bootstrap boot) {
        StyleMatrix pooled = RmBenchMetrics.pooled(items);
        boolean domains = items.stream().allMatch(it -> it.domain() != null);
        return new Result(items.getFirst().model(), pooled, domains ? RmBenchMetrics.compute(items, boot) : null);
    }

    /** Adds the matrix table and the Hard/Normal/Easy bars. */
    public static void addTo(HtmlReport html, Result r, String heading, String description) {
        StyleMatrix m = r.pooled();
        html.heading(heading);
        if (description != null) html.paragraph(description);
        html.paragraph(String.format(Locale.ROOT, "%d rows. Each row has a correct (chosen) and a subtly wrong (rejected) answer, each written in 3 "
                + "styles. Cell (i, j) = share of rows where chosen in style i scores strictly above rejected in style j. Hard = chosen plainer "
                + "than rejected (above the diagonal), Easy = chosen richer (below). A style-neutral model has Hard ≈ Normal ≈ Easy.", m.items()));
        Table.Builder t = Table.builder("Accuracy matrix, all rows pooled (%)", "chosen style ↓ / rejected style →", STYLES.get(0), STYLES.get(1), STYLES.get(2));
        for (int i = 0; i < 3; i++) t.row(STYLES.get(i), f1(100 * m.m()[i][0]), f1(100 * m.m()[i][1]), f1(100 * m.m()[i][2]));
        html.table(t.build());
        var bars = new BarChart("Accuracy by difficulty (%)", "accuracy (%)", List.of("hard", "normal", "easy")).yRange(0, 100).decimals(1).size(640, 380);
        bars.group("all rows pooled", new double[]{100 * m.hard(), 100 * m.normal(), 100 * m.easy()}, null, null);
        if (r.domains() != null) {
            Table.Builder d = Table.builder("Per domain (%, 95% bootstrap intervals)", "domain", "rows", "hard", "normal", "easy", "score");
            for (RmBenchScores.Domain dom : r.domains().domains()) {
                bars.group(dom.name() + " (95% CI)", new double[]{100 * dom.hard().value(), 100 * dom.normal().value(), 100 * dom.easy().value()},
                        new double[]{100 * dom.hard().lo(), 100 * dom.normal().lo(), 100 * dom.easy().lo()},
                        new double[]{100 * dom.hard().hi(), 100 * dom.normal().hi(), 100 * dom.easy().hi()});
                d.row(dom.name(), String.valueOf(dom.items()), PairAudit.ci100(dom.hard()), PairAudit.ci100(dom.normal()),
                        PairAudit.ci100(dom.easy()), PairAudit.ci100(dom.score()));
            }
            html.table(d.build());
        }
        html.charts(bars.svg());
    }

    private static String f1(double v) { return String.format(Locale.ROOT, "%.1f", v); }

    public static void addTo(JsonSummary o, Result r) {
        StyleMatrix m = r.pooled();
        o.put("model", r.model() == null ? "" : r.model()).put("rows", m.items()).put("hard", m.hard()).put("normal", m.normal()).put("easy", m.easy());
        for (int i = 0; i < 3; i++) o.put("matrix_row_" + i, m.m()[i]);
        if (r.domains() != null)
            for (RmBenchScores.Domain d : r.domains().domains())
                o.object(d.name()).put("rows", d.items()).put("hard", d.hard()).put("normal", d.normal()).put("easy", d.easy()).put("score", d.score());
    }
}
