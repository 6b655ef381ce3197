package dev.tare.eval;

import dev.tare.bias.BiasDiagnostics;
import dev.tare.bias.Feature;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.ResponsePool;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.ScoreOverview;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * End-of-run analysis of a reward-model evaluation: the benchmark's official scores with bootstrap CIs, a length and
 * markdown bias audit (Spearman/Kendall of reward with each feature over all responses, and the longer-wins rate
 * over pairs), and the same scores after RC-LWR calibration on length (LOWESS over all responses, frac 1, alpha 1,
 * as in the post-hoc calibration paper's RewardBench runs).
 */
public final class EvalSummary {
    /** Bias audit of one set of scores. */
    public record Bias(List<BiasDiagnostics.FeatureCorrelation> correlations, BiasDiagnostics.LongerWins longerWins) {
        public Bias { correlations = List.copyOf(correlations); }

        public BiasDiagnostics.FeatureCorrelation get(String feature) {
            return correlations.stream().filter(c -> c.feature().equals(feature)).findFirst().orElseThrow();
        }
    }

    /** The whole analysis: raw and calibrated scores and bias, the fitted calibrator and the calibrated items. */
    public record Result(String model, Benchmark benchmark, int items, int responses, ScoreOverview raw, ScoreOverview calibrated,
                         Bias rawBias, Bias calibratedBias, Calibrator calibrator, List<ScoredItem> calibratedItems,
                         double[] lengths, double[] rawScores) {}

    private EvalSummary() {}

    /** Analyses {@code results}, which must be the scores of {@code items} in the same order. */
    public static Result analyze(Benchmark benchmark, List<PreferenceItem> items, List<ScoredItem> results, Bootstrap boot) {
        if (items.size() != results.size()) {
            throw new IllegalArgumentException("results have " + results.size() + " items but the dataset has " + items.size());
        }
        if (results.isEmpty()) throw new IllegalArgumentException("no results to analyse");
        List<String> texts = new ArrayList<>();
        List<Double> sc = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        List<Boolean> side = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem p = items.get(i);
            ScoredItem s = results.get(i);
            if (!EvalRunner.key(p).equals(s.key()) || s.scoresChosen().size() != p.chosen().size()
                    || s.scoresRejected().size() != p.rejected().size()) {
                throw new IllegalArgumentException("results line " + (i + 1) + " (" + s.key() + ") does not match dataset item "
                        + (i + 1) + " (" + EvalRunner.key(p) + ")");
            }
            for (int k = 0; k < p.chosen().size(); k++) { texts.add(p.chosen().get(k)); sc.add(s.scoresChosen().get(k)); owner.add(i); side.add(true); }
            for (int k = 0; k < p.rejected().size(); k++) { texts.add(p.rejected().get(k)); sc.add(s.scoresRejected().get(k)); owner.add(i); side.add(false); }
        }
        int n = texts.size();
        double[] scores = new double[n], len = new double[n], md = new double[n];
        int[] item = new int[n];
        boolean[] chosen = new boolean[n];
        for (int r = 0; r < n; r++) {
            scores[r] = sc.get(r);
            len[r] = Feature.CHARS.of(texts.get(r));
            md[r] = Feature.MARKDOWN.of(texts.get(r));
            item[r] = owner.get(r);
            chosen[r] = side.get(r);
        }
        var cal = RewardCalibration.calibrate(Method.LWR, new ResponsePool(scores, item, chosen),
                Map.of(Feature.CHARS.cliName(), len), CalibrationSettings.defaults());
        List<ScoredItem> calibrated = new ArrayList<>(items.size());
        int r = 0;
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem p = items.get(i);
            List<Double> c = new ArrayList<>(), j = new ArrayList<>();
            for (int k = 0; k < p.chosen().size(); k++) c.add(cal.scores()[r++]);
            for (int k = 0; k < p.rejected().size(); k++) j.add(cal.scores()[r++]);
            calibrated.add(EvalRunner.toScored(p, results.get(i).model(), c, j));
        }
        return new Result(results.getFirst().model(), benchmark, items.size(), n,
                scores(benchmark, results, boot), scores(benchmark, calibrated, boot),
                bias(scores, len, md, item, chosen, boot), bias(cal.scores(), len, md, item, chosen, boot),
                cal.steps().getFirst(), calibrated, len, scores);
    }

    /** The benchmark's official scoring of these items, as headline, parts and notes. */
    public static ScoreOverview scores(Benchmark b, List<ScoredItem> items, Bootstrap boot) {
        return BenchmarkScoring.of(b).score(items, boot).overview();
    }

    private static Bias bias(double[] scores, double[] len, double[] md, int[] item, boolean[] chosen, Bootstrap boot) {
        List<BiasDiagnostics.FeatureCorrelation> corr = List.of(
                BiasDiagnostics.correlation(Feature.CHARS.cliName(), len, scores, item, boot),
                BiasDiagnostics.correlation(Feature.MARKDOWN.cliName(), md, scores, item, boot));
        return new Bias(corr, longerWins(scores, len, item, chosen, boot));
    }

    /**
     * Longer-wins over every chosen x rejected combination within an item (1 per RewardBench / pairs item, 3 x 3 = 9
     * per RM-Bench item, chosen x rejected, e.g. 1 x 3, per RewardBench 2 item): among combinations whose lengths
     * differ, the fraction where the longer response has the strictly higher score. Combinations are pooled over
     * items; the CI resamples items (an item's combinations share responses), so for one pair per item it is the
     * plain per-pair rate. {@code pairs} counts all combinations, {@code eligible} those with different lengths.
     */
    static BiasDiagnostics.LongerWins longerWins(double[] scores, double[] len, int[] item, boolean[] chosen, Bootstrap boot) {
        List<double[]> combos = new ArrayList<>();   // {chosen len, rejected len, chosen score, rejected score, item}
        for (int from = 0, to; from < item.length; from = to) {   // an item's responses are contiguous
            for (to = from + 1; to < item.length && item[to] == item[from]; ) to++;
            for (int c = from; c < to; c++) {
                if (!chosen[c]) continue;
                for (int j = from; j < to; j++)
                    if (!chosen[j]) combos.add(new double[]{len[c], len[j], scores[c], scores[j], item[c]});
            }
        }
        if (combos.isEmpty()) return null;
        int n = combos.size();
        double[][] col = new double[4][n];
        int[] itemOf = new int[n];
        for (int k = 0; k < n; k++) {
            for (int f = 0; f < 4; f++) col[f][k] = combos.get(k)[f];
            itemOf[k] = (int) combos.get(k)[4];
        }
        return BiasDiagnostics.longerWins(col[0], col[1], col[2], col[3], itemOf, boot);
    }

    /** Percent with one decimal, e.g. {@code 88.6}; n/a when undefined. */
    static String pct(Interval iv) { return iv == null || Double.isNaN(iv.value()) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * iv.value()); }

    /** Percent with its CI, e.g. {@code 88.6 [87.4, 89.7]}. */
    static String pctCi(Interval iv) {
        if (iv == null || Double.isNaN(iv.value()) || Double.isNaN(iv.lo())) return pct(iv);
        return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", 100 * iv.value(), 100 * iv.lo(), 100 * iv.hi());
    }

    /** One markdown-table row for a leaderboard: model, benchmark, score, parts, calibrated score, length bias. */
    public static String leaderboardRow(Result r) {
        StringBuilder sb = new StringBuilder("| ").append(r.model()).append(" | ").append(r.benchmark().cliName())
                .append(" | ").append(pctCi(r.raw().score()))
                .append(r.raw().partial() ? " (" + r.raw().scoreLabel() + ")"
                        : r.raw().notes().stream().anyMatch(n -> n.startsWith("incomplete")) ? " (incomplete)" : "")
                .append(" | ");
        r.raw().parts().forEach((k, v) -> sb.append(k).append(' ').append(pct(v)).append(" | "));
        for (String k : r.raw().missingParts()) sb.append(k).append(" n/a | ");
        sb.append("LWR-calibrated ").append(pct(r.calibrated().score())).append(" | ");
        sb.append(String.format(Locale.ROOT, "length rho %+.3f", r.rawBias().get("chars").spearman().value())).append(" |");
        return sb.toString();
    }
}
