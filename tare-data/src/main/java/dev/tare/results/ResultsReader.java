package dev.tare.results;

import dev.tare.data.DataFormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads per-example results files written by {@link ResultsWriter} (JSON Lines of {@link ScoredItem}).
 * Strict: UTF-8 only, every malformed line or field is a {@link DataFormatException} naming file, line and field;
 * NaN/Infinity scores are errors; a (domain, subset, id) key seen twice is an error.
 */
public final class ResultsReader {
    private ResultsReader() {}

    /** What a resumable run finds: the complete items, the byte length they occupy, and whether a partial tail was dropped. */
    public record Resumed(List<ScoredItem> items, long validBytes, boolean truncatedTail) {}

    /** Reads every line; any malformed line (including a truncated last one) is an error. */
    public static List<ScoredItem> read(Path file) {
        return parse(file, false).items();
    }

    /**
     * Reads for resuming: a last line that has no terminating newline and does not parse is treated as a write cut
     * short by a crash and dropped (reported via {@link Resumed#truncatedTail()}); other errors still throw.
     */
    public static Resumed readForResume(Path file) {
        return parse(file, true);
    }

    private static Resumed parse(Path file, boolean tolerateTail) {
        var prefix = dev.tare.data.ResumableJsonl.readPrefix(file, ResultsJson.MAPPER, tolerateTail);
        return new Resumed(items(file, prefix.lines()), prefix.validBytes(), prefix.truncatedTail());
    }

    /** The results items of complete JSONL lines (strict fields; a (domain, subset, id) key twice is an error). */
    static List<ScoredItem> items(Path file, List<dev.tare.data.ResumableJsonl.Line> lines) {
        List<ScoredItem> items = new ArrayList<>();
        Map<ScoredItem.Key, Long> seen = new HashMap<>();
        for (var line : lines) {
            ScoredItem it = ResultsJson.fromJson(file, line.lineNo(), line.node(), null);
            Long prev = seen.put(it.key(), line.lineNo());
            if (prev != null) throw new DataFormatException(file, line.lineNo(), "id", "duplicate item " + it.key() + " (first on line " + prev + ")");
            items.add(it);
        }
        return List.copyOf(items);
    }
}
