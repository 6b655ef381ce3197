package dev.tare.eval;

import dev.tare.data.DataFormatException;
import dev.tare.runtime.model.ObjectiveScores;
import dev.tare.results.ScoredItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a results line carries a gated multi-objective head's breakdown: extra field {@code objectives} =
 * {@code {"chosen": [{"rewards": [...], "gating": [...], "coefficients": [...], "score": x}, ...], "rejected": [...]}}
 * (one entry per response, in the order of scores_chosen / scores_rejected), and {@code objective_names} (the head's
 * objective names, recorded like the other scorer settings).
 */
public final class ObjectiveColumns {
    /** The extra field holding the per-response breakdowns. */
    public static final String FIELD = "objectives";
    /** The extra field holding the objective names. */
    public static final String NAMES = "objective_names";

    private ObjectiveColumns() {}

    /** One item's breakdowns, chosen and rejected responses in results order. */
    public record Item(List<ObjectiveScores> chosen, List<ObjectiveScores> rejected) {
        public Item {
            chosen = List.copyOf(chosen);
            rejected = List.copyOf(rejected);
        }
    }

    /** The extra value for one item. */
    static Map<String, Object> toExtra(List<ObjectiveScores> chosen, List<ObjectiveScores> rejected) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chosen", chosen.stream().map(ObjectiveColumns::one).toList());
        m.put("rejected", rejected.stream().map(ObjectiveColumns::one).toList());
        return m;
    }

    private static Map<String, Object> one(ObjectiveScores s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rewards", floats(s.rewards()));
        m.put("gating", floats(s.gating()));
        m.put("coefficients", floats(s.coefficients()));
        m.put("score", s.score());
        return m;
    }

    private static List<Float> floats(float[] a) {
        List<Float> r = new ArrayList<>(a.length);
        for (float f : a) r.add(f);
        return r;
    }

    /** The objective names a line records, or null when it has none. */
    public static List<String> names(Path file, ScoredItem it) {
        Object v = it.extra().get(NAMES);
        if (v == null) return null;
        if (!(v instanceof List<?> l) || !l.stream().allMatch(String.class::isInstance))
            throw new DataFormatException(file, 0, NAMES, "item " + it.key() + ": expected a list of names, got " + v);
        return l.stream().map(String.class::cast).toList();
    }

    /**
     * The breakdowns a line carries, or null when it has none; a malformed one (wrong shape, count or length) is an
     * error naming the file, item and field.
     */
    public static Item read(Path file, ScoredItem it, int objectives) {
        Object v = it.extra().get(FIELD);
        if (v == null) return null;
        if (!(v instanceof Map<?, ?> m)) throw bad(file, it, FIELD, "expected an object with chosen and rejected, got " + v);
        return new Item(side(file, it, m.get("chosen"), "chosen", it.scoresChosen().size(), objectives),
                side(file, it, m.get("rejected"), "rejected", it.scoresRejected().size(), objectives));
    }

    private static List<ObjectiveScores> side(Path file, ScoredItem it, Object v, String side, int count, int n) {
        String f = FIELD + "." + side;
        if (!(v instanceof List<?> l)) throw bad(file, it, f, "expected a list, got " + v);
        if (l.size() != count) throw bad(file, it, f, l.size() + " entries for " + count + " scores_" + side);
        List<ObjectiveScores> r = new ArrayList<>(count);
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof Map<?, ?> e)) throw bad(file, it, f + "[" + i + "]", "expected an object, got " + l.get(i));
            String at = f + "[" + i + "]";
            Object sc = e.get("score");
            if (!(sc instanceof Number num)) throw bad(file, it, at + ".score", "expected a number, got " + sc);
            r.add(new ObjectiveScores(vec(file, it, e.get("rewards"), at + ".rewards", n), vec(file, it, e.get("gating"), at + ".gating", n),
                    vec(file, it, e.get("coefficients"), at + ".coefficients", n), num.floatValue()));
        }
        return r;
    }

    private static float[] vec(Path file, ScoredItem it, Object v, String field, int n) {
        if (!(v instanceof List<?> l)) throw bad(file, it, field, "expected a list of numbers, got " + v);
        if (l.size() != n) throw bad(file, it, field, l.size() + " values for " + n + " objectives");
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            if (!(l.get(i) instanceof Number x) || !Double.isFinite(x.doubleValue())) throw bad(file, it, field + "[" + i + "]", "not a finite number: " + l.get(i));
            r[i] = x.floatValue();
        }
        return r;
    }

    private static DataFormatException bad(Path file, ScoredItem it, String field, String problem) {
        return new DataFormatException(file, 0, field, "item " + it.key() + ": " + problem);
    }
}
