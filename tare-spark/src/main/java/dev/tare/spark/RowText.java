package dev.tare.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.data.pairs.RowSource;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of the input as JSON text and its 0-based row position among all rows. For JSONL ({@code parquetFile} null)
 * {@code line} is the row's 1-based line in the input; for Parquet, {@code parquetFile} is the file the row is in (as
 * Spark names it) and {@code line} its 1-based row number in that file, and the text is the row's columns as one JSON
 * object, null columns included as nulls.
 */
public record RowText(long line, long position, String text, String parquetFile) implements Serializable {
    /** A JSONL line. */
    public RowText(long line, long position, String text) { this(line, position, text, null); }

    /** The file errors name: the input (JSONL) or the row's Parquet file, as a local path where it is one. */
    public Path file(String input) {
        if (parquetFile == null) return Path.of(input.replaceFirst("^file:", ""));
        if (parquetFile.startsWith("file:")) {
            try {
                return Path.of(new java.net.URI(parquetFile));
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return Path.of(parquetFile.replaceFirst("^file:", ""));
            }
        }
        return Path.of(parquetFile);
    }

    /**
     * The row as the benchmark's item, read strictly as tare's readers do (errors name the file, the line or Parquet
     * row, and the field; a column absent from the Parquet data is named as such). A Parquet pairs row without an id
     * gets its global 1-based row number (position + 1), as one file's rows would.
     */
    public PreferenceItem item(String input, Benchmark benchmark) {
        Path file = file(input);
        JsonNode node;
        try {
            node = Jsonl.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            if (parquetFile != null) throw DataFormatException.atRow(file, line, 0, null, "malformed row JSON: " + e.getOriginalMessage());
            throw new DataFormatException(file, line, null, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            if (parquetFile != null) throw DataFormatException.atRow(file, line, 0, null, "expected a row object");
            throw new DataFormatException(file, line, null, "expected a JSON object");
        }
        ObjectNode o = (ObjectNode) node;
        if (parquetFile == null) return benchmark.item(new RowSource.Row(file, RowSource.Format.JSONL, line, line, o), Math.toIntExact(position));
        List<String> columns = new ArrayList<>();
        o.fieldNames().forEachRemaining(columns::add);
        if (benchmark == Benchmark.PAIRS && !o.hasNonNull("id")) o.put("id", position + 1);
        try {
            return benchmark.item(new RowSource.Row(file, RowSource.Format.PARQUET, line, 0, o), Math.toIntExact(position));
        } catch (DataFormatException e) {
            if (e.field() != null && e.problem().startsWith("missing") && !columns.contains(e.field()))
                throw DataFormatException.atRow(file, line, 0, e.field(), e.problem() + ": the Parquet data has no column '" + e.field()
                        + "' (its columns: " + String.join(", ", columns) + ")");
            throw e;
        }
    }
}
