package dev.tare.cli.sweep;

import java.io.PrintWriter;
import picocli.CommandLine;
import dev.tare.data.AtomicFiles;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.eval.Progress;
import dev.tare.eval.lora.LoraSweep;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.Series;
import dev.tare.runtime.lora.HeadChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * `tare sweep`: subtract a bias LoRA at several strengths (base − λ·LoRA is λ &lt; 0 here: the adapter's signed
 * strength), score RM-Bench at each, choose λ on a seeded selection split by a stated rule, and report every λ
 * on the held-out split. The sweep is {@link LoraSweep}; this command parses the options and renders its outcome
 * (stdout, sweep.json, HTML with accuracy-vs-λ plots; the library writes the per-λ results files).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Sweep the signed strength of a LoRA adapter on RM-Bench, pick it on a selection split, report on held-out.",
                "lambda is the adapter's signed strength: W + lambda*(alpha/r)*B*A, so lambda = -1 subtracts the adapter fully."})
public final class SweepCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Base reward model (HF sequence-classifier directory).")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT LoRA adapter directory (or a repo folder with the adapter in a subfolder).")
    Path adapter;

    @Option(names = "--lambdas", defaultValue = "-1,-0.5,0,0.2,0.5,1", split = ",", paramLabel = "X,Y,...",
            description = "Signed strengths to evaluate; must include 0 (default: ${DEFAULT-VALUE}).")
    List<Double> lambdas;

    @Option(names = "--benchmark", defaultValue = "rm-bench", description = "Benchmark (rm-bench).")
    String benchmark;

    @Option(names = "--data", paramLabel = "PATH", description = "RM-Bench file or folder of *_filtered.json files (default: ../shared/data/rm-bench when present).")
    Path data;

    @Option(names = "--head", defaultValue = "adapter", paramLabel = "adapter|base",
            description = {"Score head: 'adapter' = PEFT's behaviour, the adapter's trained modules_to_save copy of the head at every lambda",
                    "(so lambda 0 is NOT the base model); 'base' = the base model's head (lambda 0 = base exactly). Default: ${DEFAULT-VALUE}."})
    String head;

    @Option(names = "--selection", defaultValue = "0.5", description = "Share of items used to choose lambda (default: ${DEFAULT-VALUE}).")
    double selection;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the selection/held-out split and of --max-items; not a bootstrap seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rule", defaultValue = "hard,normal,1", paramLabel = "MAXIMISE,CONSTRAINED,POINTS",
            description = "Choose lambda maximising MAXIMISE subject to CONSTRAINED >= its reference value - POINTS (default: ${DEFAULT-VALUE}).")
    String rule;

    @Option(names = "--reference", defaultValue = "lambda0", paramLabel = "lambda0|base",
            description = {"Reference of the rule's constraint: 'lambda0' = the sweep's own lambda 0 row (PEFT semantics; with --head adapter",
                    "that is the base body read through the adapter's head), 'base' = the real base model (base body + base head).",
                    "With --head adapter the base model is always scored and reported as a 'base' row. Default: ${DEFAULT-VALUE}."})
    String reference;

    @Option(names = "--max-items", paramLabel = "N", description = "Score a seeded random subset of N items (quick runs).")
    Integer maxItems;

    @Option(names = "--max-length", defaultValue = "4096", description = "Token limit per conversation (prompt truncated from the left; default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder: sweep.json, report.html, results-lambda=X.jsonl.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!benchmark.equals("rm-bench")) throw new IllegalArgumentException("--benchmark: only rm-bench is supported by sweep (its Hard/Normal split is what the rule needs)");
        if (!lambdas.contains(0.0)) throw new IllegalArgumentException("--lambdas must include 0 (the reference of the selection rule)");
        HeadChoice headChoice = switch (head.toLowerCase(Locale.ROOT)) {
            case "adapter" -> HeadChoice.ADAPTER;
            case "base" -> HeadChoice.BASE;
            default -> throw new IllegalArgumentException("--head must be adapter or base");
        };
        String[] r = rule.split(",");
        if (r.length != 3) throw new IllegalArgumentException("--rule needs MAXIMISE,CONSTRAINED,POINTS, e.g. hard,normal,1");
        LambdaSweep.Rule theRule = new LambdaSweep.Rule(r[0].strip(), r[1].strip(), Double.parseDouble(r[2].strip()),
                LambdaSweep.Reference.parse(reference));
        LoraSweep.Settings settings = new LoraSweep.Settings(lambdas, headChoice, theRule, selection, seed, maxItems, maxLength);
        List<PreferenceItem> items = RmBenchReader.readPath(resolveData());
        Files.createDirectories(out);
        LoraSweep.Outcome o;
        try (Progress p = Progress.stderr("sweep", -1)) {
            o = LoraSweep.run(model, adapter, items, settings, out, p, w -> System.err.println("warning: " + w));
        }
        LambdaSweep.Result res = o.result();
        writeOutputs(o, theRule, headChoice);
        LambdaSweep.Row c = res.chosenRow(), b = res.base();
        PrintWriter w = spec.commandLine().getOut();
        w.println("rule: " + theRule.describe() + " (reference: " + referenceText(theRule, headChoice) + ")");
        if (res.noneEligible()) w.println("no lambda met the constraint on the selection part: reporting lambda 0");
        w.printf(Locale.ROOT, "chosen lambda = %s; held-out: hard %.2f normal %.2f easy %.2f (lambda 0: hard %.2f normal %.2f easy %.2f; base model: hard %.2f normal %.2f easy %.2f)%n",
                fmt(res.chosen()), c.heldOut().get("hard"), c.heldOut().get("normal"), c.heldOut().get("easy"),
                row(res, 0.0).heldOut().get("hard"), row(res, 0.0).heldOut().get("normal"), row(res, 0.0).heldOut().get("easy"),
                b.heldOut().get("hard"), b.heldOut().get("normal"), b.heldOut().get("easy"));
        w.println("wrote " + out.resolve("sweep.json") + " and " + out.resolve("report.html"));
        return 0;
    }

    static String referenceText(LambdaSweep.Rule rule, HeadChoice head) {
        if (rule.reference() == LambdaSweep.Reference.BASE) return "base = the real base model (base body + base head)";
        return head == HeadChoice.ADAPTER ? "lambda0 = base body + the adapter's head copy (PEFT), not the base model"
                : "lambda0 = the base model exactly (--head base)";
    }

    private Path resolveData() {
        if (data != null) return data;
        return SharedData.data("rm-bench").orElseThrow(() -> new IllegalArgumentException("--data is required (no ../shared/data/rm-bench here)"));
    }

    private void writeOutputs(LoraSweep.Outcome sweep, LambdaSweep.Rule theRule, HeadChoice headChoice) {
        LambdaSweep.Result res = sweep.result();
        LambdaSweep.Split split = sweep.split();
        int n = sweep.items().size();
        double seconds = sweep.seconds();
        JsonSummary js = new JsonSummary();
        js.put("model", model.toString()).put("adapter", adapter.toString()).put("head", headChoice.name().toLowerCase(Locale.ROOT))
                .put("benchmark", benchmark).put("items", (long) n).put("selection_items", (long) split.selection().size())
                .put("held_out_items", (long) split.heldOut().size()).put("seed", seed)
                .put("score_token", dev.tare.runtime.model.ScoreTokenRule.DEFAULT.cliName()).put("rule", theRule.describe())
                .put("reference", theRule.reference().label()).put("reference_is", referenceText(theRule, headChoice))
                .put("none_eligible", res.noneEligible()).put("chosen_lambda", res.chosen()).put("seconds", seconds);
        JsonSummary baseObj = js.object("base");
        baseObj.put("what", sweep.baseScoredSeparately() ? "the real base model (adapter off, base head), scored separately"
                : "identical to lambda 0 (--head base)");
        JsonSummary bs = baseObj.object("selection");
        res.base().selection().forEach(bs::put);
        JsonSummary bh = baseObj.object("held_out");
        res.base().heldOut().forEach(bh::put);
        JsonSummary rows = js.object("lambdas");
        for (LambdaSweep.Row row : res.rows()) {
            JsonSummary o = rows.object(fmt(row.lambda()));
            o.put("eligible", row.eligible());
            JsonSummary s = o.object("selection");
            row.selection().forEach(s::put);
            JsonSummary h = o.object("held_out");
            row.heldOut().forEach(h::put);
        }
        // held-out CIs for the chosen lambda and lambda 0
        for (double l : new double[]{0.0, res.chosen()}) {
            RmBenchScores rep = sweep.heldOutReport(l);
            JsonSummary ci = js.object("held_out_ci_lambda=" + fmt(l));
            ci.put("hard", rep.hard().times(100)).put("normal", rep.normal().times(100)).put("easy", rep.easy().times(100));
        }
        AtomicFiles.writeString(out.resolve("sweep.json"), js.render());

        HtmlReport html = new HtmlReport("tare sweep: bias-LoRA subtraction on RM-Bench")
                .subtitle(model + " + " + adapter + " (head: " + headChoice.name().toLowerCase(Locale.ROOT) + ")");
        html.keyValues(List.of(new String[]{"rule", theRule.describe()}, new String[]{"chosen lambda", fmt(res.chosen())},
                new String[]{"items (selection / held-out)", split.selection().size() + " / " + split.heldOut().size()},
                new String[]{"reference", referenceText(theRule, headChoice)},
                new String[]{"split seed", Long.toString(seed)}, new String[]{"scoring time", String.format(Locale.ROOT, "%.1f s", seconds)}));
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
        Table.Builder t = Table.builder("Every lambda: selection part (sel) and held-out part (held), percent",
                "lambda", "eligible", "sel hard", "sel normal", "sel easy", "held hard", "held normal", "held easy", "held score");
        for (LambdaSweep.Row row : res.rows()) {
            t.row(fmt(row.lambda()) + (row.lambda() == res.chosen() ? " (chosen)" : ""), row.eligible() ? "yes" : "no",
                    pct(row.selection().get("hard")), pct(row.selection().get("normal")), pct(row.selection().get("easy")),
                    pct(row.heldOut().get("hard")), pct(row.heldOut().get("normal")), pct(row.heldOut().get("easy")), pct(row.heldOut().get("score")));
        }
        LambdaSweep.Row b = res.base();
        t.row("base model", "", pct(b.selection().get("hard")), pct(b.selection().get("normal")), pct(b.selection().get("easy")),
                pct(b.heldOut().get("hard")), pct(b.heldOut().get("normal")), pct(b.heldOut().get("easy")), pct(b.heldOut().get("score")));
        html.heading("Table").table(t.build());
        html.note("Head '" + headChoice.name().toLowerCase(Locale.ROOT) + "': " + (headChoice == HeadChoice.ADAPTER
                ? "PEFT's behaviour: the adapter's modules_to_save copy of the score head is used unchanged at every lambda, so lambda 0 is the base body read through the adapter's head, not the base model."
                : "the base model's own head; lambda 0 is the base model exactly."));
        html.write(out.resolve("report.html"));
    }

    private static double[] series(LambdaSweep.Result res, String k) {
        return res.rows().stream().mapToDouble(r -> r.heldOut().getOrDefault(k, Double.NaN)).toArray();
    }

    private static LambdaSweep.Row row(LambdaSweep.Result res, double l) {
        return res.rows().stream().filter(r -> r.lambda() == l).findFirst().orElseThrow();
    }

    private static String pct(Double v) { return v == null ? "" : String.format(Locale.ROOT, "%.2f", v); }

    static String fmt(double l) { return LoraSweep.fmt(l); }
}
