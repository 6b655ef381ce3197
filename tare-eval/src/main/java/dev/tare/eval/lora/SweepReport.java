package dev.tare.eval.lora;

import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.report.HtmlReport;
import dev.tare.report.Table;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.Series;
import dev.tare.runtime.lora.HeadChoice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The HTML sections of a λ sweep (accuracy vs λ charts, the every-λ table, the head note), for `tare sweep` and the demo. */
public final class SweepReport {
    private SweepReport() {}

    /** Adds the held-out accuracy-vs-λ charts (overall and per domain group), the table of every λ and the head note. */
    public static void addTo(HtmlReport html, LoraSweep.Outcome sweep, HeadChoice head) {
        LambdaSweep.Result res = sweep.result();
        double[] xs = res.rows().stream().mapToDouble(LambdaSweep.Row::lambda).toArray();
        LineChart overall = new LineChart("Held-out accuracy vs lambda", "lambda", "accuracy (%)");
        for (String k : List.of("hard", "normal", "easy")) overall.series(new Series(k, xs, series(res, k)));
        List<String> charts = new ArrayList<>(List.of(overall.svg()));
        for (String g : RmBenchReader.DOMAIN_GROUPS) {
            if (!res.rows().getFirst().heldOut().containsKey(g + "/hard")) continue;
            LineChart c = new LineChart("Held-out " + g + " vs lambda", "lambda", "accuracy (%)");
            for (String k : List.of("hard", "normal", "easy")) c.series(new Series(k, xs, series(res, g + "/" + k)));
            charts.add(c.svg());
        }
        html.heading("Accuracy vs lambda (held-out part)").charts(charts.toArray(String[]::new));
        html.heading("Table").table(table(res));
        html.note("Head '" + head.name().toLowerCase(Locale.ROOT) + "': " + (head == HeadChoice.ADAPTER
                ? "PEFT's behaviour: the adapter's modules_to_save copy of the score head is used unchanged at every lambda, so lambda 0 is the base body read through the adapter's head, not the base model."
                : "the base model's own head; lambda 0 is the base model exactly."));
    }

    /** Every λ's selection and held-out Hard / Normal / Easy (percent), the chosen one marked, and the base model's row. */
    public static Table table(LambdaSweep.Result res) {
        Table.Builder t = Table.builder("Every lambda: selection part (sel) and held-out part (held), percent",
                "lambda", "eligible", "sel hard", "sel normal", "sel easy", "held hard", "held normal", "held easy", "held score");
        for (LambdaSweep.Row row : res.rows()) {
            t.row(LoraSweep.fmt(row.lambda()) + " (subtract " + LoraSweep.fmt(subtract(row.lambda())) + ")" + (row.lambda() == res.chosen() ? " (chosen)" : ""), row.eligible() ? "yes" : "no",
                    pct(row.selection().get("hard")), pct(row.selection().get("normal")), pct(row.selection().get("easy")),
                    pct(row.heldOut().get("hard")), pct(row.heldOut().get("normal")), pct(row.heldOut().get("easy")), pct(row.heldOut().get("score")));
        }
        LambdaSweep.Row b = res.base();
        t.row("base model", "", pct(b.selection().get("hard")), pct(b.selection().get("normal")), pct(b.selection().get("easy")),
                pct(b.heldOut().get("hard")), pct(b.heldOut().get("normal")), pct(b.heldOut().get("easy")), pct(b.heldOut().get("score")));
        return t.build();
    }

    /** What the rule's reference row is, in words. */
    public static String referenceText(LambdaSweep.Rule rule, HeadChoice head) {
        if (rule.reference() == LambdaSweep.Reference.BASE) return "base = the real base model (base body + base head)";
        return head == HeadChoice.ADAPTER ? "lambda0 = base body + the adapter's head copy (PEFT), not the base model"
                : "lambda0 = the base model exactly (--head base)";
    }

    /** The published scripts' "+x subtracts" value of a signed strength λ (−λ, without a negative zero). */
    public static double subtract(double lambda) { return lambda == 0 ? 0.0 : -lambda; }

    /** One held-out metric per λ (NaN where a λ's row lacks it). */
    public static double[] series(LambdaSweep.Result res, String k) {
        return res.rows().stream().mapToDouble(r -> r.heldOut().getOrDefault(k, Double.NaN)).toArray();
    }

    private static String pct(Double v) { return v == null ? "" : String.format(Locale.ROOT, "%.2f", v); }
}
