package dev.tare.metrics.alpacaeval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AlpacaWinRateTest {
    @Test void tiesCountHalfAndMissingIsDropped() {
        // preferences 1 (baseline), 2 (model), 1.5 (tie), 1.75, NaN (not judged): values 0, 1, .5, .75
        var w = AlpacaWinRate.ofPreferences(new double[]{1, 2, 1.5, 1.75, Double.NaN});
        assertEquals(4, w.nTotal());
        assertEquals(56.25, w.winRate(), 1e-12);
        double sd = Math.sqrt(((0 - .5625) * (0 - .5625) + (1 - .5625) * (1 - .5625) + (.5 - .5625) * (.5 - .5625) + (.75 - .5625) * (.75 - .5625)) / 3);
        assertEquals(100 * sd / 2, w.standardError(), 1e-12);
        assertEquals(2, w.nWins());
        assertEquals(1, w.nWinsBase());
        assertEquals(1, w.nDraws());
        assertEquals(62.5, w.discreteWinRate(), 1e-12); // 0 + 1 + .5 + 1
        assertThrows(IllegalArgumentException.class, () -> AlpacaWinRate.ofPreferences(new double[]{Double.NaN}));
    }
}
