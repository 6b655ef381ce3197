package dev.tare.metrics.rmbench;

import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * RM-Bench scoring as in THU-KEG/RM-Bench {@code compute_accuracy}: items are pooled per domain group by the prefix of
 * their {@code domain} (safety-refuse + safety-response = safety), each group gets its {@link StyleMatrix} and
 * score = mean(Hard, Normal, Easy); overall = unweighted means over the groups. Items need 3 chosen and 3 rejected
 * scores. When no item has a domain (RM-Bench's published per-model {@code results.json}), all items are scored as one
 * set, as {@code compute_accuracy} does for rows without a {@code domain} field: the report is then {@code pooled}, with
 * one entry named {@value #POOLED}; a file where only some items have a domain is an error. Bootstrap intervals
 * resample items (within the domain, or all items for overall).
 */
public final class RmBenchMetrics {
    private RmBenchMetrics() {}

    /** The name of the single entry of a pooled report (items without a domain). */
    public static final String POOLED = "pooled";

    public static RmBenchScores compute(List<ScoredItem> items, Bootstrap bootstrap) {
        if (items.isEmpty()) throw new IllegalArgumentException("no items to score");
        long withDomain = items.stream().filter(it -> it.domain() != null).count();
        if (withDomain == 0) return computePooled(items, bootstrap);
        if (withDomain < items.size()) {
            ScoredItem first = items.stream().filter(it -> it.domain() == null).findFirst().orElseThrow();
            throw new IllegalArgumentException((items.size() - withDomain) + " of " + items.size() + " items have no 'domain' (first: "
                    + first.key() + "): RM-Bench scores either per domain (every item has one of chat, math, code, safety-refuse, "
                    + "safety-response) or all items pooled (no item has one)");
        }
        Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
        for (String g : RmBenchReader.DOMAIN_GROUPS) byGroup.put(g, new ArrayList<>());
        List<double[]> chosen = new ArrayList<>();
        List<double[]> rejected = new ArrayList<>();
        int ties = 0;
        int[] groupOf = new int[items.size()];
        List<String> groupNames = new ArrayList<>(byGroup.keySet());
        for (int k = 0; k < items.size(); k++) {
            ScoredItem it = items.get(k);
            double[][] cr = styleScores(it);
            String domain = it.domain();
            String group = RmBenchReader.group(domain);
            if (!byGroup.containsKey(group)) throw new IllegalArgumentException("item " + it.key() + ": unknown RM-Bench domain '" + domain + "'");
            byGroup.get(group).add(k);
            groupOf[k] = groupNames.indexOf(group);
            double[] c = cr[0];
            double[] r = cr[1];
            chosen.add(c);
            rejected.add(r);
            for (double x : c) for (double y : r) if (x == y) ties++;
        }
        List<RmBenchScores.Domain> domains = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<Integer> presentGroups = new ArrayList<>();
        for (int g = 0; g < groupNames.size(); g++) {
            List<Integer> idx = byGroup.get(groupNames.get(g));
            if (idx.isEmpty()) { missing.add(groupNames.get(g)); continue; }
            presentGroups.add(g);
            List<double[]> c = idx.stream().map(chosen::get).toList();
            List<double[]> r = idx.stream().map(rejected::get).toList();
            StyleMatrix m = StyleMatrix.of(c, r);
            domains.add(new RmBenchScores.Domain(groupNames.get(g), idx.size(), m.m(),
                    ci(bootstrap, c, r, StyleMatrix::hard), ci(bootstrap, c, r, StyleMatrix::normal),
                    ci(bootstrap, c, r, StyleMatrix::easy), ci(bootstrap, c, r, StyleMatrix::average)));
        }
        int n = items.size();
        Interval hard = overall(bootstrap, n, chosen, rejected, groupOf, presentGroups, StyleMatrix::hard);
        Interval normal = overall(bootstrap, n, chosen, rejected, groupOf, presentGroups, StyleMatrix::normal);
        Interval easy = overall(bootstrap, n, chosen, rejected, groupOf, presentGroups, StyleMatrix::easy);
        Interval score = overall(bootstrap, n, chosen, rejected, groupOf, presentGroups, StyleMatrix::average);
        return new RmBenchScores(items.get(0).model(), n, ties, domains, hard, normal, easy, score, missing.isEmpty(), missing, false);
    }

    /** All items as one set (RM-Bench's compute_accuracy on rows without a domain): one entry, the overall equals it. */
    private static RmBenchScores computePooled(List<ScoredItem> items, Bootstrap bootstrap) {
        List<double[]> c = new ArrayList<>(items.size());
        List<double[]> r = new ArrayList<>(items.size());
        int ties = 0;
        for (ScoredItem it : items) {
            double[][] cr = styleScores(it);
            c.add(cr[0]);
            r.add(cr[1]);
            for (double x : cr[0]) for (double y : cr[1]) if (x == y) ties++;
        }
        StyleMatrix m = StyleMatrix.of(c, r);
        Interval hard = ci(bootstrap, c, r, StyleMatrix::hard), normal = ci(bootstrap, c, r, StyleMatrix::normal),
                easy = ci(bootstrap, c, r, StyleMatrix::easy), score = ci(bootstrap, c, r, StyleMatrix::average);
        var pooled = new RmBenchScores.Domain(POOLED, items.size(), m.m(), hard, normal, easy, score);
        return new RmBenchScores(items.get(0).model(), items.size(), ties, List.of(pooled), hard, normal, easy, score, false, List.of(), true);
    }

    /** {chosen[3], rejected[3]} of an item, or an error naming it. */
    private static double[][] styleScores(ScoredItem it) {
        if (it.scoresChosen().size() != 3 || it.scoresRejected().size() != 3)
            throw new IllegalArgumentException("item " + it.key() + " has " + it.scoresChosen().size() + " chosen and "
                    + it.scoresRejected().size() + " rejected scores; RM-Bench needs 3 + 3 (concise, detailed, markdown)");
        return new double[][]{it.scoresChosen().stream().mapToDouble(Double::doubleValue).toArray(),
                it.scoresRejected().stream().mapToDouble(Double::doubleValue).toArray()};
    }

    /** The matrix of all given items pooled (not the official overall, which averages per domain). */
    public static StyleMatrix pooled(List<ScoredItem> items) {
        List<double[]> c = new ArrayList<>();
        List<double[]> r = new ArrayList<>();
        for (ScoredItem it : items) {
            c.add(it.scoresChosen().stream().mapToDouble(Double::doubleValue).toArray());
            r.add(it.scoresRejected().stream().mapToDouble(Double::doubleValue).toArray());
        }
        return StyleMatrix.of(c, r);
    }

    private static Interval ci(Bootstrap b, List<double[]> c, List<double[]> r, ToDoubleFunction<StyleMatrix> f) {
        return b.interval(c.size(), idx -> {
            List<double[]> dc = new ArrayList<>(idx.length);
            List<double[]> dr = new ArrayList<>(idx.length);
            for (int i : idx) { dc.add(c.get(i)); dr.add(r.get(i)); }
            return f.applyAsDouble(StyleMatrix.of(dc, dr));
        });
    }

    private static Interval overall(Bootstrap b, int n, List<double[]> c, List<double[]> r, int[] groupOf,
                                    List<Integer> groups, ToDoubleFunction<StyleMatrix> f) {
        return b.interval(n, idx -> {
            Map<Integer, List<double[]>> dc = new LinkedHashMap<>();
            Map<Integer, List<double[]>> dr = new LinkedHashMap<>();
            for (int i : idx) {
                dc.computeIfAbsent(groupOf[i], k -> new ArrayList<>()).add(c.get(i));
                dr.computeIfAbsent(groupOf[i], k -> new ArrayList<>()).add(r.get(i));
            }
            double s = 0;
            for (int g : groups) {
                if (!dc.containsKey(g)) return Double.NaN;
                s += f.applyAsDouble(StyleMatrix.of(dc.get(g), dr.get(g)));
            }
            return s / groups.size();
        });
    }
}
