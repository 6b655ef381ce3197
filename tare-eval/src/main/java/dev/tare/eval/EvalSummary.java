package dev.tare.eval;

import dev.tare.bias.Feature;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.audit.AuditPlan;
import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.audit.BiasAudit;
import dev.tare.debias.audit.Calibration;
import dev.tare.debias.audit.Layout;
import dev.tare.debias.audit.Pairing;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.ScoreOverview;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.results.ScoredItem;

import java.util.List;
import java.util.Locale;

/**
 * End-of-run analysis of a reward-model evaluation, a {@link BiasAudit}: the benchmark's official scores with
 * bootstrap CIs, a length and markdown bias audit (Spearman/Kendall of reward with each feature over all responses,
 * and the longer-wins rate over every chosen x rejected combination), and the same after RC-LWR calibration on length
 * (LOWESS over all responses, frac 1, alpha 1, as in the post-hoc calibration paper's RewardBench runs).
 */
public final class EvalSummary {
    private EvalSummary() {}

    /** Analyses {@code results}, which must be the scores of {@code items} in the same order. */
    public static AuditResult analyze(Benchmark benchmark, List<PreferenceItem> items, List<ScoredItem> results, Bootstrap boot) {
        if (items.size() != results.size()) {
            throw new IllegalArgumentException("results have " + results.size() + " items but the dataset has " + items.size());
        }
        if (results.isEmpty()) throw new IllegalArgumentException("no results to analyse");
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem p = items.get(i);
            ScoredItem s = results.get(i);
            if (!EvalRunner.key(p).equals(s.key()) || s.scoresChosen().size() != p.chosen().size()
                    || s.scoresRejected().size() != p.rejected().size()) {
                throw new IllegalArgumentException("results line " + (i + 1) + " (" + s.key() + ") does not match dataset item "
                        + (i + 1) + " (" + EvalRunner.key(p) + ")");
            }
        }
        AuditInput in = AuditInput.of(results, k -> new AuditInput.Texts(items.get(k).chosen(), items.get(k).rejected()),
                Layout.ITEM_MAJOR, List.of(Feature.CHARS, Feature.MARKDOWN), null);
        String chars = Feature.CHARS.cliName();
        AuditPlan plan = new AuditPlan(BenchmarkScoring.of(benchmark),
                Calibration.Fit.of(List.of(new RewardCalibration.Step(Method.LWR, chars)), CalibrationSettings.defaults()),
                List.of(chars, Feature.MARKDOWN.cliName()), List.of(chars), Pairing.ALL_COMBINATIONS);
        return BiasAudit.run(in, plan, boot);
    }

    /** The benchmark an eval's audit scored. */
    public static Benchmark benchmark(AuditResult r) { return r.plan().scoring().benchmark(); }

    /** Percent with one decimal, e.g. {@code 88.6}; n/a when undefined. */
    static String pct(Interval iv) { return iv == null || Double.isNaN(iv.value()) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * iv.value()); }

    /** Percent with its CI, e.g. {@code 88.6 [87.4, 89.7]}. */
    static String pctCi(Interval iv) {
        if (iv == null || Double.isNaN(iv.value()) || Double.isNaN(iv.lo())) return pct(iv);
        return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", 100 * iv.value(), 100 * iv.lo(), 100 * iv.hi());
    }

    /** One markdown-table row for a leaderboard: model, benchmark, score, parts, calibrated score, length bias. */
    public static String leaderboardRow(AuditResult r) {
        ScoreOverview raw = r.before().scores().overview();
        StringBuilder sb = new StringBuilder("| ").append(r.model()).append(" | ").append(benchmark(r).cliName())
                .append(" | ").append(pctCi(raw.score()))
                .append(raw.partial() ? " (" + raw.scoreLabel() + ")"
                        : raw.notes().stream().anyMatch(n -> n.startsWith("incomplete")) ? " (incomplete)" : "")
                .append(" | ");
        raw.parts().forEach((k, v) -> sb.append(k).append(' ').append(pct(v)).append(" | "));
        for (String k : raw.missingParts()) sb.append(k).append(" n/a | ");
        sb.append("LWR-calibrated ").append(pct(r.after().scores().score())).append(" | ");
        sb.append(String.format(Locale.ROOT, "length rho %+.3f", r.before().correlation("chars").spearman().value())).append(" |");
        return sb.toString();
    }
}
