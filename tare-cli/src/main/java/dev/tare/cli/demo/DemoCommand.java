package dev.tare.cli.demo;

import dev.tare.data.SharedData;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.demo.RealDataDemo;
import dev.tare.demo.RmBenchSample;
import dev.tare.demo.Simulation;
import dev.tare.demo.SimulationDemo;
import dev.tare.demo.model.DemoModel;
import dev.tare.demo.model.ShippedModel;
import dev.tare.demo.trained.TrainedDemoReport;
import dev.tare.demo.trained.TrainedModelDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import dev.tare.cli.eval.EvalRun;
import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.train.TrainProgress;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * `tare demo`: the first thing to run — without the shared data the whole method on the reward model tare trained
 * itself, with it a bias audit of real data; `--simulate` and `--model` select the other two demos. Over 150 lines: four
 * demos' options (11, each described) and the choice between them; each demo's work is its tare-demo class.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show reward-model bias being measured and removed.",
                "Without the shared data folder (or with --trained) it runs the whole method on a real transformer reward model that",
                "tare trained itself (shipped in tare; --retrain rebuilds it from its recipe): audit, LOWESS calibration, a style",
                "forget-LoRA trained by tare, the lambda sweep under a correctness budget, both stacked; everything synthetic, said so.",
                "With the shared data folder present (../shared, $TARE_SHARED or --data-root) it audits real data; "
                        + "--simulate runs a seeded simulation of a reward model with an injected length and markdown bias.",
                "Writes report.html and summary.json under --out.",
                "With --model DIR: score a seeded sample of RM-Bench with that checkpoint and run the whole tare eval flow",
                "(official scores with CIs, length/markdown bias audit, LOWESS-calibrated view, report) in one command;",
                "without RM-Bench data it uses a seeded synthetic RM-Bench-format sample and says so on stdout."})
public final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", description = "output folder (default: ${DEFAULT-VALUE})", defaultValue = "tare-out/demo")
    Path out;

    @Option(names = "--data-root", description = "a shared-like folder with data/ (default: the shared folder when present)")
    Path dataRoot;

    @Option(names = "--simulate", description = "run the simulation even when real data is present")
    boolean simulate;

    @Option(names = "--trained", description = "run the tare-trained reward model demo even when real data is present")
    boolean trained;

    @Option(names = "--retrain", description = "with the trained demo: rebuild the reward model from its recipe into OUT/model "
            + "(a few minutes on 2 cores) instead of using the shipped one; the weights are bit-for-bit the shipped ones on a machine "
            + "with the same float vector width")
    boolean retrain;

    @Option(names = "--budget", defaultValue = "1", paramLabel = "POINTS", description = "trained demo: points of Normal accuracy the "
            + "chosen strength may lose against the base model on the selection half (default: ${DEFAULT-VALUE})")
    double budget;

    @Option(names = "--pairs", description = "simulated preference pairs (default: ${DEFAULT-VALUE})", defaultValue = "1000")
    int pairs;

    @Option(names = "--seed", description = "seed of the simulation and of --model's RM-Bench sample; not the bootstrap seed, "
            + "which is tare's one default (default: ${DEFAULT-VALUE})", defaultValue = "20241123")
    long seed;

    @Mixin BootstrapOption bootstrap;

    @Option(names = "--model", paramLabel = "DIR|ORG/NAME", description = "a Hugging Face reward model directory: run score -> metrics -> bias audit -> calibrated view on RM-Bench")
    Path model;

    @Option(names = "--data", paramLabel = "PATH", description = "with --model: RM-Bench file or folder (default: the shared data's "
            + "rm-bench; without one, a seeded synthetic RM-Bench-format sample made by tare, flagged as such on stdout)")
    Path rmBench;

    @Option(names = "--items", description = "with --model: RM-Bench items to score, a seeded sample across domains (default: ${DEFAULT-VALUE}; 0 = all)", defaultValue = "60")
    int items;

    @Override
    public Integer call() throws Exception {
        if (model != null) return modelDemo();
        Bootstrap boot = bootstrap.with(Bootstrap.DEFAULT_SEED);
        PrintWriter o = spec.commandLine().getOut();
        Optional<Path> root = resolveRoot();
        if (!simulate && (trained || retrain || root.isEmpty())) return trainedDemo(boot);
        HtmlReport html = new HtmlReport("tare demo: reward-model bias, measured and removed");
        JsonSummary json = JsonSummary.fractions();
        json.put("tool", "tare demo");
        boolean real = root.isPresent() && !simulate;
        json.put("mode", real ? "real-data" : "simulation");
        html.subtitle(real ? "Bias audit on real benchmark data from " + root.get() : "Seeded simulation (no real data folder found; see --data-root)");
        if (real) {
            var r = RealDataDemo.run(root.get(), boot, stage -> {
                spec.commandLine().getErr().println("tare demo: " + stage + "...");
                spec.commandLine().getErr().flush();
            });
            RealDataDemo.addTo(html, r);
            RealDataDemo.addTo(json, r);
            o.print(RealDataDemo.console(r));
        } else {
            spec.commandLine().getErr().println("tare demo: no shared data folder" + (simulate ? " used (--simulate)" : " found")
                    + "; simulating " + pairs + " preference pairs...");
            spec.commandLine().getErr().flush();
            var cfg = Simulation.Config.defaults().withPairs(pairs).withSeed(seed);
            var r = SimulationDemo.run(cfg, boot);
            SimulationDemo.addTo(html, r);
            SimulationDemo.addTo(json, r);
            o.print(SimulationDemo.console(r));
        }
        Path htmlFile = out.resolve("report.html"), jsonFile = out.resolve("summary.json");
        dev.tare.eval.EvalReport.writePair(out, json, html);   // summary.json last: never beside another run's report
        o.printf("%nWrote %s and %s%n", htmlFile, jsonFile);
        o.flush();
        return 0;
    }

    /** The trained-model demo: the shipped (or rebuilt) tare-trained RM, its style bias measured and removed. */
    private int trainedDemo(Bootstrap boot) throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        Path modelDir = out.resolve("model");
        String origin;
        long recipeSeed = DemoModel.Recipe.defaults().seed();
        if (retrain) {
            if (Files.exists(modelDir)) dev.tare.data.AtomicFiles.deleteTree(modelDir);
            err.println("tare demo: rebuilding the reward model from its recipe (" + ShippedModel.REBUILD_COMMAND + ")...");
            err.flush();
            try (TrainProgress p = TrainProgress.stderr("train")) {
                DemoModel.build(modelDir, DemoModel.Recipe.defaults(), p, line -> { err.println("tare demo: " + line); err.flush(); });
            }
            ShippedModel.writeRecipe(modelDir, DemoModel.Recipe.defaults());
            origin = "rebuilt now from its recipe; weights SHA-256 " + ShippedModel.sha256(modelDir.resolve("model.safetensors"));
        } else {
            ShippedModel.extract(modelDir);
            origin = "shipped with tare; rebuild: " + ShippedModel.REBUILD_COMMAND;
        }
        for (String d : List.of("forget-style", "forget-style.checkpoints", "sweep"))
            if (Files.exists(out.resolve(d))) dev.tare.data.AtomicFiles.deleteTree(out.resolve(d));
        var settings = TrainedModelDemo.Settings.defaults(recipeSeed).withBudget(budget);
        TrainedModelDemo.Outcome r;
        try (TrainProgress p = TrainProgress.stderr("train")) {
            r = TrainedModelDemo.run(modelDir, out, settings, boot, p, line -> { err.println("tare demo: " + line); err.flush(); });
        }
        HtmlReport html = new HtmlReport("tare demo: a reward model tare trained, its style bias measured and removed");
        html.subtitle("A 2-layer LlamaForSequenceClassification trained by tare on synthetic GSM8K-format pairs; nothing here is real-world data");
        TrainedDemoReport.addTo(html, r, origin);
        JsonSummary json = JsonSummary.fractions();
        json.put("tool", "tare demo").put("mode", "trained-model");
        TrainedDemoReport.addTo(json, r, origin);
        o.print(TrainedDemoReport.console(r, origin));
        Path htmlFile = out.resolve("report.html"), jsonFile = out.resolve("summary.json");
        dev.tare.eval.EvalReport.writePair(out, json, html);   // summary.json last: never beside another run's report
        o.printf("%nWrote %s and %s (%.0f s)%n", htmlFile, jsonFile, r.seconds());
        o.flush();
        return 0;
    }

    /** `tare demo --model DIR`: `tare eval` on a seeded RM-Bench sample with the local checkpoint. */
    private int modelDemo() throws Exception {
        model = dev.tare.data.hub.HubResolver.modelDir(model); // org/name: from the Hugging Face cache or hub
        if (!Files.isDirectory(model)) throw new IllegalArgumentException("--model " + model + ": not a directory");
        Path data = rmBench;
        if (data == null) {
            Optional<Path> root = dataRoot != null ? Optional.of(dataRoot) : SharedData.root();
            data = root.map(r -> r.resolve("data/rm-bench")).filter(Files::exists).orElse(null);
        }
        RmBenchSample sample = RmBenchSample.draw(data, items, seed);
        if (sample.synthetic()) { // a user's clone without the shared data: tare's own seeded sample, said loudly
            spec.commandLine().getOut().println(sample.notice());
            spec.commandLine().getOut().flush();
        }
        Path sampleFile = sample.write(out);
        spec.commandLine().getErr().printf("tare demo: scoring %s with %s (seed %d)%n", sample.what(), model, seed);
        return new EvalRun("local:" + model, "rm-bench", sampleFile, out, false, 0, 1, 0, bootstrap.with(Bootstrap.DEFAULT_SEED),
                EvalRun.DEFAULT_JUDGE_TEMPLATE).run(spec.commandLine().getOut());
    }

    private Optional<Path> resolveRoot() {
        if (dataRoot != null) {
            if (!Files.isDirectory(dataRoot.resolve("data")))
                throw new IllegalArgumentException("--data-root " + dataRoot + ": no data/ folder inside (expected a shared-like folder)");
            return Optional.of(dataRoot.toAbsolutePath().normalize());
        }
        return SharedData.root();
    }
}
