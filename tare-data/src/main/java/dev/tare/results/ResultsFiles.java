package dev.tare.results;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads any supported per-example results file by its shape: tare's JSONL ({@code .jsonl}, or any name other than
 * {@code .json} whose content is several JSON objects, as {@code tare score --out run.out} writes), the RewardBench
 * leaderboard per-model JSON (column dict or row array with {@code scores_chosen} / {@code scores}), or RM-Bench's own
 * result array ({@code score_chosen} / {@code score_rejected}).
 */
public final class ResultsFiles {
    /** Reads one value of a stream; trailing content is checked explicitly after the top-level value. */
    private static final ObjectReader ELEMENT = ResultsJson.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ResultsFiles() {}

    public static List<ScoredItem> read(Path file) {
        if (!Files.isRegularFile(file)) throw new UncheckedIOException(new java.io.FileNotFoundException("no such file: " + file));
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean jsonlName = name.endsWith(".jsonl") || name.endsWith(".ndjson");
        // the name decides only when it is .json (one document) or .jsonl (unless it holds one array); others by content
        if (jsonlName ? !startsWithArray(file) : !name.endsWith(".json") && isJsonLines(file)) return ResultsReader.read(file);
        JsonNode root = parseJson(file);
        if (root.isArray() && !root.isEmpty() && root.get(0).has("score_chosen")) return RmBenchNativeResults.read(file);
        if (root.isArray() || root.isObject()) return LeaderboardResults.read(file);
        throw new DataFormatException(file, 0, null, "not a results file (expected JSONL, a leaderboard JSON or an RM-Bench result array)");
    }

    /**
     * True when the file holds more than one top-level JSON object, or one item line (tare's JSONL, whatever its name,
     * e.g. {@code tare score --out run.out}); false for one JSON document or anything unparsable (then read and
     * reported as JSON).
     */
    static boolean isJsonLines(Path file) {
        try (var p = ResultsJson.MAPPER.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) return false;
            JsonNode first = ELEMENT.readTree(p);
            // several objects, or one item line (a scalar subset; a leaderboard column dict has a list of them)
            return p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT
                    || first != null && first.path("subset").isTextual();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** True when a file named .jsonl is in fact one JSON array (a leaderboard or RM-Bench result file). */
    static boolean startsWithArray(Path file) {
        try (var p = ResultsJson.MAPPER.getFactory().createParser(file.toFile())) {
            return p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_ARRAY;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** A parsed JSON results file: its root and, when the root is an array, the text line each element starts on. */
    record Parsed(JsonNode root, long[] rowLines) {
        /** The text line of array element {@code index} (0-based), 0 when unknown (not an array). */
        long line(int index) { return index < rowLines.length ? rowLines[index] : 0; }

        /** Each element of the top-level array through {@code row}; an error in one is placed at its row and line. */
        <T> List<T> eachRow(RowReader<T> row) {
            List<T> out = new ArrayList<>();
            for (int i = 0; i < root.size(); i++) {
                try {
                    out.add(row.read(i, root.get(i)));
                } catch (DataFormatException e) {
                    throw e.atRow(i + 1, line(i));
                }
            }
            return out;
        }
    }

    /** Reads one element (0-based {@code index}) of a results file's top-level array. */
    @FunctionalInterface
    interface RowReader<T> { T read(int index, JsonNode node); }

    /** Parses a whole JSON file strictly as UTF-8 (NaN/Infinity tokens are accepted so they can be reported by field). */
    static JsonNode parseJson(Path file) { return parse(file).root(); }

    /**
     * Parses a whole JSON file strictly as UTF-8, recording where each top-level array element starts; repeated keys
     * and anything after the first value are errors naming the line.
     */
    static Parsed parse(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw dev.tare.data.Utf8Text.notUtf8(file, e);
            }
            try (JsonParser p = ResultsJson.MAPPER.createParser(text)) {
                JsonToken t = p.nextToken();
                if (t == null) return new Parsed(MissingNode.getInstance(), new long[0]);
                JsonNode root;
                long[] lines = new long[0];
                if (t == JsonToken.START_ARRAY) {
                    ArrayNode arr = ResultsJson.MAPPER.createArrayNode();
                    List<Long> ls = new ArrayList<>();
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t == null) throw new DataFormatException(file, p.currentLocation().getLineNr(), null, "unexpected end of file inside the array");
                        ls.add((long) p.currentTokenLocation().getLineNr());
                        arr.add(ELEMENT.<JsonNode>readTree(p));
                    }
                    root = arr;
                    lines = ls.stream().mapToLong(Long::longValue).toArray();
                } else {
                    root = ELEMENT.<JsonNode>readTree(p);
                }
                if (p.nextToken() != null)
                    throw new DataFormatException(file, p.currentTokenLocation().getLineNr(), null, "unexpected content after the top-level JSON value");
                return new Parsed(root, lines);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
                throw new DataFormatException(file, line, null, "malformed JSON: " + e.getOriginalMessage(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
