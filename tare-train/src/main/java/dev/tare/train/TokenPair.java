package dev.tare.train;

/** One preference pair as token ids, in the data's direction (chosen is what the data prefers). */
public record TokenPair(String id, int[] chosen, int[] rejected) {
    public TokenPair {
        if (chosen.length == 0 || rejected.length == 0) throw new IllegalArgumentException(id + ": empty token sequence");
    }

    public int tokens() { return chosen.length + rejected.length; }
}
