package dev.tare.runtime.lora;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Signed strengths λ bound to adapters by name: checks the names and values, fills in the adapters not named. */
final class Strengths {
    /** PEFT's default strength of an attached adapter. */
    static final double DEFAULT = 1.0;

    private Strengths() {}

    /** Every adapter at {@link #DEFAULT}, in adapter order. */
    static Map<String, Double> defaults(List<LoraAdapter> adapters) { return bind(adapters, Map.of(), Map.of()); }

    /**
     * The strength of each adapter (by name, in adapter order): {@code given}'s value, else {@code current}'s, else
     * {@link #DEFAULT}. Adapter names must be distinct, every name in {@code given} must name an adapter, and every
     * value must be finite.
     */
    static Map<String, Double> bind(List<LoraAdapter> adapters, Map<String, Double> current, Map<String, Double> given) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (LoraAdapter a : adapters)
            if (out.put(a.name(), current.getOrDefault(a.name(), DEFAULT)) != null) throw new IllegalArgumentException("two adapters named '" + a.name() + "'");
        for (Map.Entry<String, Double> e : given.entrySet()) {
            if (!out.containsKey(e.getKey()))
                throw new IllegalArgumentException("no adapter '" + e.getKey() + "' to set a strength for; have " + out.keySet());
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) throw new IllegalArgumentException("strength of adapter '" + e.getKey() + "' must be finite, got " + v);
            out.put(e.getKey(), v);
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
