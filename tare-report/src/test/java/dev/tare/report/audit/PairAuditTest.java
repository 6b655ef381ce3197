package dev.tare.report.audit;

import dev.tare.metrics.stats.Bootstrap;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The audit's accuracy follows the data: RewardBench scoring only with RewardBench subsets, else plain pair accuracy. */
class PairAuditTest {
    static List<PairAudit.Pair> pairs(String... subsets) {
        SplittableRandom r = new SplittableRandom(7);
        List<PairAudit.Pair> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String c = "answer ".repeat(1 + r.nextInt(30)), rj = "reply ".repeat(1 + r.nextInt(30));
            out.add(new PairAudit.Pair(subsets[i % subsets.length], "id" + i, c, rj, r.nextGaussian() + 0.5, r.nextGaussian()));
        }
        return out;
    }

    @Test
    void genericPairsAreScoredByPairAccuracyNotAsAnEmptyRewardBench(@TempDir Path dir) throws Exception {
        List<PairAudit.Pair> p = pairs("helpfulness", "honesty");
        var res = PairAudit.run("m", p, 1.0, 1.0, new Bootstrap(50, 1, 0.95));
        var b = res.measuresBefore();
        assertFalse(b.rewardBench());
        long correct = p.stream().filter(x -> x.chosenScore() > x.rejectedScore()).count();
        assertTrue(correct > 0);
        assertEquals((double) correct / p.size(), b.score().value(), 1e-12, "accuracy over all pairs");
        assertEquals("accuracy over all pairs", b.scoreLabel());
        assertEquals(List.of("helpfulness", "honesty"), b.subsets().stream().map(s -> s.subset()).toList());
        assertTrue(b.sections().isEmpty());

        JsonSummary json = new JsonSummary();
        PairAudit.addTo(json, res);
        Path jf = dir.resolve("s.json");
        json.write(jf);
        var node = dev.tare.data.Jsonl.MAPPER.readTree(jf.toFile()).get("before");
        assertEquals("pair_accuracy", node.get("score_kind").asText());
        assertEquals((double) correct / p.size(), node.get("score").get("value").asDouble(), 1e-12);
        assertNull(node.get("sections"));

        HtmlReport html = new HtmlReport("t");
        PairAudit.addTo(html, res, "audit", null);
        Path hf = dir.resolve("r.html");
        html.write(hf);
        String h = Files.readString(hf);
        assertTrue(h.contains("accuracy over all pairs"), "labelled as pair accuracy");
        assertFalse(h.contains("RewardBench score"), "no RewardBench score for generic pairs");
    }

    @Test
    void rewardBenchSubsetsKeepRewardBenchScoring() {
        var res = PairAudit.run("m", pairs("alpacaeval-easy", "hep-go"), 1.0, 1.0, new Bootstrap(50, 1, 0.95));
        var b = res.measuresBefore();
        assertTrue(b.rewardBench());
        assertEquals("rewardbench", b.scoreKind());
        assertEquals(b.metrics().score(), b.score());
        // two of the four sections have no pair: they are n/a and the score is the mean of the two present, labelled
        // partial (upstream's logging helper would score them 0 and divide by 4)
        double chat = b.sections().get("Chat").value(), reasoning = b.sections().get("Reasoning").value();
        assertEquals((chat + reasoning) / 2, b.score().value(), 1e-12);
        assertEquals(List.of("Chat Hard", "Safety"), b.missingSections());
        assertEquals("RewardBench score (partial: mean of 2 of 4 sections)", b.scoreLabel());
    }
}
