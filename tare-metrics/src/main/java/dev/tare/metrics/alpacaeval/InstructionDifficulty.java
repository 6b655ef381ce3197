package dev.tare.metrics.alpacaeval;

import dev.tare.data.alpacaeval.AlpacaGlmWeights;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-instruction difficulties for AlpacaEval's length-controlled GLM, estimated from what is published. AlpacaEval
 * learns them once (notebooks/instruction_difficulty.ipynb) as the per-instruction terms of a joint logistic model over
 * every model's annotations, {@code logit P(model wins) = θ_model + β_model · tanh(std_delta_len) + d_instruction}, and
 * ships them as a hub file that is not available here. We redo that joint fit on the annotated models at hand (block
 * Newton: each model's (θ, β) given d, then each d_i given the models, until nothing moves by 1e-9), with a small ridge
 * on d ({@link #RIDGE}) so an instruction every model loses stays finite. Difficulties are identified only up to a shift
 * and a scale (θ and the per-model difficulty coefficient absorb them), so we then place them on AlpacaEval's scale with
 * the published fits of the other models: the shift a and scale b that make AlpacaEval's own prediction
 * {@code LC_m = mean_i σ(θ_m + γ_m · (a + b · d_i))} (weights CSV) best reproduce the published LC (leaderboard CSV) of
 * every model with both, except the baseline and the models being scored (Levenberg–Marquardt on the two numbers).
 */
public final class InstructionDifficulty {
    /** The L2 penalty on each instruction's term in the joint fit. */
    public static final double RIDGE = 0.2;

    /**
     * Difficulties per instruction (in the order of {@code instructions}) on AlpacaEval's scale, the calibration
     * (shift, scale, the root-mean-square LC error over the calibration models in points, their number) and the models
     * whose annotations were used.
     */
    public record Estimate(List<String> instructions, double[] difficulty, double shift, double scale,
                           double calibrationRmse, int calibrationModels, List<String> fromModels) {
        /** The difficulty of each of {@code order}'s instructions. */
        public double[] alignedTo(List<String> order) {
            Map<String, Integer> at = new HashMap<>();
            for (int i = 0; i < instructions.size(); i++) at.put(instructions.get(i), i);
            double[] out = new double[order.size()];
            for (int i = 0; i < out.length; i++) {
                Integer j = at.get(order.get(i));
                if (j == null) throw new IllegalArgumentException("instruction not among the estimated difficulties: " + abbreviate(order.get(i)));
                out[i] = difficulty[j];
            }
            return out;
        }
    }

    private InstructionDifficulty() {}

    /**
     * Estimates difficulties from at least two models' pairs (same instruction set), calibrated on the published weights
     * and LC of every other model ({@code lcPercent}: model → published LC in percent).
     */
    public static Estimate estimate(List<AlpacaPairs> models, Map<String, AlpacaGlmWeights> weights,
                                    Map<String, Double> lcPercent, Set<String> exclude) {
        double[] raw = jointFit(models, RIDGE);
        String baseline = models.getFirst().baseline();
        AlpacaGlmWeights base = weights.get(baseline);
        if (base == null) throw new IllegalArgumentException("the GLM weights have no row for the baseline " + baseline);
        List<double[]> cal = new ArrayList<>(); // {Δθ, Δγ, LC}
        for (AlpacaGlmWeights w : weights.values()) {
            Double lc = lcPercent.get(w.name());
            if (lc == null || Double.isNaN(lc) || w.name().equals(baseline) || exclude.contains(w.name())) continue;
            cal.add(new double[]{w.model() - base.model(), w.difficulty() - base.difficulty(), lc / 100});
        }
        if (cal.size() < 3) throw new IllegalArgumentException("only " + cal.size() + " models with published weights and LC to calibrate difficulties on");
        double[] ab = calibrate(raw, cal);
        double[] d = new double[raw.length];
        for (int i = 0; i < d.length; i++) d[i] = ab[0] + ab[1] * raw[i];
        double ss = 0;
        for (double[] c : cal) {
            double r = predictedWinRate(c[0], c[1], d) - c[2];
            ss += r * r;
        }
        return new Estimate(models.getFirst().instructions(), d, ab[0], ab[1], 100 * Math.sqrt(ss / cal.size()), cal.size(),
                models.stream().map(AlpacaPairs::model).toList());
    }

    /** AlpacaEval's {@code predict_winrate}: mean over instructions of σ(Δθ + Δγ · d_i), a fraction. */
    public static double predictedWinRate(double modelTerm, double difficultyCoefficient, double[] d) {
        double s = 0;
        for (double v : d) s += SoftLogisticFit.sigmoid(modelTerm + difficultyCoefficient * v);
        return s / d.length;
    }

    /** The joint fit's per-instruction terms, in the first model's instruction order. */
    static double[] jointFit(List<AlpacaPairs> models, double ridge) {
        if (models.size() < 2) throw new IllegalArgumentException("difficulties need the annotations of at least two models, got " + models.size());
        List<String> order = models.getFirst().instructions();
        int n = order.size();
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < n; i++) at.put(order.get(i), i);
        int k = models.size();
        int[][] idx = new int[k][];
        for (int m = 0; m < k; m++) {
            AlpacaPairs p = models.get(m);
            if (p.size() != n) throw new IllegalArgumentException(p.model() + " has " + p.size() + " pairs, " + models.getFirst().model() + " has " + n);
            if (!p.baseline().equals(models.getFirst().baseline()))
                throw new IllegalArgumentException(p.model() + " is judged against " + p.baseline() + ", " + models.getFirst().model() + " against " + models.getFirst().baseline());
            idx[m] = new int[n];
            for (int i = 0; i < n; i++) {
                Integer j = at.get(p.instructions().get(i));
                if (j == null) throw new IllegalArgumentException(p.model() + ": instruction not in " + models.getFirst().model() + "'s set: " + abbreviate(p.instructions().get(i)));
                idx[m][i] = j;
            }
        }
        double[] d = new double[n];
        double[][] theta = new double[k][2];
        for (int outer = 0; outer < 2000; outer++) {
            for (int m = 0; m < k; m++) theta[m] = fitModel(models.get(m), idx[m], d, theta[m]);
            double moved = 0;
            for (int inner = 0; inner < 50; inner++) {
                double[] g = new double[n], h = new double[n];
                for (int i = 0; i < n; i++) { g[i] = -ridge * d[i]; h[i] = ridge; }
                for (int m = 0; m < k; m++) {
                    AlpacaPairs p = models.get(m);
                    for (int i = 0; i < n; i++) {
                        double y = p.winProbability()[i];
                        if (Double.isNaN(y)) continue;
                        int j = idx[m][i];
                        double mu = SoftLogisticFit.sigmoid(theta[m][0] + theta[m][1] * p.lengthTerm()[i] + d[j]);
                        g[j] += y - mu;
                        h[j] += mu * (1 - mu);
                    }
                }
                double step = 0;
                for (int i = 0; i < n; i++) {
                    double s = g[i] / h[i];
                    d[i] += s;
                    step = Math.max(step, Math.abs(s));
                }
                moved = Math.max(moved, step);
                if (step < 1e-12) break;
            }
            if (moved < 1e-9) return d;
        }
        throw new IllegalStateException("the joint difficulty fit did not converge");
    }

    /** One model's (θ, β) by Newton with the difficulties as an offset. */
    private static double[] fitModel(AlpacaPairs p, int[] idx, double[] d, double[] start) {
        double[] b = start.clone();
        for (int it = 0; it < 100; it++) {
            double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
            for (int i = 0; i < p.size(); i++) {
                double y = p.winProbability()[i];
                if (Double.isNaN(y)) continue;
                double t = p.lengthTerm()[i];
                double mu = SoftLogisticFit.sigmoid(b[0] + b[1] * t + d[idx[i]]);
                double w = mu * (1 - mu);
                g0 += y - mu; g1 += (y - mu) * t;
                h00 += w; h01 += w * t; h11 += w * t * t;
            }
            double det = h00 * h11 - h01 * h01;
            double s0 = (h11 * g0 - h01 * g1) / det, s1 = (h00 * g1 - h01 * g0) / det;
            b[0] += s0; b[1] += s1;
            if (Math.max(Math.abs(s0), Math.abs(s1)) < 1e-13) return b;
        }
        throw new IllegalStateException(p.model() + ": the per-model Newton fit did not converge");
    }

    /** Levenberg–Marquardt for (a, b) minimising Σ_m (mean_i σ(Δθ_m + Δγ_m (a + b d_i)) − LC_m)². */
    private static double[] calibrate(double[] d, List<double[]> cal) {
        double a = 0, b = 1, lambda = 1e-3;
        double f = calibrationLoss(d, cal, a, b);
        for (int it = 0; it < 500; it++) {
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (double[] c : cal) {
                double mean = 0, da = 0, db = 0;
                for (double v : d) {
                    double s = SoftLogisticFit.sigmoid(c[0] + c[1] * (a + b * v));
                    mean += s;
                    da += s * (1 - s) * c[1];
                    db += s * (1 - s) * c[1] * v;
                }
                mean /= d.length; da /= d.length; db /= d.length;
                double r = mean - c[2];
                jaa += da * da; jab += da * db; jbb += db * db;
                ga += da * r; gb += db * r;
            }
            while (true) {
                double haa = jaa * (1 + lambda), hbb = jbb * (1 + lambda);
                double det = haa * hbb - jab * jab;
                double sa = -(hbb * ga - jab * gb) / det, sb = -(haa * gb - jab * ga) / det;
                double fn = calibrationLoss(d, cal, a + sa, b + sb);
                if (fn <= f) {
                    a += sa; b += sb;
                    boolean done = Math.max(Math.abs(sa), Math.abs(sb)) < 1e-10 || f - fn < 1e-18;
                    f = fn;
                    lambda = Math.max(lambda / 10, 1e-12);
                    if (done) return new double[]{a, b};
                    break;
                }
                lambda *= 10;
                if (lambda > 1e12) return new double[]{a, b};
            }
        }
        throw new IllegalStateException("difficulty calibration did not converge");
    }

    private static double calibrationLoss(double[] d, List<double[]> cal, double a, double b) {
        double s = 0;
        for (double[] c : cal) {
            double sum = 0;
            for (double v : d) sum += SoftLogisticFit.sigmoid(c[0] + c[1] * (a + b * v));
            double r = sum / d.length - c[2];
            s += r * r;
        }
        return s;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
