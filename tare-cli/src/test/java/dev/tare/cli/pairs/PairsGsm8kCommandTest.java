package dev.tare.cli.pairs;

import dev.tare.cli.CliRun;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.data.gsm8k.Gsm8kAnswers;
import dev.tare.data.gsm8k.Gsm8kItem;
import dev.tare.data.gsm8k.Gsm8kReader;
import dev.tare.data.pairs.DatasetReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `tare pairs gsm8k` on the real train split: output the pairs reader loads, determinism, all-or-nothing output. */
class PairsGsm8kCommandTest {
    private static Path train() {
        Path d = SharedData.data("gsm8k").orElse(null);
        Assumptions.assumeTrue(d != null, "../shared/data/gsm8k absent: tare pairs gsm8k test skipped");
        return d.resolve("train.jsonl");
    }

    @Test
    void crossPairsRoundTripThroughThePairsReader(@TempDir Path tmp) throws Exception {
        Path train = train();
        Path out = tmp.resolve("sub/pairs.jsonl");
        CliRun r = CliRun.of("pairs", "gsm8k", "--data", train.toString(), "--mode", "CROSS", "--seed", "3", "--limit", "40", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("wrote 120 pairs from 40 of 40 questions (skipped: none) -> " + out), r.out());
        List<PreferenceItem> items = DatasetReader.read("pairs", out);
        assertEquals(120, items.size());
        List<Gsm8kItem> questions = Gsm8kReader.read(train).subList(0, 40);
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem it = items.get(i);
            Gsm8kItem q = questions.get(i / 3);
            int k = i % 3 + 1;
            assertEquals("gsm8k-train-" + q.line() + "-cross-" + k, it.id());
            assertEquals("gsm8k-cross", it.subset());
            assertEquals(q.question(), it.prompt().getFirst().content());
            assertEquals(List.of(k == 3 ? "detailed" : "concise", k == 2 ? "detailed" : "markdown"),
                    List.of(it.meta().get("chosen_style"), it.meta().get("rejected_style")));
            assertEquals("true", it.meta().get("chosen_correct"));
            assertEquals("false", it.meta().get("rejected_correct"));
            assertEquals("3", it.meta().get("seed"));
            assertEquals(q.gold(), it.meta().get("correct_answer"));
            assertTrue(Gsm8kAnswers.isCorrect(it.chosen().getFirst(), q.gold()), it.chosen().getFirst());
            assertFalse(Gsm8kAnswers.isCorrect(it.rejected().getFirst(), q.gold()), it.rejected().getFirst());
            assertTrue(Gsm8kAnswers.isCorrect(it.rejected().getFirst(), it.meta().get("wrong_answer")));
            assertNotEquals(q.gold(), it.meta().get("wrong_answer"));
            int step = Integer.parseInt(it.meta().get("perturbed_step"));
            assertTrue(step >= 1 && step <= q.answer().split("\n").length - 1, it.id());
            assertTrue(List.of("digit", "operator", "carry", "times-ten", "final-digit").contains(it.meta().get("slip")), it.id());
        }
        Path again = tmp.resolve("again.jsonl");
        assertEquals(0, CliRun.of("pairs", "gsm8k", "--data", train.toString(), "--mode", "cross", "--seed", "3", "--limit", "40", "--out", again.toString()).rc());
        assertEquals(-1, Files.mismatch(out, again));
    }

    @Test
    void badInputLeavesNoFile(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("bad.jsonl");
        Files.writeString(data, "{\"question\":\"q\",\"answer\":\"She has 2*3=<<2*3=6>>6 eggs.\\n#### 6\"}\n"
                + "{\"question\":\"q\",\"answer\":\"Then 6+1=<<6+1=8>>8.\\n#### 8\"}\n");
        Path out = tmp.resolve("pairs.jsonl");
        Files.writeString(out, "old\n");
        CliRun r = CliRun.of("pairs", "gsm8k", "--data", data.toString(), "--mode", "style", "--out", out.toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().contains(data + ":2: field 'answer': step 1: calculation '<<6+1=8>>': states 8 but 6+1 = 7"), r.err());
        assertEquals("old\n", Files.readString(out));
        Path fresh = tmp.resolve("fresh.jsonl");
        assertEquals(2, CliRun.of("pairs", "gsm8k", "--data", data.toString(), "--mode", "style", "--out", fresh.toString()).rc());
        assertFalse(Files.exists(fresh));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("bad.jsonl", "pairs.jsonl"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        CliRun mode = CliRun.of("pairs", "gsm8k", "--data", data.toString(), "--mode", "stylish", "--out", fresh.toString());
        assertEquals(2, mode.rc());
        assertTrue(mode.err().contains("unknown mode 'stylish' (expected one of [style, correctness, cross])"), mode.err());
    }
}
