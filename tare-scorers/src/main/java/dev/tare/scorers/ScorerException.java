package dev.tare.scorers;

/** A scorer could not produce a valid reward (bad model output, endpoint error, NaN, or input it cannot take). */
public final class ScorerException extends RuntimeException {
    private final boolean retryable;
    private final boolean badInput;
    private final int upstreamStatus;

    public ScorerException(String message, boolean retryable, Throwable cause) {
        this(message, retryable, false, 0, cause);
    }

    private ScorerException(String message, boolean retryable, boolean badInput, int upstreamStatus, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.badInput = badInput;
        this.upstreamStatus = upstreamStatus;
    }

    public ScorerException(String message) { this(message, false, null); }

    /** The caller's input cannot be scored (over the max length, tokens outside the vocabulary, a template refusing it). */
    public static ScorerException badInput(String message, Throwable cause) {
        return new ScorerException(message, false, true, 0, cause);
    }

    /** A remote scorer's endpoint refused the call with a non-retryable HTTP status (4xx other than 408/429). */
    public static ScorerException upstreamRefused(int status, String message) {
        return new ScorerException(message, false, false, status, null);
    }

    /** The same failure with a message prefix (e.g. which row), keeping its flags. */
    public ScorerException prefixed(String prefix) {
        return new ScorerException(prefix + getMessage(), retryable, badInput, upstreamStatus, this);
    }

    /** True when trying again later may succeed (timeouts, 429, 5xx). */
    public boolean retryable() { return retryable; }

    /** True when the input itself is at fault (a client error), not the scorer or its model. */
    public boolean badInput() { return badInput; }

    /** The HTTP status a remote endpoint refused the call with (non-retryable 4xx), or 0 when none. */
    public int upstreamStatus() { return upstreamStatus; }
}
