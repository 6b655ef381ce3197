package dev.tare.eval;

import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** End-of-run analysis on the length baseline over all of RewardBench v1, where every quantity is known exactly. */
class EvalSummaryTest {
    @TempDir Path tmp;

    @Test void lengthBaselineIsFullyLengthBiasedAndCalibrationRemovesIt() {
        List<PreferenceItem> items = dev.tare.data.rewardbench.RewardBenchReader.read(TestData.rewardBench());
        Path out = tmp.resolve("r.jsonl");
        EvalRunner.run(items, new TestData.LengthScorer(), out, false, EvalRunner.Options.defaults().withBatchSize(256), EvalRunnerTest.quiet());
        var r = EvalSummary.analyze(Benchmark.REWARDBENCH, items, ResultsReader.read(out), new Bootstrap(100, 1, 0.95));
        assertEquals(2985, r.items());
        assertEquals(5970, r.responses());
        // reward = length: rank correlation 1, and the longer response always wins (published control: 2,617 decided pairs)
        assertEquals(1.0, r.rawBias().get("chars").spearman().value(), 1e-12);
        assertEquals(2617, r.rawBias().longerWins().eligible());
        assertEquals(1.0, r.rawBias().longerWins().rate().value());
        // section scores of the length control (README: Chat 80.6 % of 356 decided; ties count wrong in RewardBench)
        assertTrue(r.raw().parts().keySet().containsAll(List.of("Chat", "Chat Hard", "Safety", "Reasoning")));
        // LOWESS of a linear relation is the relation itself: calibrated rewards are ~0, every pair a tie, so wrong
        for (var s : r.calibratedItems()) {
            assertEquals(0.0, s.chosen(), 1e-6);
            assertEquals(0.0, s.rejected(), 1e-6);
        }
        assertTrue(r.calibrated().score().value() < 0.6, "calibration must destroy the length signal: " + r.calibrated().score());
        String row = EvalSummary.leaderboardRow(r);
        assertTrue(row.startsWith("| length-baseline | rewardbench | ") && row.contains("length rho +1.000"), row);
        EvalReport.write(r, new EvalReport.RunInfo("length", "rb", out.toString(), 1.0), tmp);
        assertTrue(Files.exists(tmp.resolve("report.html")) && Files.exists(tmp.resolve("summary.json")));
    }

    @Test void resultsThatDoNotMatchTheDatasetAreRejected() {
        List<PreferenceItem> items = TestData.rewardBenchItems().subList(0, 20);
        Path out = tmp.resolve("r.jsonl");
        EvalRunner.run(items, new TestData.LengthScorer(), out, false, EvalRunner.Options.defaults(), EvalRunnerTest.quiet());
        var res = ResultsReader.read(out);
        var e = assertThrows(IllegalArgumentException.class, () -> EvalSummary.analyze(Benchmark.PAIRS, items.subList(1, 20), res.subList(0, 19), Bootstrap.defaults()));
        assertTrue(e.getMessage().contains("results line 1"), e.getMessage());
        var ok = EvalSummary.analyze(Benchmark.PAIRS, items, res, new Bootstrap(50, 1, 0.95));
        long wins = res.stream().filter(s -> s.results() == 1.0).count();
        assertEquals(wins / 20.0, ok.raw().score().value(), 1e-12);
    }

    /** Longer-wins over every chosen x rejected combination, counted by hand for an RM-Bench and a RewardBench 2 item. */
    @Test void longerWinsCountsEveryChosenRejectedCombination() {
        // item 0 (RM-Bench shape): chosen lengths 10, 30, 50 scored 1, 1, 1; rejected lengths 20, 40, 60 scored 0, 2, 0.
        //   c10: r20 longer 0<1 loses, r40 longer 2>1 wins, r60 longer 0<1 loses; c30: vs r20 c longer 1>0 wins, r40 wins,
        //   r60 loses; c50: vs r20 wins, vs r40 c longer 1<2 loses, r60 loses -> 4 of 9
        // item 1 (RewardBench 2 shape): chosen length 5 scored 1; rejected lengths 5, 10, 3 scored 9, 2, 0:
        //   equal length not eligible; r10 longer 2>1 wins; c longer than r3, 1>0 wins -> 2 of 2 eligible, 3 combinations
        double[] len = {10, 30, 50, 20, 40, 60, 5, 5, 10, 3};
        double[] sc = {1, 1, 1, 0, 2, 0, 1, 9, 2, 0};
        int[] item = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
        boolean[] chosen = {true, true, true, false, false, false, true, false, false, false};
        var lw = EvalSummary.longerWins(sc, len, item, chosen, new Bootstrap(200, 3, 0.95));
        assertEquals(12, lw.pairs());
        assertEquals(11, lw.eligible());
        assertEquals(6.0 / 11, lw.rate().value(), 1e-12);
        // resampling items: either item alone gives 4/9 or 1, so the interval lies within [4/9, 1]
        assertTrue(lw.rate().lo() >= 4.0 / 9 - 1e-12 && lw.rate().hi() <= 1.0, lw.rate().toString());
        // one pair per item: the plain per-pair rate (RewardBench v1 and pairs unchanged); item 0 the longer chosen wins,
        // item 1 the longer rejected (score 0 vs 1) loses, item 2 equal lengths -> 1 of 2
        var one = EvalSummary.longerWins(new double[]{3, 1, 1, 0, 2, 2}, new double[]{9, 4, 4, 9, 7, 7}, new int[]{0, 0, 1, 1, 2, 2},
                new boolean[]{true, false, true, false, true, false}, new Bootstrap(50, 3, 0.95));
        assertEquals(3, one.pairs());
        assertEquals(2, one.eligible());
        assertEquals(0.5, one.rate().value(), 1e-12);
    }
}
