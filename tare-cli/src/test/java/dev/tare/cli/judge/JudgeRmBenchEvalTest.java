package dev.tare.cli.judge;

import dev.tare.testkit.FakeJudgeServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.bias.Feature;
import dev.tare.cli.TareCli;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.data.rmbench.RmBenchReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `tare eval --benchmark rm-bench` with a pairwise judge: the style matrix from pairwise outcomes, on real RM-Bench rows. */
class JudgeRmBenchEvalTest {
    @TempDir Path tmp;

    @Test
    void longerPreferringJudgeGivesTheLengthMatrix() throws Exception {
        Path data = SharedData.data("rm-bench/chat_filtered.json").orElse(null);
        assumeTrue(data != null, "../shared/data/rm-bench absent: skipping");
        int limit = 5;
        List<PreferenceItem> items = RmBenchReader.read(data).subList(0, limit);
        double[][] want = new double[3][3];
        for (PreferenceItem p : items)
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++)
                if (p.chosen().get(i).length() > p.rejected().get(j).length()) want[i][j] += 1.0 / limit;
        Path out = tmp.resolve("rm");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (FakeJudgeServer s = new FakeJudgeServer(FakeJudgeServer::prefersLonger)) {
            System.setOut(new PrintStream(buf, true));
            rc = TareCli.commandLine().execute("eval", "--benchmark", "rm-bench", "--data", data.toString(), "--scorer",
                    "judge:openai:" + s.url() + ",model=longer,template=arena-hard", "--limit", String.valueOf(limit),
                    "--out", out.toString(), "--bootstrap", "50");
            assertEquals(18 * limit, s.calls.get(), "9 style pairs x 2 orders per item");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, buf.toString());
        assertTrue(buf.toString().contains("judge cost (this run): " + 18 * limit + " judge calls"), buf.toString());
        JsonNode sum = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(sum, "judge RM-Bench summary.json");
        JsonNode m = sum.get("domains").get("chat").get("matrix");
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(want[i][j], m.get(i).get(j).asDouble(), 1e-12, i + "," + j);
        double hard = (want[0][1] + want[0][2] + want[1][2]) / 3, easy = (want[1][0] + want[2][0] + want[2][1]) / 3;
        assertEquals(hard, sum.get("overall").get("hard").get("value").asDouble(), 1e-12);
        assertEquals(easy, sum.get("overall").get("easy").get("value").asDouble(), 1e-12);
        assertTrue(easy > hard, "a length-loving judge does better when the chosen response is the more styled one");
        assertEquals(0, sum.get("position").get("unparseable_verdicts").asInt());
        // markdown rate of the length judge, counted per verdict: order 1 (chosen as A) picks chosen iff it is at least
        // as long, order 2 (rejected as A) iff it is strictly longer
        int mdVerdicts = 0, mdWins = 0;
        for (PreferenceItem p : items)
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
                String c = p.chosen().get(i), r = p.rejected().get(j);
                double mc = Feature.MARKDOWN.of(c), mr = Feature.MARKDOWN.of(r);
                if (mc == mr) continue;
                for (boolean pickedChosen : new boolean[]{c.length() >= r.length(), c.length() > r.length()}) {
                    mdVerdicts++;
                    if (pickedChosen == (mc > mr)) mdWins++;
                }
            }
        assertTrue(mdVerdicts > 0 && mdWins > 0 && mdWins < mdVerdicts, "the slice has markdown-differing cells won both ways");
        assertEquals(mdVerdicts, sum.get("markdown").get("verdicts").asInt());
        assertEquals((double) mdWins / mdVerdicts, sum.get("markdown").get("more_markdown_rate").get("value").asDouble(), 1e-12);
        assertTrue(buf.toString().contains("more-markdown win rate"), buf.toString());
        // length rate, counted the same way over cells whose code-point lengths differ
        int lenVerdicts = 0, lenWins = 0;
        for (PreferenceItem p : items)
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
                String c = p.chosen().get(i), r = p.rejected().get(j);
                double lc = Feature.CHARS.of(c), lr = Feature.CHARS.of(r);
                if (lc == lr) continue;
                for (boolean pickedChosen : new boolean[]{c.length() >= r.length(), c.length() > r.length()}) {
                    lenVerdicts++;
                    if (pickedChosen == (lc > lr)) lenWins++;
                }
            }
        assertTrue(lenVerdicts > 0);
        assertEquals(lenVerdicts, sum.get("length").get("verdicts").asInt());
        assertEquals((double) lenWins / lenVerdicts, sum.get("length").get("longer_rate").get("value").asDouble(), 1e-12);
        assertTrue(buf.toString().contains("longer-response win rate"), buf.toString());
        JsonNode cost = sum.get("cost");
        assertEquals(18 * limit, cost.get("calls").asInt(), cost.toString());
        assertTrue(cost.get("prompt_tokens").asLong() > 0 && cost.get("completion_tokens").asLong() > 0, cost.toString());
        assertTrue(cost.has("completion_tokens_per_second"), cost.toString());
        List<String> rows = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(limit, rows.size());
        assertEquals(9, new ObjectMapper().readTree(rows.getFirst()).get("cells").size());
    }

    @Test
    void markdownPreferringJudgeWinsEveryMarkdownDifferingCell() throws Exception {
        Path data = SharedData.data("rm-bench/chat_filtered.json").orElse(null);
        assumeTrue(data != null, "../shared/data/rm-bench absent: skipping");
        int limit = 4;
        List<PreferenceItem> items = RmBenchReader.read(data).subList(0, limit);
        int differing = 0;
        for (PreferenceItem p : items)
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++)
                if (Feature.MARKDOWN.of(p.chosen().get(i)) != Feature.MARKDOWN.of(p.rejected().get(j))) differing++;
        assertTrue(differing > 0, "the slice has cells with unequal markdown");
        Path out = tmp.resolve("md");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (FakeJudgeServer s = new FakeJudgeServer(JudgeRmBenchEvalTest::prefersMoreMarkdown)) {
            System.setOut(new PrintStream(buf, true));
            rc = TareCli.commandLine().execute("eval", "--benchmark", "rm-bench", "--data", data.toString(), "--scorer",
                    "judge:openai:" + s.url() + ",model=md,template=arena-hard", "--limit", String.valueOf(limit),
                    "--out", out.toString(), "--bootstrap", "50");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, buf.toString());
        JsonNode md = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("markdown");
        assertEquals(2 * differing, md.get("verdicts").asInt(), "both orders of every differing cell are decided");
        assertEquals(1.0, md.get("more_markdown_rate").get("value").asDouble(), 1e-12);
    }

    /** A judge that prefers the response with more markdown (headers + list items + bold; A on equal counts), arena-hard format. */
    private static String prefersMoreMarkdown(String user) {
        java.util.regex.Matcher a = FakeJudgeServer.ARENA_A.matcher(user), b = FakeJudgeServer.ARENA_B.matcher(user);
        if (!(a.find() && b.find())) return "I cannot tell.";
        return "My final verdict is: " + (dev.tare.bias.Feature.MARKDOWN.of(a.group(1)) >= dev.tare.bias.Feature.MARKDOWN.of(b.group(1)) ? "[[A>B]]" : "[[B>A]]");
    }

    /** voting@2 on the grid: 2 samples per order and cell (seeded), the same matrix from a deterministic judge. */
    @Test
    void votesOnTheGridSampleEachCellKTimesPerOrder() throws Exception {
        Path data = SharedData.data("rm-bench/chat_filtered.json").orElse(null);
        assumeTrue(data != null, "../shared/data/rm-bench absent: skipping");
        int limit = 2;
        List<PreferenceItem> items = RmBenchReader.read(data).subList(0, limit);
        Path out = tmp.resolve("votes");
        try (FakeJudgeServer s = new FakeJudgeServer(FakeJudgeServer::prefersLonger)) {
            int rc = TareCli.commandLine().execute("eval", "--benchmark", "rm-bench", "--data", data.toString(), "--scorer",
                    "judge:openai:" + s.url() + ",model=longer,template=arena-hard,votes=2,temperature=0.5,seed=7", "--limit", String.valueOf(limit),
                    "--out", out.toString(), "--bootstrap", "20");
            assertEquals(0, rc);
            assertEquals(9 * 2 * 2 * limit, s.calls.get(), "9 cells x 2 orders x 2 votes per item");
            assertEquals(java.util.Set.of(7L, 8L, 9L, 10L), new java.util.HashSet<>(s.seeds), "vote j of order o: seed 7 + j + 2o");
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("domains").get("chat").get("matrix");
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
            double want = 0;
            for (PreferenceItem p : items) if (p.chosen().get(i).length() > p.rejected().get(j).length()) want += 1.0 / limit;
            assertEquals(want, m.get(i).get(j).asDouble(), 1e-12, i + "," + j);
        }
        int rc = TareCli.commandLine().execute("eval", "--benchmark", "rm-bench", "--data", data.toString(), "--scorer",
                "judge:openai:http://127.0.0.1:9,model=m,template=arena-hard,votes=2", "--limit", "1", "--out", tmp.resolve("greedy").toString());
        assertNotEquals(0, rc);
        assertFalse(java.nio.file.Files.exists(tmp.resolve("greedy")), "refused before anything is written");
    }

    /**
     * mode=round-robin: all 15 pairs of an item's 6 responses in both orders (30 calls), Copeland scores, then RM-Bench's
     * own matrix on those scores (chosen i beats rejected j iff its Copeland score is higher), computed here by hand.
     */
    @Test
    void roundRobinRanksAllSixResponsesAndScoresTheGridFromCopeland() throws Exception {
        Path data = SharedData.data("rm-bench/chat_filtered.json").orElse(null);
        assumeTrue(data != null, "../shared/data/rm-bench absent: skipping");
        int limit = 3;
        List<PreferenceItem> items = RmBenchReader.read(data).subList(0, limit);
        double[][] want = new double[3][3];
        for (PreferenceItem p : items) {
            List<String> all = new java.util.ArrayList<>(p.chosen());
            all.addAll(p.rejected());
            double[] cop = new double[6];
            for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) {
                if (i == j) continue;
                int li = all.get(i).length(), lj = all.get(j).length();
                cop[i] += li > lj ? 1 : li == lj ? 0.5 : 0;   // the judge picks the longer one; equal lengths: position A, a tie over both orders
            }
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) if (cop[i] > cop[3 + j]) want[i][j] += 1.0 / limit;
        }
        Path out = tmp.resolve("rr");
        try (FakeJudgeServer s = new FakeJudgeServer(FakeJudgeServer::prefersLonger)) {
            int rc = TareCli.commandLine().execute("eval", "--benchmark", "rm-bench", "--data", data.toString(), "--scorer",
                    "judge:openai:" + s.url() + ",model=longer,template=arena-hard,mode=round-robin", "--limit", String.valueOf(limit),
                    "--out", out.toString(), "--bootstrap", "20");
            assertEquals(0, rc);
            assertEquals(30 * limit, s.calls.get(), "15 pairs x 2 orders per item");
        }
        JsonNode sum = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(sum, "judge RM-Bench summary.json");
        double hard = (want[0][1] + want[0][2] + want[1][2]) / 3, normal = (want[0][0] + want[1][1] + want[2][2]) / 3;
        assertEquals(hard, sum.get("scores").get("parts").get("Hard").get("value").asDouble(), 1e-12, sum.get("scores").toString());
        assertEquals(normal, sum.get("scores").get("parts").get("Normal").get("value").asDouble(), 1e-12);
        JsonNode cost = sum.get("cost");
        assertNotNull(cost, "the round-robin summary carries the judge's cost: " + sum);
        assertEquals(30 * limit, cost.get("calls").asInt(), cost.toString());
        assertTrue(cost.get("prompt_tokens").asLong() > 0 && cost.get("completion_tokens").asLong() > 0, cost.toString());
        assertTrue(java.nio.file.Files.readString(out.resolve("report.html")).contains("Judge cost (this run)"));
    }
}
