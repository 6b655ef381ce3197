package dev.tare.debias.audit;

import dev.tare.bias.BiasDiagnostics;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.stats.Bootstrap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The before/after bias audit of scored responses: the benchmark's scores, reward-feature rank correlations and
 * "wins" rates (each with 95% bootstrap CIs that resample items) on the raw scores, then the same on the scores
 * calibrated by the plan's {@link Calibration}, and the comparisons calibration flipped. eval, report, calibrate and
 * the demos run it and only render its {@link AuditResult}.
 */
public final class BiasAudit {
    private BiasAudit() {}

    /** Measures the raw scores, calibrates, and measures the calibrated scores. */
    public static AuditResult run(AuditInput in, AuditPlan plan, Bootstrap boot) {
        RewardCalibration.Result cal = plan.calibration().rescore(in);
        AuditInput after = in.withScores(cal.scores());
        return new AuditResult(in, plan, cal.steps(), measure(in, plan, boot), measure(after, plan, boot),
                Flips.between(in.items(), after.items()));
    }

    /** The plan's measures of the input's scores (no calibration), e.g. of a reference such as true quality. */
    public static AuditResult.Side measure(AuditInput in, AuditPlan plan, Bootstrap boot) {
        double[] s = in.pool().scores();
        List<BiasDiagnostics.FeatureCorrelation> corr = new ArrayList<>();
        for (String f : plan.correlate()) corr.add(BiasDiagnostics.correlation(f, in.feature(f), s, in.pool().item(), boot));
        Map<String, BiasDiagnostics.LongerWins> wins = new LinkedHashMap<>();
        for (String f : plan.wins()) wins.put(f, wins(in, in.feature(f), plan.pairing(), boot));
        return new AuditResult.Side(s, in.items(), plan.scoring().score(in.items(), boot), corr, wins);
    }

    /**
     * The share of compared chosen-vs-rejected pairs, among those whose feature values differ, where the response with
     * the larger value gets the strictly higher score (for length: the longer response wins). Pairs are pooled over
     * items; the CI resamples items (an item's pairs share responses), so for one pair per item it is the plain
     * per-pair rate. {@code pairs} counts the compared pairs, {@code eligible} those whose values differ.
     */
    static BiasDiagnostics.LongerWins wins(AuditInput in, double[] f, Pairing pairing, Bootstrap boot) {
        double[] s = in.pool().scores();
        List<double[]> rows = new ArrayList<>();   // {chosen value, rejected value, chosen score, rejected score, item}
        for (int k = 0; k < in.items().size(); k++)
            for (int[] p : pairing.pairs(in.chosenAt(k), in.rejectedAt(k))) rows.add(new double[]{f[p[0]], f[p[1]], s[p[0]], s[p[1]], k});
        int m = rows.size();
        double[] cv = new double[m], rv = new double[m], cs = new double[m], rs = new double[m];
        int[] item = new int[m];
        for (int i = 0; i < m; i++) {
            double[] x = rows.get(i);
            cv[i] = x[0]; rv[i] = x[1]; cs[i] = x[2]; rs[i] = x[3]; item[i] = (int) x[4];
        }
        return BiasDiagnostics.longerWins(cv, rv, cs, rs, item, boot);
    }

    /**
     * The LOWESS step of LWR calibration at each response: the calibration library's LOWESS fit of score on feature
     * (statsmodels-equal, it = 3, delta = 0, over all responses pooled) read at the response's own feature value.
     */
    public static double[] lwrBias(double[] feature, double[] scores, CalibrationSettings settings) {
        Calibrator c = RewardCalibration.fitLwr("feature", feature, scores, settings);
        double[] out = new double[feature.length];
        for (int i = 0; i < out.length; i++) out[i] = c.bias(feature[i]);
        return out;
    }

    /**
     * The bias left after calibration: {@link #lwrBias} of the calibrated scores on the first step's feature with the
     * first step's settings (the curve a reward-vs-length chart of calibrated scores shows). Fitted calibrations only.
     */
    public static double[] residualBias(AuditResult r) {
        if (!(r.plan().calibration() instanceof Calibration.Fit fit))
            throw new IllegalArgumentException("the residual bias is defined for a fitted calibration");
        return lwrBias(r.feature(fit.chain().getFirst().feature()), r.after().rewards(), fit.settings().getFirst());
    }
}
