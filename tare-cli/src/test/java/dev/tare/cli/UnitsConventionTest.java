package dev.tare.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Jsonl;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One unit convention across the JSON tare writes (dev.tare.metrics.Units): an end-to-end run of several commands on
 * the bundled real data (calibrate, eval, sweep, steer, probe, judge and the trained demo are checked in their own CLI
 * tests with the same {@link JsonUnits}), each JSON summary walked for {@code "units": "fraction"} and every rate, accuracy and score in
 * [0, 1] ({@link JsonUnits}). The one exception, alpacaeval's JSON, says {@code "units": "percent"} and is in percent;
 * tare compare reads them all by their units.
 */
class UnitsConventionTest {
    @TempDir Path dir;

    @Test
    void everyJsonSummaryIsInFractionsButAlpacaEvals() throws Exception {
        var root = SharedData.root();
        assumeTrue(root.isPresent(), "../shared not present");
        Path data = root.get().resolve("data");
        assumeTrue(Files.isDirectory(data.resolve("judgebench")) && Files.isDirectory(data.resolve("bbq"))
                && Files.isDirectory(data.resolve("rm-scores")) && Files.isDirectory(data.resolve("alpacaeval"))
                && Files.isDirectory(data.resolve("rm-bench")), "../shared/data subsets not present");
        Path rmResults = data.resolve("rm-scores/internlm-xcomposer2d5-7b-reward/rm_bench/results.json");
        Map<String, Path> summaries = new LinkedHashMap<>();

        Path jb = dir.resolve("jb.json");
        ok(CliRun.of("judgebench", "score", "--outputs", data.resolve("judgebench/judge-outputs/dataset=judgebench,response_model=gpt-4o-2024-05-13,"
                + "judge_name=arena_hard,judge_model=o1-mini-2024-09-12.jsonl").toString(), "--bootstrap", "50", "--out", jb.toString()));
        summaries.put("judgebench score", jb);
        Path bbq = dir.resolve("bbq.json");
        ok(CliRun.of("bbq", "score", "--data", data.resolve("bbq/data").toString(), "--predictions", data.resolve("bbq/unifiedqa-preds/preds_Age.jsonl").toString(),
                "--prediction-field", "unifiedqa-t5-11b_pred_race", "--bootstrap", "50", "--out", bbq.toString()));
        summaries.put("bbq score", bbq);
        Path rm = dir.resolve("internlm-rm-bench.json");
        ok(CliRun.of("metrics", "--benchmark", "rm-bench", "--results", rmResults.toString(), "--bootstrap", "50", "--out", rm.toString()));
        summaries.put("metrics (rm-bench)", rm);
        Path report = dir.resolve("report");
        ok(CliRun.of("report", "--results", rmResults.toString(), "--bootstrap", "20", "--out", report.toString()));
        summaries.put("report", report.resolve("summary.json"));
        Path demo = dir.resolve("demo");
        ok(CliRun.of("demo", "--simulate", "--pairs", "300", "--bootstrap", "20", "--out", demo.toString()));
        summaries.put("demo --simulate", demo.resolve("summary.json"));

        int checked = 0;
        for (var e : summaries.entrySet()) {
            JsonNode j = Jsonl.MAPPER.readTree(e.getValue().toFile());
            int n = JsonUnits.assertFractions(j, e.getKey() + " (" + e.getValue().getFileName() + ")");
            assertTrue(n >= 3, e.getKey() + ": only " + n + " rate-like numbers found to check in " + j);
            checked += n;
        }
        assertTrue(checked > 100, "numbers checked: " + checked);

        // the exception: alpacaeval keeps AlpacaEval's own percent, and says so
        Path ae = dir.resolve("ae.json");
        ok(CliRun.of("alpacaeval", "--results", data.resolve("alpacaeval/results/FuseChat-Llama-3.1-8B-Instruct").toString(), "--out", ae.toString()));
        JsonNode a = Jsonl.MAPPER.readTree(ae.toFile());
        assertEquals("percent", a.get("units").asText());
        double wr = a.get("models").get(0).get("win_rate").asDouble();
        assertTrue(wr > 1 && wr <= 100, "win_rate in percent: " + wr);

        // tare compare reads each file by its units: every score column in percent
        CliRun cmp = CliRun.of("compare", jb.toString(), bbq.toString(), rm.toString(), ae.toString());
        ok(cmp);
        JsonNode j = Jsonl.MAPPER.readTree(jb.toFile());
        assertTrue(cmp.out().contains(String.format(java.util.Locale.ROOT, "%.2f", 100 * j.get("overall").asDouble())), cmp.out());
        JsonNode age = Jsonl.MAPPER.readTree(bbq.toFile()).get("overall");
        assertTrue(cmp.out().contains(String.format(java.util.Locale.ROOT, "%.2f", 100 * age.get("acc_ambig").asDouble())), cmp.out());
        assertTrue(cmp.out().contains(String.format(java.util.Locale.ROOT, "%.2f", wr)), cmp.out());
    }

    /** The checker itself: percent, a percent interval bound and a missing units field fail; counts and correlations pass. */
    @Test
    void theCheckerCatchesPercentAndAMissingUnit() throws Exception {
        JsonNode percent = Jsonl.MAPPER.readTree("{\"units\":\"fraction\",\"overall\":65.7}");
        assertThrows(AssertionFailedError.class, () -> JsonUnits.assertFractions(percent, "percent"));
        JsonNode bound = Jsonl.MAPPER.readTree("{\"units\":\"fraction\",\"overall\":0.657,\"ci95\":{\"knowledge\":[0.5,60.2]}}");
        assertThrows(AssertionFailedError.class, () -> JsonUnits.assertFractions(bound, "bound"));
        JsonNode noUnits = Jsonl.MAPPER.readTree("{\"scores\":{\"score\":{\"value\":0.6,\"lo\":0.5,\"hi\":0.7}}}");
        assertThrows(AssertionFailedError.class, () -> JsonUnits.assertFractions(noUnits, "no units"));
        JsonNode fine = Jsonl.MAPPER.readTree("""
                {"units":"fraction","overall":0.657,"s_amb":-0.2,"counts":{"inconsistent":110},"pairs":350,
                 "bias":{"chars":{"n":90,"spearman":{"value":-0.3,"lo":-0.5,"hi":-0.1}},"longer_wins":{"pairs":5,"rate":{"value":0.8,"lo":0.6,"hi":1.0}}}}
                """);
        assertEquals(5, JsonUnits.assertFractions(fine, "fine"), "overall, s_amb and the rate's value, lo, hi");
    }

    private static void ok(CliRun r) { assertEquals(0, r.rc(), r.out() + r.err()); }
}
