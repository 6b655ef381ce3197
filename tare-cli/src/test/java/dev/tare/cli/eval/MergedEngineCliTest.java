package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import dev.tare.data.Message;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.local.LocalRewardScorer;
import dev.tare.testkit.EngineModel;
import dev.tare.testkit.TeiLoopback;
import dev.tare.testkit.VllmLoopback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The GPU route for a LoRA-debiased reward model, end to end with the engine doubles: {@code tare merge} at λ writes a
 * checkpoint, the vLLM and TEI doubles serve that checkpoint (tare's runtime computes their logits from it, after the
 * servers' own templating, tokenization and truncation), and {@code tare score} / {@code tare eval} over HTTP give the
 * rewards and accuracy of {@code local:} scoring, of the merged folder exactly and of the base + adapter at λ.
 */
class MergedEngineCliTest {
    private static final ObjectMapper M = new ObjectMapper();
    @TempDir static Path tmp;
    static Path base, adapter, merged, data;
    static ServedCheckpoint served;

    /** A checkpoint served the way vLLM/TEI serve it: its chat template and tokenizer, its classifier run by tare's runtime. */
    static final class ServedCheckpoint implements EngineModel, AutoCloseable {
        final LocalRewardScorer scorer;
        final HfTokenizer tokenizer;

        ServedCheckpoint(Path dir) {
            scorer = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults());
            tokenizer = HfTokenizer.load(dir);
        }

        @Override public String applyChatTemplate(List<String[]> roleContent) {
            List<Message> conv = new ArrayList<>();
            for (String[] m : roleContent) conv.add(new Message(m[0], m[1]));
            return scorer.encoder().render(conv);
        }

        @Override public int[] tokenize(String text, boolean addSpecialTokens) { return tokenizer.encode(text, addSpecialTokens); }

        @Override public String decode(int[] ids) { return tokenizer.decode(ids, false); }

        @Override public double[] logits(int[] ids) { return new double[]{scorer.scoreIds(new int[][]{ids})[0]}; }

        @Override public void close() {
            scorer.close();
            tokenizer.close();
        }
    }

    @BeforeAll static void mergeAndServe() throws Exception {
        base = tmp.resolve("rm");
        adapter = tmp.resolve("bias-lora");
        merged = tmp.resolve("rm-debiased");
        TinyCheckpoint.write(base, TinyCheckpoint.Spec.defaults(), 7);
        TinyCheckpoint.writeLora(adapter, base, TinyCheckpoint.Spec.defaults(), List.of("q_proj", "v_proj"), 4, 8, 8);
        CliRun m = CliRun.of("merge", "--model", base.toString(), "--adapter", adapter.toString(), "--subtract", "0.5",
                "--head", "base", "--out", merged.toString());
        assertEquals(0, m.rc(), m.err());
        StringBuilder sb = new StringBuilder(); // RewardBench v1's schema, one subset of each section: read as rewardbench and as pairs
        List<String> subsets = List.of("alpacaeval-easy", "mt-bench-hard", "refusals-dangerous", "math-prm");
        for (int i = 0; i < 16; i++)
            sb.append(M.createObjectNode().put("id", String.valueOf(i)).put("subset", subsets.get(i % 4)).put("prompt", "What is " + i + " + " + i + "?")
                    .put("chosen", "It is " + (2 * i) + ".").put("rejected", "## Answer\n\n- **" + (2 * i + 1) + "**, since " + "it doubles ".repeat(i % 4))).append('\n');
        data = Files.writeString(tmp.resolve("pairs.jsonl"), sb);
        served = new ServedCheckpoint(merged);
    }

    @AfterAll static void close() { if (served != null) served.close(); }

    static List<JsonNode> score(String scorer, String name) throws Exception {
        Path out = tmp.resolve(name + ".jsonl");
        CliRun r = CliRun.of("score", "--scorer", scorer, "--data", data.toString(), "--benchmark", "pairs", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        List<JsonNode> rows = new ArrayList<>();
        for (String l : Files.readAllLines(out)) rows.add(M.readTree(l));
        assertEquals(16, rows.size());
        return rows;
    }

    static JsonNode evalScores(String scorer, String benchmark, String name) throws Exception {
        Path out = tmp.resolve("eval-" + benchmark + "-" + name);
        CliRun r = CliRun.of("eval", "--scorer", scorer, "--benchmark", benchmark, "--data", data.toString(), "--out", out.toString(),
                "--bootstrap", "200");
        assertEquals(0, r.rc(), r.err());
        JsonNode scores = M.readTree(out.resolve("summary.json").toFile()).get("scores");
        assertTrue(scores.findValue("value") != null && scores.findValue("value").isNumber(), "an accuracy in " + scores);
        return scores;
    }

    static void assertSameRewards(List<JsonNode> expected, List<JsonNode> got, double tol) {
        for (int i = 0; i < expected.size(); i++)
            for (String f : List.of("scores_chosen", "scores_rejected"))
                assertEquals(expected.get(i).get(f).asDouble(), got.get(i).get(f).asDouble(), tol, f + " of " + got.get(i));
    }

    @Test void mergedCheckpointServedByVllmScoresAsLocalLoraAtLambda() throws Exception {
        List<JsonNode> lora = score("local:" + base + ",adapter=" + adapter + ",subtract=0.5,head=base", "lora");
        List<JsonNode> local = score("local:" + merged, "merged");
        List<JsonNode> plain = score("local:" + base, "base");
        assertNotEquals(plain.get(0).get("scores_chosen").asDouble(), lora.get(0).get("scores_chosen").asDouble(), "λ=0.5 changes the rewards");
        try (var v = new VllmLoopback("rm-debiased", 8192, served)) {
            String url = v.url() + ",protocol=vllm-pooling,model=rm-debiased";
            List<JsonNode> http = score(url, "vllm");
            assertSameRewards(local, http, 0.0);           // the served checkpoint, template and tokens: tare's own scores
            assertSameRewards(lora, http, 2e-5);           // merged weights vs LoRA applied on the fly: float32 rounding only
            assertEquals(32, v.seen.size());
            assertTrue(v.seen.getFirst().startsWith("<|begin|><|user|>\n"), v.seen.getFirst()); // one BOS, from the template
            for (String b : List.of("rewardbench", "pairs"))
                assertEquals(evalScores("local:" + merged, b, "local"), evalScores(url, b, "vllm"), b);
        }
    }

    @Test void mergedCheckpointServedByTeiWithClientSideTemplateScoresAsLocal() throws Exception {
        List<JsonNode> local = score("local:" + merged, "merged-tei");
        try (var t = new TeiLoopback("rm-debiased", List.of("LABEL_0"), 8192, served)) {
            String url = t.url() + ",protocol=tei,chat-template=" + merged;
            List<JsonNode> http = score(url, "tei");
            for (int i = 0; i < local.size(); i++)   // TEI answers float32 scores, written in their shortest form
                for (String f : List.of("scores_chosen", "scores_rejected"))
                    assertEquals(Double.parseDouble(Float.toString((float) local.get(i).get(f).asDouble())), http.get(i).get(f).asDouble(), 0.0,
                            f + " of " + http.get(i));
            assertTrue(t.seen.getFirst().startsWith("<|begin|><|user|>\n"), t.seen.getFirst()); // TEI adds special tokens: none here
            assertEquals(evalScores("local:" + merged, "rewardbench", "local-tei"), evalScores(url, "rewardbench", "tei"));
        }
    }
}
