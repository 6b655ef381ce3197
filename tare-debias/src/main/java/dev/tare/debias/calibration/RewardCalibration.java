package dev.tare.debias.calibration;

import dev.tare.debias.lowess.Lowess;
import dev.tare.debias.lowess.LowessFit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Post-hoc reward calibration (Huang et al. 2024, ZeroYuHuang/Reward-Calibration): estimate the bias b(c) of reward
 * on a response characteristic c over all responses pooled (chosen and rejected of every subset), subtract
 * alpha·b(c), and repeat for each feature in sequence on the already calibrated scores.
 */
public final class RewardCalibration {
    private RewardCalibration() {}

    /** Fitted steps (one per feature, in order) and the calibrated scores of the pool. */
    public record Result(List<Calibrator> steps, double[] scores) {}

    /** One step of a calibration chain: a method on a feature (by name). */
    public record Step(Method method, String feature) {
        public Step {
            if (method == null || feature == null) throw new IllegalArgumentException("a step needs a method and a feature");
        }

        /** Parses {@code METHOD:FEATURE}, e.g. {@code penalty:chars}. */
        public static Step parse(String s) {
            int c = s.indexOf(':');
            if (c <= 0 || c == s.length() - 1)
                throw new IllegalArgumentException("step '" + s + "' must be METHOD:FEATURE, e.g. penalty:chars or lwr:chars");
            return new Step(Method.parse(s.substring(0, c).trim()), s.substring(c + 1).trim());
        }

        @Override public String toString() { return method.cliName() + ":" + feature; }
    }

    /**
     * Calibrates the pool with {@code method} for each feature in {@code features} (name → value per response), in
     * map order. LWR and PENALTY re-score every response; MEAN leaves an item unchanged when any of its responses
     * has fewer than minCount responses in its window (the repo's per-pair rule).
     */
    public static Result calibrate(Method method, ResponsePool pool, Map<String, double[]> features, CalibrationSettings s) {
        if (features.isEmpty()) throw new IllegalArgumentException("no feature to calibrate on");
        List<Step> steps = new ArrayList<>();
        for (String f : features.keySet()) steps.add(new Step(method, f));
        return calibrate(steps, pool, features, s);
    }

    /**
     * Applies the steps in order, each fitted on the scores left by the previous one (e.g. the repo's "penalty then
     * LWR": {@code penalty:chars, lwr:chars}); {@code features} maps each step's feature name to its values.
     */
    public static Result calibrate(List<Step> chain, ResponsePool pool, Map<String, double[]> features, CalibrationSettings s) {
        if (chain.isEmpty()) throw new IllegalArgumentException("no calibration step given");
        for (var e : features.entrySet()) {
            double[] f = e.getValue();
            if (f.length != pool.size())
                throw new IllegalArgumentException("feature '" + e.getKey() + "' has " + f.length + " values for " + pool.size() + " responses");
            for (int i = 0; i < f.length; i++)
                if (!Double.isFinite(f[i])) throw new IllegalArgumentException("feature '" + e.getKey() + "' is not finite at response " + i);
        }
        double[] scores = pool.scores().clone();
        List<Calibrator> steps = new ArrayList<>();
        for (Step step : chain) {
            double[] f = features.get(step.feature());
            if (f == null) throw new IllegalArgumentException("step " + step + ": no values for feature '" + step.feature() + "'");
            ResponsePool cur = pool.withScores(scores);
            switch (step.method()) {
                case LWR -> {
                    Calibrator c = fitLwr(step.feature(), f, scores, s);
                    for (int i = 0; i < scores.length; i++) scores[i] = c.apply(f[i], scores[i]);
                    steps.add(c);
                }
                case PENALTY -> {
                    Calibrator c = new Calibrator(Method.PENALTY, step.feature(), s.alpha(), s.penaltyCoefficient(), null, null, Map.of());
                    for (int i = 0; i < scores.length; i++) scores[i] = c.apply(f[i], scores[i]);
                    steps.add(c);
                }
                case MEAN -> {
                    WindowMean wm = WindowMean.fit(f, scores, halfWidth(cur, f, s.ratio()), s.exactRepoWindow(), s.seed());
                    boolean[] okItem = new boolean[pool.items()];
                    Arrays.fill(okItem, true);
                    for (int i = 0; i < f.length; i++) if (wm.count(f[i]) < s.minCount()) okItem[pool.item()[i]] = false;
                    double[] next = scores.clone();
                    for (int i = 0; i < f.length; i++)
                        if (okItem[pool.item()[i]]) next[i] = scores[i] - s.alpha() * wm.mean(f[i]);
                    steps.add(wm.calibrator(step.feature(), s));
                    scores = next;
                }
            }
        }
        return new Result(List.copyOf(steps), scores);
    }

    /** RC-LWR: LOWESS of score on feature over the pool; the curve keeps one point per distinct feature value. */
    public static Calibrator fitLwr(String feature, double[] f, double[] scores, CalibrationSettings s) {
        LowessFit fit = Lowess.fit(scores, f, s.frac(), s.iterations(), 0.0);
        int n = fit.size();
        double[] xs = new double[n], b = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m > 0 && fit.x()[i] == xs[m - 1]) continue;  // ties share one fit (statsmodels copies it)
            xs[m] = fit.x()[i];
            b[m] = fit.fitted()[i];
            m++;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("frac", s.frac());
        params.put("it", s.iterations());
        params.put("delta", 0.0);
        params.put("n", n);
        return new Calibrator(Method.LWR, feature, s.alpha(), 0.0, Arrays.copyOf(xs, m), Arrays.copyOf(b, m), params);
    }

    /**
     * RC-Mean window half-width d = mean over items of |f(chosen) − f(rejected)| / ratio, averaging over all
     * chosen × rejected response pairs of an item (for a pair item: the repo's definition).
     */
    static double halfWidth(ResponsePool pool, double[] f, double ratio) {
        int items = pool.items();
        double[] sum = new double[items];
        int[] cnt = new int[items];
        List<List<Integer>> byItem = new ArrayList<>();
        for (int i = 0; i < items; i++) byItem.add(new ArrayList<>());
        for (int r = 0; r < pool.size(); r++) byItem.get(pool.item()[r]).add(r);
        double total = 0;
        int used = 0;
        for (int it = 0; it < items; it++) {
            for (int a : byItem.get(it))
                for (int b : byItem.get(it))
                    if (pool.chosen()[a] && !pool.chosen()[b]) { sum[it] += Math.abs(f[a] - f[b]); cnt[it]++; }
            if (cnt[it] > 0) { total += sum[it] / cnt[it]; used++; }
        }
        if (used == 0) throw new IllegalArgumentException("RC-Mean needs items with both chosen and rejected responses");
        return total / used / ratio;
    }

    /** RC-Mean's window statistics over the pool sorted by feature (seeded shuffle, then stable sort). */
    static final class WindowMean {
        private final double[] fs, ss;
        private final double d;
        private final boolean exact;
        private final long seed;

        private WindowMean(double[] fs, double[] ss, double d, boolean exact, long seed) {
            this.fs = fs; this.ss = ss; this.d = d; this.exact = exact; this.seed = seed;
        }

        static WindowMean fit(double[] f, double[] s, double d, boolean exact, long seed) {
            int n = f.length;
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            Random rnd = new Random(seed);
            for (int i = n - 1; i > 0; i--) {   // Fisher-Yates, as Python's random.shuffle
                int j = rnd.nextInt(i + 1);
                Integer t = idx[i]; idx[i] = idx[j]; idx[j] = t;
            }
            Arrays.sort(idx, (a, b) -> Double.compare(f[a], f[b]));  // stable
            double[] fs = new double[n], ss = new double[n];
            for (int i = 0; i < n; i++) { fs[i] = f[idx[i]]; ss[i] = s[idx[i]]; }
            return new WindowMean(fs, ss, d, exact, seed);
        }

        private int lo(double v) {
            int lo = 0, hi = fs.length;
            double t = v - d;
            while (lo < hi) { int m = (lo + hi) >>> 1; if (fs[m] < t) lo = m + 1; else hi = m; }
            return lo;
        }

        private int hi(double v) {
            int lo = 0, hi = fs.length;
            double t = v + d;
            while (lo < hi) { int m = (lo + hi) >>> 1; if (fs[m] <= t) lo = m + 1; else hi = m; }
            return exact ? lo - 1 : lo;   // repo: bisect_right(F, v + d) - 1, used as an exclusive end
        }

        int count(double v) { return Math.max(0, hi(v) - lo(v)); }

        double mean(double v) {
            int a = lo(v), b = hi(v);
            if (b <= a) return Double.NaN;
            double sum = 0;
            for (int i = a; i < b; i++) sum += ss[i];
            return sum / (b - a);
        }

        /** The serialisable curve: the window mean at each distinct pooled value whose window is large enough. */
        Calibrator calibrator(String feature, CalibrationSettings s) {
            double[] xs = new double[fs.length], b = new double[fs.length];
            int m = 0;
            for (int i = 0; i < fs.length; i++) {
                if (m > 0 && fs[i] == xs[m - 1]) continue;
                if (i > 0 && fs[i] == fs[i - 1]) continue;
                if (count(fs[i]) < s.minCount()) continue;
                xs[m] = fs[i];
                b[m] = mean(fs[i]);
                m++;
            }
            if (m == 0) throw new IllegalArgumentException("RC-Mean on '" + feature + "': no window holds " + s.minCount() + " responses");
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("halfWidth", d);
            params.put("ratio", s.ratio());
            params.put("minCount", s.minCount());
            params.put("exactRepoWindow", exact);
            params.put("seed", seed);
            return new Calibrator(Method.MEAN, feature, s.alpha(), 0.0, Arrays.copyOf(xs, m), Arrays.copyOf(b, m), params);
        }
    }
}
