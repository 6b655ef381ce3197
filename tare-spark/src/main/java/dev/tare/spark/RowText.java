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

/** One non-blank JSONL line of the input: its 1-based line number, its 0-based row position and its text. */
public record RowText(long line, long position, String text) implements Serializable {
    /** The line as the benchmark's item, read strictly as tare's readers do (errors name the file, line and field). */
    public PreferenceItem item(String input, Benchmark benchmark) {
        Path file = Path.of(input.replaceFirst("^file:", ""));
        JsonNode node;
        try {
            node = Jsonl.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, line, null, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) throw new DataFormatException(file, line, null, "expected a JSON object");
        return benchmark.item(new RowSource.Row(file, RowSource.Format.JSONL, line, line, (ObjectNode) node), Math.toIntExact(position));
    }
}
