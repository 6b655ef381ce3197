package dev.tare.serve.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * What a verifiable source does with an item that carries no label ({@code on_missing_label} in a deployment):
 * {@code ERROR} fails that item (422), {@code ZERO} scores it 0, {@code SKIP} leaves the source out of that item's
 * reward (an item no source scores fails). A label is missing when it is absent, null or a blank string: OpenRLHF
 * sends {@code ""} for every sample unless {@code --data.label_key} is set (v0.11 openrlhf/datasets/prompts_dataset.py,
 * {@code label = "" if label_key is None else data[label_key]}).
 */
public enum MissingLabel {
    ERROR, ZERO, SKIP;

    /** The default: OpenRLHF's {@code ""} on a model + verifiable deployment gets the model's reward, flagged in extra_logs. */
    public static final MissingLabel DEFAULT = SKIP;

    /** The config spelling ("error", "zero", "skip"). */
    public String configName() { return name().toLowerCase(Locale.ROOT); }

    /** Parses a config value; null when it is none of the three. */
    public static MissingLabel parse(String s) {
        for (MissingLabel m : values()) if (m.configName().equals(s)) return m;
        return null;
    }

    /** True when {@code label} is absent, JSON null or a blank string. */
    public static boolean isMissing(JsonNode label) {
        return label == null || label.isNull() || label.isMissingNode() || (label.isTextual() && label.asText().isBlank());
    }
}
