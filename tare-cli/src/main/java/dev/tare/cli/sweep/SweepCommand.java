package dev.tare.cli.sweep;

import java.io.PrintWriter;
import picocli.CommandLine;
import dev.tare.data.AtomicFiles;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.core.Progress;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * `tare sweep`: subtract a bias LoRA at several strengths (base − λ·LoRA is λ &lt; 0 here: the adapter's signed
 * strength), score RM-Bench at each, choose λ on a seeded selection split by a stated rule, and report every λ
 * on the held-out split. The sweep is {@link LoraSweep}; this command parses the options and renders its outcome
 * (stdout, sweep.json, HTML with accuracy-vs-λ plots; the library writes the per-λ results files). Over 150 lines:
 * 15 options (λ grid in both sign conventions, selection rule, heads, objectives) and their cross-checks.
 * <p>The output folder appears all at once ({@link AtomicFiles#replaceDirectory}): a sweep has no --resume (its
 * per-λ results files are written as each λ finishes, but never read back), so the whole sweep runs into a temp folder
 * beside OUT (results-*.jsonl as they finish, then sweep.json and report.html), which replaces OUT in one rename at
 * the end. A sweep killed midway leaves the previous run's folder whole, never its sweep.json beside new results
 * files; a folder holding files a sweep does not write ({@link #owned}) is refused untouched before any scoring.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Sweep the signed strength of a LoRA adapter on RM-Bench, pick it on a selection split, report on held-out.",
                "lambda is the adapter's signed strength: W + lambda*(alpha/r)*B*A, so lambda = -1 subtracts the adapter fully."})
public final class SweepCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME", description = "Base reward model (HF sequence-classifier directory).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR|ORG/NAME", description = "PEFT LoRA adapter directory (or a repo folder with the adapter in a subfolder).")
    Path adapter;

    @Option(names = "--objective", paramLabel = "NAME",
            description = {"Instead of --adapter: re-weight one objective of a gated multi-objective model (ArmoRM) to weight 1 + lambda",
                    "(lambda 0 = the model as published, -1 = the objective removed; default grid -1,-0.75,-0.5,-0.25,0,0.5)."})
    String objective;

    @Option(names = "--lambdas", split = ",", paramLabel = "X,Y,...",
            description = "Signed strengths (PEFT's scaling, -x subtracts) to evaluate; must include 0 (default: -1,-0.5,0,0.2,0.5,1).")
    List<Double> lambdas;

    @Option(names = "--subtract", split = ",", paramLabel = "X,Y,...",
            description = {"The same in the published forget-LoRA scripts' convention, '+x subtracts x·LoRA' (lambda = -x), e.g. their grid",
                    "-1,-0.5,-0.2,0,0.1,0.2,0.3,0.5,0.7,1,2,3. Give --lambdas or --subtract, not both."})
    List<Double> subtract;

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
        model = dev.tare.data.hub.HubResolver.modelDir(model); // org/name: from the Hugging Face cache or hub
        if ((adapter == null) == (objective == null)) throw new IllegalArgumentException("give --adapter DIR (a LoRA sweep) or --objective NAME (an objective sweep), one of them");
        if (objective != null) return objectiveSweep();
        adapter = dev.tare.data.hub.HubResolver.modelDir(adapter);
        if (!benchmark.equals("rm-bench")) throw new IllegalArgumentException("--benchmark: only rm-bench is supported by sweep (its Hard/Normal split is what the rule needs)");
        if (lambdas != null && subtract != null) throw new IllegalArgumentException("give --lambdas (PEFT's signed scaling) or --subtract (+x subtracts), not both");
        if (subtract != null) lambdas = subtract.stream().map(x -> x == 0 ? 0.0 : -x).toList();
        if (lambdas == null) lambdas = List.of(-1.0, -0.5, 0.0, 0.2, 0.5, 1.0);
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
        var outputs = new SweepOutputs(model, adapter, benchmark, seed, theRule, headChoice);
        LoraSweep.Outcome[] done = new LoraSweep.Outcome[1];
        AtomicFiles.replaceDirectory(out, SweepCommand::owned, dir -> {
            try (Progress p = Progress.stderr("sweep", -1)) {
                done[0] = LoraSweep.run(model, adapter, items, settings, dir, p, w -> System.err.println("warning: " + w));
            }
            outputs.write(done[0], dir);
        });
        outputs.print(spec.commandLine().getOut(), done[0], out);
        return 0;
    }

    /** `--objective NAME`: the objective re-weighting sweep ({@link dev.tare.eval.objectives.ObjectiveSweep}). */
    private int objectiveSweep() throws IOException {
        if (!benchmark.equals("rm-bench")) throw new IllegalArgumentException("--benchmark: only rm-bench is supported by sweep (its Hard/Normal split is what the rule needs)");
        if (subtract != null) throw new IllegalArgumentException("--subtract is the LoRA convention; give --lambdas (objective weight = 1 + lambda)");
        List<Double> grid = lambdas != null ? lambdas : List.of(-1.0, -0.75, -0.5, -0.25, 0.0, 0.5);
        String[] r = rule.split(",");
        if (r.length != 3) throw new IllegalArgumentException("--rule needs MAXIMISE,CONSTRAINED,POINTS, e.g. hard,normal,1");
        LambdaSweep.Rule theRule = new LambdaSweep.Rule(r[0].strip(), r[1].strip(), Double.parseDouble(r[2].strip()), LambdaSweep.Reference.parse(reference));
        var settings = new dev.tare.eval.objectives.ObjectiveSweep.Settings(objective, grid, theRule, selection, seed, maxItems);
        List<PreferenceItem> items = RmBenchReader.readPath(resolveData());
        var outputs = new ObjectiveSweepOutputs(model, objective, benchmark, seed, theRule);
        LoraSweep.Outcome[] done = new LoraSweep.Outcome[1];
        AtomicFiles.replaceDirectory(out, SweepCommand::owned, dir -> {
            try (var scorer = dev.tare.scorers.local.LocalRewardScorer.open(model, dev.tare.scorers.local.LocalRewardScorer.Options.defaults().withMaxLength(maxLength));
                 Progress p = Progress.stderr("sweep", -1)) {
                done[0] = dev.tare.eval.objectives.ObjectiveSweep.run(scorer, items, settings, dir, p);
            }
            outputs.write(done[0], dir);
        });
        outputs.print(spec.commandLine().getOut(), done[0], out);
        return 0;
    }

    private Path resolveData() {
        if (data != null) return data;
        return SharedData.data("rm-bench").orElseThrow(() -> new IllegalArgumentException("--data is required (no ../shared/data/rm-bench here)"));
    }

    static String fmt(double l) { return LoraSweep.fmt(l); }

    /**
     * Whether a file name is one a sweep writes (both kinds, any λ grid): sweep.json, report.html, results-base.jsonl,
     * results-lambda=X.jsonl. An existing OUT holding only these is an earlier sweep's, replaced whole.
     */
    static boolean owned(String name) {
        return name.equals("sweep.json") || name.equals("report.html") || name.equals("results-base.jsonl")
                || (name.startsWith("results-lambda=") && name.endsWith(".jsonl"));
    }
}
