package dev.tare.eval.inside;

/** Where the residual stream is read: the last token, the last prompt token, or the mean over the response tokens. */
public enum ActivationPosition {
    LAST, LAST_PROMPT, RESPONSE_MEAN;

    /** The CLI spelling: last, last_prompt, response_mean. */
    public String key() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static ActivationPosition parse(String s) {
        for (ActivationPosition p : values()) if (p.key().equals(s.trim().toLowerCase(java.util.Locale.ROOT))) return p;
        throw new IllegalArgumentException("position must be last, last_prompt or response_mean, got '" + s + "'");
    }
}
