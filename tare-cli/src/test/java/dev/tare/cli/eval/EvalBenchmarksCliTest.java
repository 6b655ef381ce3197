package dev.tare.cli.eval;

import dev.tare.testkit.RewardLoopback;
import dev.tare.testkit.FakeJudgeServer;
import dev.tare.cli.CliRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `tare eval` end to end on synthetic RewardBench 2 and RM-Bench files (the benchmarks' row formats; no ../shared)
 * against a loopback reward endpoint whose reward function is known. Oracles are the benchmarks' published rules,
 * recomputed here from the data and that function: RewardBench 2 best-of-4 (1/k credit when the chosen ties k-way
 * for the maximum), subset means, overall = mean of the subsets present; RM-Bench's 3x3 style matrix per domain
 * group (safety-refuse + safety-response pooled) with Hard = upper triangle, Normal = diagonal, Easy = lower
 * triangle, strict wins, domain = mean(Hard, Normal, Easy), overall = mean over groups; longer-wins over every
 * chosen x rejected combination.
 */
class EvalBenchmarksCliTest {
    static final ObjectMapper M = new ObjectMapper();
    @TempDir Path tmp;

    static CliRun eval(String... args) { return CliRun.of(args); }

    /** {pairs, eligible, wins} of longer-wins over every chosen x rejected combination. */
    static long[] longerWins(List<List<String>> chosen, List<List<String>> rejected) {
        long pairs = 0, eligible = 0, wins = 0;
        for (int i = 0; i < chosen.size(); i++)
            for (String c : chosen.get(i))
                for (String r : rejected.get(i)) {
                    pairs++;
                    int lc = c.codePointCount(0, c.length()), lr = r.codePointCount(0, r.length());
                    if (lc == lr) continue;
                    eligible++;
                    String longer = lc > lr ? c : r, shorter = lc > lr ? r : c;
                    if (RewardLoopback.reward(longer) > RewardLoopback.reward(shorter)) wins++;
                }
        return new long[]{pairs, eligible, wins};
    }

    static List<String> texts(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asText()));
        return out;
    }

    @Test void rewardBench2EndToEndMatchesBestOfFourByHand() throws Exception {
        Path data = SyntheticBenchmarks.rewardBench2(tmp.resolve("rb2.jsonl"), 14, 11);
        Map<String, double[]> acc = new LinkedHashMap<>(); // subset -> {sum, n}
        List<List<String>> ch = new ArrayList<>(), rj = new ArrayList<>();
        for (String line : Files.readAllLines(data)) {
            JsonNode row = M.readTree(line);
            double c = RewardLoopback.reward(row.get("chosen").get(0).asText());
            double max = Double.NEGATIVE_INFINITY;
            for (JsonNode r : row.get("rejected")) max = Math.max(max, RewardLoopback.reward(r.asText()));
            int k = 1;
            for (JsonNode r : row.get("rejected")) if (RewardLoopback.reward(r.asText()) == c) k++;
            double v = c > max ? 1 : c == max ? 1.0 / k : 0;
            double[] a = acc.computeIfAbsent(row.get("subset").asText(), x -> new double[2]);
            a[0] += v; a[1]++;
            ch.add(texts(row.get("chosen"))); rj.add(texts(row.get("rejected")));
        }
        try (var srv = new RewardLoopback()) {
            Path out = tmp.resolve("out");
            CliRun r = eval("eval", "--scorer", srv.spec(8), "--benchmark", "rewardbench2", "--data", data.toString(),
                    "--out", out.toString(), "--bootstrap", "100");
            assertEquals(0, r.rc(), r.err());
            JsonNode s = M.readTree(out.resolve("summary.json").toFile());
            dev.tare.cli.JsonUnits.assertFractions(s, "eval summary.json");
            assertEquals("rewardbench2", s.get("benchmark").asText());
            assertEquals(70, s.get("items").asInt());
            assertEquals(280, s.get("responses").asInt());
            double overall = 0;
            for (var e : acc.entrySet()) {
                double want = e.getValue()[0] / e.getValue()[1];
                overall += want / acc.size();
                assertEquals(want, s.get("scores").get("parts").get(e.getKey()).get("value").asDouble(), 1e-12, e.getKey());
            }
            assertEquals(overall, s.get("scores").get("score").get("value").asDouble(), 1e-12);
            assertTrue(s.get("scores").get("note_1").asText().contains("missing Ties"), s.toString());
            long[] lw = longerWins(ch, rj);
            JsonNode got = s.get("bias").get("longer_wins");
            assertEquals(210, lw[0]);
            assertEquals(lw[0], got.get("pairs").asLong(), "1 chosen x 3 rejected per item");
            assertEquals(lw[1], got.get("eligible").asLong());
            assertEquals((double) lw[2] / lw[1], got.get("rate").get("value").asDouble(), 1e-12);
            assertEquals(70, Files.readAllLines(out.resolve("results.jsonl")).size());
            String row = r.out().strip();
            assertEquals(1, row.lines().count(), row);
            assertTrue(row.startsWith("| loopback-rm | rewardbench2 |") && row.contains("(incomplete)"), row);
        }
    }

    @Test void rmBenchEndToEndMatchesTheStyleMatrixByHand() throws Exception {
        Path data = SyntheticBenchmarks.rmBench(tmp.resolve("rm.jsonl"), 9, 5);
        List<String> groups = List.of("chat", "math", "code", "safety");
        Map<String, double[][]> wins = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        List<List<String>> ch = new ArrayList<>(), rj = new ArrayList<>();
        for (String line : Files.readAllLines(data)) {
            JsonNode row = M.readTree(line);
            String g = row.get("domain").asText().startsWith("safety") ? "safety" : row.get("domain").asText();
            double[][] w = wins.computeIfAbsent(g, x -> new double[3][3]);
            count.merge(g, 1, Integer::sum);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    if (RewardLoopback.reward(row.get("chosen").get(i).asText()) > RewardLoopback.reward(row.get("rejected").get(j).asText())) w[i][j]++;
            ch.add(texts(row.get("chosen"))); rj.add(texts(row.get("rejected")));
        }
        double hard = 0, normal = 0, easy = 0;
        Map<String, Double> domainScore = new LinkedHashMap<>();
        for (String g : groups) {
            double[][] w = wins.get(g);
            int n = count.get(g);
            double h = (w[0][1] + w[0][2] + w[1][2]) / (3.0 * n), no = (w[0][0] + w[1][1] + w[2][2]) / (3.0 * n),
                    e = (w[1][0] + w[2][0] + w[2][1]) / (3.0 * n);
            domainScore.put(g, (h + no + e) / 3);
            hard += h / 4; normal += no / 4; easy += e / 4;
        }
        try (var srv = new RewardLoopback()) {
            Path out = tmp.resolve("out");
            CliRun r = eval("eval", "--scorer", srv.spec(6), "--benchmark", "rm-bench", "--data", data.toString(),
                    "--out", out.toString(), "--bootstrap", "100");
            assertEquals(0, r.rc(), r.err());
            JsonNode s = M.readTree(out.resolve("summary.json").toFile());
            dev.tare.cli.JsonUnits.assertFractions(s, "eval summary.json");
            JsonNode parts = s.get("scores").get("parts");
            assertEquals(45, s.get("items").asInt());
            assertEquals(hard, parts.get("Hard").get("value").asDouble(), 1e-12);
            assertEquals(normal, parts.get("Normal").get("value").asDouble(), 1e-12);
            assertEquals(easy, parts.get("Easy").get("value").asDouble(), 1e-12);
            double overall = 0;
            for (var e : domainScore.entrySet()) {
                assertEquals(e.getValue(), parts.get(e.getKey()).get("value").asDouble(), 1e-12, e.getKey());
                overall += e.getValue() / 4;
            }
            assertEquals(overall, s.get("scores").get("score").get("value").asDouble(), 1e-12);
            assertTrue(hard < easy, "markdown bullets and length favour the styled side: hard " + hard + " < easy " + easy);
            long[] lw = longerWins(ch, rj);
            JsonNode got = s.get("bias").get("longer_wins");
            assertEquals(45 * 9, lw[0]);
            assertEquals(lw[0], got.get("pairs").asLong(), "3 x 3 combinations per item");
            assertEquals(lw[1], got.get("eligible").asLong());
            assertEquals((double) lw[2] / lw[1], got.get("rate").get("value").asDouble(), 1e-12);
            assertTrue(got.get("rate").get("lo").asDouble() <= got.get("rate").get("value").asDouble());
            assertTrue(r.out().strip().startsWith("| loopback-rm | rm-bench |"), r.out());
        }
    }

    /**
     * A pairwise judge on RewardBench 2's best-of-4 items (OpenAI-compatible double): all 6 pairs of an item in both
     * orders (12 calls), Copeland scores (win 1, tie ½ — a judge that favours position A on equal rewards gives an
     * inconsistent, tied pair), then RewardBench 2's own 1/k rule, computed here by hand from the judge's rule.
     */
    @Test void pairwiseJudgeOnRewardBench2RanksEachItemByRoundRobin() throws Exception {
        Path data = SyntheticBenchmarks.rewardBench2(tmp.resolve("rb2.jsonl"), 3, 5);
        Map<String, double[]> acc = new LinkedHashMap<>();
        int items = 0;
        for (String line : Files.readAllLines(data)) {
            JsonNode row = M.readTree(line);
            List<String> all = new ArrayList<>(texts(row.get("chosen")));
            all.addAll(texts(row.get("rejected")));
            double[] cop = new double[all.size()];
            for (int i = 0; i < all.size(); i++)
                for (int j = 0; j < all.size(); j++) {
                    if (i == j) continue;
                    double ri = RewardLoopback.reward(all.get(i)), rj2 = RewardLoopback.reward(all.get(j));
                    cop[i] += ri > rj2 ? 1 : ri == rj2 ? 0.5 : 0;
                }
            double max = java.util.Arrays.stream(cop).max().orElseThrow();
            long k = java.util.Arrays.stream(cop).filter(x -> x == max).count();
            double v = cop[0] == max ? 1.0 / k : 0;
            double[] a = acc.computeIfAbsent(row.get("subset").asText(), x -> new double[2]);
            a[0] += v; a[1]++;
            items++;
        }
        try (var judge = new FakeJudgeServer(user -> {
            String a = JudgeEvalTest.between(user, "[The Start of Assistant A's Answer]\n", "\n[The End of Assistant A's Answer]");
            String b = JudgeEvalTest.between(user, "[The Start of Assistant B's Answer]\n", "\n[The End of Assistant B's Answer]");
            return "Judged. [[" + (RewardLoopback.reward(a) >= RewardLoopback.reward(b) ? "A" : "B") + "]]";
        })) {
            Path out = tmp.resolve("judge-rb2");
            CliRun r = eval("eval", "--scorer", "openai:" + judge.url() + ",model=judge", "--benchmark", "rewardbench2", "--data", data.toString(),
                    "--out", out.toString(), "--bootstrap", "50");
            assertEquals(0, r.rc(), r.err());
            assertEquals(items * 12, judge.calls.get(), "every pair of 4 responses in both orders");
            JsonNode s = M.readTree(out.resolve("summary.json").toFile());
            dev.tare.cli.JsonUnits.assertFractions(s, "eval summary.json");
            for (var e : acc.entrySet())
                assertEquals(e.getValue()[0] / e.getValue()[1], s.get("scores").get("parts").get(e.getKey()).get("value").asDouble(), 1e-12, e.getKey());
            JsonNode line = M.readTree(Files.readAllLines(out.resolve("results.jsonl")).getFirst());
            assertEquals(12, line.get("judge_calls").asInt());
            assertEquals(0, line.get("unparseable_verdicts").asInt());
        }
        Path out = tmp.resolve("never");
        CliRun r = eval("eval", "--scorer", "judge:openai:http://127.0.0.1:9,model=judge,votes=3,temperature=0.5", "--benchmark", "rewardbench2",
                "--data", data.toString(), "--out", out.toString());
        assertNotEquals(0, r.rc());
        assertTrue(r.err().contains("votes=K is not supported for round-robin ranking"), r.err());
        assertFalse(Files.exists(out.resolve("results.jsonl")));
    }
}
