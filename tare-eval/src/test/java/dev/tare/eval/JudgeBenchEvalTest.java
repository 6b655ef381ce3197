package dev.tare.eval;

import dev.tare.data.SharedData;
import dev.tare.data.judgebench.JudgeBenchReader;
import dev.tare.data.judgebench.JudgeOutput;
import dev.tare.data.judgebench.JudgePair;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A reward model's game on JudgeBench follows JudgeBench's own reward-model judges (ScalerLab/JudgeBench
 * utils/judges.py, InternLM2Reward / GRMReward / SkyworkReward: {@code 'A>B' if score_A > score_B else 'B>A'}):
 * equal scores are "B>A", not a tie.
 */
class JudgeBenchEvalTest {
    private static ScoredItem result(JudgePair p, double a, double b) {
        boolean aChosen = "A>B".equals(p.label());
        return ScoredItem.pair(p.pairId(), "x", "rm", aChosen ? a : b, aChosen ? b : a, Map.of());
    }

    @Test
    void equalRewardScoresDecideBOverAAsJudgeBenchDoes() {
        JudgePair aBetter = new JudgePair("p1", "o1", "mmlu-pro-math", "q", "m", "ra", "rb", "A>B");
        JudgePair bBetter = new JudgePair("p2", "o2", "mmlu-pro-math", "q", "m", "ra", "rb", "B>A");
        List<JudgeOutput> outs = JudgeBenchEval.outputs(List.of(aBetter, bBetter),
                List.of(result(aBetter, 0.5, 0.5), result(bBetter, 0.5, 0.5)), "rm");
        assertEquals("B>A", outs.get(0).games().getFirst().decision());
        assertEquals("B>A", outs.get(1).games().getFirst().decision());
        assertEquals("A>B", JudgeBenchEval.outputs(List.of(aBetter), List.of(result(aBetter, 0.6, 0.5)), "rm").getFirst().games().getFirst().decision());
    }

    /** summary.json is written last: a write that cannot put report.html in place leaves no new summary.json beside an old report. */
    @Test
    void summaryJsonIsWrittenLastSoItNeverSitsBesideAnOlderReport(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        JudgePair aBetter = new JudgePair("p1", "o1", "mmlu-pro-math", "q", "m", "ra", "rb", "A>B");
        JudgePair bBetter = new JudgePair("p2", "o2", "mmlu-pro-math", "q", "m", "ra", "rb", "B>A");
        var scores = JudgeBenchEval.score(JudgeBenchEval.outputs(List.of(aBetter, bBetter),
                List.of(result(aBetter, 0.6, 0.5), result(bBetter, 0.5, 0.5)), "rm"), new dev.tare.metrics.stats.Bootstrap(20, 1, 0.95));
        JudgeBenchEval.write("first-model", scores, null, null, new EvalReport.RunInfo("rm", "jb", "results.jsonl", 1.0), dir);
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("first-model"));
        assertTrue(Files.readString(dir.resolve("report.html")).contains("first-model"));
        Files.delete(dir.resolve("report.html"));
        Files.createDirectories(dir.resolve("report.html"));
        Files.writeString(dir.resolve("report.html/blocker"), "x");
        assertThrows(java.io.UncheckedIOException.class, () ->
                JudgeBenchEval.write("second-model", scores, null, null, new EvalReport.RunInfo("rm", "jb", "results.jsonl", 1.0), dir));
        assertFalse(Files.exists(dir.resolve("summary.json")), "no summary.json: the folder's summary files read as incomplete");
        try (var s = Files.list(dir)) {
            assertEquals(List.of("report.html"), s.map(f -> f.getFileName().toString()).toList(), "no temp file left behind");
        }
    }

    @Test
    void storedRewardModelDecisionsAreReproducedFromTheirScores() throws Exception {
        Path dir = SharedData.data("judgebench/judge-outputs").orElse(null);
        assumeTrue(dir != null, "../shared/data/judgebench absent: skipping");
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().contains("judge_name=reward_model")).toList();
        }
        assumeTrue(!files.isEmpty());
        int games = 0, ties = 0;
        for (Path f : files) {
            List<JudgeOutput> stored = JudgeBenchReader.readOutputs(f);
            List<JudgePair> pairs = new ArrayList<>();
            List<ScoredItem> results = new ArrayList<>();
            for (JudgeOutput o : stored) {
                List<Double> sc = o.games().getFirst().scores();
                pairs.add(o.pair());
                results.add(result(o.pair(), sc.get(0), sc.get(1)));
                if (sc.get(0).equals(sc.get(1))) ties++;
            }
            List<JudgeOutput> ours = JudgeBenchEval.outputs(pairs, results, "rm");
            for (int i = 0; i < stored.size(); i++, games++)
                assertEquals(stored.get(i).games().getFirst().decision(), ours.get(i).games().getFirst().decision(),
                        f.getFileName() + " line " + stored.get(i).line());
        }
        assertTrue(games >= 700);
        // Skywork-Reward-Gemma-2-27B and -Llama-3.1-8B have pairs with equal scores, stored as "B>A"
        assertTrue(ties > 0, "the stored outputs exercise the tie rule");
    }
}
