package dev.tare.data.pairs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.Message;

import java.util.ArrayList;
import java.util.List;

/** Typed access to the fields of one dataset row; every problem is a {@link DataFormatException} naming file, row and field. */
public final class RowFields {
    /** Builds an item from a row and its 0-based position among the rows. */
    @FunctionalInterface
    public interface ItemOf { dev.tare.data.PreferenceItem of(RowSource.Row row, int position); }

    /**
     * Reads every row of {@code file} (JSONL, JSON or Parquet) into an item, in order, refusing a repeated
     * (subset, id) with an error that names the row and where the id was first seen.
     */
    public static List<dev.tare.data.PreferenceItem> uniqueItems(java.nio.file.Path file, ItemOf item) {
        List<RowSource.Row> rows = RowSource.read(file);
        List<dev.tare.data.PreferenceItem> out = new ArrayList<>(rows.size());
        java.util.Map<String, Long> seen = new java.util.HashMap<>();
        for (RowSource.Row r : rows) {
            dev.tare.data.PreferenceItem it = item.of(r, out.size());
            Long prev = seen.put(it.subset() + "\u0000" + it.id(), r.number());
            if (prev != null) throw r.error("id", "duplicate (subset, id) = (" + it.subset() + ", " + it.id() + "), first at row " + prev);
            out.add(it);
        }
        return out;
    }

    private RowFields() {}

    /** A required non-null string. */
    public static String text(RowSource.Row r, String field) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) throw r.error(field, "missing");
        if (!v.isTextual()) throw r.error(field, "expected a string, got " + v.getNodeType());
        return v.asText();
    }

    /** An optional string (null when absent); numbers and booleans are rendered as text. */
    public static String optText(RowSource.Row r, String field) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) return null;
        if (v.isValueNode()) return v.asText();
        throw r.error(field, "expected a scalar, got " + v.getNodeType());
    }

    /** A required id: an integer or a string. */
    public static String id(RowSource.Row r, String field) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) throw r.error(field, "missing");
        if (v.isIntegralNumber() || v.isTextual()) return v.asText();
        throw r.error(field, "expected an integer or a string, got " + v.getNodeType());
    }

    /** A required list of strings with a size in [min, max]. */
    public static List<String> texts(RowSource.Row r, String field, int min, int max) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) throw r.error(field, "missing");
        if (!v.isArray()) throw r.error(field, "expected a list of strings, got " + v.getNodeType());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (e == null || !e.isTextual()) throw r.error(field + "[" + i + "]", "expected a string, got " + (e == null ? "nothing" : e.getNodeType()));
            out.add(e.asText());
        }
        if (out.size() < min || out.size() > max)
            throw r.error(field, "has " + out.size() + " entries, expected " + (min == max ? String.valueOf(min) : min + ".." + max));
        return out;
    }

    /** A required integer. */
    public static int integer(RowSource.Row r, String field) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) throw r.error(field, "missing");
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw r.error(field, "expected an integer, got " + v);
        return v.asInt();
    }

    /**
     * A prompt: a string (one user turn) or a list of {role, content} messages whose last turn is the user's.
     */
    public static List<Message> prompt(RowSource.Row r, String field) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) throw r.error(field, "missing");
        if (v.isTextual()) return List.of(Message.user(v.asText()));
        List<Message> msgs = messages(r, field, v);
        if (msgs.isEmpty()) throw r.error(field, "empty message list");
        if (!"user".equals(msgs.get(msgs.size() - 1).role())) throw r.error(field, "last prompt turn must be a user turn, got '" + msgs.get(msgs.size() - 1).role() + "'");
        return msgs;
    }

    /** A list of {role, content} chat messages. */
    public static List<Message> messages(RowSource.Row r, String field, JsonNode v) {
        if (!v.isArray()) throw r.error(field, "expected a string or a list of {role, content} messages, got " + v.getNodeType());
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            String f = field + "[" + i + "]";
            if (m == null || !m.isObject()) throw r.error(f, "expected a {role, content} object");
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual()) throw r.error(f + ".role", "missing or not a string");
            if (content == null || !content.isTextual()) throw r.error(f + ".content", "missing or not a string");
            out.add(new Message(role.asText(), content.asText()));
        }
        return out;
    }
}
