package dev.tare.cli.calibrate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.bias.Feature;
import dev.tare.data.AtomicFiles;
import dev.tare.data.DataFormatException;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.DatasetReader;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.calibration.CalibrationRun;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ResponseTexts;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.text.HfTokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.options.JsonOption;
import dev.tare.cli.options.SeedOption;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * `tare calibrate`: post-hoc reward calibration of a per-example results file, with before/after metrics and bias.
 * Over 150 lines: 20 options (the calibration repo's knobs, fit vs --apply), each described; the work is
 * {@link CalibrationRun} and the rendering {@link CalibrationSummary}.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Post-hoc reward calibration (Huang et al. 2024): subtract alpha * b(feature), b fitted over all",
                "chosen and rejected responses pooled (lwr: LOWESS; mean: windowed mean; penalty: coefficient per unit).",
                "Prints metrics before -> after, the share of flipped preferences and reward-feature correlations;",
                "writes OUT/calibrated.jsonl and OUT/summary.json."})
public final class CalibrateCommand implements Callable<Integer> {
    /** Options that only make sense when fitting (rejected together with --apply). */
    private static final List<String> FIT_ONLY = List.of("--method", "--feature", "--step", "--frac", "--alpha", "--ratio",
            "--min-count", "--inclusive-window", "--penalty", "--save-calibrator", "--holdout");

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--results", required = true, paramLabel = "FILE", description = "Per-example results (tare JSONL, leaderboard JSON or RM-Bench result array).")
    Path results;

    @Option(names = "--data", paramLabel = "FILE", description = "Dataset file(s) with the response texts, joined by (domain, subset, id); repeatable. "
            + "Without it the texts come from the results file's extra fields chosen/rejected (RewardBench's rendered "
            + "text_chosen/text_rejected conversations are not responses and are refused).")
    List<Path> data = new ArrayList<>();

    @Option(names = "--benchmark", paramLabel = "NAME", description = "rewardbench, rm-bench or pairs (default: detected from the results).")
    String benchmark;

    @Option(names = "--method", defaultValue = "lwr", paramLabel = "lwr|mean|penalty", description = "Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--feature", split = ",", paramLabel = "NAME", description = "Feature(s), applied in sequence: chars, tokens, headers, lists, bold, markdown. Default: chars.")
    List<String> features = new ArrayList<>();

    @Option(names = "--step", paramLabel = "METHOD:FEATURE", description = "A calibration step; repeatable, applied in order "
            + "(e.g. --step penalty:chars --step lwr:chars, the repo's penalty-then-LWR). Replaces --method/--feature.")
    List<String> stepSpecs = new ArrayList<>();

    @Option(names = "--apply", paramLabel = "FILE", description = "Apply a saved calibrator (from --save-calibrator) to these results "
            + "without refitting, and report before/after as a fit does (e.g. on held-out results).")
    Path apply;

    @Option(names = "--holdout", paramLabel = "FRACTION", description = "Hold out this share of the items (seeded by --seed, whole items, "
            + "per domain/subset), fit on the rest and report before/after on both parts.")
    Double holdout;

    @Option(names = "--frac", defaultValue = "1.0", description = "LOWESS span (default ${DEFAULT-VALUE}, the repo's RewardBench runs).")
    double frac;

    @Option(names = "--alpha", defaultValue = "1.0", description = "Calibration strength (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--ratio", defaultValue = "4", description = "RC-Mean: window half-width = mean |f(chosen) - f(rejected)| / ratio (default ${DEFAULT-VALUE}).")
    double ratio;

    @Option(names = "--min-count", defaultValue = "20", description = "RC-Mean: leave an item unchanged when a window has fewer responses (default ${DEFAULT-VALUE}).")
    int minCount;

    @Option(names = "--inclusive-window", description = "RC-Mean: include the window's last element (the repo drops it).")
    boolean inclusive;

    @Option(names = "--penalty", defaultValue = "0.001", description = "Penalty per feature unit (default ${DEFAULT-VALUE}).")
    double penalty;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder for calibrated.jsonl and summary.json.")
    Path out;

    @Option(names = "--save-calibrator", paramLabel = "FILE", description = "Write the fitted calibrator (JSON) for the reward server.")
    Path saveCalibrator;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;   // also the --holdout split's and the calibration settings' seed

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with the RM's tokenizer.json for the tokens feature: "
            + "len(encode(text)) with special tokens, capped at 8192 as the repo's encode(max_length=8192). "
            + "Without it, tokens = a tokenizer-free approximation (letter runs, digit runs, single symbols).")
    Path tokenizer;

    @Mixin JsonOption json;

    @Override public Integer call() {
        var parsed = spec.commandLine().getParseResult();
        if (apply != null)
            for (String o : FIT_ONLY)
                if (parsed.hasMatchedOption(o)) throw new CommandLine.ParameterException(spec.commandLine(), o + " is a fitting option; --apply uses the saved calibrator's steps as they are");
        if (!stepSpecs.isEmpty() && (parsed.hasMatchedOption("--method") || parsed.hasMatchedOption("--feature")))
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --step METHOD:FEATURE (repeatable) or --method/--feature, not both");
        List<RewardCalibration.Step> chain = new ArrayList<>();
        CalibrationRun.Kind kind;
        List<ScoredItem> items = ResultsFiles.read(results);
        try {
            if (apply == null && stepSpecs.isEmpty()) {
                Method m = Method.parse(method);
                for (String f : features.isEmpty() ? List.of("chars") : features) chain.add(new RewardCalibration.Step(m, Feature.parse(f.trim()).cliName()));
            }
            for (String s : stepSpecs) {
                var st = RewardCalibration.Step.parse(s);
                chain.add(new RewardCalibration.Step(st.method(), Feature.parse(st.feature()).cliName()));
            }
            if (holdout != null && !(holdout > 0 && holdout < 1)) throw new IllegalArgumentException("--holdout must be in (0, 1), got " + holdout);
            kind = benchmark == null ? CalibrationRun.Kind.detect(items) : CalibrationRun.Kind.parse(benchmark);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        CalibrationSettings st = new CalibrationSettings(frac, 3, alpha, ratio, minCount, !inclusive, seed.seed(), penalty);
        Function<ScoredItem, AuditInput.Texts> texts = data.isEmpty() ? ResponseTextSource.fromExtras(results) : ResponseTextSource.fromData(results, data, kind);
        Bootstrap boot = bootstrap.with(seed.seed());
        CalibrationRun.Outcome outcome;
        CalibratorFile.TokenizerRef tokRef = null;
        if (apply != null) {
            CalibratorFile.Loaded cal = CalibratorFile.load(apply);
            HfTokenizer tok = CalibratorFile.tokenizerFor(apply, cal, tokenizer);
            try (tok) {
                outcome = CalibrationRun.apply(items, texts, kind, cal.steps(), tok == null ? null : CalibratorFile.tokenCount(tok), boot);
            }
        } else if (tokenizer != null && chain.stream().anyMatch(c -> c.feature().equals(Feature.TOKENS.cliName()))) {
            tokRef = CalibratorFile.TokenizerRef.of(tokenizer);
            try (HfTokenizer tok = HfTokenizer.load(tokenizer)) {
                outcome = fit(items, texts, kind, chain, st, CalibratorFile.tokenCount(tok), boot);
            }
        } else {
            outcome = fit(items, texts, kind, chain, st, null, boot);
        }
        ObjectNode summary = CalibrationSummary.json(outcome);
        if (apply != null) summary.put("calibrator", apply.toString());
        summary.put("results", results.toString());
        // the folder appears all at once: a rerun killed midway leaves the previous run's two files, never a mix
        AtomicFiles.replaceDirectory(out, java.util.Set.of("calibrated.jsonl", "summary.json"), dir -> {
            ResultsWriter.writeAll(dir.resolve("calibrated.jsonl"), outcome.calibrated());
            AtomicFiles.writeString(dir.resolve("summary.json"), summary.toPrettyString() + "\n");
        });
        if (saveCalibrator != null) CalibratorFile.write(saveCalibrator, outcome.steps(), tokRef);
        PrintWriter w = spec.commandLine().getOut();
        if (json.json()) w.println(summary.toPrettyString());
        else CalibrationSummary.print(w, outcome, apply == null ? null : apply.toString());
        w.println("wrote " + out.resolve("calibrated.jsonl") + ", " + out.resolve("summary.json")
                + (saveCalibrator == null ? "" : ", " + saveCalibrator));
        w.flush();
        return 0;
    }

    private CalibrationRun.Outcome fit(List<ScoredItem> items, Function<ScoredItem, AuditInput.Texts> texts, CalibrationRun.Kind kind,
                                       List<RewardCalibration.Step> chain, CalibrationSettings st, ToIntFunction<String> count, Bootstrap boot) {
        return holdout == null ? CalibrationRun.fit(items, texts, kind, chain, st, count, boot)
                : CalibrationRun.fitWithHoldout(items, texts, kind, chain, st, count, boot, holdout, seed.seed());
    }
}
