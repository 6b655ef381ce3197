package dev.tare.results;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.tare.data.ResumableJsonl;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.List;

/**
 * Append-only per-example results file (JSON Lines, one {@link ScoredItem} per line) on the one resumable JSONL
 * file ({@link ResumableJsonl}): each line is one write, so a crash leaves at most one partial last line;
 * {@link #resume} cuts such a tail off and continues after the last complete item, read strictly as results.
 */
public final class ResultsWriter implements Closeable {
    private final ResumableJsonl out;
    private final List<ScoredItem> existing;

    private ResultsWriter(ResumableJsonl out, List<ScoredItem> existing) {
        this.out = out;
        this.existing = List.copyOf(existing);
    }

    /** Starts a new, empty results file (replacing any existing one). */
    public static ResultsWriter create(Path file) {
        return new ResultsWriter(ResumableJsonl.create(file), List.of());
    }

    /**
     * Opens {@code file} for appending after its complete lines (created if absent). A truncated last line
     * (crash mid-write) is removed; any other malformed line is an error. {@link #existing()} lists what was kept.
     */
    public static ResultsWriter resume(Path file) {
        ResumableJsonl j = ResumableJsonl.resume(file, ResultsJson.MAPPER);
        try {
            return new ResultsWriter(j, ResultsReader.items(file, j.existing()));
        } catch (RuntimeException e) {
            j.close();
            throw e;
        }
    }

    /** Items already in the file when it was resumed (empty for {@link #create}). */
    public List<ScoredItem> existing() { return existing; }

    public Path file() { return out.file(); }

    /** Appends one item as one line and hands it to the OS. */
    public void append(ScoredItem item) {
        String line;
        try {
            line = ResultsJson.MAPPER.writeValueAsString(ResultsJson.toJson(item));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + item.key() + ": " + e.getOriginalMessage(), e);
        }
        out.append(line);
    }

    /** Forces written lines to the storage device. */
    public void sync() { out.sync(); }

    @Override public void close() { out.close(); }

    /** Writes a complete results file all-or-nothing (temp file, then move). */
    public static void writeAll(Path file, List<ScoredItem> items) {
        dev.tare.data.AtomicFiles.writeText(file, w -> {
            for (ScoredItem it : items) {
                w.write(ResultsJson.MAPPER.writeValueAsString(ResultsJson.toJson(it)));
                w.write('\n');
            }
        });
    }
}
