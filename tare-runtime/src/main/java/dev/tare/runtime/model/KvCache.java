package dev.tare.runtime.model;

/** Keys (after RoPE) and values of one sequence for every layer, grown as tokens are appended (generation). */
public final class KvCache {
    final float[][] keys;
    final float[][] values;
    final int kvWidth;
    int length;
    int capacity;

    KvCache(int layers, int kvWidth, int capacity) {
        this.keys = new float[layers][];
        this.values = new float[layers][];
        this.kvWidth = kvWidth;
        this.capacity = Math.max(16, capacity);
        for (int l = 0; l < layers; l++) {
            keys[l] = new float[this.capacity * kvWidth];
            values[l] = new float[this.capacity * kvWidth];
        }
    }

    /** A copy holding the same tokens, with room for {@code capacity} in all (at least its length). */
    KvCache copy(int capacity) {
        KvCache c = new KvCache(keys.length, kvWidth, Math.max(capacity, length));
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l], 0, c.keys[l], 0, length * kvWidth);
            System.arraycopy(values[l], 0, c.values[l], 0, length * kvWidth);
        }
        c.length = length;
        return c;
    }

    /** Tokens already in the cache. */
    public int length() { return length; }

    void ensure(int total) {
        if (total <= capacity) return;
        int cap = Math.max(total, capacity * 2);
        for (int l = 0; l < keys.length; l++) {
            keys[l] = java.util.Arrays.copyOf(keys[l], cap * kvWidth);
            values[l] = java.util.Arrays.copyOf(values[l], cap * kvWidth);
        }
        capacity = cap;
    }
}
