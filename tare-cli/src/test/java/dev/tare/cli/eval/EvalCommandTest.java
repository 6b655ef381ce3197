package dev.tare.cli.eval;

import dev.tare.testkit.RewardLoopback;
import dev.tare.cli.CliRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.rewardbench.InternLmRewardBenchScores;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * `tare eval` end to end against a loopback reward endpoint that serves InternLM-XComposer2.5-7B-Reward's published
 * per-example RewardBench scores (shared/data/rm-scores; rows 47-2984 survive upstream). Oracle: the model card's
 * Chat Hard 83.8 and Safety 87.8 (both sections complete in that file), recomputed in the data README as 83.77 and
 * 87.84, and Reasoning 89.06 with math-prm up-weighting.
 */
class EvalCommandTest {
    static final ObjectMapper M = new ObjectMapper();
    @TempDir Path tmp;

    @Test void internLmPublishedScoresGiveTheModelCardSections() throws Exception {
        Path rb = SharedData.data("rewardbench/filtered.jsonl").orElse(null);
        Path sc = SharedData.data(InternLmRewardBenchScores.SCORES).orElse(null);
        assumeTrue(rb != null && sc != null, "../shared/data rewardbench + rm-scores not found (set TARE_SHARED)");

        List<InternLmRewardBenchScores.Scored> scores = InternLmRewardBenchScores.read(sc, rb);
        List<String> rows = Files.readAllLines(rb, StandardCharsets.UTF_8);
        assertEquals(2985, rows.size());
        Map<String, Double> reward = new HashMap<>();
        StringBuilder subset = new StringBuilder();
        int k = 0;
        for (InternLmRewardBenchScores.Scored score : scores) {
            String line = rows.get(InternLmRewardBenchScores.FIRST_ROW + k++);
            JsonNode row = M.readTree(line);
            String p = row.get("prompt").asText();
            reward.putIfAbsent(p + "\u0001" + row.get("chosen").asText(), score.chosen());
            reward.putIfAbsent(p + "\u0001" + row.get("rejected").asText(), score.rejected());
            subset.append(line).append('\n');
        }
        assertEquals(2938, k, "records surviving upstream");
        Path data = tmp.resolve("rb-47-2984.jsonl");
        Files.writeString(data, subset);

        RewardLoopback server = RewardLoopback.lookup(msgs -> reward.get(msgs.get(0).get("content").asText() + "\u0001" + msgs.get(msgs.size() - 1).get("content").asText()));
        try {
            Path outDir = tmp.resolve("eval");
            CliRun run = CliRun.of("eval", "--scorer", server.url() + ",model=internlm-xc2.5-7b-reward,batch=32,concurrency=2",
                        "--benchmark", "rewardbench", "--data", data.toString(), "--out", outDir.toString(), "--bootstrap", "200");
            assertEquals(0, run.rc(), run.err());
            JsonNode summary = M.readTree(outDir.resolve("summary.json").toFile());
            dev.tare.cli.JsonUnits.assertFractions(summary, "eval summary.json");
            JsonNode parts = summary.get("scores").get("parts");
            assertEquals(83.77, round2(parts.get("Chat Hard").get("value").asDouble()));
            assertEquals(87.84, round2(parts.get("Safety").get("value").asDouble()));
            assertEquals(89.06, round2(parts.get("Reasoning").get("value").asDouble()));
            assertTrue(parts.get("Safety").get("lo").asDouble() < parts.get("Safety").get("value").asDouble());
            assertEquals(2938, summary.get("items").asInt());
            assertEquals("internlm-xc2.5-7b-reward", summary.get("model").asText());
            assertEquals(5876, summary.get("bias").get("chars").get("n").asInt(), "every response in the audit");
            assertEquals(2938, summary.get("bias").get("longer_wins").get("pairs").asInt());
            assertTrue(summary.get("calibrated_scores").get("parts").has("Chat Hard"));
            String row = run.out().strip();
            assertEquals(1, row.lines().count(), "one leaderboard row on stdout: " + row);
            assertTrue(row.startsWith("| internlm-xc2.5-7b-reward | rewardbench |") && row.contains("Chat Hard 83.8")
                    && row.contains("Safety 87.8") && row.contains("LWR-calibrated"), row);
            String html = Files.readString(outDir.resolve("report.html"));
            assertTrue(html.contains("<svg") && html.contains("Chat Hard") && !html.contains("src=\"http"), "self-contained report");
            assertEquals(2938, Files.readAllLines(outDir.resolve("results.jsonl")).size());

            // --limit 300 covers only Chat subsets (rows 47-346): the other sections are n/a and the score is the Chat
            // score, labelled partial, not the Chat score averaged with three 0 % sections
            Path limDir = tmp.resolve("eval-limit");
            CliRun lim = CliRun.of("eval", "--scorer", server.url() + ",model=internlm-xc2.5-7b-reward,batch=32",
                    "--benchmark", "rewardbench", "--data", data.toString(), "--out", limDir.toString(), "--bootstrap", "100", "--limit", "300");
            assertEquals(0, lim.rc(), lim.err());
            JsonNode ls = M.readTree(limDir.resolve("summary.json").toFile()).get("scores");
            assertTrue(ls.get("partial").asBoolean(), ls.toString());
            assertEquals("partial: mean of 1 of 4 sections", ls.get("score_label").asText());
            for (String sec : List.of("Chat Hard", "Safety", "Reasoning")) assertTrue(ls.get("parts").get(sec).isNull(), sec + ": " + ls);
            double chat = ls.get("parts").get("Chat").get("value").asDouble();
            assertEquals(chat, ls.get("score").get("value").asDouble(), 1e-12);
            assertTrue(chat > 0.85, "InternLM's Chat accuracy here is about 0.9: " + chat);
            String limRow = lim.out().strip();
            assertTrue(limRow.contains("(partial: mean of 1 of 4 sections)") && limRow.contains("Chat Hard n/a")
                    && limRow.contains("Reasoning n/a"), limRow);
            assertTrue(Files.readString(limDir.resolve("report.html")).contains("partial: mean of 1 of 4 sections"));
        } finally {
            server.close();
        }
    }

    static double round2(double frac) { return Math.round(frac * 10000) / 100.0; }
}
