package dev.tare.cli.inside;

import dev.tare.cli.options.BootstrapOption;
import dev.tare.core.Progress;
import dev.tare.data.AtomicFiles;
import dev.tare.eval.inside.ActivationFile;
import dev.tare.eval.inside.ProbeRun;
import dev.tare.metrics.probe.LayerProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;

/** `tare probe`: per-layer logistic probes of one label over `tare activations` output: JSON, directions and an accuracy-vs-layer page. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Per-layer L2 logistic probes (with intercept, as scikit-learn's LogisticRegression) of a 0/1 label over "
                + "the output of tare activations: k-fold CV with seeded folds grouped by item, out-of-fold accuracy with a 95%% "
                + "bootstrap CI and the majority baseline. Writes OUT/probe.json, OUT/directions.npy (difference of means per "
                + "hidden-states index, the input of tare steer --direction), OUT/weights.npy (the probes' coefficients, the same "
                + "shape, also usable as a direction) and OUT/probe.html (accuracy vs layer)."})
public final class ProbeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cli;

    @Option(names = "--activations", required = true, paramLabel = "DIR", description = "A tare activations output folder (activations.npy + items.jsonl).")
    Path activations;

    @Option(names = "--label", required = true, paramLabel = "NAME", description = "The label to probe (e.g. stereotype, committed, ambiguous).")
    String label;

    @Option(names = "--folds", defaultValue = "5", paramLabel = "K", description = "Cross-validation folds (default ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Fold seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--C", defaultValue = "1.0", paramLabel = "C", description = "Inverse L2 strength, scikit-learn's C (default ${DEFAULT-VALUE}).")
    double c;

    @Mixin BootstrapOption bootstrap;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Override public Integer call() throws Exception {
        ActivationFile f = ActivationFile.read(activations.resolve("activations.npy"), activations.resolve("items.jsonl"));
        ProbeRun r;
        try (Progress p = Progress.stderr("probe", f.layers())) {
            r = ProbeRun.run(f, label, folds, seed, c, bootstrap.with(seed), p);
        }
        // the four files appear together: a rerun killed midway leaves the previous run's folder whole
        AtomicFiles.replaceDirectory(out, Set.of("probe.json", "directions.npy", "weights.npy", "probe.html"), dir -> {
            AtomicFiles.writeString(dir.resolve("probe.json"), r.toJson().toPrettyString() + "\n");
            r.directions().write(dir.resolve("directions.npy"));
            r.weights().write(dir.resolve("weights.npy"));
            AtomicFiles.writeString(dir.resolve("probe.html"), r.html("tare probe: " + label));
        });
        PrintWriter w = cli.commandLine().getOut();
        w.printf("label %s: %d rows (%d positive), %d folds grouped by item, seed %d, C = %s%n", label, r.rows(), r.positives(), folds, seed, c);
        w.printf("%5s %24s %9s%n", "index", "accuracy [95% CI]", "majority");
        for (int l = 0; l < r.layers().size(); l++) {
            LayerProbe p = r.layers().get(l);
            w.printf("%5d %8.3f [%.3f, %.3f] %9.3f%n", l, p.accuracy().value(), p.accuracy().lo(), p.accuracy().hi(), p.majorityBaseline());
        }
        w.println("index 0 = embeddings, l = after decoder layer l-1 (steer --layer l-1), last = final-normed; wrote " + out);
        w.flush();
        return 0;
    }
}
