package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import dev.tare.testkit.FakeJudgeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `tare eval` with voting@k (judge:...,votes=K,temperature=T) against the OpenAI-compatible double: every pair is
 * sampled k times in each order with seeds seed..seed+2k-1 (batched across the items of a request), the results carry
 * the vote counts, and the score follows the majority; greedy voting is refused before anything is written.
 */
class JudgeVotesEvalTest {
    static final ObjectMapper M = new ObjectMapper();
    @TempDir Path tmp;

    /** RewardBench's judge prompt answered by length: [[A]] when A is at least as long. */
    static String longer(String user) {
        String a = JudgeEvalTest.between(user, "[The Start of Assistant A's Answer]\n", "\n[The End of Assistant A's Answer]");
        String b = JudgeEvalTest.between(user, "[The Start of Assistant B's Answer]\n", "\n[The End of Assistant B's Answer]");
        return "Comparing lengths. [[" + (a.length() >= b.length() ? "A" : "B") + "]]";
    }

    @Test void votesAreSeededSampledInBothOrdersAndCounted() throws Exception {
        Path data = tmp.resolve("pairs.jsonl");
        StringBuilder rows = new StringBuilder();
        int n = 6;
        for (int i = 0; i < n; i++) // chosen is longer in items 0-3, shorter in items 4-5
            rows.append(M.writeValueAsString(Map.of("id", "p" + i, "prompt", "question " + i + "?",
                    "chosen", i < 4 ? "a long careful answer " + i : "ok", "rejected", i < 4 ? "no" : "a much longer rambling reply " + i))).append('\n');
        Files.writeString(data, rows.toString());
        try (FakeJudgeServer server = new FakeJudgeServer(JudgeVotesEvalTest::longer)) {
            Path out = tmp.resolve("votes");
            CliRun run = CliRun.of("eval", "--scorer", "judge:openai:" + server.url() + ",model=longer,votes=3,temperature=0.7,seed=100",
                    "--benchmark", "pairs", "--data", data.toString(), "--out", out.toString(), "--bootstrap", "50");
            assertEquals(0, run.rc(), run.err());
            assertEquals(n * 2 * 3, server.calls.get(), "k samples per order per pair");
            Map<Long, Integer> bySeed = new TreeMap<>();
            for (Long s : server.seeds) bySeed.merge(s, 1, Integer::sum);
            Map<Long, Integer> want = new TreeMap<>();
            for (long s = 100; s < 106; s++) want.put(s, n);
            assertEquals(want, bySeed, "vote j of order o has seed 100 + j + 3o for every pair");
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(out.resolve("results.jsonl"))) lines.add(M.readTree(l));
            assertEquals(n, lines.size());
            for (int i = 0; i < n; i++) {
                JsonNode l = lines.get(i);
                boolean chosenLonger = i < 4;
                assertEquals(3, l.get("votes_k").asInt());
                assertEquals(chosenLonger ? 6 : 0, l.get("votes_chosen").asInt(), l.toString());
                assertEquals(chosenLonger ? 0 : 6, l.get("votes_rejected").asInt(), l.toString());
                assertEquals(chosenLonger ? "chosen" : "rejected", l.get("verdict_chosen_first").asText());
                assertEquals(chosenLonger ? 6.0 : -6.0, l.get("scores_chosen").asDouble());
            }
            JsonNode summary = M.readTree(out.resolve("summary.json").toFile());
            dev.tare.cli.JsonUnits.assertFractions(summary, "judge eval summary.json");
            assertEquals(4.0 / 6, summary.get("scores").get("score").get("value").asDouble(), 1e-12);
        }
        try (FakeJudgeServer server = new FakeJudgeServer(JudgeVotesEvalTest::longer)) {
            Path out = tmp.resolve("greedy");
            CliRun run = CliRun.of("eval", "--scorer", "judge:openai:" + server.url() + ",model=longer,votes=3",
                    "--benchmark", "pairs", "--data", data.toString(), "--out", out.toString());
            assertNotEquals(0, run.rc());
            assertTrue(run.err().contains("votes=3 needs sampling: set temperature=T > 0"), run.err());
            assertEquals(0, server.calls.get());
        }
    }
}
