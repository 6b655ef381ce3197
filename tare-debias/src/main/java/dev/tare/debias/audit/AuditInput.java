package dev.tare.debias.audit;

import dev.tare.bias.Feature;
import dev.tare.debias.calibration.ResponsePool;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * What a bias audit looks at: scored items, their responses pooled in a {@link Layout} (score, owning item, side) and
 * the responses' feature values by name (length, markdown, ...). The items and the pool carry the same scores.
 */
public final class AuditInput {
    /** Response texts of one item, in score order. */
    public record Texts(List<String> chosen, List<String> rejected) {}

    private final List<ScoredItem> items;
    private final ResponsePool pool;
    private final Map<String, double[]> features;
    private final Layout layout;
    private final int[][] chosenAt, rejectedAt;   // per item: the pool positions of its chosen / rejected responses

    private AuditInput(List<ScoredItem> items, ResponsePool pool, Map<String, double[]> features, Layout layout,
                       int[][] chosenAt, int[][] rejectedAt) {
        this.items = items;
        this.pool = pool;
        this.features = Collections.unmodifiableMap(features);
        this.layout = layout;
        this.chosenAt = chosenAt;
        this.rejectedAt = rejectedAt;
    }

    /**
     * Pools the responses of {@code items} (texts of item k from {@code texts}, checked against its scores) and computes
     * each of {@code features} on every response ({@code tokenizer} for {@link Feature#TOKENS}; null: the approximation).
     */
    public static AuditInput of(List<ScoredItem> items, IntFunction<Texts> texts, Layout layout, List<Feature> features,
                                ToIntFunction<String> tokenizer) {
        if (items.isEmpty()) throw new IllegalArgumentException("no items to audit");
        List<Texts> all = new ArrayList<>(items.size());
        int n = 0;
        for (int k = 0; k < items.size(); k++) {
            ScoredItem it = items.get(k);
            Texts t = texts.apply(k);
            if (t.chosen().size() != it.scoresChosen().size() || t.rejected().size() != it.scoresRejected().size())
                throw new IllegalArgumentException("item " + it.key() + ": " + t.chosen().size() + "+" + t.rejected().size()
                        + " texts for " + it.scoresChosen().size() + "+" + it.scoresRejected().size() + " scores");
            if (layout == Layout.SIDE_MAJOR && (t.chosen().size() != 1 || t.rejected().size() != 1))
                throw new IllegalArgumentException("item " + it.key() + " is not a pair: the side-major layout pools pairs only");
            all.add(t);
            n += t.chosen().size() + t.rejected().size();
        }
        double[] scores = new double[n];
        int[] item = new int[n];
        boolean[] chosen = new boolean[n];
        String[] txt = new String[n];
        int[][] chosenAt = new int[items.size()][], rejectedAt = new int[items.size()][];
        int r = 0;
        if (layout == Layout.ITEM_MAJOR) {
            for (int k = 0; k < items.size(); k++) {
                chosenAt[k] = new int[items.get(k).scoresChosen().size()];
                rejectedAt[k] = new int[items.get(k).scoresRejected().size()];
                for (int j = 0; j < chosenAt[k].length; j++, r++) {
                    chosenAt[k][j] = r;
                    put(r, items.get(k).scoresChosen().get(j), k, true, all.get(k).chosen().get(j), scores, item, chosen, txt);
                }
                for (int j = 0; j < rejectedAt[k].length; j++, r++) {
                    rejectedAt[k][j] = r;
                    put(r, items.get(k).scoresRejected().get(j), k, false, all.get(k).rejected().get(j), scores, item, chosen, txt);
                }
            }
        } else {
            int pairs = items.size();
            for (int k = 0; k < pairs; k++) {
                chosenAt[k] = new int[]{k};
                rejectedAt[k] = new int[]{pairs + k};
                put(k, items.get(k).chosen(), k, true, all.get(k).chosen().getFirst(), scores, item, chosen, txt);
                put(pairs + k, items.get(k).rejected(), k, false, all.get(k).rejected().getFirst(), scores, item, chosen, txt);
            }
        }
        Map<String, double[]> values = new LinkedHashMap<>();
        for (Feature f : features) {
            if (values.containsKey(f.cliName())) continue;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = f.of(txt[i], tokenizer);
            values.put(f.cliName(), v);
        }
        return new AuditInput(List.copyOf(items), new ResponsePool(scores, item, chosen), values, layout, chosenAt, rejectedAt);
    }

    private static void put(int r, double score, int k, boolean side, String text, double[] scores, int[] item, boolean[] chosen, String[] txt) {
        scores[r] = score;
        item[r] = k;
        chosen[r] = side;
        txt[r] = text;
    }

    /** The same responses with one more feature (values per response in pool order), e.g. one derived from another. */
    public AuditInput withFeature(String name, double[] values) {
        if (values.length != pool.size())
            throw new IllegalArgumentException("feature '" + name + "' has " + values.length + " values for " + pool.size() + " responses");
        Map<String, double[]> f = new LinkedHashMap<>(features);
        f.put(name, values.clone());
        return new AuditInput(items, pool, f, layout, chosenAt, rejectedAt);
    }

    /**
     * The same responses with other scores (pool order), the items re-scored to match: a pair's result is 1 iff
     * chosen &gt; rejected, an item that had a result gets the best-of-N result, others none; other fields are kept.
     */
    public AuditInput withScores(double[] scores) {
        if (scores.length != pool.size()) throw new IllegalArgumentException(scores.length + " scores for " + pool.size() + " responses");
        List<ScoredItem> out = new ArrayList<>(items.size());
        for (int k = 0; k < items.size(); k++) {
            ScoredItem it = items.get(k);
            List<Double> c = pick(scores, chosenAt[k]), j = pick(scores, rejectedAt[k]);
            Double result = null;   // RM-Bench rows and RewardBench 2 Ties carry none
            if (c.size() == 1 && j.size() == 1) result = ScoredItem.pairResult(c.getFirst(), j.getFirst());
            else if (it.results() != null) result = ScoredItem.bestOfNResult(c, j);
            out.add(new ScoredItem(it.id(), it.subset(), it.model(), c, j, result, it.extra()));
        }
        return new AuditInput(List.copyOf(out), pool.withScores(scores.clone()), features, layout, chosenAt, rejectedAt);
    }

    private static List<Double> pick(double[] scores, int[] at) {
        List<Double> out = new ArrayList<>(at.length);
        for (int i : at) out.add(scores[i]);
        return out;
    }

    public List<ScoredItem> items() { return items; }

    /** Scores, owning item and side of every response, in the layout's order. */
    public ResponsePool pool() { return pool; }

    /** Feature values by name, each in pool order. */
    public Map<String, double[]> features() { return features; }

    /** One feature's values in pool order; an error naming the feature when it was not computed. */
    public double[] feature(String name) {
        double[] v = features.get(name);
        if (v == null) throw new IllegalArgumentException("no values for feature '" + name + "' (have " + features.keySet() + ")");
        return v;
    }

    public Layout layout() { return layout; }

    /** Pool positions of item k's chosen responses, in score order. */
    public int[] chosenAt(int k) { return chosenAt[k].clone(); }

    /** Pool positions of item k's rejected responses, in score order. */
    public int[] rejectedAt(int k) { return rejectedAt[k].clone(); }

    public int responses() { return pool.size(); }
}
