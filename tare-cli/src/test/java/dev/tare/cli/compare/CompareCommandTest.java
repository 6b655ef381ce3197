package dev.tare.cli.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tare.cli.CliRun;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** tare compare over summaries that tare's own commands write from the bundled real results. */
class CompareCommandTest {
    @TempDir Path dir;

    @Test void leaderboardOfBundledRealResults() throws Exception {
        var root = SharedData.root();
        assumeTrue(root.isPresent(), "../shared not present");
        Path data = root.get().resolve("data");
        assumeTrue(Files.isDirectory(data.resolve("alpacaeval")) && Files.isDirectory(data.resolve("judgebench"))
                && Files.isDirectory(data.resolve("rm-scores")), "../shared/data subsets not present");
        Path jb = dir.resolve("jb.json"), rm = dir.resolve("internlm-xcomposer2d5-7b-reward.json"), ae = dir.resolve("ae.json");
        assertEquals(0, CliRun.of("judgebench", "score", "--outputs", data.resolve("judgebench/judge-outputs/dataset=judgebench,response_model=gpt-4o-2024-05-13,judge_name=arena_hard,judge_model=o1-mini-2024-09-12.jsonl").toString(),
                "--bootstrap", "50", "--out", jb.toString()).rc());
        assertEquals(0, CliRun.of("metrics", "--benchmark", "rm-bench", "--results", data.resolve("rm-scores/internlm-xcomposer2d5-7b-reward/rm_bench/results.json").toString(),
                "--bootstrap", "50", "--out", rm.toString()).rc());
        assertEquals(0, CliRun.of("alpacaeval", "--results", data.resolve("alpacaeval/results/FuseChat-Llama-3.1-8B-Instruct").toString(),
                data.resolve("alpacaeval/results/FuseChat-Qwen-2.5-7B-Instruct").toString(), "--out", ae.toString()).rc());
        Path csv = dir.resolve("lb.csv"), md = dir.resolve("lb.md"), html = dir.resolve("lb.html");
        CliRun r = CliRun.of("compare", jb.toString(), rm.toString(), ae.toString(), "--csv", csv.toString(), "--markdown", md.toString(), "--html", html.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(r.out(), Files.readString(md));
        var m = JsonMapper.builder().build();
        JsonNode j = m.readTree(jb.toFile()), s = m.readTree(rm.toFile()), a = m.readTree(ae.toFile());
        // every cell is the source value in percent: the fraction files (judgebench, metrics) times 100, alpacaeval's percent as is
        assertEquals("fraction", j.get("units").asText());
        assertEquals("fraction", s.get("units").asText());
        assertEquals("percent", a.get("units").asText());
        assertTrue(r.out().contains("| o1-mini-2024-09-12 (arena_hard) | " + p(100 * j.get("overall").asDouble()) + " [" + p(100 * j.get("ci95").get("overall").get(0).asDouble())), r.out());
        assertTrue(r.out().contains("| internlm-xcomposer2d5-7b-reward | — | — | " + p(100 * s.get("score").get("value").asDouble()) + " ["), r.out());
        JsonNode fuse = a.get("models").get(0);
        assertTrue(r.out().contains("| FuseChat-Llama-3.1-8B-Instruct | — | — | — | " + p(fuse.get("win_rate").asDouble()) + " ["
                + p(fuse.get("win_rate").asDouble() - 1.96 * fuse.get("standard_error").asDouble())), r.out());
        assertEquals(5, Files.readAllLines(csv).size(), "header + 4 runs (judge, RM, two AlpacaEval models)");
        assertTrue(Files.readString(html).contains("class=\"sortable\""));
        CliRun bad = CliRun.of("compare", csv.toString());
        assertNotEquals(0, bad.rc());
        assertTrue(bad.err().contains("lb.csv"), bad.err());
    }

    private static String p(double v) { return String.format(Locale.ROOT, "%.2f", v); }
}
