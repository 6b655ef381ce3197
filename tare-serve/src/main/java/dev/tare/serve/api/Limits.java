package dev.tare.serve.api;

/** Per-request limits: body bytes, items per request, characters per item. All at least 1. */
public record Limits(int maxBodyBytes, int maxItems, int maxItemChars) {
    public Limits {
        if (maxBodyBytes < 1 || maxItems < 1 || maxItemChars < 1)
            throw new IllegalArgumentException("limits must be >= 1: " + maxBodyBytes + ", " + maxItems + ", " + maxItemChars);
    }

    public static Limits defaults() { return new Limits(16 << 20, 1024, 200_000); }
}
