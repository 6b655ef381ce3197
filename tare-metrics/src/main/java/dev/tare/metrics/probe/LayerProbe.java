package dev.tare.metrics.probe;

import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One layer's linear probe: k-fold cross-validated accuracy of an L2 logistic regression (per fold and pooled out of
 * fold, with a bootstrap 95% CI over items), the majority-class baseline, the fit on all rows and the
 * difference-of-means direction mean(x | y=1) − mean(x | y=0).
 */
public record LayerProbe(double[] foldAccuracy, Interval accuracy, double majorityBaseline,
                         LogisticRegression.Fit fit, double[] diffOfMeans) {
    public LayerProbe {
        foldAccuracy = foldAccuracy.clone();
        diffOfMeans = diffOfMeans.clone();
    }

    @Override public double[] foldAccuracy() { return foldAccuracy.clone(); }
    @Override public double[] diffOfMeans() { return diffOfMeans.clone(); }

    /**
     * Probes rows {@code x} with labels {@code y} ∈ {0,1}; {@code fold[i]} ∈ [0, k) is row i's test fold (each fold
     * trains on the others); {@code c} is sklearn's C.
     */
    public static LayerProbe run(double[][] x, int[] y, int[] fold, double c, Bootstrap bootstrap) {
        int n = x.length;
        if (y.length != n || fold.length != n) throw new IllegalArgumentException(n + " rows, " + y.length + " labels, " + fold.length + " fold ids");
        int k = 0;
        for (int f : fold) {
            if (f < 0) throw new IllegalArgumentException("negative fold id " + f);
            k = Math.max(k, f + 1);
        }
        if (k < 2) throw new IllegalArgumentException("cross-validation needs at least 2 folds");
        double[] foldAcc = new double[k];
        double[] correct = new double[n];
        for (int f = 0; f < k; f++) {
            List<Integer> tr = new ArrayList<>(), te = new ArrayList<>();
            for (int i = 0; i < n; i++) (fold[i] == f ? te : tr).add(i);
            if (te.isEmpty()) throw new IllegalArgumentException("fold " + f + " is empty");
            double[][] xt = new double[tr.size()][];
            int[] yt = new int[tr.size()];
            for (int j = 0; j < tr.size(); j++) {
                xt[j] = x[tr.get(j)];
                yt[j] = y[tr.get(j)];
            }
            LogisticRegression.Fit m = LogisticRegression.fit(xt, yt, c);
            int ok = 0;
            for (int i : te) if (m.predict(x[i]) == y[i]) {
                ok++;
                correct[i] = 1;
            }
            foldAcc[f] = (double) ok / te.size();
        }
        int ones = 0;
        for (int v : y) ones += v;
        double majority = Math.max(ones, n - ones) / (double) n;
        return new LayerProbe(foldAcc, bootstrap.mean(correct), majority, LogisticRegression.fit(x, y, c), diffOfMeans(x, y));
    }

    /** mean(x | y=1) − mean(x | y=0), in double. */
    public static double[] diffOfMeans(double[][] x, int[] y) {
        int d = x[0].length, n1 = 0, n0 = 0;
        double[] s1 = new double[d], s0 = new double[d];
        for (int i = 0; i < x.length; i++) {
            double[] s = y[i] == 1 ? s1 : s0;
            if (y[i] == 1) n1++;
            else n0++;
            for (int j = 0; j < d; j++) s[j] += x[i][j];
        }
        if (n1 == 0 || n0 == 0) throw new IllegalArgumentException("difference of means needs both classes");
        double[] out = new double[d];
        for (int j = 0; j < d; j++) out[j] = s1[j] / n1 - s0[j] / n0;
        return out;
    }

    /**
     * Seeded k folds grouped by item: rows with the same group id share a fold (so an item's variants never sit on
     * both sides of a split); groups are shuffled with {@code seed} and dealt round-robin.
     */
    public static int[] groupedFolds(List<String> groups, int k, long seed) {
        if (k < 2) throw new IllegalArgumentException("k must be >= 2, got " + k);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (String g : groups) index.putIfAbsent(g, index.size());
        if (index.size() < k) throw new IllegalArgumentException(index.size() + " groups cannot fill " + k + " folds");
        List<String> order = new ArrayList<>(index.keySet());
        Collections.shuffle(order, new Random(seed));
        Map<String, Integer> foldOf = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) foldOf.put(order.get(i), i % k);
        int[] out = new int[groups.size()];
        for (int i = 0; i < out.length; i++) out[i] = foldOf.get(groups.get(i));
        return out;
    }
}
