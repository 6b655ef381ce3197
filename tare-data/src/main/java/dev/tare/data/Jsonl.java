package dev.tare.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Strict JSON Lines reading: UTF-8 only, blank lines skipped, every error names file and line. */
public final class Jsonl {
    /**
     * Shared Jackson mapper (thread-safe once configured), strict for reading: a repeated key in one object and any
     * content after the first value ({@code {"id":1}{"id":2}}, {@code {...} junk}) are errors, not silently resolved.
     */
    public static final ObjectMapper MAPPER = strict(JsonMapper.builder()).build();

    /** Turns on the strict reading rules of {@link #MAPPER} (duplicate keys, trailing tokens) on a mapper builder. */
    public static JsonMapper.Builder strict(JsonMapper.Builder b) {
        return b.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private Jsonl() {}

    /** One parsed line with its 1-based line number. */
    public record Line(Path file, long number, JsonNode node) {
        /** A required text field, or a DataFormatException naming file, line and field. */
        public String text(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) throw error(field, "missing");
            if (!v.isTextual()) throw error(field, "expected a string, got " + v.getNodeType());
            return v.asText();
        }

        public DataFormatException error(String field, String problem) {
            return new DataFormatException(file, number, field, problem);
        }
    }

    /** Writes {@code rows} one JSON value per line, all or nothing ({@link AtomicFiles#writeText}). */
    public static void writeAll(Path out, List<? extends JsonNode> rows) {
        AtomicFiles.writeText(out, w -> {
            for (JsonNode o : rows) {
                try {
                    w.write(MAPPER.writeValueAsString(o));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                w.write('\n');
            }
        });
    }

    /** Reads every non-blank line as a JSON value and maps it; mapping errors keep file and line. */
    public static <T> List<T> read(Path file, BiFunction<Line, JsonNode, T> mapper) {
        List<T> out = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            String s;
            long n = 0;
            while (true) {
                try {
                    s = r.readLine();
                } catch (CharacterCodingException e) {
                    throw Utf8Text.notUtf8(file, e);
                }
                if (s == null) break;
                n++;
                if (s.isBlank()) continue;
                JsonNode node;
                try {
                    node = MAPPER.readTree(s);
                } catch (JsonProcessingException e) {
                    throw new DataFormatException(file, n, null, "malformed JSON: " + e.getOriginalMessage(), e);
                }
                if (node == null || !node.isObject()) throw new DataFormatException(file, n, null, "expected a JSON object");
                Line line = new Line(file, n, node);
                out.add(mapper.apply(line, node));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
