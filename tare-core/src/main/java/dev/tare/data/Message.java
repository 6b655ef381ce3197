package dev.tare.data;

import java.util.Objects;

/** One chat turn: a role ("system", "user", "assistant") and its text. */
public record Message(String role, String content) {
    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static Message user(String text) { return new Message("user", text); }
    public static Message assistant(String text) { return new Message("assistant", text); }
}
