package dev.tare.eval;

import dev.tare.core.Progress;
import dev.tare.data.PreferenceItem;
import dev.tare.results.ResultsReader;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.ScorerException;
import dev.tare.scorers.RewardScorer;
import dev.tare.data.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** The resumable runner on the real RewardBench v1 rows. */
class EvalRunnerTest {
    @TempDir Path tmp;

    static Progress quiet() {
        return new Progress("t", -1, new PrintStream(java.io.OutputStream.nullOutputStream()), false, Duration.ofHours(1), System::nanoTime);
    }

    /**
     * Oracle: the length-only control published by an independent audit of RewardBench ("pick the longer response",
     * code points, ties excluded) and recomputed in shared/data/rewardbench/README.md: 42.6 % of 2,617 decided pairs;
     * alpacaeval-length 64.2 % of 95, llmbar-adver-neighbor 11.9 % of 134, math-prm 7.8 % of 447.
     */
    @Test void lengthBaselineOverAllRewardBenchReproducesThePublishedControl() {
        List<PreferenceItem> items = TestData.rewardBenchItems();
        assertEquals(2985, items.size());
        Path out = tmp.resolve("rb.jsonl");
        var o = EvalRunner.run(items, new TestData.LengthScorer(), out, false,
                EvalRunner.Options.defaults().withBatchSize(64).withParallel(2), quiet());
        assertEquals(2985, o.scored());
        assertEquals(5970, o.conversations());
        List<ScoredItem> res = ResultsReader.read(out);
        assertEquals(2985, res.size());
        Map<String, int[]> bySubset = new TreeMap<>();
        int decided = 0, longer = 0;
        for (int i = 0; i < res.size(); i++) {
            ScoredItem s = res.get(i);
            assertEquals(items.get(i).id(), s.id(), "dataset order kept");
            assertEquals("length-baseline", s.model());
            if (s.chosen() == s.rejected()) {
                assertEquals(0.0, s.results(), "a tie counts as wrong");
                continue;
            }
            decided++;
            int[] c = bySubset.computeIfAbsent(s.subset(), k -> new int[2]);
            c[1]++;
            if (s.results() == 1.0) { longer++; c[0]++; }
        }
        assertEquals(2617, decided);
        assertEquals(42.6, Math.round(1000.0 * longer / decided) / 10.0);
        assertEquals(95, bySubset.get("alpacaeval-length")[1]);
        assertEquals(64.2, pct(bySubset.get("alpacaeval-length")));
        assertEquals(11.9, pct(bySubset.get("llmbar-adver-neighbor")));
        assertEquals(447, bySubset.get("math-prm")[1]);
        assertEquals(7.8, pct(bySubset.get("math-prm")));
    }

    static double pct(int[] c) { return Math.round(1000.0 * c[0] / c[1]) / 10.0; }

    @Test void outputIsIdenticalForAnyBatchingAndParallelism() throws Exception {
        List<PreferenceItem> items = TestData.rewardBenchItems().subList(0, 300);
        Path a = tmp.resolve("a.jsonl"), b = tmp.resolve("b.jsonl");
        EvalRunner.run(items, new TestData.LengthScorer(), a, false, EvalRunner.Options.defaults().withBatchSize(1).withParallel(1), quiet());
        // a scorer that answers out of order: later batches finish first
        var jittery = new TestData.LengthScorer() {
            @Override public double[] score(List<List<dev.tare.data.Message>> convs) {
                try { Thread.sleep((convs.getFirst().getLast().content().length() * 7L) % 13); } catch (InterruptedException e) { throw new RuntimeException(e); }
                return super.score(convs);
            }
        };
        EvalRunner.run(items, jittery, b, false, EvalRunner.Options.defaults().withBatchSize(7).withParallel(4), quiet());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test void inMemoryScoringGivesTheFileRunsItemsInOrder() throws Exception {
        List<PreferenceItem> items = TestData.rewardBenchItems().subList(0, 90);
        Path file = tmp.resolve("file.jsonl");
        EvalRunner.run(items, new TestData.LengthScorer(), file, false, EvalRunner.Options.defaults().withBatchSize(5), quiet());
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        ItemScorer counting = new ItemScorer() {
            final ItemScorer inner = ItemScorer.of(new TestData.LengthScorer());
            @Override public String name() { return inner.name(); }
            @Override public int preferredBatchSize() { return 5; }
            @Override public List<ScoredItem> score(List<PreferenceItem> batch) { batchSizes.add(batch.size()); return inner.score(batch); }
        };
        Progress p = quiet();
        List<ScoredItem> mem = EvalRunner.score(items, counting, EvalRunner.Options.defaults().withParallel(3), p);
        assertEquals(ResultsReader.read(file), mem);
        assertEquals(90, p.count(), "progress counts items");
        // pairs count 2 conversations: at most 5 conversations a batch = 2 items (the scorer's preferred size)
        assertEquals(45, batchSizes.size());
        assertTrue(batchSizes.stream().allMatch(n -> n == 2), batchSizes.toString());
    }

    @Test void resumeCutsATornLineAndFinishesByteIdentical() throws Exception {
        List<PreferenceItem> items = TestData.rewardBenchItems().subList(0, 120);
        Path ref = tmp.resolve("ref.jsonl"), cut = tmp.resolve("cut.jsonl");
        EvalRunner.run(items, new TestData.LengthScorer(), ref, false, EvalRunner.Options.defaults(), quiet());
        byte[] full = Files.readAllBytes(ref);
        // simulate a crash mid-write: keep 57 complete lines plus half of the 58th
        int pos = 0, lines = 0;
        while (lines < 57) if (full[pos++] == '\n') lines++;
        int end = pos;
        while (full[end] != '\n') end++;
        Files.write(cut, java.util.Arrays.copyOf(full, pos + (end - pos) / 2));
        var o = EvalRunner.run(items, new TestData.LengthScorer(), cut, true, EvalRunner.Options.defaults(), quiet());
        assertEquals(57, o.resumed());
        assertEquals(63, o.scored());
        assertArrayEquals(full, Files.readAllBytes(cut));
        // resuming a finished file does nothing
        var again = EvalRunner.run(items, new TestData.LengthScorer(), cut, true, EvalRunner.Options.defaults(), quiet());
        assertEquals(120, again.resumed());
        assertEquals(0, again.scored());
        assertArrayEquals(full, Files.readAllBytes(cut));
    }

    @Test void aFailingScorerKeepsWhatWasDoneAndResumeCompletesIt() throws Exception {
        List<PreferenceItem> items = TestData.rewardBenchItems().subList(0, 100);
        Path ref = tmp.resolve("ref.jsonl"), p = tmp.resolve("p.jsonl");
        EvalRunner.run(items, new TestData.LengthScorer(), ref, false, EvalRunner.Options.defaults().withBatchSize(10), quiet());
        var e = assertThrows(ScorerException.class, () -> EvalRunner.run(items, new TestData.LengthScorer(4), p, false,
                EvalRunner.Options.defaults().withBatchSize(10), quiet()));
        assertTrue(e.getMessage().contains("scoring item 16 (") && e.getMessage().contains("endpoint went away"), e.getMessage());
        assertEquals(15, ResultsReader.read(p).size(), "3 batches of 5 pairs written before the failing 4th");
        EvalRunner.run(items, new TestData.LengthScorer(), p, true, EvalRunner.Options.defaults().withBatchSize(10), quiet());
        assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(p));
    }

    @Test void aFailureAtOneConversationNamesItsItemAndKeepsTheScorersTextVerbatim() {
        // the scorer's own text quotes "conversation 3 " and "row 3 " (say, an upstream error body): only the location
        // tare added is replaced by the item and response, never words inside the message
        List<PreferenceItem> items = TestData.rewardBenchItems().subList(0, 4);
        RewardScorer quoting = new RewardScorer() {
            @Override public String name() { return "quoting"; }
            @Override public double[] score(List<List<Message>> convs) {
                throw ScorerException.badInput("upstream: conversation 3 is too long, row 3 rejected", null).atConversation(3);
            }
        };
        var e = assertThrows(ScorerException.class, () -> EvalRunner.run(items, quoting, tmp.resolve("q.jsonl"), false,
                EvalRunner.Options.defaults().withBatchSize(4), quiet()));
        assertEquals("scoring item 2 (" + items.get(1).subset() + "/" + items.get(1).id()
                + ", rejected response) failed: upstream: conversation 3 is too long, row 3 rejected", e.getMessage());
        assertTrue(e.badInput(), "the flags survive");
        assertEquals(-1, e.conversation(), "no batch-relative index left");
    }

    @Test void refusesToClobberOrToResumeAnotherRun() throws Exception {
        List<PreferenceItem> items = new ArrayList<>(TestData.rewardBenchItems().subList(0, 40));
        Path p = tmp.resolve("p.jsonl");
        EvalRunner.run(items.subList(0, 20), new TestData.LengthScorer(), p, false, EvalRunner.Options.defaults(), quiet());
        var clobber = assertThrows(IllegalStateException.class, () ->
                EvalRunner.run(items, new TestData.LengthScorer(), p, false, EvalRunner.Options.defaults(), quiet()));
        assertTrue(clobber.getMessage().contains("--resume"), clobber.getMessage());
        Collections.swap(items, 3, 30);
        var other = assertThrows(IllegalStateException.class, () ->
                EvalRunner.run(items, new TestData.LengthScorer(), p, true, EvalRunner.Options.defaults(), quiet()));
        assertTrue(other.getMessage().contains("line 4 is") && other.getMessage().contains("cannot resume"), other.getMessage());
        List<PreferenceItem> orig = TestData.rewardBenchItems().subList(0, 40);
        var model = assertThrows(IllegalStateException.class, () ->
                EvalRunner.run(orig, new TestData.LengthScorer() {
                    @Override public String name() { return "other-rm"; }
                }, p, true, EvalRunner.Options.defaults(), quiet()));
        assertTrue(model.getMessage().contains("scored by 'length-baseline' but this run's scorer is 'other-rm'"), model.getMessage());
        var shorter = assertThrows(IllegalStateException.class, () ->
                EvalRunner.run(orig.subList(0, 3), new TestData.LengthScorer(), p, true, EvalRunner.Options.defaults(), quiet()));
        assertTrue(shorter.getMessage().contains("has 20 items but the dataset has only 3"), shorter.getMessage());
    }
}
