package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import dev.tare.testkit.TeiLoopback;
import dev.tare.testkit.VllmLoopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** tare score end to end against the vLLM and TEI doubles: raw logits, recorded wire settings, a refused spec. */
class EngineScoreCliTest {
    private static final ObjectMapper M = new ObjectMapper();
    @TempDir Path tmp;

    static double logit(String text) {
        double r = 0.01 * text.codePointCount(0, text.length()) - 3;
        for (int i = text.indexOf("right"); i >= 0; i = text.indexOf("right", i + 1)) r += 2;
        return r;
    }

    static String chat(String prompt, String response) {
        return VllmLoopback.render(List.of(new String[]{"user", prompt}, new String[]{"assistant", response}));
    }

    Path pairs(int n) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++)
            sb.append(M.createObjectNode().put("id", "p" + i).put("prompt", "question " + i)
                    .put("chosen", "right " + "y".repeat(i)).put("rejected", "no " + "z".repeat(2 * i))).append('\n');
        return Files.writeString(tmp.resolve("pairs.jsonl"), sb);
    }

    @Test void vllmAndTeiScoresAreTheRawLogitsAndTheWireSettingsAreRecorded() throws Exception {
        Path data = pairs(20);
        try (var v = new VllmLoopback("Skywork-Reward", 4096, EngineScoreCliTest::logit)) {
            Path out = tmp.resolve("vllm.jsonl");
            CliRun r = CliRun.of("score", "--scorer", v.url() + ",protocol=vllm-pooling,model=Skywork-Reward", "--data", data.toString(),
                    "--benchmark", "pairs", "--out", out.toString());
            assertEquals(0, r.rc(), r.err());
            List<String> lines = Files.readAllLines(out);
            assertEquals(20, lines.size());
            for (int i = 0; i < 20; i++) {
                JsonNode row = M.readTree(lines.get(i));
                assertEquals(logit(chat("question " + i, "right " + "y".repeat(i))), row.get("scores_chosen").asDouble(), 0.0, lines.get(i));
                assertEquals(logit(chat("question " + i, "no " + "z".repeat(2 * i))), row.get("scores_rejected").asDouble(), 0.0, lines.get(i));
                assertTrue(lines.get(i).contains("use_activation=false") && lines.get(i).contains("left,max"), lines.get(i));
            }
            CliRun bad = CliRun.of("score", "--scorer", v.url() + ",protocol=vllm-pooling,model=Llama-RM", "--data", data.toString(),
                    "--benchmark", "pairs", "--out", tmp.resolve("bad.jsonl").toString());
            assertNotEquals(0, bad.rc());
            assertTrue(bad.err().contains("model=Llama-RM is not served; the server serves [Skywork-Reward]"), bad.err());
        }
        try (var t = new TeiLoopback("OpenAssistant/reward-model-deberta-v3-large-v2", List.of("LABEL_0"), 512, s -> new double[]{logit(s)})) {
            Path out = tmp.resolve("tei.jsonl");
            CliRun r = CliRun.of("score", "--scorer", t.url() + ",protocol=tei", "--data", data.toString(),
                    "--benchmark", "pairs", "--out", out.toString());
            assertEquals(0, r.rc(), r.err());
            JsonNode row = M.readTree(Files.readAllLines(out).get(3));
            assertEquals(Double.parseDouble(Float.toString((float) logit("question 3\nright yyy"))), row.get("scores_chosen").asDouble(), 0.0, row.toString());
        }
    }
}
