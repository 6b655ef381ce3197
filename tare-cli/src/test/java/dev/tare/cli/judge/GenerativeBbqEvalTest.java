package dev.tare.cli.judge;

import dev.tare.testkit.FakeJudgeServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.TareCli;
import dev.tare.data.SharedData;
import dev.tare.data.bbq.BbqItem;
import dev.tare.data.bbq.BbqReader;
import dev.tare.data.bbq.BbqTarget;
import dev.tare.eval.bbq.GenerativeBbq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `tare eval --benchmark bbq` with a generative model, on real BBQ rows. */
class GenerativeBbqEvalTest {
    static final int LIMIT = 240;
    @TempDir Path tmp;

    private static Path data() {
        Path f = SharedData.data("bbq/data/Sexual_orientation.jsonl").orElse(null);
        assumeTrue(f != null, "../shared/data/bbq absent: skipping");
        return f;
    }

    private record Run(int rc, String out) {}

    private static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            return new Run(TareCli.commandLine().execute(args), buf.toString());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void alwaysBiasConsistentAnswerGivesTheMetricsTheDefinitionPredicts() throws Exception {
        Path f = data();
        List<BbqItem> items = BbqReader.read(f).subList(0, LIMIT);
        Map<String, String> answer = new HashMap<>();
        int ambig = 0, dis = 0, disGoldBiased = 0, unknownTarget = 0;
        for (BbqItem it : items) {
            BbqTarget t = BbqTarget.of(it);
            String user = GenerativeBbq.prompt(it).getFirst().content();
            // the bias-consistent option, or (items without a target) a sentence that is not a letter
            answer.put(user, t.known() ? "**" + "ABC".charAt(t.target()) + "**" : "I would rather not say.");
            if (!t.known()) { unknownTarget++; continue; }
            if (it.condition() == BbqItem.Condition.AMBIG) ambig++;
            else { dis++; if (it.label() == t.target()) disGoldBiased++; }
        }
        assertTrue(ambig > 20 && dis > 20, "both conditions among the first " + LIMIT + " rows");
        Path out = tmp.resolve("run");
        try (FakeJudgeServer s = new FakeJudgeServer(u -> answer.getOrDefault(u, "?"))) {
            Run r = run("eval", "--benchmark", "bbq", "--data", f.toString(), "--scorer", "openai:" + s.url() + ",model=fake",
                    "--out", out.toString(), "--limit", String.valueOf(LIMIT), "--bootstrap", "200");
            assertEquals(0, r.rc(), r.out());
            assertTrue(r.out().contains(unknownTarget + " replies were not a single letter"), r.out());
        }
        JsonNode sum = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(sum, "generative BBQ summary.json");
        JsonNode o = sum.get("Sexual_orientation");
        assertEquals("fraction", sum.get("units").asText());
        assertEquals(0.0, o.get("acc_ambig").asDouble(), 1e-9, "ambiguous gold is always 'unknown'");
        assertEquals(1.0, o.get("commit_bias_ambig").asDouble(), 1e-9);
        assertEquals(1.0, o.get("s_amb").asDouble(), 1e-9, "s_amb = (1 - 0) * 1 (100%)");
        assertEquals(1.0, o.get("s_dis").asDouble(), 1e-9);
        assertEquals((double) disGoldBiased / dis, o.get("acc_disambig").asDouble(), 1e-9);
        assertEquals(ambig, o.get("n_ambig").asInt());
        assertEquals(dis, o.get("n_disambig").asInt());
        assertEquals(unknownTarget, sum.get("generation").get("unparseable").asInt());
        assertEquals(LIMIT, Files.readAllLines(out.resolve("predictions.jsonl")).size());

        // resume: an interrupted file (torn last line) continues to the same result
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        Path out2 = tmp.resolve("resumed");
        Files.createDirectories(out2);
        Files.writeString(out2.resolve("predictions.jsonl"), String.join("\n", lines.subList(0, 100)) + "\n" + lines.get(100).substring(0, 20));
        try (FakeJudgeServer s = new FakeJudgeServer(u -> answer.getOrDefault(u, "?"))) {
            Run r = run("eval", "--benchmark", "bbq", "--data", f.toString(), "--scorer", "openai:" + s.url() + ",model=fake",
                    "--out", out2.toString(), "--limit", String.valueOf(LIMIT), "--bootstrap", "200", "--resume");
            assertEquals(0, r.rc(), r.out());
            assertEquals(LIMIT - 100, s.calls.get(), "only the missing items are generated");
        }
        // same rows as the uninterrupted run except the wall-clock seconds
        assertEquals(lines.stream().map(l -> l.replaceAll("\"seconds\":[0-9.eE-]+", "")).toList(),
                Files.readAllLines(out2.resolve("predictions.jsonl")).stream().map(l -> l.replaceAll("\"seconds\":[0-9.eE-]+", "")).toList());
    }

    @Test
    void tinyLocalCausalLmRepliesAreCountedUnparseableNotGuessed() throws Exception {
        Path f = data();
        Path model = TinyCausalLm.make(tmp.resolve("tiny"), "llama-causal");
        Path out = tmp.resolve("local");
        // a report.html of an earlier run in this folder would not match the new summary.json: it goes
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.html"), "stale");
        Run r = run("eval", "--benchmark", "bbq", "--data", f.toString(), "--scorer", "judge:local:" + model + ",max_tokens=3,batch=4",
                "--out", out.toString(), "--limit", "6");
        assertEquals(1, r.rc(), r.out());
        assertTrue(r.out().contains("none of the 6 replies was a single letter"), r.out());
        assertTrue(Files.exists(out.resolve("summary.json")));
        assertFalse(Files.exists(out.resolve("report.html")), "a stale report.html beside the new summary.json");
        List<String> rows = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertEquals(6, rows.size());
        for (String row : rows) {
            JsonNode n = new ObjectMapper().readTree(row);
            assertTrue(n.get("prediction").isNull(), row);
            assertTrue(n.get("completion_tokens").asInt() >= 1 && n.get("completion_tokens").asInt() <= 3, row);
            assertTrue(n.get("reply").asText().matches("(w\\d+ ?)*|"), row);
        }
    }
}
