package dev.tare.lib;

import dev.tare.bias.Feature;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.calibration.CalibrationRun;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Method;
import dev.tare.eval.EvalRunner;
import dev.tare.eval.ItemScorer;
import dev.tare.core.Progress;
import dev.tare.metrics.BenchmarkScores;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * tare as a library: open a reward scorer from a spec string, score a benchmark, compute its official scores with
 * bootstrap CIs, and audit + calibrate length/markdown bias — the same code the CLI runs, without the CLI.
 *
 * <pre>{@code
 * try (RewardScorer rm = Tare.scorer("local:models/my-rm")) {
 *     List<PreferenceItem> items = Tare.read("rm-bench", Path.of("rm-bench/"));
 *     List<ScoredItem> results = Tare.score(rm, items);
 *     BenchmarkScores official = Tare.officialScores("rm-bench", results);
 *     CalibrationRun.Outcome cal = Tare.calibrate(results, items, "lwr", "chars");
 *     double rhoBefore = cal.audit().before().correlations().getFirst().spearman().value();
 * }
 * }</pre>
 */
public final class Tare {
    private Tare() {}

    /** Opens the scorer of a spec ({@code local:DIR[,adapter=…,lambda=…]}, {@code http:URL,…}, {@code openai:…}); tokens from the environment. */
    public static RewardScorer scorer(String spec) { return scorer(spec, System::getenv); }

    /** Same, with {@code env:VAR} tokens looked up in {@code env}. */
    public static RewardScorer scorer(String spec, Function<String, String> env) {
        return ScorerSpec.parse(spec).rewardScorer(env::apply);
    }

    /** Reads a benchmark file or folder: {@code rewardbench}, {@code rewardbench2}, {@code rm-bench} or {@code pairs}. */
    public static List<PreferenceItem> read(String benchmark, Path data) { return Benchmark.byName(benchmark).read(data); }

    /**
     * Reads a per-example results file of any supported shape: tare's JSONL, the RewardBench leaderboard's per-model
     * JSON, or RM-Bench's own result array.
     */
    public static List<ScoredItem> readResults(Path file) { return dev.tare.results.ResultsFiles.read(file); }

    /** Scores every response of every item in memory (batched as {@code tare eval} does), one result per item in order. */
    public static List<ScoredItem> score(RewardScorer scorer, List<PreferenceItem> items) {
        try (Progress quiet = silent(items.size())) {
            return EvalRunner.score(items, ItemScorer.of(scorer), EvalRunner.Options.defaults(), quiet);
        }
    }

    /** Scores into a resumable per-example results file (RewardBench's format, as {@code tare score} writes it). */
    public static EvalRunner.Outcome scoreTo(RewardScorer scorer, List<PreferenceItem> items, Path resultsFile, boolean resume) {
        try (Progress quiet = silent(items.size())) {
            return EvalRunner.run(items, scorer, resultsFile, resume, EvalRunner.Options.defaults(), quiet);
        }
    }

    /** The benchmark authors' scoring of per-example results, with 95% bootstrap CIs (tare's default resamples and seed). */
    public static BenchmarkScores officialScores(String benchmark, List<ScoredItem> results) {
        return BenchmarkScoring.of(Benchmark.byName(benchmark)).score(results, Bootstrap.defaults());
    }

    /**
     * Fits a post-hoc calibration ({@code lwr} = LOWESS, {@code mean} = RC-Mean, {@code penalty}) on one or more
     * features ({@code chars}, {@code tokens} (approximate, no tokenizer), {@code markdown}, …) in turn, and audits
     * before/after: {@code outcome.audit()} holds the benchmark scores, bias correlations and longer-wins rates on both
     * sides, {@code outcome.calibrated()} the recalibrated results, {@code outcome.steps()} the fitted curves.
     * Response texts come from {@code items} joined on (domain, subset, id).
     */
    public static CalibrationRun.Outcome calibrate(List<ScoredItem> results, List<PreferenceItem> items, String method, String... features) {
        if (features.length == 0) throw new IllegalArgumentException("give at least one feature (chars, tokens, markdown, ...)");
        Map<ScoredItem.Key, AuditInput.Texts> texts = new HashMap<>();
        for (PreferenceItem p : items)
            texts.put(new ScoredItem.Key(p.meta().get("domain"), p.subset(), p.id()), new AuditInput.Texts(p.chosen(), p.rejected()));
        Function<ScoredItem, AuditInput.Texts> join = r -> {
            AuditInput.Texts t = texts.get(r.key());
            if (t == null) throw new IllegalArgumentException("result " + r.key() + " has no item in the data given");
            return t;
        };
        return CalibrationRun.run(results, join, CalibrationRun.Kind.detect(results), Method.parse(method),
                CalibrationRun.featuresOf(List.of(features)), CalibrationSettings.defaults(), Feature::approxTokens, Bootstrap.defaults());
    }

    private static Progress silent(long total) {
        return new Progress("tare", total, new PrintStream(OutputStream.nullOutputStream()), false, Duration.ofDays(1), System::nanoTime);
    }
}
