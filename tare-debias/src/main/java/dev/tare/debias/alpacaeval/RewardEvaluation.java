package dev.tare.debias.alpacaeval;

import dev.tare.bias.Correlation;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;

import java.util.ArrayList;
import java.util.List;

/**
 * A reward model as an AlpacaEval evaluator, the question "does length calibration make an RM a better evaluator?":
 * each model's answer beats the reference answer when its reward is higher (ties ½); raw rewards, and rewards calibrated
 * by one LOWESS of reward on answer length fitted over every answer (the reference's and all models', RC-LWR as in
 * {@link RewardCalibration#fitLwr}). Per model: the reward win rate and the agreement with the judge on the pairs the
 * judge did not tie (the RM's tie counts ½). Across models: Spearman and Kendall of the reward win rates against the
 * judge's LC win rates. Every number has a percentile bootstrap interval over instructions (one resample of instruction
 * indices re-estimates all models together).
 */
public final class RewardEvaluation {
    private RewardEvaluation() {}

    /** Evaluates the models against the reference ({@code referenceRewards}, {@code referenceLengths}, same instruction order). */
    public static RewardEvaluationScores evaluate(String scorer, double[] referenceRewards, int[] referenceLengths,
                                                  List<ModelRewards> models, CalibrationSettings settings, Bootstrap boot) {
        int n = referenceRewards.length;
        int total = n * (models.size() + 1);
        double[] len = new double[total], score = new double[total];
        for (int i = 0; i < n; i++) { len[i] = referenceLengths[i]; score[i] = referenceRewards[i]; }
        for (int m = 0; m < models.size(); m++) {
            ModelRewards r = models.get(m);
            if (r.rewards().length != n) throw new IllegalArgumentException(r.model() + ": " + r.rewards().length + " answers, the reference has " + n);
            for (int i = 0; i < n; i++) { len[(m + 1) * n + i] = r.lengths()[i]; score[(m + 1) * n + i] = r.rewards()[i]; }
        }
        Calibrator cal = RewardCalibration.fitLwr("chars", len, score, settings);
        double[] refCal = new double[n];
        for (int i = 0; i < n; i++) refCal[i] = cal.apply(referenceLengths[i], referenceRewards[i]);
        double[][] rawWin = new double[models.size()][], calWin = new double[models.size()][];
        List<ModelEvaluation> out = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            ModelRewards r = models.get(m);
            double[] mc = new double[n];
            for (int i = 0; i < n; i++) mc[i] = cal.apply(r.lengths()[i], r.rewards()[i]);
            rawWin[m] = wins(r.rewards(), referenceRewards);
            calWin[m] = wins(mc, refCal);
            out.add(new ModelEvaluation(r.model(), boot.mean(rawWin[m]).times(100), boot.mean(calWin[m]).times(100),
                    agreement(rawWin[m], r.judgeWinProbability(), boot), agreement(calWin[m], r.judgeWinProbability(), boot), r.lcWinRate()));
        }
        return new RewardEvaluationScores(scorer, cal, List.copyOf(out), ranking(rawWin, models, boot), ranking(calWin, models, boot));
    }

    /** 1 where the model's reward is higher, ½ on a tie, 0 otherwise. */
    static double[] wins(double[] model, double[] reference) {
        double[] w = new double[model.length];
        for (int i = 0; i < w.length; i++) w[i] = model[i] > reference[i] ? 1 : model[i] < reference[i] ? 0 : 0.5;
        return w;
    }

    /** Percent of the judge's non-tied pairs where the RM picks the same winner (RM ties ½). */
    static Interval agreement(double[] rmWins, double[] judge, Bootstrap boot) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < rmWins.length; i++) {
            if (Double.isNaN(judge[i]) || judge[i] == 0.5) continue;
            double judgeWin = judge[i] > 0.5 ? 1 : 0;
            v.add(rmWins[i] == 0.5 ? 0.5 : rmWins[i] == judgeWin ? 1 : 0);
        }
        if (v.isEmpty()) return Interval.point(Double.NaN);
        return boot.mean(v.stream().mapToDouble(Double::doubleValue).toArray()).times(100);
    }

    /** Spearman and Kendall of the per-model win rates against LC, over the models with an LC, bootstrapped over instructions. */
    static RankAgreement ranking(double[][] wins, List<ModelRewards> models, Bootstrap boot) {
        List<Integer> with = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) if (!Double.isNaN(models.get(m).lcWinRate())) with.add(m);
        if (with.size() < 3) return new RankAgreement(with.size(), null, null);
        double[] lc = with.stream().mapToDouble(m -> models.get(m).lcWinRate()).toArray();
        int n = wins[0].length;
        return new RankAgreement(with.size(),
                boot.interval(n, idx -> Correlation.spearman(rates(wins, with, idx), lc)),
                boot.interval(n, idx -> Correlation.kendallTauB(rates(wins, with, idx), lc)));
    }

    private static double[] rates(double[][] wins, List<Integer> with, int[] idx) {
        double[] r = new double[with.size()];
        for (int k = 0; k < r.length; k++) {
            double s = 0;
            for (int i : idx) s += wins[with.get(k)][i];
            r[k] = s / idx.length;
        }
        return r;
    }
}
