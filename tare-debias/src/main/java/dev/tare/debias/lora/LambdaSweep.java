package dev.tare.debias.lora;

import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Chooses the bias-LoRA subtraction strength λ: items are split (seeded) into a selection part and a held-out
 * part; λ is picked on the selection part by a stated rule (default: maximise Hard accuracy subject to at most
 * 1 point loss of Normal accuracy against λ = 0, or against the base model's own scores), and every λ is reported
 * on the held-out part.
 */
public final class LambdaSweep {
    /** Item keys of the two parts. */
    public record Split(Set<String> selection, Set<String> heldOut, long seed, double selectionFraction) {}

    /** Benchmark metrics of a set of scored items, in percent, by name (e.g. "hard", "normal", "chat/hard"). */
    @FunctionalInterface
    public interface Metric { Map<String, Double> compute(List<ScoredItem> items); }

    /** Which scores the constraint's reference value comes from. */
    public enum Reference {
        /** The sweep's own λ = 0 row (with PEFT's adapter head this is base body + adapter head, not the base model). */
        LAMBDA0,
        /** The real base model (base body + base head), scored separately. */
        BASE;

        public String label() { return this == LAMBDA0 ? "lambda0" : "base"; }

        public static Reference parse(String s) {
            return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "lambda0", "lambda=0", "0" -> LAMBDA0;
                case "base" -> BASE;
                default -> throw new IllegalArgumentException("reference must be lambda0 or base, got '" + s + "'");
            };
        }
    }

    /** maximise {@code objective} subject to {@code constrained} ≥ its {@code reference} value − {@code maxLossPoints}. */
    public record Rule(String objective, String constrained, double maxLossPoints, Reference reference) {
        public Rule {
            if (reference == null) throw new IllegalArgumentException("rule reference is null");
        }

        /** The rule against the λ = 0 row. */
        public Rule(String objective, String constrained, double maxLossPoints) { this(objective, constrained, maxLossPoints, Reference.LAMBDA0); }

        public static Rule defaults() { return new Rule("hard", "normal", 1.0); }

        public Rule withReference(Reference r) { return new Rule(objective, constrained, maxLossPoints, r); }

        public String describe() {
            return "maximise " + objective + " on the selection part subject to " + constrained + " >= its "
                    + (reference == Reference.BASE ? "base-model (base body + base head)" : "lambda=0") + " value - "
                    + maxLossPoints + " points; ties go to the smallest |lambda|";
        }
    }

    /** What a row of the table measures. */
    public enum Kind {
        /** The adapter at signed strength {@code lambda}, read through the sweep's head. */
        LAMBDA,
        /** The real base model: the adapter off (λ = 0) read through the base model's own head. Never a candidate. */
        BASE_MODEL
    }

    /**
     * One row: metrics on both parts, and whether it meets the rule's constraint ({@code eligible}; only
     * {@link Kind#LAMBDA} rows can be chosen). A {@link Kind#BASE_MODEL} row has {@code lambda} 0 (the adapter off).
     */
    public record Row(Kind kind, double lambda, Map<String, Double> selection, Map<String, Double> heldOut, boolean eligible) {
        public Row {
            if (!Double.isFinite(lambda)) throw new IllegalArgumentException("row lambda must be finite, got " + lambda);
            if (kind == Kind.BASE_MODEL && lambda != 0.0) throw new IllegalArgumentException("the base model row is the adapter off (lambda 0), got " + lambda);
        }

        public boolean isBaseModel() { return kind == Kind.BASE_MODEL; }
    }

    /**
     * The sweep table and the choice. {@code rows} are the λ rows in λ order; {@code base} is the base model's row
     * ({@link Kind#BASE_MODEL}) when base scores were given, else null; {@code noneEligible} is true when no λ met
     * the constraint (then λ = 0 is returned as the choice).
     */
    public record Result(List<Row> rows, double chosen, Rule rule, Split split, Row base, boolean noneEligible) {
        public Row chosenRow() { return rows.stream().filter(r -> r.lambda() == chosen).findFirst().orElseThrow(); }
    }

    private LambdaSweep() {}

    /** Seeded split of the distinct keys; the same keys and seed give the same split whatever their order. */
    public static Split split(List<String> keys, double selectionFraction, long seed) {
        if (!(selectionFraction > 0 && selectionFraction < 1)) throw new IllegalArgumentException("selection fraction must be in (0,1)");
        List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(keys));
        Collections.shuffle(sorted, new Random(seed));
        int k = (int) Math.round(sorted.size() * selectionFraction);
        if (k == 0 || k == sorted.size()) throw new IllegalArgumentException("too few items (" + sorted.size() + ") to split");
        return new Split(Set.copyOf(sorted.subList(0, k)), Set.copyOf(sorted.subList(k, sorted.size())), seed, selectionFraction);
    }

    public static Result run(Map<Double, List<ScoredItem>> byLambda, Function<ScoredItem, String> key, Split split,
                             Metric metric, Rule rule) {
        return run(byLambda, null, key, split, metric, rule);
    }

    /**
     * The sweep with the base model's own scores ({@code baseItems}, may be null unless the rule's reference is
     * {@link Reference#BASE}) reported as a separate row.
     */
    public static Result run(Map<Double, List<ScoredItem>> byLambda, List<ScoredItem> baseItems, Function<ScoredItem, String> key,
                             Split split, Metric metric, Rule rule) {
        if (!byLambda.containsKey(0.0)) throw new IllegalArgumentException("the sweep must include lambda = 0 (the reference for the rule)");
        if (rule.reference() == Reference.BASE && baseItems == null)
            throw new IllegalArgumentException("the rule's reference is the base model but no base-model scores were given");
        TreeMap<Double, List<ScoredItem>> ordered = new TreeMap<>(byLambda);
        Map<Double, Map<String, Double>> sel = new LinkedHashMap<>();
        Map<Double, Map<String, Double>> held = new LinkedHashMap<>();
        for (var e : ordered.entrySet()) {
            List<List<ScoredItem>> parts = parts(e.getValue(), key, split, "lambda " + e.getKey());
            sel.put(e.getKey(), metric.compute(parts.get(0)));
            held.put(e.getKey(), metric.compute(parts.get(1)));
        }
        Map<String, Double> baseSel = null, baseHeld = null;
        if (baseItems != null) {
            List<List<ScoredItem>> parts = parts(baseItems, key, split, "the base model");
            baseSel = metric.compute(parts.get(0));
            baseHeld = metric.compute(parts.get(1));
        }
        double ref = need(rule.reference() == Reference.BASE ? baseSel : sel.get(0.0), rule.constrained());
        List<Row> rows = new ArrayList<>();
        for (double l : ordered.keySet()) rows.add(new Row(Kind.LAMBDA, l, sel.get(l), held.get(l), meets(sel.get(l), ref, rule)));
        Row baseRow = baseSel == null ? null : new Row(Kind.BASE_MODEL, 0.0, baseSel, baseHeld, meets(baseSel, ref, rule));
        var best = rows.stream().filter(Row::eligible)
                .max(Comparator.<Row>comparingDouble(r -> need(r.selection(), rule.objective()))
                        .thenComparing(r -> -Math.abs(r.lambda()))
                        .thenComparing(r -> -r.lambda()));
        // against lambda 0 itself, lambda 0 is always eligible; against the base model none may be
        return new Result(rows, best.map(Row::lambda).orElse(0.0), rule, split, baseRow, best.isEmpty());
    }

    private static boolean meets(Map<String, Double> selection, double ref, Rule rule) {
        return need(selection, rule.constrained()) >= ref - rule.maxLossPoints() - 1e-9;
    }

    private static List<List<ScoredItem>> parts(List<ScoredItem> items, Function<ScoredItem, String> key, Split split, String what) {
        List<ScoredItem> s = new ArrayList<>(), h = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ScoredItem it : items) {
            String k = key.apply(it);
            if (!seen.add(k)) throw new IllegalArgumentException("duplicate item key " + k + " at " + what);
            if (split.selection().contains(k)) s.add(it);
            else if (split.heldOut().contains(k)) h.add(it);
            else throw new IllegalArgumentException("item " + k + " (" + what + ") is in neither part of the split");
        }
        return List.of(s, h);
    }

    private static double need(Map<String, Double> m, String name) {
        Double v = m.get(name);
        if (v == null) throw new IllegalArgumentException("metric '" + name + "' not computed (have " + m.keySet() + ")");
        return v;
    }
}
