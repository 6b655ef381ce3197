package dev.tare.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.metrics.Units;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;

import java.nio.file.Path;

/** A JSON summary under construction: nested objects, NaN/infinite numbers written as null, saved atomically. */
public final class JsonSummary {
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private final ObjectNode root;

    public JsonSummary() { this.root = JsonNodeFactory.instance.objectNode(); }

    private JsonSummary(ObjectNode node) { this.root = node; }

    /**
     * A top-level summary that starts with {@code "units": "fraction"}: its rates, accuracies and scores are fractions
     * in [0, 1] ({@link Units}, tare's one convention for the JSON it writes).
     */
    public static JsonSummary fractions() { return new JsonSummary().put(Units.FIELD, Units.FRACTION); }

    /** The child object under {@code key} (created when absent). */
    public JsonSummary object(String key) {
        JsonNode n = root.get(key);
        if (n instanceof ObjectNode o) return new JsonSummary(o);
        return new JsonSummary(root.putObject(key));
    }

    public JsonSummary put(String key, String value) { root.put(key, value); return this; }

    public JsonSummary put(String key, long value) { root.put(key, value); return this; }

    public JsonSummary put(String key, boolean value) { root.put(key, value); return this; }

    /** A number; NaN and infinities become null (JSON has no NaN). */
    public JsonSummary put(String key, double value) {
        if (Double.isFinite(value)) root.put(key, value); else root.putNull(key);
        return this;
    }

    /** An interval as {value, lo, hi, level} ({@link IntervalJson#SUMMARY}); null (n/a) stays null. */
    public JsonSummary put(String key, Interval iv) { root.set(key, IntervalJson.SUMMARY.node(iv)); return this; }

    public JsonSummary put(String key, double[] values) {
        var arr = root.putArray(key);
        for (double v : values) { if (Double.isFinite(v)) arr.add(v); else arr.addNull(); }
        return this;
    }

    public JsonNode node() { return root; }

    public String render() {
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise summary: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes the summary atomically (temp file, then move). */
    public void write(Path file) { AtomicFiles.writeString(file, render()); }
}
