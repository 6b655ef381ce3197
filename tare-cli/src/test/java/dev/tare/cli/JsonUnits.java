package dev.tare.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks tare's one unit convention on a JSON summary (dev.tare.metrics.Units): the top level says
 * {@code "units": "fraction"}, and every number named like a rate, accuracy or score lies in [0, 1] (a bias score such
 * as BBQ's s_amb in [-1, 1]); correlations and counts are not checked. A number is checked when its own key is such a
 * name, when it is the value / lo / hi of an interval object under such a name, an element of an array (e.g. a ci95
 * pair, a matrix row) under such a name, or a direct child of a per-part object (parts, sections, categories, ...).
 */
public final class JsonUnits {
    /** Rates, accuracies and scores: [0, 1]. */
    private static final Pattern RATE = Pattern.compile(
            "(?i).*(rate|accurac|acc_|score|consisten|share|hard|normal|easy|overall|category_mean|abstain|wins|baseline|matrix|average).*");
    /** Signed bias scores: [-1, 1]. */
    private static final Pattern SIGNED = Pattern.compile("(?i)(s_amb|s_dis|acc_gap.*|commit_bias.*)");
    /** Named like a score but not one: counts, labels, rewards, correlations. */
    private static final Pattern NOT_A_RATE = Pattern.compile(
            "(?i)(inconsistent|.*(mismatch|verdicts|label|token|spearman|kendall|reward|_n$|^n$|pairs|items|count|ties|tied|seconds).*)");
    /** Objects whose direct numeric (or interval) children are per-part scores. */
    private static final Set<String> PARTS = Set.of("parts", "sections", "categories", "subsets", "ci95", "selection", "held_out");
    private static final Set<String> BOUNDS = Set.of("value", "lo", "hi");

    private JsonUnits() {}

    /** The summary says {@code "units": "fraction"} and every rate-like number in it is a fraction; returns how many were checked. */
    public static int assertFractions(JsonNode summary, String what) {
        assertTrue(summary != null && summary.isObject(), what + ": not a JSON object");
        assertEquals("fraction", summary.path("units").asText(null), what + ": top-level \"units\": \"fraction\" missing");
        List<String> bad = new ArrayList<>();
        int[] checked = {0};
        walk(summary, "", null, bad, checked);
        if (!bad.isEmpty()) fail(what + ": numbers outside their fraction range (percent?): " + bad);
        return checked[0];
    }

    private static void walk(JsonNode n, String path, String scoreKey, List<String> bad, int[] checked) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                String k = e.getKey(), p = path + "/" + k;
                JsonNode v = e.getValue();
                String own = ratey(k) ? k : null;
                if (v.isNumber()) {
                    String name = own != null ? own : BOUNDS.contains(k) ? scoreKey : PARTS.contains(lastKey(path)) ? lastKey(path) : null;
                    if (name != null) check(name, v.asDouble(), p, bad, checked);
                } else if (v.isArray()) {
                    String name = own != null ? own : PARTS.contains(lastKey(path)) ? lastKey(path) : null;
                    walkArray(v, p, name, bad, checked);
                } else if (v.isObject()) {
                    // an interval object {value, lo, hi} takes its name from its key, or from a per-part parent
                    String name = own != null ? own : PARTS.contains(lastKey(path)) && v.has("value") ? lastKey(path) : null;
                    walk(v, p, name, bad, checked);
                }
            }
        } else if (n.isArray()) {
            walkArray(n, path, scoreKey, bad, checked);
        }
    }

    private static void walkArray(JsonNode a, String path, String name, List<String> bad, int[] checked) {
        for (int i = 0; i < a.size(); i++) {
            JsonNode x = a.get(i);
            if (x.isNumber()) { if (name != null) check(name, x.asDouble(), path + "[" + i + "]", bad, checked); }
            else if (x.isArray()) walkArray(x, path + "[" + i + "]", name, bad, checked);
            else if (x.isObject()) walk(x, path + "[" + i + "]", name, bad, checked);
        }
    }

    private static boolean ratey(String k) { return (RATE.matcher(k).matches() || SIGNED.matcher(k).matches()) && !NOT_A_RATE.matcher(k).matches(); }

    private static String lastKey(String path) { return path.substring(path.lastIndexOf('/') + 1); }

    private static void check(String name, double v, String path, List<String> bad, int[] checked) {
        checked[0]++;
        double lo = SIGNED.matcher(name).matches() ? -1 : 0;
        if (!(v >= lo - 1e-12 && v <= 1 + 1e-12)) bad.add(path + "=" + v);
    }
}
