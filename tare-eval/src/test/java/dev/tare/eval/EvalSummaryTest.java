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
        assertEquals(1.0, r.before().correlation("chars").spearman().value(), 1e-12);
        assertEquals(2617, r.before().wins("chars").eligible());
        assertEquals(1.0, r.before().wins("chars").rate().value());
        // section scores of the length control (README: Chat 80.6 % of 356 decided; ties count wrong in RewardBench)
        assertTrue(r.before().scores().overview().parts().keySet().containsAll(List.of("Chat", "Chat Hard", "Safety", "Reasoning")));
        // LOWESS of a linear relation is the relation itself: calibrated rewards are ~0, every pair a tie, so wrong
        for (var s : r.after().items()) {
            assertEquals(0.0, s.chosen(), 1e-6);
            assertEquals(0.0, s.rejected(), 1e-6);
        }
        assertTrue(r.after().scores().score().value() < 0.6, "calibration must destroy the length signal: " + r.after().scores().score());
        String row = EvalSummary.leaderboardRow(r);
        assertTrue(row.startsWith("| length-baseline | rewardbench | ") && row.contains("length rho +1.000"), row);
        EvalReport.write(r, new EvalReport.RunInfo("length", "rb", out.toString(), 1.0), tmp);
        assertTrue(Files.exists(tmp.resolve("report.html")) && Files.exists(tmp.resolve("summary.json")));
    }

    /**
     * summary.json and report.html are one set beside the resumable results.jsonl, summary.json last: a write that
     * cannot put report.html in place (a non-empty folder stands in its way) leaves no summary.json, never a new one
     * beside the earlier run's report; and no temp file.
     */
    @Test void summaryJsonIsWrittenLastSoItNeverSitsBesideAnOlderReport() throws Exception {
        List<PreferenceItem> items = TestData.rewardBenchItems().subList(0, 20);
        Path dir = tmp.resolve("eval"), results = dir.resolve("results.jsonl");
        Files.createDirectories(dir);
        EvalRunner.run(items, new TestData.LengthScorer(), results, false, EvalRunner.Options.defaults(), EvalRunnerTest.quiet());
        var r = EvalSummary.analyze(Benchmark.PAIRS, items, ResultsReader.read(results), new Bootstrap(50, 1, 0.95));
        EvalReport.write(r, new EvalReport.RunInfo("first-run", "rb", results.toString(), 1.0), dir);
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("first-run"));
        assertTrue(Files.readString(dir.resolve("report.html")).contains("first-run"));
        Files.delete(dir.resolve("report.html"));
        Files.createDirectories(dir.resolve("report.html"));
        Files.writeString(dir.resolve("report.html/blocker"), "x");
        assertThrows(java.io.UncheckedIOException.class,
                () -> EvalReport.write(r, new EvalReport.RunInfo("second-run", "rb", results.toString(), 1.0), dir));
        assertTrue(!Files.exists(dir.resolve("summary.json")) || Files.readString(dir.resolve("summary.json")).contains("first-run"),
                "a new summary.json beside a report.html that is not its own");
        try (var s = Files.list(dir)) {
            assertEquals(List.of("report.html", "results.jsonl"), s.map(f -> f.getFileName().toString()).sorted().toList(), "no temp file left behind");
        }
        dev.tare.data.AtomicFiles.deleteTree(dir.resolve("report.html"));
        EvalReport.write(r, new EvalReport.RunInfo("third-run", "rb", results.toString(), 1.0), dir);
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("third-run"));
        assertTrue(Files.readString(dir.resolve("report.html")).contains("third-run"));
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
        assertEquals(wins / 20.0, ok.before().scores().score().value(), 1e-12);
    }
}
