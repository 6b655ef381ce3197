package dev.tare.debias.audit;

import dev.tare.bias.BiasDiagnostics;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.metrics.BenchmarkScores;
import dev.tare.results.ScoredItem;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A before/after bias audit ({@link BiasAudit#run}): the input, the plan, the fitted (or applied) calibration steps,
 * the measures on the raw and on the calibrated scores, and the comparisons whose order calibration flipped.
 */
public record AuditResult(AuditInput input, AuditPlan plan, List<Calibrator> steps, Side before, Side after, Flips flips) {
    public AuditResult { steps = List.copyOf(steps); }

    /**
     * The measures of one set of scores: the scores (pool order) and the items carrying them, the benchmark's scores,
     * the reward-feature correlations (in the plan's order) and the wins rates by feature name (undefined where no
     * compared pair differs in the feature).
     */
    public record Side(double[] rewards, List<ScoredItem> items, BenchmarkScores scores,
                       List<BiasDiagnostics.FeatureCorrelation> correlations, Map<String, BiasDiagnostics.LongerWins> wins) {
        public Side {
            items = List.copyOf(items);
            correlations = List.copyOf(correlations);
            wins = Collections.unmodifiableMap(new LinkedHashMap<>(wins));
        }

        /** The correlation of reward with one feature. */
        public BiasDiagnostics.FeatureCorrelation correlation(String feature) {
            return correlations.stream().filter(c -> c.feature().equals(feature)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no correlation with '" + feature + "' in this audit"));
        }

        /** The wins rate on one feature (e.g. chars: the longer response wins). */
        public BiasDiagnostics.LongerWins wins(String feature) {
            var w = wins.get(feature);
            if (w == null) throw new IllegalArgumentException("no wins rate on '" + feature + "' in this audit");
            return w;
        }
    }

    /** The model the items name (the first item's). */
    public String model() { return input.items().getFirst().model(); }

    /** Audited items. */
    public int items() { return input.items().size(); }

    /** Audited responses. */
    public int responses() { return input.responses(); }

    /** One feature's values per response (pool order). */
    public double[] feature(String name) { return input.feature(name); }

    /** The bias step k subtracted at each response, before its alpha (pool order): b_k(feature_k) on the scores it was fitted on. */
    public double[] stepBias(int k) {
        Calibrator c = steps.get(k);
        double[] f = input.feature(c.feature()), out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = c.bias(f[i]);
        return out;
    }
}
