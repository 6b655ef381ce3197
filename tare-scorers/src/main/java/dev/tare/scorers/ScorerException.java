package dev.tare.scorers;

/** A scorer could not produce a valid reward (bad model output, endpoint error, NaN, or input it cannot take). */
public final class ScorerException extends RuntimeException {
    private final boolean retryable;
    private final boolean badInput;
    private final int upstreamStatus;
    private final int conversation;
    private final String detail;

    public ScorerException(String message, boolean retryable, Throwable cause) {
        this(message, retryable, false, 0, -1, message, cause);
    }

    private ScorerException(String message, boolean retryable, boolean badInput, int upstreamStatus, int conversation,
                            String detail, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.badInput = badInput;
        this.upstreamStatus = upstreamStatus;
        this.conversation = conversation;
        this.detail = detail;
    }

    public ScorerException(String message) { this(message, false, null); }

    /** The caller's input cannot be scored (over the max length, tokens outside the vocabulary, a template refusing it). */
    public static ScorerException badInput(String message, Throwable cause) {
        return new ScorerException(message, false, true, 0, -1, message, cause);
    }

    /** A remote scorer's endpoint refused the call with a non-retryable HTTP status (4xx other than 408/429). */
    public static ScorerException upstreamRefused(int status, String message) {
        return new ScorerException(message, false, false, status, -1, message, null);
    }

    /** The same failure with a message prefix (e.g. which row), keeping its flags and the conversation it names. */
    public ScorerException prefixed(String prefix) {
        return new ScorerException(prefix + getMessage(), retryable, badInput, upstreamStatus, conversation, prefix + detail, this);
    }

    /**
     * The same failure, caused by the conversation at {@code index} of the scorer's input list: the message gains the
     * prefix "conversation INDEX: ", {@link #detail()} stays without it. The message must not name the index itself.
     */
    public ScorerException atConversation(int index) {
        if (index < 0) throw new IllegalArgumentException("conversation index " + index);
        return new ScorerException("conversation " + index + ": " + detail, retryable, badInput, upstreamStatus, index, detail, getCause());
    }

    /**
     * The same failure (same flags) reported at {@code where} instead of the batch-relative conversation: the message
     * is {@code where + detail()}; a caller that knows which item and response the conversation was uses it.
     */
    public ScorerException at(String where) {
        return new ScorerException(where + detail, retryable, badInput, upstreamStatus, -1, where + detail, this);
    }

    /** The message without the "conversation N: " location {@link #atConversation} adds (the whole message otherwise). */
    public String detail() { return detail; }

    /** The index, in the list given to the scorer, of the conversation at fault; −1 when none is known. */
    public int conversation() { return conversation; }

    /** True when trying again later may succeed (timeouts, 429, 5xx). */
    public boolean retryable() { return retryable; }

    /** True when the input itself is at fault (a client error), not the scorer or its model. */
    public boolean badInput() { return badInput; }

    /** The HTTP status a remote endpoint refused the call with (non-retryable 4xx), or 0 when none. */
    public int upstreamStatus() { return upstreamStatus; }
}
