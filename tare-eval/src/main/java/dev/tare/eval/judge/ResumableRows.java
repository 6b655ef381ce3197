package dev.tare.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;
import dev.tare.data.ResumableJsonl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A per-example JSONL results file of judge rows written one line per item in dataset order, on the one resumable
 * JSONL file ({@link ResumableJsonl}): on resume a torn last line is cut off, the rows already there must carry the
 * dataset's first ids in order (field {@code id}), and writing continues after them. Each appended batch is synced.
 */
public final class ResumableRows implements AutoCloseable {
    private final ResumableJsonl out;
    private final List<JsonNode> existing;

    private ResumableRows(ResumableJsonl out, List<JsonNode> existing) {
        this.out = out;
        this.existing = existing;
    }

    /** Opens {@code file}; without {@code resume} it must be absent or empty. {@code ids} is the dataset order. */
    public static ResumableRows open(Path file, boolean resume, List<String> ids) {
        try {
            if (!resume && Files.exists(file) && Files.size(file) > 0)
                throw new IllegalStateException(file + " already exists; pass --resume to continue it, or remove it");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        ResumableJsonl j = resume ? ResumableJsonl.resume(file, Jsonl.MAPPER) : ResumableJsonl.create(file);
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (ResumableJsonl.Line l : j.existing()) {
                int i = rows.size();
                String id = l.node().path("id").asText(null);
                if (i >= ids.size() || !ids.get(i).equals(id))
                    throw new DataFormatException(file, l.lineNo(), "id", "row " + (i + 1) + " is '" + id + "' but the dataset's item "
                            + (i + 1) + " is '" + (i < ids.size() ? ids.get(i) : "(none)") + "': not a run of this dataset (same --data, --limit?)");
                rows.add(l.node());
            }
            return new ResumableRows(j, List.copyOf(rows));
        } catch (RuntimeException e) {
            j.close();
            throw e;
        }
    }

    /** Rows found on open (resumed). */
    public List<JsonNode> existing() { return existing; }

    /** Appends rows (each one line) and syncs. */
    public void append(List<ObjectNode> rows) {
        for (ObjectNode r : rows) out.append(r.toString());
        out.sync();
    }

    /** All rows of a finished file. */
    public static List<JsonNode> readAll(Path file) {
        return Jsonl.read(file, (line, node) -> node);
    }

    @Override public void close() { out.close(); }
}
