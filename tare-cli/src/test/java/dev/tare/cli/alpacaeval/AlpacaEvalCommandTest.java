package dev.tare.cli.alpacaeval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tare.cli.CliRun;
import dev.tare.data.SharedData;
import dev.tare.data.alpacaeval.AlpacaEvalReader;
import dev.tare.testkit.RewardLoopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AlpacaEvalCommandTest {
    @TempDir Path dir;

    @Test void publishedResultsAsTableAndJson() throws Exception {
        var ae = SharedData.data("alpacaeval");
        var lv = SharedData.data("alpacaeval-length-variants");
        assumeTrue(ae.isPresent() && lv.isPresent(), "../shared/data/alpacaeval(-length-variants) not present");
        Path res = ae.get().resolve("results");
        Path out = dir.resolve("ae.json");
        String[] args = {"alpacaeval", "--results", res.resolve("FuseChat-Llama-3.1-8B-Instruct").toString(),
                res.resolve("FuseChat-Qwen-2.5-7B-Instruct").toString(), lv.get().resolve("results/gpt-3.5-turbo-1106").toString(),
                lv.get().resolve("results/gpt-3.5-turbo-1106_concise").toString(), lv.get().resolve("results/gpt-3.5-turbo-1106_verbose").toString(),
                res.resolve("gpt4_1106_preview").toString(), "--json", "--out", out.toString()};
        CliRun r = CliRun.of(args);
        assertEquals(0, r.rc(), r.err());
        JsonNode j = JsonMapper.builder().build().readTree(r.out());
        assertEquals(j, JsonMapper.builder().build().readTree(Files.readString(out)));
        assertEquals("percent", j.get("units").asText());
        var lb = AlpacaEvalReader.readLeaderboard(ae.get().resolve("weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"));
        assertEquals(6, j.get("models").size());
        for (JsonNode m : j.get("models")) {
            var row = lb.get(m.get("model").asText());
            assertEquals(805, m.get("n").asInt());
            assertEquals(row.winRate(), m.get("win_rate").asDouble(), 1e-9);
            assertEquals(row.standardError(), m.get("standard_error").asDouble(), 1e-9);
            assertEquals(row.lcWinRate(), m.get("lc_win_rate").asDouble(), 1.0, m.get("model").asText());
            boolean base = m.get("model").asText().equals("gpt4_1106_preview");
            assertTrue(base || m.get("lc_standard_error").asDouble() > 0);
            assertEquals(base ? "baseline" : "published-weights", m.get("lc_method").asText());
            if (base) assertEquals(List.of(50.0, 0.0, 50.0, 805), List.of(m.get("win_rate").asDouble(), m.get("standard_error").asDouble(),
                    m.get("lc_win_rate").asDouble(), m.get("n_draws").asInt()));
        }
        assertEquals(5, j.get("instruction_difficulty").get("from_models").size());

        CliRun t = CliRun.of(args[0], args[1], args[2], args[3], args[4]);
        assertEquals(0, t.rc(), t.err());
        assertTrue(t.out().contains("FuseChat-Qwen-2.5-7B-Instruct") && t.out().contains("win rate ± se"), t.out());
    }

    /** A reward model as evaluator end to end against a loopback reward endpoint whose reward is a known function of the text. */
    @Test void rewardModelAsEvaluator() throws Exception {
        var ae = SharedData.data("alpacaeval");
        var lv = SharedData.data("alpacaeval-length-variants");
        assumeTrue(ae.isPresent() && lv.isPresent(), "../shared/data/alpacaeval(-length-variants) not present");
        Path res = ae.get().resolve("results");
        List<Path> dirs = List.of(res.resolve("FuseChat-Llama-3.1-8B-Instruct"), res.resolve("FuseChat-Qwen-2.5-7B-Instruct"),
                lv.get().resolve("results/gpt-3.5-turbo-1106"));
        try (RewardLoopback rm = new RewardLoopback()) {
            CliRun r = CliRun.of("alpacaeval", "--results", dirs.get(0).toString(), dirs.get(1).toString(), dirs.get(2).toString(),
                    "--scorer", rm.spec(64), "--bootstrap", "50", "--json");
            assertEquals(0, r.rc(), r.err());
            JsonNode j = JsonMapper.builder().build().readTree(r.out()).get("reward_model");
            assertEquals(3, j.get("models").size());
            for (int m = 0; m < 3; m++) {
                var ann = AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(dirs.get(m)));
                double wins = 0, agree = 0, judged = 0;
                for (var a : ann) {
                    double rm2 = RewardLoopback.reward(a.output2()), rm1 = RewardLoopback.reward(a.output1());
                    double w = rm2 > rm1 ? 1 : rm2 < rm1 ? 0 : 0.5;
                    wins += w;
                    if (a.modelWinProbability() != 0.5) {
                        judged++;
                        agree += w == 0.5 ? 0.5 : (w == 1) == (a.modelWinProbability() > 0.5) ? 1 : 0;
                    }
                }
                JsonNode e = j.get("models").get(m);
                assertEquals(ann.getFirst().generator2(), e.get("model").asText());
                assertEquals(100 * wins / ann.size(), e.get("reward_win_rate").get("value").asDouble(), 1e-9);
                assertEquals(100 * agree / judged, e.get("judge_agreement").get("value").asDouble(), 1e-9);
                assertTrue(e.get("calibrated_reward_win_rate").get("lo").asDouble() <= e.get("calibrated_reward_win_rate").get("value").asDouble());
            }
            assertEquals(3, j.get("rank_vs_lc").get("models").asInt());
            assertTrue(Math.abs(j.get("calibrated_rank_vs_lc").get("spearman").get("value").asDouble()) <= 1);
        }
        CliRun bad = CliRun.of("alpacaeval", "--results", dirs.get(0).toString(), "--scorer", "nope:x");
        assertNotEquals(0, bad.rc());
        assertTrue(bad.err().contains("expected local:DIR"), bad.err());
    }

    @Test void aFolderWithoutAnnotationsIsAClearError() throws Exception {
        CliRun r = CliRun.of("alpacaeval", "--results", dir.toString());
        assertNotEquals(0, r.rc());
        assertTrue(r.err().contains("no annotations.json"), r.err());
        var ae = SharedData.data("alpacaeval");
        assumeTrue(ae.isPresent(), "../shared/data/alpacaeval not present");
        CliRun o = CliRun.of("alpacaeval", "--results", ae.get().resolve("results/gpt4_1106_preview").toString(),
                ae.get().resolve("results/FuseChat-Llama-3.1-8B-Instruct").toString());
        assertEquals(0, o.rc(), o.err());
        assertTrue(o.out().contains("LC not computed"), o.out());
    }
}
