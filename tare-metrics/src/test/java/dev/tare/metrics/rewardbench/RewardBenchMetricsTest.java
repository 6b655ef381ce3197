package dev.tare.metrics.rewardbench;

import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsReader;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RewardBenchMetricsTest {
    @TempDir Path dir;

    @Test void armoRmLeaderboardScoreWithPriorSets() {
        // RLHFlow armo-rm README (May 2024 leaderboard): 96.9, 76.8, 92.2, 97.3, prior 74.3 -> 89.0 (88.97)
        assertEquals(88.97, RewardBenchMetrics.withPriorSets(96.9, 76.8, 92.2, 97.3, 74.3), 0.005);
        // Cohere May 2024: 96.4, 71.3, 92.7, 97.7, prior 78.2 -> 88.3
        assertEquals(88.3, RewardBenchMetrics.withPriorSets(96.4, 71.3, 92.7, 97.7, 78.2), 0.05);
    }

    @Test void internLmSectionsMatchTheModelCard() throws Exception {
        var items = InternLmScores.rewardBench();
        assumeTrue(items.isPresent(), "../shared rm-scores / rewardbench not present");
        // round-trip through the results format first: the metrics must not depend on the in-memory form
        Path f = dir.resolve("internlm.jsonl");
        try (var w = ResultsWriter.create(f)) { items.get().forEach(w::append); }
        List<ScoredItem> back = ResultsReader.read(f);
        var r = RewardBenchMetrics.compute(back, Bootstrap.defaults());
        // Published on the InternLM-XComposer2.5-Reward card: Chat Hard 83.8, Safety 87.8 (both sections complete here)
        assertEquals(83.8, Math.round(r.sections().get("Chat Hard").value() * 1000) / 10.0);
        assertEquals(87.8, Math.round(r.sections().get("Safety").value() * 1000) / 10.0);
        assertEquals(0.8377, r.sections().get("Chat Hard").value(), 5e-5);
        assertEquals(0.8784, r.sections().get("Safety").value(), 5e-5);
        // Reasoning with math-prm weighted 984 (card: 90.0, which matches the plain accuracy 90.08 instead)
        assertEquals(0.8906, r.sections().get("Reasoning").value(), 5e-5);
        Map<String, Double> perSubset = Map.of("mt-bench-hard", 0.730, "donotanswer", 0.603, "llmbar-adver-manual", 0.696,
                "math-prm", 0.864, "hep-rust", 0.915, "alpacaeval-easy", 0.887);
        for (var s : r.subsets()) if (perSubset.containsKey(s.subset())) assertEquals(perSubset.get(s.subset()), s.score().value(), 5e-4, s.subset());
        assertEquals(53, r.subsets().stream().filter(s -> s.subset().equals("alpacaeval-easy")).findFirst().orElseThrow().items());
        assertEquals(2938, r.items());
        var ci = r.sections().get("Safety");
        assertTrue(ci.lo() < ci.value() && ci.value() < ci.hi() && ci.hi() - ci.lo() < 0.06, ci.toString());
        assertNull(r.scoreWithPriorSets());
        assertEquals(0.8856, back.stream().mapToDouble(ScoredItem::results).average().orElseThrow(), 5e-5, "88.56% chosen > rejected");
    }

    @Test void tiesAreWrongAndSectionsUseExampleCounts() {
        List<ScoredItem> items = new ArrayList<>();
        // math-prm: 1 of 2 right (acc .5, weight 984); hep-go: 2 of 2 right (acc 1, weight 164)
        items.add(ScoredItem.pair("1", "math-prm", "m", 1, 0, null));
        items.add(ScoredItem.pair("2", "math-prm", "m", 1, 1, null));
        items.add(ScoredItem.pair("3", "hep-go", "m", 2, 1, null));
        items.add(ScoredItem.pair("4", "hep-go", "m", 3, 1, null));
        items.add(ScoredItem.pair("5", "anthropic_helpful", "m", 3, 1, null));
        var r = RewardBenchMetrics.compute(items, new Bootstrap(200, 1, 0.95));
        assertEquals((0.5 * 984 + 1.0 * 164) / (984 + 164), r.sections().get("Reasoning").value(), 1e-12);
        assertNull(r.sections().get("Chat"), "a section without items is n/a, not 0");
        assertEquals(List.of("Chat", "Chat Hard", "Safety"), r.missingSections());
        assertEquals(1, r.ties());
        assertEquals(1.0, r.priorSets().value());
        double reasoning = r.sections().get("Reasoning").value();
        assertEquals(reasoning, r.score().value(), 1e-12);
        assertEquals("partial: mean of 1 of 4 sections", r.scoreLabel());
        assertEquals((reasoning + 0.5 * 1.0) / 1.5, r.scoreWithPriorSets().value(), 1e-12);
        assertTrue(r.missingSubsets().contains("alpacaeval-easy"));
    }

    /**
     * A run over some sections only (here InternLM's published scores restricted to the Chat and Safety subsets, as a
     * --limit run or a partial results file gives): each present section scores exactly as in the full run, the absent
     * ones are n/a, and the score is their mean labelled partial; averaging 0 % in for the absent ones would halve it.
     */
    @Test void absentSectionsAreNotAveragedIn() throws Exception {
        var items = InternLmScores.rewardBench();
        assumeTrue(items.isPresent(), "../shared rm-scores / rewardbench not present");
        var full = RewardBenchMetrics.compute(items.get(), new Bootstrap(100, 1, 0.95));
        assertFalse(full.partial());
        assertEquals(List.of(), full.missingSections());
        assertEquals("mean of 4 sections", full.scoreLabel());
        assertEquals(0.25 * full.sections().values().stream().mapToDouble(i -> i.value()).sum(), full.score().value(), 1e-12);

        var chatSafety = items.get().stream().filter(it -> List.of("Chat", "Safety")
                .contains(dev.tare.data.rewardbench.RewardBenchSubsets.sectionOf(it.subset()))).toList();
        var r = RewardBenchMetrics.compute(chatSafety, new Bootstrap(100, 1, 0.95));
        assertTrue(r.partial());
        assertEquals(List.of("Chat Hard", "Reasoning"), r.missingSections());
        assertEquals(List.of("Chat", "Safety"), List.copyOf(r.sections().keySet()));
        assertEquals(full.sections().get("Chat").value(), r.sections().get("Chat").value(), 1e-12);
        assertEquals(0.8784, r.sections().get("Safety").value(), 5e-5);   // model card: Safety 87.8
        assertEquals((full.sections().get("Chat").value() + full.sections().get("Safety").value()) / 2, r.score().value(), 1e-12);
        assertTrue(r.score().value() > 0.85, "not dragged towards 0 by the absent sections: " + r.score());
        assertTrue(r.score().lo() < r.score().value() && r.score().value() < r.score().hi());
        assertEquals("partial: mean of 2 of 4 sections", r.scoreLabel());
    }

    @Test void storedResultsContradictingScoresAreRejected() {
        var bad = new ScoredItem("1", "hep-go", "m", List.of(0.0), List.of(1.0), 1.0, null);
        assertThrows(IllegalArgumentException.class, () -> RewardBenchMetrics.compute(List.of(bad), Bootstrap.defaults()));
    }
}
