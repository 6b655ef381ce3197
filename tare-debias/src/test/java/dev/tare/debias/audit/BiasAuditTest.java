package dev.tare.debias.audit;

import dev.tare.bias.Feature;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The engine's pooling, its wins rates counted by hand, and its before/after bookkeeping. */
class BiasAuditTest {
    static final Bootstrap BOOT = new Bootstrap(200, 3, 0.95);

    static List<String> texts(double... lengths) {
        List<String> out = new ArrayList<>();
        for (double l : lengths) out.add("x".repeat((int) l));
        return out;
    }

    static List<Double> scores(double... s) {
        List<Double> out = new ArrayList<>();
        for (double v : s) out.add(v);
        return out;
    }

    /**
     * item 0 (RM-Bench shape): chosen lengths 10, 30, 50 scored 1, 1, 1; rejected lengths 20, 40, 60 scored 0, 2, 0.
     * item 1 (RewardBench 2 shape): chosen length 5 scored 1; rejected lengths 5, 10, 3 scored 9, 2, 0.
     */
    static AuditInput twoItems() {
        List<ScoredItem> items = List.of(
                new ScoredItem("0", "s", "m", scores(1, 1, 1), scores(0, 2, 0), null, null),
                new ScoredItem("1", "s", "m", scores(1), scores(9, 2, 0), 0.0, null));
        List<AuditInput.Texts> t = List.of(new AuditInput.Texts(texts(10, 30, 50), texts(20, 40, 60)),
                new AuditInput.Texts(texts(5), texts(5, 10, 3)));
        return AuditInput.of(items, t::get, Layout.ITEM_MAJOR, List.of(Feature.CHARS), null);
    }

    @Test void longerWinsOverEveryChosenRejectedCombination() {
        // item 0: c10: r20 longer 0<1 loses, r40 longer 2>1 wins, r60 longer 0<1 loses; c30: vs r20 c longer 1>0 wins, r40 wins,
        //   r60 loses; c50: vs r20 wins, vs r40 c longer 1<2 loses, r60 loses -> 4 of 9
        // item 1: equal length not eligible; r10 longer 2>1 wins; c longer than r3, 1>0 wins -> 2 of 2 eligible, 3 combinations
        AuditInput in = twoItems();
        var lw = BiasAudit.wins(in, in.feature("chars"), Pairing.ALL_COMBINATIONS, BOOT);
        assertEquals(12, lw.pairs());
        assertEquals(11, lw.eligible());
        assertEquals(6.0 / 11, lw.rate().value(), 1e-12);
        // resampling items: either item alone gives 4/9 or 1, so the interval lies within [4/9, 1]
        assertTrue(lw.rate().lo() >= 4.0 / 9 - 1e-12 && lw.rate().hi() <= 1.0, lw.rate().toString());
    }

    @Test void longerWinsOverSameIndexPairs() {
        // item 0: c10 vs r20 loses, c30 vs r40 (2 > 1) loses, c50 vs r60 (0 < 1) loses... counted: r longer each time;
        //   r20 scores 0 < 1: the longer loses; r40 scores 2 > 1: the longer wins; r60 scores 0 < 1: the longer loses -> 1 of 3
        // item 1: chosen vs the first rejected only, equal lengths: not eligible -> 1 of 3 eligible, 4 pairs
        AuditInput in = twoItems();
        var lw = BiasAudit.wins(in, in.feature("chars"), Pairing.SAME_INDEX, BOOT);
        assertEquals(4, lw.pairs());
        assertEquals(3, lw.eligible());
        assertEquals(1.0 / 3, lw.rate().value(), 1e-12);
    }

    @Test void onePairPerItemIsThePlainPerPairRateInEitherPairing() {
        // item 0 the longer chosen wins, item 1 the longer rejected (score 0 vs 1) loses, item 2 equal lengths -> 1 of 2
        List<ScoredItem> items = List.of(ScoredItem.pair("0", "s", "m", 3, 1, null), ScoredItem.pair("1", "s", "m", 1, 0, null),
                ScoredItem.pair("2", "s", "m", 2, 2, null));
        double[][] len = {{9, 4}, {4, 9}, {7, 7}};
        for (Layout layout : Layout.values()) {
            AuditInput in = AuditInput.of(items, k -> new AuditInput.Texts(texts(len[k][0]), texts(len[k][1])), layout, List.of(Feature.CHARS), null);
            for (Pairing p : Pairing.values()) {
                var lw = BiasAudit.wins(in, in.feature("chars"), p, BOOT);
                assertEquals(3, lw.pairs());
                assertEquals(2, lw.eligible());
                assertEquals(0.5, lw.rate().value(), 1e-12, layout + " " + p);
            }
        }
    }

    @Test void layoutsPoolTheSameResponsesInTheirOrder() {
        List<ScoredItem> items = List.of(ScoredItem.pair("0", "s", "m", 3, 1, null), ScoredItem.pair("1", "s", "m", 1, 0, null));
        var side = AuditInput.of(items, k -> new AuditInput.Texts(texts(10 + k), texts(20 + k)), Layout.SIDE_MAJOR, List.of(Feature.CHARS), null);
        assertArrayEquals(new double[]{3, 1, 1, 0}, side.pool().scores());
        assertArrayEquals(new double[]{10, 11, 20, 21}, side.feature("chars"));
        assertArrayEquals(new int[]{0, 1, 0, 1}, side.pool().item());
        var item = AuditInput.of(items, k -> new AuditInput.Texts(texts(10 + k), texts(20 + k)), Layout.ITEM_MAJOR, List.of(Feature.CHARS), null);
        assertArrayEquals(new double[]{3, 1, 1, 0}, item.pool().scores());
        assertArrayEquals(new double[]{10, 20, 11, 21}, item.feature("chars"));
        // re-scoring keeps each response with its item: item 1's chosen is pool position 1 side-major, 2 item-major
        assertEquals(List.of(5.0), side.withScores(new double[]{0, 5, 0, 0}).items().get(1).scoresChosen());
        assertEquals(List.of(5.0), item.withScores(new double[]{0, 0, 5, 0}).items().get(1).scoresChosen());
        assertEquals(1.0, item.withScores(new double[]{0, 0, 5, 0}).items().get(1).results());
        var e = assertThrows(IllegalArgumentException.class, () -> AuditInput.of(List.of(new ScoredItem("0", "s", "m", scores(1), scores(0, 1), null, null)),
                k -> new AuditInput.Texts(texts(1), texts(1, 2)), Layout.SIDE_MAJOR, List.of(), null));
        assertTrue(e.getMessage().contains("not a pair"), e.getMessage());
    }

    @Test void lwrOnALinearLengthRewardRemovesIt() {
        // reward = length / 100 + noise-free quality; LOWESS of a linear relation is the relation, so calibrated = quality
        SplittableRandom r = new SplittableRandom(5);
        List<ScoredItem> items = new ArrayList<>();
        List<AuditInput.Texts> t = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            int lc = 50 + r.nextInt(400), lr = 50 + r.nextInt(400);
            items.add(ScoredItem.pair("p" + i, "s", "m", lc / 100.0, lr / 100.0, null));
            t.add(new AuditInput.Texts(texts(lc), texts(lr)));
        }
        AuditInput in = AuditInput.of(items, t::get, Layout.SIDE_MAJOR, List.of(Feature.CHARS), null);
        AuditPlan plan = new AuditPlan(BenchmarkScoring.PAIRS,
                Calibration.Fit.of(List.of(new RewardCalibration.Step(Method.LWR, "chars")), CalibrationSettings.defaults()),
                List.of("chars"), List.of("chars"), Pairing.ALL_COMBINATIONS);
        AuditResult a = BiasAudit.run(in, plan, BOOT);
        assertEquals(1.0, a.before().correlation("chars").spearman().value(), 1e-12);
        for (double s : a.after().rewards()) assertEquals(0.0, s, 1e-9);
        long above = items.stream().filter(it -> it.chosen() > it.rejected()).count();
        assertEquals((double) above / items.size(), a.before().scores().score().value(), 1e-12);
        // flips: one comparison per pair, counted from the items before and after
        long changed = 0;
        for (int i = 0; i < items.size(); i++)
            if ((items.get(i).chosen() > items.get(i).rejected()) != (a.after().items().get(i).chosen() > a.after().items().get(i).rejected())) changed++;
        assertEquals(80, a.flips().compared());
        assertEquals(changed, a.flips().flipped());
        // the step's bias at each response is the fit it subtracted, and nothing is left after it
        double[] b = a.stepBias(0);
        for (int i = 0; i < b.length; i++) assertEquals(in.pool().scores()[i], b[i], 1e-9);
        for (double v : BiasAudit.residualBias(a)) assertEquals(0.0, v, 1e-9);
        // applying the fitted step to the same responses gives the same scores
        AuditResult applied = BiasAudit.run(in, plan.with(new Calibration.Apply(a.steps())), BOOT);
        assertArrayEquals(a.after().rewards(), applied.after().rewards(), 0.0);
    }
}
