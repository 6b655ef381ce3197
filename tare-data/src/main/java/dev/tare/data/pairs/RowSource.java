package dev.tare.data.pairs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hardwood.InputFile;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowReader;
import dev.hardwood.row.PqList;
import dev.hardwood.row.PqStruct;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;

/**
 * Reads the rows of a dataset file as JSON objects, whatever its container: JSON Lines ({@code .jsonl}), a JSON array
 * ({@code .json}) or Apache Parquet ({@code .parquet}, read with Hardwood; strings, integers, floats, booleans and
 * lists/structs of them). Each row keeps its 1-based number (the line for JSONL, the position otherwise).
 */
public final class RowSource {
    /** Hardwood logs its SIMD detection at INFO on first use; keep the CLI's stderr for progress and errors. */
    private static final java.util.logging.Logger HARDWOOD_LOG = java.util.logging.Logger.getLogger("dev.hardwood");
    static { HARDWOOD_LOG.setLevel(java.util.logging.Level.WARNING); }

    private RowSource() {}

    /**
     * One row: the file, its 1-based line (JSONL) or row number (JSON array, Parquet), the text line its object starts
     * on (the same as {@code number} for JSONL, 0 for Parquet), and its fields.
     */
    public record Row(Path file, Format format, long number, long line, ObjectNode node) {
        /** An error at this row: "file:L" for JSONL, "file: row N (line L)" for a JSON array, "file: row N" for Parquet. */
        public DataFormatException error(String field, String problem) {
            return format == Format.JSONL ? new DataFormatException(file, number, field, problem)
                    : DataFormatException.atRow(file, number, line, field, problem);
        }
    }

    /** The container kind, from the file name. */
    public enum Format { JSONL, JSON, PARQUET;
        /** Picks the format by extension (.jsonl/.ndjson, .json, .parquet). */
        public static Format of(Path file) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) return JSONL;
            if (n.endsWith(".json")) return JSON;
            if (n.endsWith(".parquet")) return PARQUET;
            throw new DataFormatException(file, 0, null, "unknown file type (expected .jsonl, .json or .parquet)");
        }
    }

    /** All rows of {@code file}. */
    public static List<Row> read(Path file) {
        if (!Files.isRegularFile(file)) throw new UncheckedIOException(new java.io.FileNotFoundException("no such file: " + file));
        return switch (Format.of(file)) {
            case JSONL -> Jsonl.read(file, (line, node) -> new Row(file, Format.JSONL, line.number(), line.number(), (ObjectNode) node));
            case JSON -> readJsonArray(file);
            case PARQUET -> readParquet(file);
        };
    }

    /** Reads one value in the middle of a stream (the strict mapper would call the rest of the array trailing tokens). */
    private static final ObjectReader ELEMENT = Jsonl.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final List<String> ROW_KEYS = List.of("data", "rows", "examples");

    /** One element of a JSON row list with the text line of its first token. */
    private record Raw(JsonNode node, long line) {}

    private static List<Row> readJsonArray(Path file) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (Reader r = new InputStreamReader(Files.newInputStream(file), decoder);
             JsonParser p = Jsonl.MAPPER.createParser(r)) {
            JsonToken t = p.nextToken();
            List<Raw> raw;
            String what;
            if (t == JsonToken.START_OBJECT) {
                // a single object holding the rows under a list-valued key ("data", "rows", "examples", in that preference)
                Map<String, List<Raw>> lists = new HashMap<>();
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    t = p.nextToken();
                    if (ROW_KEYS.contains(k) && t == JsonToken.START_ARRAY) lists.put(k, elements(file, p));
                    else p.skipChildren();
                }
                raw = ROW_KEYS.stream().filter(lists::containsKey).map(lists::get).findFirst().orElseThrow(() ->
                        new DataFormatException(file, 1, null, "expected a JSON array of rows (or an object with a 'data' list)"));
                what = "object";
            } else if (t == JsonToken.START_ARRAY) {
                raw = elements(file, p);
                what = "array";
            } else {
                throw new DataFormatException(file, 1, null, "expected a JSON array of rows");
            }
            if (p.nextToken() != null)
                throw new DataFormatException(file, p.currentTokenLocation().getLineNr(), null, "unexpected content after the JSON " + what + " of rows");
            List<Row> out = new ArrayList<>(raw.size());
            for (int i = 0; i < raw.size(); i++) {
                Raw x = raw.get(i);
                if (!x.node().isObject()) throw DataFormatException.atRow(file, i + 1, x.line(), null, "row is not a JSON object");
                out.add(new Row(file, Format.JSON, i + 1, x.line(), (ObjectNode) x.node()));
            }
            return out;
        } catch (CharacterCodingException e) {
            throw dev.tare.data.Utf8Text.notUtf8(file, e);
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new DataFormatException(file, line, null, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            if (e.getCause() instanceof CharacterCodingException) throw dev.tare.data.Utf8Text.notUtf8(file, e);
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The elements of the array whose START_ARRAY is the current token, each with the line its value starts on. */
    private static List<Raw> elements(Path file, JsonParser p) throws IOException {
        List<Raw> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) throw new DataFormatException(file, p.currentLocation().getLineNr(), null, "unexpected end of file inside the array");
            long line = p.currentTokenLocation().getLineNr();
            out.add(new Raw(ELEMENT.<JsonNode>readTree(p), line));
        }
        return out;
    }

    private static List<Row> readParquet(Path file) {
        List<Row> out = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(InputFile.of(file));
             RowReader rows = reader.rowReader()) {
            long n = 0;
            while (rows.hasNext()) {
                rows.next();
                n++;
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                for (int i = 0; i < rows.getFieldCount(); i++) {
                    String name = rows.getFieldName(i);
                    o.set(name, rows.isNull(i) ? o.nullNode() : toJson(file, n, name, rows.getValue(i)));
                }
                out.add(new Row(file, Format.PARQUET, n, 0, o));
            }
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (e instanceof UncheckedIOException u && u.getCause() instanceof java.io.FileNotFoundException) throw u;
            throw new DataFormatException(file, 0, null, "cannot read Parquet (after " + out.size() + " rows): " + e, e);
        }
        return out;
    }

    private static JsonNode toJson(Path file, long row, String field, Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (v) {
            case null -> f.nullNode();
            case String s -> f.textNode(s);
            case Integer i -> f.numberNode(i);
            case Long l -> f.numberNode(l);
            case Short s -> f.numberNode(s);
            case Byte b -> f.numberNode(b);
            case Float x -> f.numberNode(x);
            case Double d -> f.numberNode(d);
            case Boolean b -> f.booleanNode(b);
            case byte[] bytes -> {
                try {
                    yield f.textNode(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString());
                } catch (CharacterCodingException e) {
                    throw new DataFormatException(file, 0, field, "binary value is not valid UTF-8 text", e).atRow(row, 0);
                }
            }
            case PqList list -> {
                ArrayNode a = f.arrayNode();
                for (int i = 0; i < list.size(); i++) a.add(list.isNull(i) ? f.nullNode() : toJson(file, row, field + "[" + i + "]", list.get(i)));
                yield a;
            }
            case PqStruct s -> {
                ObjectNode o = f.objectNode();
                for (int i = 0; i < s.getFieldCount(); i++) {
                    String name = s.getFieldName(i);
                    o.set(name, s.isNull(i) ? f.nullNode() : toJson(file, row, field + "." + name, s.getValue(i)));
                }
                yield o;
            }
            default -> f.textNode(v.toString());
        };
    }
}
