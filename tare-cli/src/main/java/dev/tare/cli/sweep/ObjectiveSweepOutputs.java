package dev.tare.cli.sweep;

import dev.tare.data.AtomicFiles;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.eval.lora.LoraSweep;
import dev.tare.metrics.Units;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.Series;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The rendered outcome of `tare sweep --objective`: console lines, sweep.json and report.html (objective weight = 1 + λ). */
record ObjectiveSweepOutputs(Path model, String objective, String benchmark, long seed, LambdaSweep.Rule rule) {
    void print(PrintWriter w, LoraSweep.Outcome o, Path out) {
        LambdaSweep.Result res = o.result();
        LambdaSweep.Row c = res.chosenRow(), z = row(res, 0.0);
        w.println("rule: " + rule.describe() + " (reference: lambda 0 = the model as published)");
        if (res.noneEligible()) w.println("no lambda met the constraint on the selection part: reporting lambda 0");
        w.printf(Locale.ROOT, "objective %s: chosen lambda = %s (weight %s); held-out: hard %.2f normal %.2f easy %.2f (lambda 0: hard %.2f normal %.2f easy %.2f)%n",
                objective, fmt(res.chosen()), fmt(1 + res.chosen()), c.heldOut().get("hard"), c.heldOut().get("normal"), c.heldOut().get("easy"),
                z.heldOut().get("hard"), z.heldOut().get("normal"), z.heldOut().get("easy"));
        w.println("wrote " + out.resolve("sweep.json") + " and " + out.resolve("report.html"));
        w.flush();
    }

    /**
     * Writes sweep.json (fractions, {@code "units": "fraction"}) and report.html (percent) into {@code out} (the temp
     * folder that SweepCommand then renames to OUT whole).
     */
    void write(LoraSweep.Outcome sweep, Path out) {
        LambdaSweep.Result res = sweep.result();
        JsonSummary js = JsonSummary.fractions();   // the sweep's percent (as the tables show it) scaled to fractions
        js.put("model", model.toString()).put("objective", objective).put("benchmark", benchmark).put("items", (long) sweep.items().size())
                .put("selection_items", (long) sweep.split().selection().size()).put("held_out_items", (long) sweep.split().heldOut().size())
                .put("seed", seed).put("rule", rule.describe()).put("none_eligible", res.noneEligible()).put("chosen_lambda", res.chosen())
                .put("chosen_weight", 1 + res.chosen())
                .put("lambda_convention", "the objective's contribution (reward x coefficient) is weighted 1 + lambda: 0 = the model as published, -1 = removed")
                .put("seconds", sweep.seconds());
        JsonSummary rows = js.object("lambdas");
        for (LambdaSweep.Row row : res.rows()) {
            JsonSummary o = rows.object(fmt(row.lambda()));
            o.put("weight", 1 + row.lambda());
            o.put("eligible", row.eligible());
            JsonSummary s = o.object("selection");
            row.selection().forEach((k, v) -> s.put(k, Units.toFraction(v)));
            JsonSummary h = o.object("held_out");
            row.heldOut().forEach((k, v) -> h.put(k, Units.toFraction(v)));
        }
        for (double l : new double[]{0.0, res.chosen()}) {
            RmBenchScores rep = sweep.heldOutReport(l);
            js.object("held_out_ci_lambda=" + fmt(l)).put("hard", rep.hard()).put("normal", rep.normal()).put("easy", rep.easy());
        }
        AtomicFiles.writeString(out.resolve("sweep.json"), js.render());

        HtmlReport html = new HtmlReport("tare sweep: objective re-weighting on RM-Bench").subtitle(model + ", objective " + objective);
        html.keyValues(List.of(new String[]{"rule", rule.describe()}, new String[]{"chosen lambda (weight)", fmt(res.chosen()) + " (" + fmt(1 + res.chosen()) + ")"},
                new String[]{"items (selection / held-out)", sweep.split().selection().size() + " / " + sweep.split().heldOut().size()},
                new String[]{"split seed", Long.toString(seed)}));
        double[] xs = res.rows().stream().mapToDouble(LambdaSweep.Row::lambda).toArray();
        LineChart chart = new LineChart("Held-out accuracy vs lambda (" + objective + " weighted 1 + lambda)", "lambda", "accuracy (%)");
        for (String k : List.of("hard", "normal", "easy"))
            chart.series(new Series(k, xs, res.rows().stream().mapToDouble(r -> r.heldOut().getOrDefault(k, Double.NaN)).toArray()));
        html.heading("Accuracy vs lambda (held-out part)").charts(chart.svg());
        Table.Builder t = Table.builder("Every lambda: selection part (sel) and held-out part (held), percent",
                "lambda (weight)", "eligible", "sel hard", "sel normal", "sel easy", "held hard", "held normal", "held easy", "held score");
        for (LambdaSweep.Row row : res.rows())
            t.row(fmt(row.lambda()) + " (" + fmt(1 + row.lambda()) + ")" + (row.lambda() == res.chosen() ? " (chosen)" : ""), row.eligible() ? "yes" : "no",
                    pct(row.selection().get("hard")), pct(row.selection().get("normal")), pct(row.selection().get("easy")),
                    pct(row.heldOut().get("hard")), pct(row.heldOut().get("normal")), pct(row.heldOut().get("easy")), pct(row.heldOut().get("score")));
        html.heading("Table").table(t.build());
        html.write(out.resolve("report.html"));
    }

    private static LambdaSweep.Row row(LambdaSweep.Result res, double l) {
        return res.rows().stream().filter(r -> r.lambda() == l).findFirst().orElseThrow();
    }

    private static String pct(Double v) { return v == null ? "" : String.format(Locale.ROOT, "%.2f", v); }

    static String fmt(double l) { return LoraSweep.fmt(l); }
}
