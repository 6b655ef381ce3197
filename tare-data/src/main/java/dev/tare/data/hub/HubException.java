package dev.tare.data.hub;

/** A hub name that could not be turned into local files; the message says which repo, file or setting and why. */
public class HubException extends RuntimeException {
    public HubException(String message) { super(message); }

    public HubException(String message, Throwable cause) { super(message, cause); }
}
