package dev.tare.debias.lora;

import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class LambdaSweepTest {
    /** Items whose "hard"/"normal" outcome at each lambda is given by a table (1 = correct). */
    private static List<ScoredItem> items(int n, double hardShare, double normalShare) {
        List<ScoredItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean hard = i < Math.round(hardShare * n);
            boolean normal = i < Math.round(normalShare * n);
            out.add(new ScoredItem("id" + i, "chat", "m", List.of(1.0), List.of(0.0), null,
                    Map.of("hard", hard ? 1 : 0, "normal", normal ? 1 : 0)));
        }
        return out;
    }

    private static final LambdaSweep.Metric METRIC = items -> {
        Map<String, Double> m = new HashMap<>();
        for (String k : List.of("hard", "normal"))
            m.put(k, 100.0 * items.stream().mapToInt(it -> ((Number) it.extra().get(k)).intValue()).sum() / items.size());
        return m;
    };

    @Test
    void splitIsSeededDisjointAndOrderFree() {
        List<String> keys = IntStream.range(0, 100).mapToObj(i -> "k" + i).toList();
        var a = LambdaSweep.split(keys, 0.5, 7);
        var b = LambdaSweep.split(new ArrayList<>(keys.reversed()), 0.5, 7);
        assertEquals(a.selection(), b.selection());
        assertEquals(50, a.selection().size());
        assertTrue(a.selection().stream().noneMatch(a.heldOut()::contains));
        assertNotEquals(a.selection(), LambdaSweep.split(keys, 0.5, 8).selection());
    }

    @Test
    void picksBestHardWithinTheNormalBudget() {
        // Uniform outcomes so both parts see the same shares: lambda -1 has the best Hard but loses 5 Normal points,
        // lambda -0.5 gains Hard and loses only 1 point (allowed), +0.5 is worse.
        Map<Double, List<ScoredItem>> by = new HashMap<>();
        by.put(0.0, items(40, 0.50, 0.80));
        by.put(-0.5, items(40, 0.60, 0.775));
        by.put(-1.0, items(40, 0.70, 0.75));
        by.put(0.5, items(40, 0.40, 0.85));
        // with a uniform table the split does not matter; make the table uniform by key parity
        var split = new LambdaSweep.Split(
                java.util.Set.copyOf(IntStream.range(0, 40).filter(i -> i % 2 == 0).mapToObj(i -> "id" + i).toList()),
                java.util.Set.copyOf(IntStream.range(0, 40).filter(i -> i % 2 == 1).mapToObj(i -> "id" + i).toList()), 0, 0.5);
        var r = LambdaSweep.run(by, ScoredItem::id, split, METRIC, LambdaSweep.Rule.defaults());
        assertEquals(-0.5, r.chosen());
        assertEquals(4, r.rows().size());
        assertEquals(-1.0, r.rows().getFirst().lambda(), "rows sorted by lambda");
        assertFalse(r.rows().getFirst().eligible());
        assertTrue(r.chosenRow().heldOut().containsKey("hard"));
    }

    @Test
    void baseReferenceMovesTheConstraintAndIsReportedAsItsOwnRow() {
        Map<Double, List<ScoredItem>> by = new HashMap<>();
        by.put(0.0, items(40, 0.50, 0.70));   // PEFT's lambda 0: base body + adapter head, Normal 70
        by.put(-0.5, items(40, 0.60, 0.70));
        by.put(-1.0, items(40, 0.70, 0.75));
        List<ScoredItem> base = items(40, 0.40, 0.75); // the real base model: Normal 75
        var split = new LambdaSweep.Split(
                java.util.Set.copyOf(IntStream.range(0, 40).filter(i -> i % 2 == 0).mapToObj(i -> "id" + i).toList()),
                java.util.Set.copyOf(IntStream.range(0, 40).filter(i -> i % 2 == 1).mapToObj(i -> "id" + i).toList()), 0, 0.5);
        var vsZero = LambdaSweep.run(by, base, ScoredItem::id, split, METRIC, LambdaSweep.Rule.defaults());
        assertEquals(-1.0, vsZero.chosen());
        assertEquals(40.0, vsZero.base().selection().get("hard"), 1e-9, "base row computed from the base scores");
        assertTrue(vsZero.base().isBaseModel() && vsZero.base().lambda() == 0.0, "the base model is a real row: kind BASE_MODEL, adapter off");
        assertTrue(vsZero.rows().stream().noneMatch(LambdaSweep.Row::isBaseModel), "the lambda rows are the candidates");
        assertTrue(vsZero.base().eligible(), "Normal 75 >= lambda 0's 70 - 1");
        assertNull(LambdaSweep.run(by, ScoredItem::id, split, METRIC, LambdaSweep.Rule.defaults()).base(), "no base scores, no base row");
        var rule = LambdaSweep.Rule.defaults().withReference(LambdaSweep.Reference.BASE);
        assertTrue(rule.describe().contains("base-model"), rule.describe());
        var vsBase = LambdaSweep.run(by, base, ScoredItem::id, split, METRIC, rule);
        assertEquals(-1.0, vsBase.chosen(), "only lambda -1 keeps Normal within 1 point of the base model's 75");
        assertFalse(vsBase.rows().stream().filter(r -> r.lambda() == 0.0).findFirst().orElseThrow().eligible());
        by.remove(-1.0);
        var none = LambdaSweep.run(by, base, ScoredItem::id, split, METRIC, rule);
        assertTrue(none.noneEligible());
        assertEquals(0.0, none.chosen());
        assertThrows(IllegalArgumentException.class, () -> LambdaSweep.run(by, null, ScoredItem::id, split, METRIC, rule), "base reference needs base scores");
        assertEquals(LambdaSweep.Reference.BASE, LambdaSweep.Reference.parse("base"));
        assertThrows(IllegalArgumentException.class, () -> LambdaSweep.Reference.parse("zero-ish"));
    }

    @Test
    void refusesSweepsWithoutTheReferenceOrWithUnknownItems() {
        var split = LambdaSweep.split(IntStream.range(0, 10).mapToObj(i -> "id" + i).toList(), 0.5, 1);
        assertThrows(IllegalArgumentException.class, () -> LambdaSweep.run(Map.of(0.5, items(10, 0.5, 0.5)), ScoredItem::id, split, METRIC, LambdaSweep.Rule.defaults()));
        var other = LambdaSweep.split(IntStream.range(0, 10).mapToObj(i -> "x" + i).toList(), 0.5, 1);
        assertThrows(IllegalArgumentException.class, () -> LambdaSweep.run(Map.of(0.0, items(10, 0.5, 0.5)), ScoredItem::id, other, METRIC, LambdaSweep.Rule.defaults()));
    }
}
