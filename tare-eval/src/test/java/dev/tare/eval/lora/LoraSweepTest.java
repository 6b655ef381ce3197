package dev.tare.eval.lora;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Jsonl;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.core.Progress;
import dev.tare.results.ResultsReader;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraMerger;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.local.LocalRewardScorer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The library sweep against independent paths: each λ row against the adapter merged at that λ into a new checkpoint
 * (PEFT merge_and_unload semantics, itself checked against PEFT) and scored as a plain model, and the base model row
 * against the plain base checkpoint, score for score.
 */
class LoraSweepTest {
    @TempDir static Path tmp;
    static Path base, adapter;
    static List<PreferenceItem> items;

    @BeforeAll
    static void models() throws Exception {
        base = tmp.resolve("rm");
        adapter = tmp.resolve("bias-lora");
        TinyCheckpoint.write(base, TinyCheckpoint.Spec.defaults(), 11);
        TinyCheckpoint.writeLora(adapter, base, TinyCheckpoint.Spec.defaults(), List.of("q_proj", "v_proj", "o_proj"), 4, 8, 12);
        // RM-Bench's own schema: 3 style variants per side
        Path data = tmp.resolve("chat_filtered.json");
        ArrayNode rows = Jsonl.MAPPER.createArrayNode();
        for (int i = 0; i < 10; i++) {
            ObjectNode r = rows.addObject();
            r.put("id", "q" + i).put("domain", i % 4 == 0 ? "safety-refuse" : "chat").put("prompt", "What is " + i + " times 3?");
            r.putArray("chosen").add("It is " + (3 * i) + ".").add("Three times " + i + " is " + (3 * i) + ", adding " + i + " three times.")
                    .add("## Answer\n\n- **" + (3 * i) + "**");
            r.putArray("rejected").add("It is " + (3 * i + 2) + ".").add("Three times " + i + " is " + (3 * i + 2) + ", adding " + i + " three times.")
                    .add("## Answer\n\n- **" + (3 * i + 2) + "**");
        }
        Jsonl.MAPPER.writeValue(data.toFile(), rows);
        items = RmBenchReader.readPath(data);
    }

    static Progress quiet() {
        return new Progress("t", -1, new PrintStream(java.io.OutputStream.nullOutputStream()), false, Duration.ofHours(1), System::nanoTime);
    }

    /** The 3 chosen then 3 rejected scores of each item by a plain checkpoint, in item order. */
    static List<List<Double>> plainScores(Path checkpoint) {
        List<List<Double>> out = new ArrayList<>();
        try (var s = LocalRewardScorer.open(checkpoint, LocalRewardScorer.Options.defaults())) {
            for (PreferenceItem it : items) {
                List<List<Message>> convs = new ArrayList<>();
                for (String c : it.chosen()) convs.add(it.conversation(c));
                for (String r : it.rejected()) convs.add(it.conversation(r));
                out.add(java.util.Arrays.stream(s.score(convs)).boxed().toList());
            }
        }
        return out;
    }

    static void assertScores(List<List<Double>> want, List<ScoredItem> got, double tol, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int k = 0; k < want.size(); k++) {
            assertEquals(items.get(k).id(), got.get(k).id(), what + ": item order");
            List<Double> g = new ArrayList<>(got.get(k).scoresChosen());
            g.addAll(got.get(k).scoresRejected());
            for (int j = 0; j < 6; j++) assertEquals(want.get(k).get(j), g.get(j), tol, what + " item " + k + " response " + j);
        }
    }

    @Test
    void everyLambdaRowIsTheMergedModelAndTheBaseRowIsThePlainBase() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("adapter-head"));
        var settings = new LoraSweep.Settings(List.of(0.5, -1.0, 0.0, -1.0), HeadChoice.ADAPTER, LambdaSweep.Rule.defaults(), 0.5, 4, null, 4096);
        assertEquals(List.of(-1.0, 0.0, 0.5), settings.lambdas(), "distinct, in order");
        Progress p = quiet();
        List<String> warnings = new ArrayList<>();
        LoraSweep.Outcome o = LoraSweep.run(base, adapter, items, settings, out, p, warnings::add);
        assertEquals(4L * items.size(), p.count(), "three lambdas and the base model, item by item");
        assertEquals(List.of(), warnings);
        for (double lambda : settings.lambdas()) {
            Path merged = tmp.resolve("merged" + lambda);
            LoraAdapter a = LoraAdapter.load(adapter);
            LoraMerger.merge(base, List.of(a), Map.of(a.name(), lambda), new LoraMerger.Options(HeadChoice.ADAPTER, null, LoraMerger.DEFAULT_MAX_SHARD_BYTES), merged);
            assertScores(plainScores(merged), o.byLambda().get(lambda), 1e-4, "lambda " + lambda + " vs merged");
            assertEquals(o.byLambda().get(lambda), ResultsReader.read(out.resolve("results-lambda=" + LoraSweep.fmt(lambda) + ".jsonl")));
            assertEquals(lambda, o.byLambda().get(lambda).getFirst().extra().get("lambda"));
        }
        List<List<Double>> plain = plainScores(base);
        assertScores(plain, o.base(), 0.0, "base model row vs the plain base");
        assertEquals(o.base(), ResultsReader.read(out.resolve("results-base.jsonl")));
        assertEquals(true, o.base().getFirst().extra().get("base_model"));
        assertTrue(o.baseScoredSeparately());
        LambdaSweep.Row b = o.result().base();
        assertTrue(b.isBaseModel() && b.lambda() == 0.0, "the base model is a real row");
        assertNotEquals(b.heldOut(), o.result().rows().stream().filter(r -> r.lambda() == 0.0).findFirst().orElseThrow().heldOut(),
                "with the adapter's head copy, lambda 0 is not the base model");
        double chosen = o.result().chosen();
        assertEquals(o.result().chosenRow().heldOut().get("hard"), 100 * o.heldOutReport(chosen).hard().value(), 1e-9, "CI report of the same held-out items");
        assertThrows(IllegalArgumentException.class, () -> o.heldOutReport(0.7), "only swept lambdas");
    }

    @Test
    void withTheBaseHeadLambdaZeroIsTheBaseModelAndMaxItemsIsASeededSubset() throws Exception {
        var settings = new LoraSweep.Settings(List.of(-1.0, 0.0), HeadChoice.BASE, LambdaSweep.Rule.defaults(), 0.5, 3, 6, 4096);
        LoraSweep.Outcome o = LoraSweep.run(base, adapter, items, settings, null, quiet(), w -> {});
        assertEquals(6, o.items().size());
        assertEquals(LoraSweep.subset(items, 6, 3).stream().map(PreferenceItem::id).toList(), o.items().stream().map(PreferenceItem::id).toList());
        assertFalse(o.baseScoredSeparately());
        assertSame(o.byLambda().get(0.0), o.base());
        assertEquals(o.result().base().heldOut(), o.result().rows().stream().filter(r -> r.lambda() == 0.0).findFirst().orElseThrow().heldOut());
        assertThrows(IllegalArgumentException.class, () -> new LoraSweep.Settings(List.of(-1.0, 0.5), HeadChoice.BASE, LambdaSweep.Rule.defaults(), 0.5, 3, null, 4096),
                "lambda 0 is the rule's reference");
    }
}
