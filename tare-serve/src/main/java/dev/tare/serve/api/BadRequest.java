package dev.tare.serve.api;

/** A request the server refuses with a 4xx status and a message naming the offending field (or a 502/503 it passes on). */
public final class BadRequest extends RuntimeException {
    private final int status;
    private final int upstreamStatus;

    public BadRequest(int status, String message) {
        this(status, message, 0);
    }

    /** A 502 passing on what a remote scorer's endpoint answered ({@code upstreamStatus}, 0 = none). */
    public BadRequest(int status, String message, int upstreamStatus) {
        super(message);
        this.status = status;
        this.upstreamStatus = upstreamStatus;
    }

    public int status() { return status; }

    /** The upstream endpoint's HTTP status this error passes on, or 0. */
    public int upstreamStatus() { return upstreamStatus; }
}
