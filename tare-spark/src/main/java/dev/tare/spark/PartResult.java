package dev.tare.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one task did with its part: the rows it holds, whether it was found finished (skipped), seconds spent, and the
 * scorer's provenance (the settings tare eval records in its summary, e.g. score_token; empty when skipped).
 */
public record PartResult(int part, long rows, boolean skipped, double seconds, LinkedHashMap<String, Object> provenance)
        implements Serializable {
    public PartResult {
        provenance = provenance == null ? new LinkedHashMap<>() : new LinkedHashMap<>(provenance);
    }

    /** A part found finished. */
    static PartResult skipped(int part, long rows) { return new PartResult(part, rows, true, 0, null); }

    /** The provenance as a map. */
    public Map<String, Object> settings() { return java.util.Collections.unmodifiableMap(provenance); }
}
