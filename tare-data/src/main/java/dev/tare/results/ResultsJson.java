package dev.tare.results;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** JSON mapping of {@link ScoredItem} shared by the results reader and writer (package-private helper). */
final class ResultsJson {
    /**
     * Accepts NaN/Infinity tokens so that they can be reported as a named-field error instead of a parse error;
     * otherwise as strict as {@link dev.tare.data.Jsonl#MAPPER} (duplicate keys and trailing content are errors).
     */
    static final ObjectMapper MAPPER = dev.tare.data.Jsonl.strict(JsonMapper.builder()).enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Pattern INT = Pattern.compile("0|-?[1-9][0-9]{0,17}");

    private ResultsJson() {}

    static ObjectNode toJson(ScoredItem it) {
        ObjectNode o = MAPPER.createObjectNode();
        if (INT.matcher(it.id()).matches()) o.put("id", Long.parseLong(it.id())); else o.put("id", it.id());
        o.put("subset", it.subset());
        if (it.model() != null) o.put("model", it.model());
        putScores(o, "scores_chosen", it.scoresChosen(), it.scoresRejected().size() <= 1 && it.scoresChosen().size() == 1);
        putScores(o, "scores_rejected", it.scoresRejected(), it.scoresRejected().size() == 1 && it.scoresChosen().size() == 1);
        if (it.results() == null) o.putNull("results"); else o.put("results", it.results());
        for (var e : it.extra().entrySet()) o.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
        return o;
    }

    private static void putScores(ObjectNode o, String field, List<Double> s, boolean scalar) {
        if (scalar) { o.put(field, s.get(0)); return; }
        var arr = o.putArray(field);
        for (double d : s) arr.add(d);
    }

    /** Maps one JSON object to an item; every problem names file, line and field. */
    static ScoredItem fromJson(Path file, long line, JsonNode n, String defaultId) {
        if (n == null || !n.isObject()) throw new DataFormatException(file, line, null, "expected a JSON object");
        String id = idOf(file, line, n.get("id"), defaultId);
        String subset = text(file, line, n, "subset", true);
        String model = text(file, line, n, "model", false);
        List<Double> sc = scores(file, line, n, "scores_chosen", true);
        List<Double> sr = scores(file, line, n, "scores_rejected", false);
        Double results = null;
        JsonNode r = n.get("results");
        if (r != null && !r.isNull()) {
            if (!r.isNumber() && !r.isBoolean()) throw new DataFormatException(file, line, "results", "expected a number, got " + r.getNodeType());
            results = r.isBoolean() ? (r.asBoolean() ? 1.0 : 0.0) : r.asDouble();
            if (!Double.isFinite(results)) throw new DataFormatException(file, line, "results", "not a finite number: " + r.asText());
            if (!isOutcome(results)) throw new DataFormatException(file, line, "results", r.asText()
                    + " is not a per-item outcome (0, 1, or 1/k for a tie among k at the top: 1/2, 1/3, ...)");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        var it = n.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (ScoredItem.CORE_FIELDS.contains(e.getKey())) continue;
            extra.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class));
        }
        return new ScoredItem(id, subset, model, sc, sr, results, extra);
    }

    /** 0, or 1/k for an integer k ≥ 1 (1 = right, 1/k = a k-way tie at the top, as {@link ScoredItem#bestOfNResult}). */
    static boolean isOutcome(double r) {
        if (r == 0) return true;
        if (!(r > 0 && r <= 1)) return false;
        double k = 1 / r;
        return Math.abs(k - Math.rint(k)) <= 1e-9 * k;
    }

    static String idOf(Path file, long line, JsonNode v, String defaultId) {
        if (v == null || v.isNull()) {
            if (defaultId != null) return defaultId;
            throw new DataFormatException(file, line, "id", "missing");
        }
        if (v.isIntegralNumber() || v.isTextual()) return v.asText();
        throw new DataFormatException(file, line, "id", "expected an integer or a string, got " + v.getNodeType());
    }

    static String text(Path file, long line, JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new DataFormatException(file, line, field, "missing");
            return null;
        }
        if (!v.isTextual()) throw new DataFormatException(file, line, field, "expected a string, got " + v.getNodeType());
        return v.asText();
    }

    /** A score field: a number, or a list whose elements are numbers or one-element lists ([x], as reward-bench writes). */
    static List<Double> scores(Path file, long line, JsonNode n, String field, boolean nonEmpty) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new DataFormatException(file, line, field, "missing");
        List<Double> out = new ArrayList<>();
        if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) out.add(score(file, line, field + "[" + i + "]", v.get(i), true));
        } else {
            out.add(score(file, line, field, v, true));
        }
        if (nonEmpty && out.isEmpty()) throw new DataFormatException(file, line, field, "empty score list");
        return out;
    }

    static double score(Path file, long line, String field, JsonNode v, boolean allowWrapped) {
        if (allowWrapped && v.isArray()) {
            if (v.size() != 1) throw new DataFormatException(file, line, field, "expected a number or a one-element list, got a list of " + v.size());
            return score(file, line, field, v.get(0), false);
        }
        if (!v.isNumber()) throw new DataFormatException(file, line, field, "expected a number, got " + v.getNodeType());
        double d = v.asDouble();
        if (!Double.isFinite(d)) throw new DataFormatException(file, line, field, "score is not finite (" + v.asText() + ")");
        return d;
    }
}
