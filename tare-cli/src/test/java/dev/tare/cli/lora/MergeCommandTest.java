package dev.tare.cli.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.TareCli;
import dev.tare.data.SharedData;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `tare merge` end to end: the merged checkpoint scores like PEFT's merge_and_unload (the merged-* fixture goldens). */
class MergeCommandTest {
    @TempDir Path tmp;

    @Test
    void mergeAtNegativeLambdaMatchesPeft() throws Exception {
        String env = System.getenv("TARE_HF_PARITY");
        Path root = env != null ? Path.of(env) : SharedData.root().map(r -> r.resolve("fixtures/hf-parity")).orElse(null);
        assumeTrue(root != null && Files.isDirectory(root), "hf-parity fixtures not found");
        Path out = tmp.resolve("merged");
        int rc = TareCli.commandLine().execute("merge", "--model", root.resolve("llama-seqcls").toString(),
                "--adapter", root.resolve("lora-llama-seqcls-qkvo").toString(), "--lambda", "-0.5", "--dtype", "f32",
                "--max-shard-size", "30KB", "--out", out.toString());
        assertEquals(0, rc);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")), "30KB shards: a sharded checkpoint");
        JsonNode g = new ObjectMapper().readTree(root.resolve("merged-llama-seqcls-qkvo-lambda-neg0.5/goldens.json").toFile());
        double max = 0;
        try (RewardModel rm = ModelLoader.loadRewardModel(out)) {
            for (JsonNode c : g.get("cases")) {
                JsonNode ids = c.get("input_ids");
                int[][] a = new int[ids.size()][];
                for (int i = 0; i < a.length; i++) a[i] = new ObjectMapper().convertValue(ids.get(i), int[].class);
                int[][] mask = c.get("attention_mask").isNull() ? null : new ObjectMapper().convertValue(c.get("attention_mask"), int[][].class);
                int[][] pos = c.get("position_ids").isNull() ? null : new ObjectMapper().convertValue(c.get("position_ids"), int[][].class);
                // PEFT goldens from transformers 4.46: its first-pad-minus-one score token
                float[][] got = rm.withScoreTokenRule(dev.tare.runtime.model.ScoreTokenRule.FIRST_PAD_MINUS_ONE).scorePadded(a, mask, pos);
                for (int b = 0; b < a.length; b++) {
                    double d = Math.abs(got[b][0] - Float.parseFloat(c.get("logits").get(b).get(0).asText()));
                    max = Math.max(max, d);
                }
            }
        }
        assertTrue(max <= 1e-4, "max |diff| " + max);
        // the published scripts' "+x subtracts" convention gives the same checkpoint, and says both
        Path out2 = tmp.resolve("merged-subtract");
        var run = dev.tare.cli.CliRun.of("merge", "--model", root.resolve("llama-seqcls").toString(),
                "--adapter", root.resolve("lora-llama-seqcls-qkvo").toString(), "--subtract", "0.5", "--dtype", "f32",
                "--max-shard-size", "30KB", "--out", out2.toString());
        assertEquals(0, run.rc(), run.err());
        assertTrue(run.out().contains("λ=-0.5 (PEFT's signed scaling; --subtract 0.5)"), run.out());
        try (var files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList())
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out2.resolve(f.getFileName())), f.getFileName().toString());
        }
        var both = dev.tare.cli.CliRun.of("merge", "--model", root.resolve("llama-seqcls").toString(),
                "--adapter", root.resolve("lora-llama-seqcls-qkvo").toString(), "--subtract", "0.5", "--lambda", "-0.5", "--out", tmp.resolve("x").toString());
        assertEquals(2, both.rc());
        assertTrue(both.err().contains("not both"), both.err());
        assertNotEquals(0, TareCli.commandLine().execute("merge", "--model", root.resolve("llama-seqcls").toString(),
                "--adapter", root.resolve("lora-llama-seqcls-qkvo").toString(), "--out", out.toString()), "refuses a non-empty --out");
        assertNotEquals(0, TareCli.commandLine().execute("merge", "--model", root.resolve("llama-seqcls").toString(),
                "--adapter", root.resolve("lora-llama-seqcls-qkvo").toString(), "--head", "middle", "--out", tmp.resolve("x").toString()));
    }
}
