package dev.tare.cli.eval;

import dev.tare.cli.CliRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.bias.Feature;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.data.pairs.Benchmark;
import dev.tare.testkit.FakeJudgeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * `tare eval` with an openai: judge: a loopback chat-completions server reads the RewardBench judge prompt and
 * answers "[[A]]"/"[[B]]" by a fixed rule, so score, position consistency and position/length preference follow
 * exactly from the RewardBench rows.
 */
class JudgeEvalTest {
    static final ObjectMapper M = new ObjectMapper();
    @TempDir Path tmp;
    String lastRow, lastHtml;

    static String between(String s, String a, String b) {
        int i = s.indexOf(a) + a.length();
        return s.substring(i, s.indexOf(b, i));
    }

    static int cp(String s) { return s.codePointCount(0, s.length()); }

    static double md(String s) { return Feature.MARKDOWN.of(s); }

    JsonNode run(String rule, int limit, Path rb) throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer(user -> {
            String a = between(user, "[The Start of Assistant A's Answer]\n", "\n[The End of Assistant A's Answer]");
            String b = between(user, "[The Start of Assistant B's Answer]\n", "\n[The End of Assistant B's Answer]");
            String pick = switch (rule) {
                case "first" -> "A";
                case "markdown" -> md(a) >= md(b) ? "A" : "B";
                default -> cp(a) >= cp(b) ? "A" : "B";
            };
            return "Both are fine; I prefer this one. [[" + pick + "]]";
        })) {
            Path outDir = tmp.resolve(rule);
            CliRun run = CliRun.of("eval", "--scorer", "openai:" + server.url() + ",model=" + rule + "-judge,concurrency=4",
                        "--benchmark", "pairs", "--data", rb.toString(), "--limit", String.valueOf(limit), "--out", outDir.toString(),
                        "--bootstrap", "100");
            assertEquals(0, run.rc(), run.err());
            String row = run.out().strip();
            assertTrue(row.startsWith("| " + rule + "-judge | pairs |") && row.contains("consistency"), row);
            lastRow = row;
            lastHtml = java.nio.file.Files.readString(outDir.resolve("report.html"));
            return M.readTree(outDir.resolve("summary.json").toFile());
        }
    }

    @Test void lengthRuleAndFirstPositionJudges() throws Exception {
        Path rb = SharedData.data("rewardbench/filtered.jsonl").orElse(null);
        assumeTrue(rb != null, "../shared/data/rewardbench not found (set TARE_SHARED)");
        int n = 240;
        List<PreferenceItem> items = Benchmark.PAIRS.read(rb).subList(0, n);
        int chosenLonger = 0, equal = 0;
        for (PreferenceItem p : items) {
            int c = cp(p.chosen().getFirst()), r = cp(p.rejected().getFirst());
            if (c > r) chosenLonger++;
            if (c == r) equal++;
        }
        assertTrue(equal > 0 && chosenLonger > 0 && chosenLonger < n, "the slice exercises all cases");

        // picks the longer answer whatever its position (A on equal length): correct iff chosen is longer,
        // consistent iff lengths differ, picks what is shown first in (unequal + 2·equal) of 2n verdicts
        JsonNode longer = run("longer", n, rb);
        assertEquals((double) chosenLonger / n, longer.get("scores").get("score").get("value").asDouble(), 1e-12);
        assertEquals((double) (n - equal) / n, longer.get("position").get("consistency").get("value").asDouble(), 1e-12);
        assertEquals((n - equal + 2.0 * equal) / (2.0 * n), longer.get("position").get("first_shown_rate").get("value").asDouble(), 1e-12);
        assertEquals(1.0, longer.get("length").get("longer_rate").get("value").asDouble(), 1e-12);
        // markdown rate of the longer judge, counted here per verdict: order 1 (chosen shown as A) picks chosen iff
        // chosen is at least as long, order 2 (rejected shown as A) picks chosen iff chosen is strictly longer
        int mdVerdicts = 0, mdWins = 0;
        for (PreferenceItem p : items) {
            String c = p.chosen().getFirst(), r = p.rejected().getFirst();
            if (md(c) == md(r)) continue;
            boolean chosenMore = md(c) > md(r);
            boolean[] pickedChosen = {cp(c) >= cp(r), cp(c) > cp(r)};
            for (boolean pc : pickedChosen) { mdVerdicts++; if (pc == chosenMore) mdWins++; }
        }
        assertTrue(mdVerdicts > 0 && mdWins > 0 && mdWins < mdVerdicts, "the slice has markdown-differing pairs won both ways");
        JsonNode lm = longer.get("markdown");
        assertEquals(mdVerdicts, lm.get("verdicts").asInt());
        assertEquals((double) mdWins / mdVerdicts, lm.get("more_markdown_rate").get("value").asDouble(), 1e-12);
        assertTrue(lm.get("more_markdown_rate").get("lo").asDouble() <= (double) mdWins / mdVerdicts
                && (double) mdWins / mdVerdicts <= lm.get("more_markdown_rate").get("hi").asDouble(), lm.toString());
        assertTrue(lastRow.endsWith(String.format(java.util.Locale.ROOT, "| more-markdown %.1f |", 100.0 * mdWins / mdVerdicts)), lastRow);
        assertTrue(lastHtml.contains("Picks the response with more markdown") && lastHtml.contains("of " + mdVerdicts + " verdicts"), "report.html");

        // picks the response with more markdown (A on equal counts): 1.0 exactly over the differing pairs' 2 verdicts each
        JsonNode markdown = run("markdown", n, rb);
        assertEquals(mdVerdicts, markdown.get("markdown").get("verdicts").asInt());
        assertEquals(1.0, markdown.get("markdown").get("more_markdown_rate").get("value").asDouble(), 1e-12);
        assertTrue(lastRow.endsWith("| more-markdown 100.0 |"), lastRow);

        // always "[[A]]": every pair is a tie after both orders (wrong), never consistent, always the first shown
        JsonNode first = run("first", 60, rb);
        assertEquals(0.0, first.get("scores").get("score").get("value").asDouble());
        assertEquals(0.0, first.get("position").get("consistency").get("value").asDouble());
        assertEquals(1.0, first.get("position").get("first_shown_rate").get("value").asDouble());
        assertEquals(120, first.get("position").get("decided_verdicts").asInt());
    }
}
