package dev.tare.eval;

import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.results.ResultsReader;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.local.LocalRewardScorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A results file records what made it (model config, weights, tokenizer, adapter and λ, settings): --resume continues
 * it only with the same model, and refuses a different checkpoint in a folder of the same name.
 */
class ResumeIdentityTest {
    @TempDir Path tmp;

    private static List<PreferenceItem> items() {
        List<PreferenceItem> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            out.add(new PreferenceItem("q" + i, "s", List.of(Message.user("question " + i)), List.of("good answer " + i),
                    List.of("bad " + i), Map.of()));
        }
        return out;
    }

    private static EvalRunner.Outcome run(Path rm, List<PreferenceItem> items, Path out, boolean resume,
                                          LocalRewardScorer.Options options) {
        try (var s = LocalRewardScorer.open(rm, options)) {
            return EvalRunner.run(items, s, out, resume, EvalRunner.Options.defaults(), EvalRunnerTest.quiet());
        }
    }

    @Test
    void resumeRefusesAnotherCheckpointInTheSameFolderAndContinuesTheSameOne() throws Exception {
        Path rm = tmp.resolve("rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 1);
        Path out = tmp.resolve("run.jsonl");
        var opts = LocalRewardScorer.Options.defaults();
        run(rm, items().subList(0, 3), out, false, opts);
        assertTrue(ResultsReader.read(out).get(0).extra().get(EvalRunner.IDENTITY) instanceof Map<?, ?> m && m.containsKey("weights"),
                "every line records the model identity");

        // the same checkpoint resumes and completes
        Path copy = tmp.resolve("copy.jsonl");
        Files.copy(out, copy);
        assertEquals(3, run(rm, items(), copy, true, opts).resumed());

        // another checkpoint written into the same folder (same name, same architecture, other weights) is refused
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 2);
        var e = assertThrows(IllegalStateException.class, () -> run(rm, items(), out, true, opts));
        assertTrue(e.getMessage().contains("line 1 was scored by a different model: weights"), e.getMessage());
        assertEquals(3, ResultsReader.read(out).size(), "nothing was appended");

        // and so are other scoring settings on the same checkpoint
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 1);
        var s = assertThrows(IllegalStateException.class, () -> run(rm, items(), out, true, opts.withMaxLength(64)));
        assertTrue(s.getMessage().contains("settings"), s.getMessage());
    }

    /**
     * In a batch of several items, a response over max_position_embeddings is reported as the item and response it
     * belongs to (not the batch's first item and a batch-relative conversation number).
     */
    @Test
    void anOverLongResponseInABatchNamesItsOwnItemAndResponse() throws Exception {
        Path rm = tmp.resolve("short-rm");
        var d = TinyCheckpoint.Spec.defaults();
        TinyCheckpoint.write(rm, new TinyCheckpoint.Spec(d.hidden(), d.layers(), d.heads(), d.kvHeads(), d.intermediate(), 256, d.causal(), d.dtype()), 1);
        List<PreferenceItem> items = new ArrayList<>(items());
        PreferenceItem q4 = items.get(4);
        items.set(4, new PreferenceItem(q4.id(), q4.subset(), q4.prompt(), q4.chosen(), List.of("x".repeat(400)), Map.of()));
        Path out = tmp.resolve("long.jsonl");
        try (var s = LocalRewardScorer.open(rm, LocalRewardScorer.Options.defaults())) {
            var e = assertThrows(dev.tare.scorers.ScorerException.class, () -> EvalRunner.run(items, s, out, false,
                    new EvalRunner.Options(12, 1, 256, java.time.Duration.ofSeconds(5)), EvalRunnerTest.quiet()));
            assertTrue(e.getMessage().startsWith("scoring item 5 (s/q4, rejected response) failed: "), e.getMessage());
            assertTrue(e.getMessage().contains("the conversation is ") && e.getMessage().contains("max_position_embeddings 256"), e.getMessage());
            assertTrue(e.badInput(), "still the caller's input at fault");
            assertFalse(e.getMessage().contains("conversation 9"), "no batch-relative index: " + e.getMessage());
        }
    }
}
