package dev.tare.scorers.remote;

import java.util.Locale;
import java.util.Objects;

/**
 * What a remote scorer asks of the engine beyond the texts, so that its number is the raw reward under the benchmark
 * convention: the vLLM pooling-parameter that turns the classifier activation off ({@code activationField}, sent as
 * {@code false}: {@code use_activation} since vLLM 0.10, {@code activation} / {@code softmax} before), the truncation
 * ({@code truncate}: keep the last tokens, as RewardBench's left truncation), whether the model is known to output
 * probabilities ({@code probability}: then a response in [0, 1] is accepted), and whether to check the served model
 * ({@code /v1/models}, TEI {@code /info}) before the first request.
 */
public record WireSettings(String activationField, Truncation truncate, boolean probability, boolean checkServer) {
    /** The vLLM request fields that switch the classify activation (sigmoid/softmax) off. */
    public static final java.util.List<String> ACTIVATION_FIELDS = java.util.List.of("use_activation", "activation", "softmax");

    public WireSettings {
        Objects.requireNonNull(truncate, "truncate");
        if (!ACTIVATION_FIELDS.contains(activationField))
            throw new IllegalArgumentException("scorer option activation-field=" + activationField + " must be one of "
                    + String.join(", ", ACTIVATION_FIELDS));
    }

    /** {@code use_activation=false}, left truncation at the model's maximum length, no probabilities, server checked. */
    public static WireSettings defaults() { return new WireSettings("use_activation", Truncation.MAX, false, true); }

    /** The same settings without the start-up check of the served model. */
    public WireSettings unchecked() { return new WireSettings(activationField, truncate, probability, false); }

    /**
     * Left truncation: {@code off} (the engine's own behaviour: vLLM and TEI ≤ 1.8 refuse an over-long input), {@code max}
     * (keep the last max-length tokens) or {@code tokens} (vLLM only: keep the last {@code tokens} tokens).
     */
    public record Truncation(boolean enabled, int tokens) {
        public static final Truncation OFF = new Truncation(false, 0);
        /** The model's maximum input length (vLLM {@code truncate_prompt_tokens: -1}, TEI {@code truncate: true}). */
        public static final Truncation MAX = new Truncation(true, -1);

        public Truncation {
            if (enabled && tokens != -1 && tokens < 1) throw new IllegalArgumentException("truncation length must be >= 1, got " + tokens);
        }

        /** {@code off}, {@code max} or a positive token count. */
        public static Truncation parse(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (v.equals("off")) return OFF;
            if (v.equals("max")) return MAX;
            try {
                int n = Integer.parseInt(v);
                if (n >= 1) return new Truncation(true, n);
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("scorer option truncate=" + s + " must be off, max or a positive token count");
        }

        @Override public String toString() { return !enabled ? "off" : tokens == -1 ? "left,max" : "left," + tokens; }
    }
}
