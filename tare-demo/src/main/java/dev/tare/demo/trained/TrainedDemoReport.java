package dev.tare.demo.trained;

import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.eval.lora.LoraSweep;
import dev.tare.eval.lora.SweepReport;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.stats.Interval;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.audit.PairAudit;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.ScatterChart;
import dev.tare.report.chart.Series;
import dev.tare.runtime.lora.HeadChoice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Renders a {@link TrainedModelDemo.Outcome}: the console summary, the HTML report's sections and summary.json. */
public final class TrainedDemoReport {
    private TrainedDemoReport() {}

    /** One row of the before/after table: a name and the held-out measures of one set of scores. */
    public record Variant(String name, AuditResult.Side side) {
        RmBenchScores rm() { return (RmBenchScores) side.scores(); }
    }

    /** The four held-out variants: base, LOWESS-calibrated, forget-LoRA subtracted at the chosen strength, both. */
    public static List<Variant> variants(TrainedModelDemo.Outcome o) {
        String at = "minus forget-LoRA (" + strength(o.chosenLambda()) + ")";
        return List.of(new Variant("base reward model", o.base()), new Variant("+ LOWESS calibration on length", o.calibrated().after()),
                new Variant(at, o.lora()), new Variant(at + " + LOWESS", o.stacked().after()));
    }

    /** "subtract x = λ −x" in both conventions. */
    static String strength(double lambda) {
        return "subtract " + LoraSweep.fmt(SweepReport.subtract(lambda)) + " = lambda " + LoraSweep.fmt(lambda);
    }

    /** What the numbers are, said plainly (console and report). */
    public static final String WHAT = "Everything here is synthetic and made by tare: grade-school word problems in GSM8K's format, "
            + "each answered right and wrong (the final answer slips by one) in RM-Bench's three styles (concise, detailed, "
            + "detailed with markdown). The reward model is a real 2-layer transformer that tare trained from random weights on "
            + "such pairs, with labels from 'annotators' who prefer the styled side most of the time: it learned correctness and a "
            + "style bias. Hard = the correct concise answer beats the wrong markdown one (style against correctness); Normal = "
            + "same style; Easy = correct styled vs wrong concise. A style-biased model has Hard far below Easy.";

    /** Loud notes: no λ met the budget, or the chosen λ does worse than the base model on the held-out half. */
    public static List<String> warnings(TrainedModelDemo.Outcome o) {
        List<String> w = new ArrayList<>();
        LambdaSweep.Result res = o.sweep().result();
        if (res.noneEligible())
            w.add("NOTE: no strength kept Normal accuracy within " + o.settings().budgetPoints() + " points of the base model on the selection half; "
                    + "the forget-LoRA is not used (lambda 0 reported).");
        double dh = res.chosenRow().heldOut().get("hard") - res.base().heldOut().get("hard");
        double dn = res.chosenRow().heldOut().get("normal") - res.base().heldOut().get("normal");
        if (res.chosen() != 0 && (dh < 0 || dn < -o.settings().budgetPoints()))
            w.add(String.format(Locale.ROOT, "NOTE: on the held-out half the chosen strength changes Hard by %+.1f and Normal by %+.1f points "
                    + "(budget: -%.1f): the choice made on the selection half does not carry over.", dh, dn, o.settings().budgetPoints()));
        return w;
    }

    /** The console summary. */
    public static String console(TrainedModelDemo.Outcome o, String origin) {
        StringBuilder sb = new StringBuilder();
        var res = o.sweep().result();
        sb.append("tare demo: a reward model tare trained itself, its style bias measured and removed\n");
        sb.append(wrap(WHAT)).append('\n');
        sb.append("model: ").append(o.model()).append(" (").append(origin).append(")\n");
        var f = o.forget();
        var last = f.result().epochs().getLast();
        sb.append(String.format(Locale.ROOT, "forget-LoRA: %s, trained by tare on %d style pairs (undesired direction), %d epochs in %.0f s; "
                        + "last epoch: pair accuracy %.1f%% toward the styled side%n", o.adapter(), f.trainPairs(), f.result().epochs().size(),
                f.result().seconds(), 100 * last.trainAccuracy()));
        sb.append(String.format(Locale.ROOT, "lambda chosen on %d selection items: %s (rule: %s); measured on %d held-out items:%n",
                res.split().selection().size(), strength(res.chosen()), res.rule().describe(), res.split().heldOut().size()));
        sb.append(String.format(Locale.ROOT, "%-52s %-20s %-20s %-20s %-23s %s%n", "held-out, 95% CI", "Hard", "Normal", "Easy",
                "Spearman(reward,len)", "longer wins"));
        for (Variant v : variants(o)) {
            sb.append(String.format(Locale.ROOT, "%-52s %-20s %-20s %-20s %-23s %s%n", v.name(), PairAudit.ci100(v.rm().hard()),
                    PairAudit.ci100(v.rm().normal()), PairAudit.ci100(v.rm().easy()), ci(v.side().correlation("chars").spearman()),
                    PairAudit.ci100(v.side().wins("chars").rate())));
        }
        for (String w : warnings(o)) sb.append(w).append('\n');
        return sb.toString();
    }

    /** Adds the demo's sections to a report. */
    public static void addTo(HtmlReport html, TrainedModelDemo.Outcome o, String origin) {
        var res = o.sweep().result();
        html.note(WHAT);
        for (String w : warnings(o)) html.note(w);
        html.keyValues(List.of(new String[]{"reward model", o.model() + " (" + origin + ")"},
                new String[]{"forget-LoRA", o.adapter() + ": " + o.forget().trainPairs() + " style pairs, undesired direction, trained by tare"},
                new String[]{"rule", res.rule().describe() + " on the selection half (" + res.split().selection().size() + " items)"},
                new String[]{"chosen strength", strength(res.chosen()) + " (tare's lambda is PEFT's signed scaling: -x subtracts; the published scripts say +x subtracts)"},
                new String[]{"held-out items", Integer.toString(res.split().heldOut().size())}));
        Table.Builder t = Table.builder("Held-out items, percent with 95% bootstrap CIs (Spearman: reward vs length over all responses)",
                "scores", "Hard", "Normal", "Easy", "Spearman(reward, length)", "Spearman(reward, markdown)", "longer wins");
        for (Variant v : variants(o))
            t.row(v.name(), PairAudit.ci100(v.rm().hard()), PairAudit.ci100(v.rm().normal()), PairAudit.ci100(v.rm().easy()),
                    ci(v.side().correlation("chars").spearman()), ci(v.side().correlation("markdown").spearman()), PairAudit.ci100(v.side().wins("chars").rate()));
        html.heading("Before and after").table(t.build());

        // bias and accuracy vs strength, on the held-out half, the chosen strength marked
        double[] xs = res.rows().stream().mapToDouble(r -> SweepReport.subtract(r.lambda())).toArray();
        double[] hard = SweepReport.series(res, "hard"), easy = SweepReport.series(res, "easy");
        double[] gap = new double[xs.length];
        for (int i = 0; i < xs.length; i++) gap[i] = easy[i] - hard[i];
        double x0 = SweepReport.subtract(res.chosen());
        LineChart bias = new LineChart("Style bias vs strength (held-out): Easy - Hard", "subtract x (lambda = -x)", "points");
        bias.series(new Series("Easy - Hard", xs, gap)).series(marker(x0, gap));
        LineChart acc = new LineChart("Accuracy vs strength (held-out), 95% CI", "subtract x (lambda = -x)", "accuracy (%)");
        for (String k : List.of("hard", "normal", "easy")) {
            double[] v = new double[xs.length], lo = new double[xs.length], hi = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                RmBenchScores r = o.sweep().heldOutReport(res.rows().get(i).lambda());
                Interval iv = switch (k) { case "hard" -> r.hard(); case "normal" -> r.normal(); default -> r.easy(); };
                v[i] = 100 * iv.value();
                lo[i] = 100 * iv.lo();
                hi[i] = 100 * iv.hi();
            }
            acc.series(new Series(k, xs, v)).series(new Series(k + " CI low", xs, lo)).series(new Series(k + " CI high", xs, hi));
        }
        acc.series(marker(x0, new double[]{0, 100}));
        html.heading("Choosing the strength").charts(bias.svg(), acc.svg());
        html.heading("Reward vs length (held-out responses)").charts(scatter("base reward model", o.base(), o.calibrated()),
                scatter("after: " + variants(o).get(3).name(), o.stacked().after(), o.stacked()));
        html.subheading("The sweep");
        SweepReport.addTo(html, o.sweep(), HeadChoice.BASE);
    }

    /** summary.json's part: the variants with CIs, the chosen strength in both conventions, the forget-LoRA run. */
    public static void addTo(JsonSummary j, TrainedModelDemo.Outcome o, String origin) {
        var res = o.sweep().result();
        j.put("model", o.model().toString()).put("model_origin", origin).put("adapter", o.adapter().toString());
        j.put("what", WHAT);
        j.put("rule", res.rule().describe()).put("budget_points", o.settings().budgetPoints()).put("none_eligible", res.noneEligible());
        j.put("chosen_lambda", res.chosen()).put("chosen_subtract", SweepReport.subtract(res.chosen()))
                .put("lambda_convention", "lambda = PEFT's signed scaling (-x subtracts); subtract = the published forget-LoRA scripts' '+x subtracts' = -lambda");
        j.put("selection_items", (long) res.split().selection().size()).put("held_out_items", (long) res.split().heldOut().size());
        j.put("forget_pairs", (long) o.forget().trainPairs()).put("forget_seconds", o.forget().result().seconds()).put("seconds", o.seconds());
        JsonSummary vs = j.object("held_out");
        for (Variant v : variants(o)) {
            JsonSummary x = vs.object(v.name());
            x.put("hard", v.rm().hard()).put("normal", v.rm().normal()).put("easy", v.rm().easy())
                    .put("spearman_chars", v.side().correlation("chars").spearman())
                    .put("spearman_markdown", v.side().correlation("markdown").spearman())
                    .put("longer_wins", v.side().wins("chars").rate());
        }
        JsonSummary sweep = j.object("sweep_held_out");
        for (LambdaSweep.Row r : res.rows()) {
            JsonSummary x = sweep.object(LoraSweep.fmt(r.lambda()));
            x.put("subtract", SweepReport.subtract(r.lambda())).put("eligible", r.eligible());
            r.heldOut().forEach((k, v) -> x.put(k, v / 100));   // the sweep's percent as fractions, the file's one unit
        }
        JsonSummary w = j.object("notes");
        List<String> ws = warnings(o);
        for (int i = 0; i < ws.size(); i++) w.put("note_" + (i + 1), ws.get(i));
    }

    private static Series marker(double x, double[] ys) {
        double lo = Arrays.stream(ys).filter(Double::isFinite).min().orElse(0), hi = Arrays.stream(ys).filter(Double::isFinite).max().orElse(1);
        return new Series("chosen", new double[]{x, x}, new double[]{lo, hi});
    }

    private static String scatter(String title, AuditResult.Side side, AuditResult audit) {
        double[] len = audit.feature("chars");
        return new ScatterChart(title, "length (characters)", "reward").points(new Series("responses", len, side.rewards())).svg();
    }

    private static String ci(Interval iv) {
        if (iv == null || Double.isNaN(iv.value())) return "–";
        if (Double.isNaN(iv.lo())) return String.format(Locale.ROOT, "%.3f", iv.value());
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", iv.value(), iv.lo(), iv.hi());
    }

    private static String wrap(String text) {
        StringBuilder sb = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col + word.length() > 116) {
                sb.append('\n');
                col = 0;
            } else if (col > 0) {
                sb.append(' ');
                col++;
            }
            sb.append(word);
            col += word.length();
        }
        return sb.toString();
    }
}
