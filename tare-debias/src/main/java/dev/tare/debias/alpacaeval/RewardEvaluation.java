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
 *
 * <p>{@link #evaluateJudge} does the same for a generative pairwise judge (each model answer against the reference
 * answer, in both orders), without length calibration: that applies to scalar rewards, not to verdicts.
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
                    agreement(rawWin[m], r.judgeWinProbability(), boot), agreement(calWin[m], r.judgeWinProbability(), boot), r.lcWinRate(),
                    n, 0));
        }
        return new RewardEvaluationScores(scorer, cal, List.copyOf(out), ranking(rawWin, models, boot), ranking(calWin, models, boot));
    }

    /**
     * A generative pairwise judge as the evaluator. Each model's {@code rewards} are the judge's combined verdict per
     * instruction as tare combines both orders (JudgeItemScorer / PairwiseJudge: +1 per order preferring the model's
     * answer, −1 per order preferring the reference, 0 for a tie or no verdict), NaN where the judge gave no verdict in
     * either order. That sum is the model's "reward" against a reference reward of 0, so {@link #wins} turns it into exactly
     * the combined outcome (sum &gt; 0 a win, &lt; 0 a loss, 0 a tie, ½), and the reward-model statistics apply unchanged:
     * win rate vs the reference, agreement with the GPT-4 judge on the pairs it did not tie, Spearman/Kendall against LC,
     * with the same bootstrap over instructions. Pairs without a verdict are left out of every number (a resample's
     * mean is over its pairs with a verdict) and counted; with none left out every number equals the reward-model path's
     * on the same scores. No length calibration (the result's calibrated numbers and calibrator are null).
     */
    public static RewardEvaluationScores evaluateJudge(String judge, List<ModelRewards> models, Bootstrap boot) {
        if (models.isEmpty()) throw new IllegalArgumentException("no models to evaluate");
        int n = models.getFirst().rewards().length;
        double[] reference = new double[n];
        double[][] win = new double[models.size()][];
        List<ModelEvaluation> out = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            ModelRewards r = models.get(m);
            if (r.rewards().length != n) throw new IllegalArgumentException(r.model() + ": " + r.rewards().length + " pairs, the first model has " + n);
            win[m] = wins(r.rewards(), reference);
            int none = 0;
            for (int i = 0; i < n; i++) if (Double.isNaN(r.rewards()[i])) { win[m][i] = Double.NaN; none++; }
            double[] w = win[m];
            Interval rate = boot.interval(n, idx -> includedMean(w, idx)).times(100);
            out.add(new ModelEvaluation(r.model(), rate, null, agreement(w, r.judgeWinProbability(), boot), null, r.lcWinRate(), n, none));
        }
        return new RewardEvaluationScores(judge, null, List.copyOf(out), ranking(win, models, boot), null);
    }

    /** The mean of {@code w} over {@code idx}, skipping NaN (pairs without a verdict); NaN if none is left. */
    static double includedMean(double[] w, int[] idx) {
        double s = 0;
        int k = 0;
        for (int i : idx) if (!Double.isNaN(w[i])) { s += w[i]; k++; }
        return k == 0 ? Double.NaN : s / k;
    }

    /** 1 where the model's reward is higher, ½ on a tie, 0 otherwise. */
    static double[] wins(double[] model, double[] reference) {
        double[] w = new double[model.length];
        for (int i = 0; i < w.length; i++) w[i] = model[i] > reference[i] ? 1 : model[i] < reference[i] ? 0 : 0.5;
        return w;
    }

    /** Percent of the judge's non-tied pairs where the RM picks the same winner (RM ties ½; RM wins of NaN, no verdict, skipped). */
    static Interval agreement(double[] rmWins, double[] judge, Bootstrap boot) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < rmWins.length; i++) {
            if (Double.isNaN(judge[i]) || judge[i] == 0.5 || Double.isNaN(rmWins[i])) continue;
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
        for (int k = 0; k < r.length; k++) r[k] = includedMean(wins[with.get(k)], idx);
        return r;
    }
}
