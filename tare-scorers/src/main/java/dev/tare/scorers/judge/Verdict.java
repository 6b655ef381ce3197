package dev.tare.scorers.judge;

/**
 * A judge's verdict on a pair shown as (A, B): a preference, a tie-like outcome, or Unparseable with the reason.
 * Never a guess: anything a {@link VerdictParser} cannot read with certainty is Unparseable.
 */
public sealed interface Verdict permits Verdict.Prefer, Verdict.Tie, Verdict.Unparseable {

    /** Which response was shown first (A) or second (B). */
    enum Side { A, B; public Side other() { return this == A ? B : A; } }

    /** How strongly the judge prefers: Arena-Hard's `>>` is STRONG, `>` SLIGHT; a bare choice is PLAIN. */
    enum Strength { STRONG, SLIGHT, PLAIN }

    /** Tie-like outcomes: equal quality, both acceptable, both unacceptable. */
    enum TieKind { EQUAL, BOTH_GOOD, BOTH_BAD }

    /** The judge prefers {@code winner}. */
    record Prefer(Side winner, Strength strength) implements Verdict {
        @Override public String decision() { return winner == Side.A ? "A>B" : "B>A"; }
        @Override public Verdict flip() { return new Prefer(winner.other(), strength); }
    }

    /** The judge declares a tie of the given kind. */
    record Tie(TieKind kind) implements Verdict {
        @Override public String decision() { return "A=B"; }
        @Override public Verdict flip() { return this; }
    }

    /**
     * No verdict could be read; {@code reason} says why (no label, conflicting labels, only quoted labels...).
     * {@code noMark}: the reply held no verdict mark of the judge's own at all (empty, none, or only marks taken from
     * the judged responses), the one case where Arena-Hard / JudgeBench ask the judge to continue.
     */
    record Unparseable(String reason, boolean noMark) implements Verdict {
        /** A reply whose marks could not be read (conflicting or unrecognised), not a missing one. */
        public Unparseable(String reason) { this(reason, false); }

        /** A reply with no verdict mark of the judge's own. */
        public static Unparseable none(String reason) { return new Unparseable(reason, true); }

        @Override public String decision() { return null; }
        @Override public Verdict flip() { return this; }
    }

    /** JudgeBench's decision string: `A>B`, `B>A`, `A=B`, or null when unparseable. */
    String decision();

    /** The verdict with A and B swapped (for a game shown in swapped order). */
    Verdict flip();

    default boolean decided() { return !(this instanceof Unparseable); }

    /** The preference in presentation order, or null when unparseable. */
    default Preference preferenceOrNull() {
        return switch (this) {
            case Prefer p -> p.winner() == Side.A ? Preference.A : Preference.B;
            case Tie t -> Preference.TIE;
            case Unparseable u -> null;
        };
    }
}
