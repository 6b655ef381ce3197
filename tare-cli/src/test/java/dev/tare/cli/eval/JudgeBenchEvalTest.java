package dev.tare.cli.eval;

import dev.tare.testkit.RewardLoopback;
import dev.tare.cli.CliRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.SharedData;
import dev.tare.data.judgebench.JudgeBenchReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * `tare eval --benchmark judgebench` with a loopback reward endpoint serving Skywork-Reward-Gemma-2-27B's real
 * per-response scores from JudgeBench's outputs. Oracle (pitfalls.md, JudgeBench paper / GRAM-R² card): categories
 * 59.74 / 66.33 / 83.93 / 50.00, pair-weighted overall 64.29, category mean 65.00 (published 65.0).
 */
class JudgeBenchEvalTest {
    static final ObjectMapper M = new ObjectMapper();
    @TempDir Path tmp;

    @Test void skyworkGemmaScoresReproduceThePublishedJudgeBenchRow() throws Exception {
        var dir = SharedData.data("judgebench").orElse(null);
        assumeTrue(dir != null, "../shared/data/judgebench not found (set TARE_SHARED)");
        Path pairs = dir.resolve("data/dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl");
        Path outs = dir.resolve("judge-outputs/dataset=judgebench,response_model=gpt-4o-2024-05-13,judge_name=reward_model,judge_model=Skywork_Skywork-Reward-Gemma-2-27B.jsonl");
        Map<String, Double> reward = new HashMap<>();
        for (var o : JudgeBenchReader.readOutputs(outs)) {
            var s = o.games().getFirst().scores();
            reward.putIfAbsent(o.pair().question() + "\u0001" + o.pair().responseA(), s.get(0));
            reward.putIfAbsent(o.pair().question() + "\u0001" + o.pair().responseB(), s.get(1));
        }
        RewardLoopback server = RewardLoopback.lookup(msgs -> reward.get(msgs.get(0).get("content").asText() + "\u0001" + msgs.get(1).get("content").asText()));
        try {
            Path outDir = tmp.resolve("jb");
            CliRun run = CliRun.of("eval", "--scorer", server.url() + ",model=Skywork-Reward-Gemma-2-27B",
                        "--benchmark", "judgebench", "--data", pairs.toString(), "--out", outDir.toString(), "--bootstrap", "200");
            assertEquals(0, run.rc(), run.err());
            JsonNode s = M.readTree(outDir.resolve("summary.json").toFile());
            dev.tare.cli.JsonUnits.assertFractions(s, "eval judgebench summary.json");
            assertEquals(350, s.get("items").asInt());
            // JudgeBench's published percent; summary.json holds fractions ("units": "fraction"), compared here as percent
            assertEquals("fraction", s.get("units").asText());
            assertEquals(64.29, Math.round(s.get("overall_pair_weighted").get("value").asDouble() * 10000) / 100.0);
            assertTrue(s.get("overall_pair_weighted").get("hi").asDouble() <= 1, s.toString());
            assertEquals(65.00, Math.round(s.get("category_mean").asDouble() * 10000) / 100.0);
            JsonNode c = s.get("categories");
            assertEquals(59.74, Math.round(c.get("knowledge").asDouble() * 10000) / 100.0);
            assertEquals(66.33, Math.round(c.get("reasoning").asDouble() * 10000) / 100.0);
            assertEquals(83.93, Math.round(c.get("math").asDouble() * 10000) / 100.0);
            assertEquals(50.00, Math.round(c.get("coding").asDouble() * 10000) / 100.0);
            String row = run.out().strip();
            assertTrue(row.startsWith("| Skywork-Reward-Gemma-2-27B | judgebench | 64.3") && row.contains("category mean 65.0"), row);
        } finally {
            server.close();
        }
    }
}
