package dev.tare.debias.calibration;

import dev.tare.bias.Feature;
import dev.tare.debias.audit.AuditInput;
import dev.tare.metrics.rewardbench.RewardBenchMetrics;
import dev.tare.metrics.rewardbench.RewardBenchScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Calibration runs on real InternLM-XComposer2.5-7B-Reward RewardBench scores with the RewardBench texts. */
class CalibrationRunTest {
    static InternLmRewardBench.Data data;
    static final Bootstrap FAST = new Bootstrap(100, 1, 0.95);

    @BeforeAll
    static void load() throws Exception {
        data = InternLmRewardBench.load().orElse(null);
    }

    /** The real items; skips the test (before anything reads them) where ../shared is absent. */
    static List<ScoredItem> items() {
        assumeTrue(data != null, "../shared rm-scores / rewardbench not present: skipping");
        return data.items();
    }

    static CalibrationRun.Outcome run(Method m, List<Feature> f) {
        return CalibrationRun.run(items(), texts(), CalibrationRun.Kind.REWARDBENCH, m, f, CalibrationSettings.defaults(), null, FAST);
    }

    static java.util.function.Function<ScoredItem, AuditInput.Texts> texts() {
        assumeTrue(data != null, "../shared rm-scores / rewardbench not present: skipping");
        Map<ScoredItem.Key, AuditInput.Texts> t = new HashMap<>();
        for (int i = 0; i < items().size(); i++)
            t.put(items().get(i).key(), new AuditInput.Texts(data.rows().get(i).chosen(), data.rows().get(i).rejected()));
        return it -> t.get(it.key());
    }

    @Test
    void applyingTheFittedLwrCalibratorReproducesTheFitAndItsReport() {
        var fit = run(Method.LWR, List.of(Feature.CHARS));
        var applied = CalibrationRun.apply(items(), texts(), CalibrationRun.Kind.REWARDBENCH, fit.steps(), null, FAST);
        for (int i = 0; i < items().size(); i++) {
            assertEquals(fit.calibrated().get(i).scoresChosen(), applied.calibrated().get(i).scoresChosen());
            assertEquals(fit.calibrated().get(i).scoresRejected(), applied.calibrated().get(i).scoresRejected());
        }
        var f = fit.audit();
        var a = applied.audit();
        assertEquals(f.before().scores(), a.before().scores());
        assertEquals(f.after().scores(), a.after().scores());
        assertEquals(f.flips(), a.flips());
        assertEquals(f.after().correlations(), a.after().correlations());
        assertEquals(f.after().wins(), a.after().wins());
        assertEquals(f.responses(), a.responses());
    }

    @Test
    void holdoutSplitIsSeededWholeItemsAndPerSubset() {
        assumeTrue(data != null, "../shared rm-scores / rewardbench not present: skipping");
        boolean[] a = CalibrationRun.holdoutSplit(items(), 0.25, 7), b = CalibrationRun.holdoutSplit(items(), 0.25, 7);
        boolean[] c = CalibrationRun.holdoutSplit(items(), 0.25, 8);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c), "another seed, another split");
        Map<String, int[]> per = new java.util.TreeMap<>();
        for (int i = 0; i < a.length; i++) {
            int[] x = per.computeIfAbsent(items().get(i).subset(), k -> new int[2]);
            x[0]++;
            if (a[i]) x[1]++;
        }
        assertEquals(23, per.size());
        per.forEach((k, x) -> assertEquals(Math.round(0.25 * x[0]), x[1], k));
        assertThrows(IllegalArgumentException.class, () -> CalibrationRun.holdoutSplit(items(), 1.0, 7));
    }

    @Test
    void holdoutFitsOnTheRestAndReportsTheHeldOutPartWithTheSameReport() {
        var chain = List.of(new RewardCalibration.Step(Method.LWR, "chars"));
        var o = CalibrationRun.fitWithHoldout(items(), texts(), CalibrationRun.Kind.REWARDBENCH, chain,
                CalibrationSettings.defaults(), null, FAST, 0.3, 11);
        boolean[] held = CalibrationRun.holdoutSplit(items(), 0.3, 11);
        List<ScoredItem> fitItems = new java.util.ArrayList<>(), heldItems = new java.util.ArrayList<>();
        for (int i = 0; i < held.length; i++) (held[i] ? heldItems : fitItems).add(items().get(i));
        // the curve is fitted on the fit part only
        var fitOnly = CalibrationRun.fit(fitItems, texts(), CalibrationRun.Kind.REWARDBENCH, chain, CalibrationSettings.defaults(), null, FAST);
        assertEquals(fitOnly.steps(), o.steps());
        assertEquals(fitOnly.audit().before().scores(), o.audit().before().scores());
        assertEquals(fitOnly.audit().after().scores(), o.audit().after().scores());
        var h = o.holdout().audit();
        assertEquals(heldItems.size(), h.items());
        assertEquals(2 * heldItems.size(), h.responses());
        assertEquals(RewardBenchMetrics.compute(heldItems, FAST), h.before().scores());
        // held-out scores: raw - b(len) with the curve fitted on the other items; calibrated keeps the input order
        int flipped = 0;
        for (int i = 0; i < held.length; i++) {
            ScoredItem raw = items().get(i), cal = o.calibrated().get(i);
            assertEquals(raw.key(), cal.key());
            assertEquals(held[i] ? "holdout" : "fit", cal.extraText("split"));
            if (!held[i]) continue;
            double lc = Feature.CHARS.of(data.rows().get(i).chosen().get(0)), lr = Feature.CHARS.of(data.rows().get(i).rejected().get(0));
            assertEquals(o.steps().get(0).apply(lc, raw.chosen()), cal.chosen(), 1e-12);
            assertEquals(o.steps().get(0).apply(lr, raw.rejected()), cal.rejected(), 1e-12);
            if ((raw.chosen() > raw.rejected()) != (cal.chosen() > cal.rejected())) flipped++;
        }
        assertEquals(flipped, h.flips().flipped());
        // InternLM has little length bias: held-out accuracy stays within a point of the uncalibrated score
        double before = h.before().scores().score().value(), after = h.after().scores().score().value();
        assertTrue(Math.abs(after - before) < 0.01, before + " -> " + after);
    }

    @Test
    void beforeFiguresMatchScipyAndTheDataReadme() {
        var o = run(Method.LWR, List.of(Feature.CHARS, Feature.MARKDOWN));
        var s = o.audit();
        assertEquals("rewardbench", CalibrationRun.Kind.detect(items()).cliName());
        // scipy 1.17.1 spearmanr / kendalltau over the 5876 pooled responses (len = Python len, md = the repo's regexes)
        var chars = s.before().correlations().get(0);
        assertEquals("chars", chars.feature());
        assertEquals(0.02014482892861597, chars.spearman().value(), 1e-12);
        assertEquals(0.016844790124405814, chars.kendall().value(), 1e-12);
        var md = s.before().correlations().get(1);
        assertEquals("markdown", md.feature());
        assertEquals(0.024001814510255844, md.spearman().value(), 1e-12);
        assertEquals(0.020029989329278255, md.kendall().value(), 1e-12);
        // longer response wins 1147 of the 2570 pairs of different length (counted in Python)
        assertEquals(2570, s.before().wins("chars").eligible());
        assertEquals(1147.0 / 2570, s.before().wins("chars").rate().value(), 1e-15);
        // per-subset accuracies in shared/data/rm-scores/README.md
        var subsets = ((RewardBenchScores) s.before().scores()).subsets();
        java.util.function.ToDoubleFunction<String> acc = name -> subsets.stream().filter(x -> x.subset().equals(name)).findFirst().orElseThrow().score().value();
        assertEquals(0.864, acc.applyAsDouble("math-prm"), 5e-4);
        assertEquals(0.730, acc.applyAsDouble("mt-bench-hard"), 5e-4);
        assertEquals(0.603, acc.applyAsDouble("donotanswer"), 5e-4);
        assertEquals(2938, s.items());
        assertEquals(5876, s.responses());
    }

    @Test
    void markdownCountsEqualPythonRegexCounts() {
        assumeTrue(data != null, "../shared rm-scores / rewardbench not present: skipping");
        // Python re (the repo's md_features regexes) over the 5876 pooled responses: 8882 matches in total
        long total = 0;
        for (var row : data.rows())
            for (String t : List.of(row.chosen().get(0), row.rejected().get(0))) total += (long) Feature.MARKDOWN.of(t);
        assertEquals(8882, total);
    }

    @Test
    void lwrRescoresEveryResponseAndFlipsAreCountedFromTheScores(@TempDir Path dir) {
        var o = run(Method.LWR, List.of(Feature.CHARS));
        int flipped = 0;
        for (int i = 0; i < items().size(); i++) {
            ScoredItem b = items().get(i), a = o.calibrated().get(i);
            assertEquals(b.key(), a.key());
            assertEquals(ScoredItem.pairResult(a.chosen(), a.rejected()), a.results());
            if ((b.chosen() > b.rejected()) != (a.chosen() > a.rejected())) flipped++;
            // calibrated = raw - b(len) with the saved curve
            double len = Feature.CHARS.of(data.rows().get(i).chosen().get(0));
            assertEquals(o.steps().get(0).apply(len, b.chosen()), a.chosen(), 1e-12);
        }
        assertTrue(flipped > 0, "length calibration changes some decisions");
        assertEquals(flipped, o.audit().flips().flipped());
        assertEquals(flipped / 2938.0, o.audit().flips().share(), 1e-15);
        // the saved calibrator reproduces the calibrated scores exactly
        Path f = dir.resolve("cal.json");
        CalibratorFile.write(f, o.steps());
        var steps = CalibratorFile.read(f);
        for (int i = 0; i < 50; i++) {
            double len = Feature.CHARS.of(data.rows().get(i).rejected().get(0));
            assertEquals(o.calibrated().get(i).rejected(),
                    CalibratorFile.apply(steps, Map.of("chars", len), items().get(i).rejected()), 0.0);
        }
    }

    @Test
    void penaltyIsTheRawScoreMinusPerCharacterCost() {
        var o = run(Method.PENALTY, List.of(Feature.CHARS));
        for (int i = 0; i < 200; i++) {
            double len = data.rows().get(i).chosen().get(0).codePoints().count();
            assertEquals(items().get(i).chosen() - 0.001 * len, o.calibrated().get(i).chosen(), 1e-12);
        }
    }
}
