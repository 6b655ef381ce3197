package dev.tare.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the RewardBench leaderboard's per-model files ({@code eval-set-scores/<org>/<model>.json} of
 * allenai/reward-bench-results) as {@link ScoredItem}s: either the column dict written by {@code Dataset.to_dict()}
 * (equal-length lists plus scalar {@code model}, {@code model_type}, {@code chat_template}) or the row form (a JSON
 * array of row objects). Scores may be floats or one-element lists; a missing {@code id} becomes the row index
 * (DPO files); the stored {@code results} must equal the strict chosen &gt; rejected rule. RewardBench 2 rows with a
 * {@code scores} list and {@code num_correct} are split into chosen/rejected. Errors name the 1-based row and, in the row form, the text line the row starts on.
 */
public final class LeaderboardResults {
    private static final Set<String> SCALARS = Set.of("model", "model_type", "chat_template", "ref_model");
    private static final Set<String> TEXT_EXTRAS = Set.of("text_chosen", "text_rejected", "prompt");

    private LeaderboardResults() {}

    /** Reads a leaderboard per-example file in column or row form. */
    public static List<ScoredItem> read(Path file) {
        ResultsFiles.Parsed parsed = ResultsFiles.parse(file);
        JsonNode root = parsed.root();
        if (root.isArray()) return parsed.eachRow((i, node) -> row(file, i, node, null));
        if (!root.isObject()) throw new DataFormatException(file, 0, null, "expected a JSON object (column dict) or an array of rows");
        ObjectNode obj = (ObjectNode) root;
        String lengthKey = obj.has("scores_chosen") ? "scores_chosen" : obj.has("scores") ? "scores" : null;
        if (lengthKey == null) throw new DataFormatException(file, 0, "scores_chosen", "missing (not a per-example scores file)");
        JsonNode lenCol = obj.get(lengthKey);
        if (!lenCol.isArray()) throw new DataFormatException(file, 0, lengthKey, "expected a list column, got " + lenCol.getNodeType());
        int n = lenCol.size();
        Map<String, JsonNode> columns = new LinkedHashMap<>();
        Map<String, JsonNode> scalars = new LinkedHashMap<>();
        var fields = obj.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            JsonNode v = e.getValue();
            if (v.isArray() && !SCALARS.contains(e.getKey())) {
                if (v.size() != n) throw new DataFormatException(file, 0, e.getKey(), "column has " + v.size() + " entries, '" + lengthKey + "' has " + n);
                columns.put(e.getKey(), v);
            } else {
                scalars.put(e.getKey(), v);
            }
        }
        List<ScoredItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ObjectNode r = ResultsJson.MAPPER.createObjectNode();
            for (var c : columns.entrySet()) r.set(c.getKey(), c.getValue().get(i));
            try {
                out.add(row(file, i, r, scalars));
            } catch (DataFormatException e) {
                throw e.atRow(i + 1, 0);   // column form: row i is the i-th entry of every column, no single text line
            }
        }
        return out;
    }

    private static ScoredItem row(Path file, int index, JsonNode r, Map<String, JsonNode> scalars) {
        long rowNo = index + 1L;
        if (!r.isObject()) throw new DataFormatException(file, rowNo, null, "expected a row object");
        String model = null;
        Map<String, Object> extra = new LinkedHashMap<>();
        if (scalars != null) {
            JsonNode m = scalars.get("model");
            if (m != null && m.isTextual()) model = m.asText();
            for (String k : List.of("model_type", "chat_template", "ref_model")) {
                JsonNode v = scalars.get(k);
                if (v != null && v.isTextual()) extra.put(k, v.asText());
            }
        }
        JsonNode rm = r.get("model");
        if (rm != null && rm.isTextual()) model = rm.asText();
        String id = ResultsJson.idOf(file, rowNo, r.get("id"), Integer.toString(index));
        String subset = ResultsJson.text(file, rowNo, r, "subset", true);
        List<Double> chosen;
        List<Double> rejected;
        Double results;
        if (r.has("scores_chosen")) {
            chosen = ResultsJson.scores(file, rowNo, r, "scores_chosen", true);
            rejected = ResultsJson.scores(file, rowNo, r, "scores_rejected", true);
            if (chosen.size() == 1 && rejected.size() == 1) {
                results = ScoredItem.pairResult(chosen.get(0), rejected.get(0));
                JsonNode stored = r.get("results");
                if (stored != null && !stored.isNull()) {
                    double s = ResultsJson.score(file, rowNo, "results", stored, true);
                    if (s != results) throw new DataFormatException(file, rowNo, "results",
                            "stored result " + s + " disagrees with scores (chosen " + chosen.get(0) + ", rejected " + rejected.get(0) + ", strict >)");
                }
            } else {
                results = ScoredItem.bestOfNResult(chosen, rejected);
            }
        } else {
            List<Double> all = ResultsJson.scores(file, rowNo, r, "scores", true);
            JsonNode nc = r.get("num_correct");
            if (nc == null || !nc.canConvertToInt()) throw new DataFormatException(file, rowNo, "num_correct", "missing or not an integer (needed to split 'scores')");
            int k = nc.asInt();
            if (k < 1 || k >= all.size()) throw new DataFormatException(file, rowNo, "num_correct", k + " is out of range for " + all.size() + " scores");
            chosen = all.subList(0, k);
            rejected = all.subList(k, all.size());
            results = "Ties".equalsIgnoreCase(subset) ? null : ScoredItem.bestOfNResult(chosen, rejected);
        }
        for (String k : TEXT_EXTRAS) {
            JsonNode v = r.get(k);
            if (v != null && !v.isNull()) extra.put(k, ResultsJson.MAPPER.convertValue(v, Object.class));
        }
        return new ScoredItem(id, subset, model, chosen, rejected, results, extra);
    }

}
