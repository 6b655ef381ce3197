package dev.tare.cli.sweep;

import java.io.PrintWriter;
import dev.tare.data.AtomicFiles;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.core.Progress;
import dev.tare.eval.lora.LoraSweep;
import dev.tare.eval.lora.SweepReport;
import dev.tare.metrics.Units;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.Series;
import dev.tare.runtime.lora.HeadChoice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rendered outcome of a `tare sweep`: the console lines, sweep.json and report.html with accuracy-vs-λ plots. */
record SweepOutputs(Path model, Path adapter, String benchmark, long seed, LambdaSweep.Rule rule, HeadChoice head) {
    /** The summary lines on stdout. */
    void print(PrintWriter w, LoraSweep.Outcome o, Path out) {
        LambdaSweep.Rule theRule = rule;
        HeadChoice headChoice = head;
        LambdaSweep.Result res = o.result();
        LambdaSweep.Row c = res.chosenRow(), b = res.base();
        w.println("rule: " + theRule.describe() + " (reference: " + referenceText(theRule, headChoice) + ")");
        if (res.noneEligible()) w.println("no lambda met the constraint on the selection part: reporting lambda 0");
        w.printf(Locale.ROOT, "chosen lambda = %s (--subtract %s); held-out: hard %.2f normal %.2f easy %.2f (lambda 0: hard %.2f normal %.2f easy %.2f; base model: hard %.2f normal %.2f easy %.2f)%n",
                fmt(res.chosen()), fmt(subtract(res.chosen())), c.heldOut().get("hard"), c.heldOut().get("normal"), c.heldOut().get("easy"),
                row(res, 0.0).heldOut().get("hard"), row(res, 0.0).heldOut().get("normal"), row(res, 0.0).heldOut().get("easy"),
                b.heldOut().get("hard"), b.heldOut().get("normal"), b.heldOut().get("easy"));
        w.println("wrote " + out.resolve("sweep.json") + " and " + out.resolve("report.html"));
        w.flush();
    }

    /**
     * Writes sweep.json (fractions, {@code "units": "fraction"}) and report.html (percent) into {@code out} (the temp
     * folder that SweepCommand then renames to OUT whole).
     */
    void write(LoraSweep.Outcome sweep, Path out) {
        LambdaSweep.Rule theRule = rule;
        HeadChoice headChoice = head;
        LambdaSweep.Result res = sweep.result();
        LambdaSweep.Split split = sweep.split();
        int n = sweep.items().size();
        double seconds = sweep.seconds();
        JsonSummary js = JsonSummary.fractions();   // the sweep's percent (as the tables show it) scaled to fractions
        js.put("model", model.toString()).put("adapter", adapter.toString()).put("head", headChoice.name().toLowerCase(Locale.ROOT))
                .put("benchmark", benchmark).put("items", (long) n).put("selection_items", (long) split.selection().size())
                .put("held_out_items", (long) split.heldOut().size()).put("seed", seed)
                .put("score_token", dev.tare.runtime.model.ScoreTokenRule.DEFAULT.cliName()).put("rule", theRule.describe())
                .put("reference", theRule.reference().label()).put("reference_is", referenceText(theRule, headChoice))
                .put("none_eligible", res.noneEligible()).put("chosen_lambda", res.chosen())
                .put("chosen_subtract", subtract(res.chosen()))
                .put("lambda_convention", "lambda = PEFT's signed scaling (W + lambda*alpha/r*B*A; -x subtracts); subtract = the published forget-LoRA scripts' '+x subtracts' = -lambda")
                .put("seconds", seconds);
        JsonSummary baseObj = js.object("base");
        baseObj.put("what", sweep.baseScoredSeparately() ? "the real base model (adapter off, base head), scored separately"
                : "identical to lambda 0 (--head base)");
        JsonSummary bs = baseObj.object("selection");
        res.base().selection().forEach((k, v) -> bs.put(k, Units.toFraction(v)));
        JsonSummary bh = baseObj.object("held_out");
        res.base().heldOut().forEach((k, v) -> bh.put(k, Units.toFraction(v)));
        JsonSummary rows = js.object("lambdas");
        for (LambdaSweep.Row row : res.rows()) {
            JsonSummary o = rows.object(fmt(row.lambda()));
            o.put("subtract", subtract(row.lambda()));
            o.put("eligible", row.eligible());
            JsonSummary s = o.object("selection");
            row.selection().forEach((k, v) -> s.put(k, Units.toFraction(v)));
            JsonSummary h = o.object("held_out");
            row.heldOut().forEach((k, v) -> h.put(k, Units.toFraction(v)));
        }
        // held-out CIs for the chosen lambda and lambda 0
        for (double l : new double[]{0.0, res.chosen()}) {
            RmBenchScores rep = sweep.heldOutReport(l);
            JsonSummary ci = js.object("held_out_ci_lambda=" + fmt(l));
            ci.put("hard", rep.hard()).put("normal", rep.normal()).put("easy", rep.easy());
        }
        AtomicFiles.writeString(out.resolve("sweep.json"), js.render());

        HtmlReport html = new HtmlReport("tare sweep: bias-LoRA subtraction on RM-Bench")
                .subtitle(model + " + " + adapter + " (head: " + headChoice.name().toLowerCase(Locale.ROOT) + ")");
        html.keyValues(List.of(new String[]{"rule", theRule.describe()}, new String[]{"chosen lambda", fmt(res.chosen())},
                new String[]{"items (selection / held-out)", split.selection().size() + " / " + split.heldOut().size()},
                new String[]{"reference", referenceText(theRule, headChoice)},
                new String[]{"split seed", Long.toString(seed)}, new String[]{"scoring time", String.format(Locale.ROOT, "%.1f s", seconds)}));
        SweepReport.addTo(html, sweep, headChoice);
        html.write(out.resolve("report.html"));
    }

    static String referenceText(LambdaSweep.Rule rule, HeadChoice head) { return SweepReport.referenceText(rule, head); }

    private static LambdaSweep.Row row(LambdaSweep.Result res, double l) {
        return res.rows().stream().filter(r -> r.lambda() == l).findFirst().orElseThrow();
    }

    static String fmt(double l) { return LoraSweep.fmt(l); }

    /** The published scripts' "+x subtracts" value of a signed strength λ (−λ, without a negative zero). */
    static double subtract(double lambda) { return SweepReport.subtract(lambda); }
}
