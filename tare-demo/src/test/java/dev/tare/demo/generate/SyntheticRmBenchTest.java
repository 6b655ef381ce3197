package dev.tare.demo.generate;

import dev.tare.data.PreferenceItem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The synthetic RM-Bench-format sample of `tare demo --model`: seeded, and style and length independent of correctness. */
class SyntheticRmBenchTest {
    @Test void syntheticSampleIsSeededAndStyleAndLengthAreIndependentOfCorrectness() {
        assertEquals(SyntheticRmBench.generate(50, 7), SyntheticRmBench.generate(50, 7));
        assertNotEquals(SyntheticRmBench.generate(50, 7), SyntheticRmBench.generate(50, 8));
        List<PreferenceItem> items = SyntheticRmBench.generate(1000, 20241123);
        int chosenLonger = 0, differ = 0;
        for (PreferenceItem p : items) {
            assertNotEquals(p.chosen().get(0), p.rejected().get(0), "a correct and an incorrect answer");
            for (List<String> side : List.of(p.chosen(), p.rejected())) {
                assertFalse(side.get(1).contains("## ") || side.get(1).contains("**"), "detailed plain has no markdown: " + side.get(1));
                assertTrue(side.get(2).startsWith("## Answer") && side.get(2).contains("\n- "), "detailed markdown: " + side.get(2));
                assertTrue(side.get(0).length() < side.get(1).length(), "concise is shorter than detailed");
            }
            int lc = p.chosen().get(1).length(), lr = p.rejected().get(1).length();
            if (lc != lr) { differ++; if (lc > lr) chosenLonger++; }
        }
        double share = (double) chosenLonger / differ;
        assertTrue(share > 0.35 && share < 0.65, "which detailed answer is longer is not a sign of correctness: " + share);
        var e = assertThrows(IllegalArgumentException.class, () -> SyntheticRmBench.generate(0, 1));
        assertTrue(e.getMessage().contains("at least 1"));
    }
}
