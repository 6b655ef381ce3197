package dev.tare.runtime.model;

/** Which token's hidden state a sequence classifier reads its score from. */
public enum ScoreTokenRule {
    /**
     * transformers ≤ 4.47 (the reference here, 4.46.3): {@code (argmax(ids == pad) − 1) % L}, i.e. one before the FIRST
     * pad id, or the last position when the row has none. A pad id inside the content truncates the read.
     */
    FIRST_PAD_MINUS_ONE,
    /** transformers ≥ 4.48 (5.x included) and tare's default: the last position whose id is not the pad id. */
    LAST_NON_PAD;

    /** The rule current transformers uses. */
    public static final ScoreTokenRule DEFAULT = LAST_NON_PAD;

    /** The name used in scorer specs, results files and summaries: {@code last-non-pad} or {@code first-pad}. */
    public String cliName() { return this == LAST_NON_PAD ? "last-non-pad" : "first-pad"; }

    /** Parses {@link #cliName()}. */
    public static ScoreTokenRule parse(String name) {
        return switch (name) {
            case "last-non-pad" -> LAST_NON_PAD;
            case "first-pad" -> FIRST_PAD_MINUS_ONE;
            default -> throw new IllegalArgumentException("score-token=" + name + ": expected last-non-pad (transformers >= 4.48, the default) "
                    + "or first-pad (transformers <= 4.47: one before the first pad id)");
        };
    }

    /** Whether the two rules read different tokens of this row (the pad id occurs inside the content). */
    public static boolean rulesDisagree(int[] ids, Integer padId) {
        return padId != null && ids.length > 0 && FIRST_PAD_MINUS_ONE.index(ids, padId) != LAST_NON_PAD.index(ids, padId);
    }

    /** The read index for one row of ids (padded or not) given the pad id (null: the last position). */
    public int index(int[] ids, Integer padId) {
        int n = ids.length;
        if (n == 0) throw new IllegalArgumentException("empty sequence");
        if (padId == null) return n - 1;
        int pad = padId;
        if (this == FIRST_PAD_MINUS_ONE) {
            int first = 0;
            for (int i = 0; i < n; i++) if (ids[i] == pad) { first = i; break; }
            return Math.floorMod(first - 1, n);
        }
        for (int i = n - 1; i >= 0; i--) if (ids[i] != pad) return i;
        return 0; // torch argmax of an all-zero row: index 0
    }
}
