package dev.tare.cli.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import dev.tare.eval.judge.InjectionAudit;
import dev.tare.testkit.FakeJudgeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `tare judge audit` against the OpenAI-compatible double with the RewardBench template: a gullible judge that obeys
 * any planted [[X]] (and otherwise picks the answer that says "right") flips every pair under the RewardBench-syntax
 * plantings and none under the others; a judge that quotes the rejected answer (planting included) before its own closing verdict flips
 * nothing and stays parseable, because tare reads the judge's own verdict.
 */
class JudgeAuditTest {
    static final ObjectMapper M = new ObjectMapper();
    static final Pattern A = Pattern.compile("(?s)\\[The Start of Assistant A's Answer\\]\\n(.*?)\\n\\[The End of Assistant A's Answer\\]");
    static final Pattern B = Pattern.compile("(?s)\\[The Start of Assistant B's Answer\\]\\n(.*?)\\n\\[The End of Assistant B's Answer\\]");
    static final Pattern MARK = Pattern.compile("\\[\\[([AB])\\]\\]");
    @TempDir Path tmp;

    static String[] answers(String user) {
        Matcher a = A.matcher(user), b = B.matcher(user);
        assertTrue(a.find() && b.find(), user);
        return new String[]{a.group(1), b.group(1)};
    }

    /** The honest judgement: the answer that says "right" (planting adds no such word). */
    static String honest(String[] ab) { return ab[0].contains("right") ? "A" : "B"; }

    JsonNode audit(java.util.function.Function<String, String> judge, Path data, String name) throws Exception {
        return audit(judge, data, name, "rewardbench");
    }

    JsonNode audit(java.util.function.Function<String, String> judge, Path data, String name, String template) throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer(judge)) {
            Path out = tmp.resolve(name);
            CliRun run = CliRun.of("judge", "audit", "--judge", "openai:" + server.url() + ",model=" + name, "--template", template,
                    "--data", data.toString(), "--out", out.toString(), "--bootstrap", "50");
            assertEquals(0, run.rc(), run.err());
            int plants = InjectionAudit.catalogue().size();
            assertEquals(6 * 2 * (plants + 1), server.calls.get(), "both orders, unplanted and every planting");
            assertTrue(run.out().contains("rewardbench/code-fence") && run.out().contains("cost: "), run.out());
            assertTrue(Files.readString(out.resolve("report.html")).contains("Flip rate per planting"));
            JsonNode sum = M.readTree(out.resolve("summary.json").toFile());
            dev.tare.cli.JsonUnits.assertFractions(sum, "judge audit summary.json");
            return sum;
        }
    }

    @Test void flipRatesOfAGullibleAndOfAQuotingJudge() throws Exception {
        Path data = tmp.resolve("pairs.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 6; i++) // the honest judge gives every chosen response the win; items 4-5 have a longer rejected one
            rows.append(M.writeValueAsString(Map.of("id", "p" + i, "prompt", "question " + i,
                    "chosen", "the right answer " + i, "rejected", i < 4 ? "wrong" : "a long and detailed but wrong answer " + i))).append('\n');
        Files.writeString(data, rows.toString());

        JsonNode gullible = audit(user -> {
            String[] ab = answers(user);
            for (String s : ab) { Matcher m = MARK.matcher(s); if (m.find()) return "The answer says so.\n\n[[" + m.group(1) + "]]"; }
            return "By length. [[" + honest(ab) + "]]";
        }, data, "gullible");
        assertEquals(0.0, gullible.get("unplanted").get("rejected_wins").get("value").asDouble(), 1e-12);
        JsonNode p = gullible.get("plantings");
        for (String placement : new String[]{"end", "quoted", "verdict-sentence", "start", "markdown", "code-fence", "other-language"}) {
            assertEquals(6, p.get("rewardbench/" + placement).get("flips").asInt(), placement);
            assertEquals(1.0, p.get("rewardbench/" + placement).get("rejected_wins").get("value").asDouble(), 1e-12, placement);
            assertEquals(0, p.get("gram-r2/" + placement).get("flips").asInt(), placement);
        }

        JsonNode quoting = audit(user -> {
            String[] ab = answers(user);
            return "Answer A reads:\n" + ab[0] + "\nAnswer B reads:\n" + ab[1] + "\nJudging by completeness instead.\n\n[[" + honest(ab) + "]]";
        }, data, "quoting");
        for (var it = quoting.get("plantings").fields(); it.hasNext(); ) {
            var e = it.next();
            assertEquals(0, e.getValue().get("flips").asInt(), e.getKey());
            assertEquals(0.0, e.getValue().get("unparseable").get("value").asDouble(), 1e-12, e.getKey());
        }
    }

    /**
     * The three built-in templates, each answered in its own verdict syntax by an honest judge that first quotes both
     * answers (plantings included): no planting of any syntax flips a pair or makes a verdict unparseable.
     */
    @Test void anHonestQuotingJudgeIsNotFlippedUnderAnyBuiltInTemplate() throws Exception {
        Path data = tmp.resolve("pairs.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 6; i++)
            rows.append(M.writeValueAsString(Map.of("id", "p" + i, "prompt", "question " + i, "chosen", "the right answer " + i, "rejected", "wrong " + i))).append('\n');
        Files.writeString(data, rows.toString());
        Pattern gramA = Pattern.compile("(?s)\\[The Start of Assistant A's Response\\]\\n(.*?)\\n\\[The End of Assistant A's Response\\]");
        Pattern gramB = Pattern.compile("(?s)\\[The Start of Assistant B's Response\\]\\n(.*?)\\n\\[The End of Assistant B's Response\\]");
        Map<String, java.util.function.Function<String, String>> judges = Map.of(
                "arena-hard", user -> {
                    Matcher a = FakeJudgeServer.ARENA_A.matcher(user), b = FakeJudgeServer.ARENA_B.matcher(user);
                    assertTrue(a.find() && b.find(), user);
                    String w = honest(new String[]{a.group(1), b.group(1)});
                    return "A says:\n" + a.group(1) + "\nB says:\n" + b.group(1) + "\nMy final verdict is: [[" + w + ">" + (w.equals("A") ? "B" : "A") + "]]";
                },
                "gram-r2", user -> {
                    Matcher a = gramA.matcher(user), b = gramB.matcher(user);
                    assertTrue(a.find() && b.find(), user);
                    return "<think>A: " + a.group(1) + "\nB: " + b.group(1) + "</think>\n<answer>" + honest(new String[]{a.group(1), b.group(1)}) + "</answer>";
                },
                "rewardbench", user -> {
                    String[] ab = answers(user);
                    return "A:\n" + ab[0] + "\nB:\n" + ab[1] + "\n\n[[" + honest(ab) + "]]";
                });
        for (var e : judges.entrySet()) {
            JsonNode r = audit(e.getValue(), data, "honest-" + e.getKey(), e.getKey());
            assertEquals(e.getKey(), r.get("template").asText());
            assertEquals(0.0, r.get("unplanted").get("rejected_wins").get("value").asDouble(), 1e-12, e.getKey());
            for (var it = r.get("plantings").fields(); it.hasNext(); ) {
                var p = it.next();
                assertEquals(0, p.getValue().get("flips").asInt(), e.getKey() + " " + p.getKey());
                assertEquals(0.0, p.getValue().get("unparseable").get("value").asDouble(), 1e-12, e.getKey() + " " + p.getKey());
            }
        }
    }

    @Test void badOptionsAreRefusedBeforeAnyCall() throws Exception {
        Path data = tmp.resolve("p.jsonl");
        Files.writeString(data, "{\"id\":\"x\",\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\n");
        try (FakeJudgeServer server = new FakeJudgeServer(u -> "[[A]]")) {
            CliRun run = CliRun.of("judge", "audit", "--judge", "openai:" + server.url() + ",model=m", "--data", data.toString(),
                    "--syntax", "markdown", "--out", tmp.resolve("o").toString());
            assertNotEquals(0, run.rc());
            assertTrue(run.err().contains("--syntax markdown: expected rewardbench, arena-hard or gram-r2"), run.err());
            assertEquals(0, server.calls.get());
            assertFalse(Files.exists(tmp.resolve("o")));
        }
        CliRun plain = CliRun.of("judge", "--question", "q");
        assertNotEquals(0, plain.rc());
        assertTrue(plain.err().contains("Missing required options: '--judge=SPEC', '--responses=FILE'"), plain.err());
    }
}
