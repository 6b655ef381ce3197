package dev.tare.debias.audit;

import dev.tare.results.ScoredItem;

import java.util.List;

/**
 * Chosen-vs-rejected comparisons (every chosen x rejected combination of an item; one per pair) whose order changed
 * between two sets of scores: {@code nowCorrect} went from chosen-not-above to chosen-above, {@code nowWrong} the reverse.
 */
public record Flips(long compared, long nowCorrect, long nowWrong) {
    /** Comparisons whose outcome changed. */
    public long flipped() { return nowCorrect + nowWrong; }

    /** Share of the comparisons that flipped (NaN when there are none). */
    public double share() { return compared == 0 ? Double.NaN : flipped() / (double) compared; }

    /** Flips from {@code before} to {@code after}: the same items in the same order, with other scores. */
    public static Flips between(List<ScoredItem> before, List<ScoredItem> after) {
        long total = 0, gained = 0, lost = 0;
        for (int k = 0; k < before.size(); k++) {
            ScoredItem b = before.get(k), a = after.get(k);
            for (int i = 0; i < b.scoresChosen().size(); i++)
                for (int j = 0; j < b.scoresRejected().size(); j++) {
                    boolean wb = b.scoresChosen().get(i) > b.scoresRejected().get(j);
                    boolean wa = a.scoresChosen().get(i) > a.scoresRejected().get(j);
                    total++;
                    if (!wb && wa) gained++;
                    if (wb && !wa) lost++;
                }
        }
        return new Flips(total, gained, lost);
    }
}
