package dev.tare.cli.judge;

import dev.tare.testkit.FakeJudgeServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.TareCli;
import dev.tare.data.SharedData;
import dev.tare.data.judgebench.JudgeBenchReader;
import dev.tare.data.judgebench.JudgePair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `tare eval --benchmark judgebench --scorer judge:...` with a tiny local causal LM and with a loopback judge. */
class JudgeSpecEvalTest {
    @TempDir Path tmp;

    private static Path pairs() {
        Path f = SharedData.data("judgebench/data/dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl").orElse(null);
        assumeTrue(f != null, "../shared/data/judgebench absent: skipping");
        return f;
    }

    private record Run(int rc, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            return new Run(TareCli.commandLine().execute(args), out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void tinyLocalJudgeRepliesAreUnparseableAndKeptRaw() throws Exception {
        Path data = pairs();
        Path model = TinyCausalLm.make(tmp.resolve("tiny"), "qwen2-causal");
        Path out = tmp.resolve("local");
        Run r = run("eval", "--benchmark", "judgebench", "--data", data.toString(), "--scorer",
                "judge:local:" + model + ",template=rewardbench,max_tokens=6,batch=4", "--limit", "3", "--out", out.toString(), "--bootstrap", "50");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("judge cost: 6 judge calls"), r.err());
        List<String> rows = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(3, rows.size());
        for (String row : rows) {
            JsonNode n = new ObjectMapper().readTree(row);
            assertEquals("none", n.get("verdict_chosen_first").asText(), row);
            assertEquals("none", n.get("verdict_chosen_second").asText(), row);
            assertTrue(n.get("reply_chosen_first").asText().matches("(w\\d+ ?)+"), row);
        }
        JsonNode sum = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(3, sum.get("counts").get("nulls").asInt(), "JudgeBench's n_nulls: pairs with an unparseable game");
        assertEquals(6, sum.get("position").get("unparseable_verdicts").asInt());
        assertEquals(6, sum.get("cost").get("calls").asInt());
    }

    /** The tiny local judge through voting@2 (sampled, 2 votes per order) and round robin on a 4-response item: the flows run and count their calls. */
    @Test
    void tinyLocalJudgeVotesAndRanks() throws Exception {
        Path model = TinyCausalLm.make(tmp.resolve("tiny"), "qwen2-causal");
        Run v = run("eval", "--benchmark", "judgebench", "--data", pairs().toString(), "--scorer",
                "judge:local:" + model + ",template=rewardbench,max_tokens=4,batch=4,votes=2,temperature=1.0,seed=3", "--limit", "2",
                "--out", tmp.resolve("votes").toString(), "--bootstrap", "20");
        assertEquals(0, v.rc(), v.err());
        assertTrue(v.err().contains("judge cost: 8 judge calls"), v.err());
        for (String row : Files.readAllLines(tmp.resolve("votes/results.jsonl"))) {
            JsonNode n = new ObjectMapper().readTree(row);
            assertEquals(2, n.get("votes_k").asInt());
            assertEquals(4, n.get("votes_chosen").asInt() + n.get("votes_rejected").asInt() + n.get("votes_abstained").asInt(), row);
        }
        Path rb2 = tmp.resolve("rb2.jsonl");
        Files.writeString(rb2, "{\"id\":\"1\",\"subset\":\"Focus\",\"prompt\":\"Say hi\",\"chosen\":[\"hi\"],\"rejected\":[\"no\",\"bye\",\"what\"],\"num_correct\":1}\n");
        Run rr = run("eval", "--benchmark", "rewardbench2", "--data", rb2.toString(), "--scorer",
                "judge:local:" + model + ",template=rewardbench,max_tokens=4,batch=4", "--out", tmp.resolve("rr").toString(), "--bootstrap", "20");
        assertEquals(0, rr.rc(), rr.err());
        assertTrue(rr.err().contains("judge cost: 12 judge calls"), rr.err());
        JsonNode line = new ObjectMapper().readTree(Files.readAllLines(tmp.resolve("rr/results.jsonl")).getFirst());
        assertEquals(12, line.get("unparseable_verdicts").asInt(), "a random tiny model writes no verdicts");
        assertEquals(0.25, line.get("results").asDouble(), 1e-12, "no verdicts: every response scores 0, a 4-way tie at the top, 1/4 credit");
    }

    @Test
    void loopbackJudgePrefersLongerThroughJudgeSpecWithArenaHardTemplate() throws Exception {
        Path data = pairs();
        int limit = 12;
        List<JudgePair> ps = JudgeBenchReader.readPairs(data).subList(0, limit);
        Path out = tmp.resolve("loop");
        try (FakeJudgeServer s = new FakeJudgeServer(FakeJudgeServer::prefersLonger)) {
            Run r = run("eval", "--benchmark", "judgebench", "--data", data.toString(), "--scorer",
                    "judge:openai:" + s.url() + ",model=longer,template=arena-hard", "--limit", String.valueOf(limit), "--out", out.toString(),
                    "--bootstrap", "50");
            assertEquals(0, r.rc(), r.err());
            assertTrue(r.err().contains("judge cost: " + (2 * limit) + " judge calls"), r.err());
        }
        List<String> rows = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(limit, rows.size());
        int longerWins = 0;
        for (int i = 0; i < limit; i++) {
            JsonNode n = new ObjectMapper().readTree(rows.get(i));
            JudgePair p = ps.get(i);
            // both orders agree: the judge always names the longer response (ties of equal length go to A)
            assertTrue(n.get("reply_chosen_first").asText().contains("My final verdict is: [["), rows.get(i));
            if (p.responseA().length() != p.responseB().length()) {
                assertTrue(n.get("consistent").asBoolean(), rows.get(i));
                longerWins++;
            }
        }
        assertTrue(longerWins > 0);
        // the judge's biases and cost in summary.json, from the pairs themselves: order 1 shows the chosen response
        // first and the judge picks it iff it is at least as long (UTF-16), order 2 iff it is strictly longer
        int firstShown = 0, lenVerdicts = 0, lenWins = 0, mdVerdicts = 0, mdWins = 0;
        for (JudgePair p : ps) {
            boolean aChosen = "A>B".equals(p.label());
            String c = aChosen ? p.responseA() : p.responseB(), rj = aChosen ? p.responseB() : p.responseA();
            boolean[] picked = {c.length() >= rj.length(), c.length() > rj.length()};
            double lc = dev.tare.bias.Feature.CHARS.of(c), lr = dev.tare.bias.Feature.CHARS.of(rj);
            double mc = dev.tare.bias.Feature.MARKDOWN.of(c), mr = dev.tare.bias.Feature.MARKDOWN.of(rj);
            for (int o = 0; o < 2; o++) {
                if ((o == 0) == picked[o]) firstShown++;
                if (lc != lr) { lenVerdicts++; if (picked[o] == (lc > lr)) lenWins++; }
                if (mc != mr) { mdVerdicts++; if (picked[o] == (mc > mr)) mdWins++; }
            }
        }
        JsonNode sum = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals((double) firstShown / (2 * limit), sum.get("position").get("first_shown_rate").get("value").asDouble(), 1e-12);
        assertEquals(2 * limit, sum.get("position").get("decided_verdicts").asInt());
        assertEquals(0, sum.get("position").get("unparseable_verdicts").asInt());
        assertEquals(0, sum.get("counts").get("nulls").asInt());
        assertEquals(lenVerdicts, sum.get("length").get("verdicts").asInt());
        assertEquals((double) lenWins / lenVerdicts, sum.get("length").get("longer_rate").get("value").asDouble(), 1e-12);
        assertEquals(mdVerdicts, sum.get("markdown").get("verdicts").asInt());
        if (mdVerdicts > 0) assertEquals((double) mdWins / mdVerdicts, sum.get("markdown").get("more_markdown_rate").get("value").asDouble(), 1e-12);
        assertEquals(2 * limit, sum.get("cost").get("calls").asInt());
        assertTrue(sum.get("cost").get("prompt_tokens").asLong() > 0);
    }
}
