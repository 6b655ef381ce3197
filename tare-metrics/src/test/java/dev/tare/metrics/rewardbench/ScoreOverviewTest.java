package dev.tare.metrics.rewardbench;

import dev.tare.data.pairs.Benchmark;
import dev.tare.data.rewardbench.RewardBenchSubsets;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** One scoring entry per benchmark, and the headline-and-parts view of its scores, on InternLM's real RewardBench scores. */
class ScoreOverviewTest {
    static final Bootstrap FAST = new Bootstrap(100, 1, 0.95);

    static List<ScoredItem> internLm() throws Exception {
        var items = InternLmScores.rewardBench();
        assumeTrue(items.isPresent(), "../shared rm-scores / rewardbench not present: skipping");
        return items.get();
    }

    @Test void everyBenchmarkHasOneScoring() {
        for (Benchmark b : Benchmark.values()) assertEquals(b, BenchmarkScoring.of(b).benchmark());
        assertEquals(BenchmarkScoring.values().length, Benchmark.values().length);
    }

    @Test void rewardBenchOverviewHasTheSectionsAndLabelsAPartialRun() throws Exception {
        List<ScoredItem> all = internLm();
        var full = BenchmarkScoring.REWARDBENCH.score(all, FAST);
        assertInstanceOf(RewardBenchScores.class, full);
        var o = full.overview();
        assertEquals(RewardBenchSubsets.SECTIONS, List.copyOf(o.parts().keySet()));
        assertFalse(o.partial());
        assertEquals("mean of 4 sections", o.scoreLabel());
        assertEquals(full.score(), o.score());

        List<ScoredItem> chat = all.stream().filter(it -> RewardBenchSubsets.sectionOf(it.subset()).equals("Chat")).toList();
        var part = BenchmarkScoring.REWARDBENCH.score(chat, FAST).overview();
        assertEquals(List.of("Chat"), List.copyOf(part.parts().keySet()));
        assertEquals(List.of("Chat Hard", "Safety", "Reasoning"), part.missingParts());
        assertTrue(part.partial());
        assertEquals("partial: mean of 1 of 4 sections", part.scoreLabel());
        assertTrue(part.notes().getFirst().startsWith("partial: mean of 1 of 4 sections: no items in Chat Hard, Safety, Reasoning (n/a)"), part.notes().toString());
        // the one section present is the score
        assertEquals(part.parts().get("Chat").value(), part.score().value(), 1e-12);
    }

    @Test void pairsOverviewListsSubsetsOnlyWhenThereAreSeveral() throws Exception {
        List<ScoredItem> all = internLm();
        var scores = BenchmarkScoring.PAIRS.score(all, FAST);
        long correct = all.stream().filter(it -> it.chosen() > it.rejected()).count();
        assertEquals((double) correct / all.size(), scores.score().value(), 1e-12);
        var o = scores.overview();
        assertEquals(((PairsScores) scores).subsets().size(), o.parts().size());
        assertEquals(List.of("accuracy over " + all.size() + " items (a tie counts as wrong)"), o.notes());
        List<ScoredItem> one = all.stream().filter(it -> it.subset().equals("math-prm")).toList();
        var single = BenchmarkScoring.PAIRS.score(one, FAST).overview();
        assertTrue(single.parts().isEmpty(), "a single subset is the overall");
        // the published per-subset accuracy (shared/data/rm-scores/README.md): math-prm 86.4 %
        assertEquals(0.864, single.score().value(), 5e-4);
    }

    @Test void jsonAndTableShowTheSameScore() throws Exception {
        var s = BenchmarkScoring.REWARDBENCH.score(internLm(), FAST);
        assertEquals(s.score().value(), s.json().at("/score/value").asDouble(), 0);
        assertEquals(4, s.json().get("sections").size());
        assertTrue(s.table().contains(String.format(java.util.Locale.ROOT, "%6.2f", 100 * s.score().value())), s.table());
    }
}
