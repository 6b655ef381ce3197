package dev.tare.results;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads RM-Bench's own result files ({@code scripts/run_rm.py} output: a JSON array of the input items plus
 * {@code score_chosen} and {@code score_rejected}, 3 scores each in the order concise, detailed, markdown). {@code id}
 * defaults to the row index; {@code domain} is the row's field or, for the per-domain outputs of run_rm.py
 * ({@code chat_filtered_<model>_...json}), the domain the file name starts with.
 */
public final class RmBenchNativeResults {
    private RmBenchNativeResults() {}

    public static List<ScoredItem> read(Path file) {
        ResultsFiles.Parsed parsed = ResultsFiles.parse(file);
        JsonNode root = parsed.root();
        if (!root.isArray()) throw new DataFormatException(file, 0, null, "expected a JSON array of RM-Bench result items");
        String fileDomain = domainFromFileName(file);
        return parsed.eachRow((i, node) -> item(file, i, node, fileDomain));
    }

    private static ScoredItem item(Path file, int i, JsonNode r, String fileDomain) {
        long row = i + 1L;
        if (!r.isObject()) throw new DataFormatException(file, row, null, "expected an object");
        List<Double> c = ResultsJson.scores(file, row, r, "score_chosen", true);
        List<Double> rj = ResultsJson.scores(file, row, r, "score_rejected", true);
        if (c.size() != 3) throw new DataFormatException(file, row, "score_chosen", "has " + c.size() + " scores, expected 3");
        if (rj.size() != 3) throw new DataFormatException(file, row, "score_rejected", "has " + rj.size() + " scores, expected 3");
        String id = ResultsJson.idOf(file, row, r.get("id"), Integer.toString(i));
        String domain = ResultsJson.text(file, row, r, "domain", false);
        if (domain == null) domain = fileDomain;
        String subset = ResultsJson.text(file, row, r, "subset", false);
        Map<String, Object> extra = new LinkedHashMap<>();
        if (domain != null) extra.put("domain", domain);
        return new ScoredItem(id, subset != null ? subset : domain != null ? domain : "rm-bench", null, c, rj, null, extra);
    }

    /** The RM-Bench domain a file name starts with (longest match), or null. */
    static String domainFromFileName(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String best = null;
        for (String d : List.of("chat", "math", "code", "safety-refuse", "safety-response"))
            if (n.startsWith(d) && (best == null || d.length() > best.length())) best = d;
        return best;
    }
}
