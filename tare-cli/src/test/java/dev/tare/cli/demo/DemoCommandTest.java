package dev.tare.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.cli.TareCli;
import dev.tare.data.Jsonl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DemoCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        var cl = TareCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void simulationDemoWritesReportAndSummaryAtomically(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        Run r = run("demo", "--simulate", "--pairs", "400", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Length bias DETECTED"), r.out());
        try (var s = Files.list(out)) {
            assertEquals(List.of("report.html", "summary.json"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files left");
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.trim().endsWith("</html>"));
        assertTrue(html.contains("<svg"));
        JsonNode j = Jsonl.MAPPER.readTree(out.resolve("summary.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(j, "demo summary.json");
        assertEquals("simulation", j.get("mode").asText());
        JsonNode sim = j.get("simulation");
        assertEquals(400, sim.get("config").get("pairs").asInt());
        assertTrue(sim.get("length_bias_detected").asBoolean());
        double before = sim.get("biased").get("spearman_length").get("value").asDouble();
        double after = sim.get("calibrated").get("spearman_length").get("value").asDouble();
        assertTrue(Math.abs(after) < before / 5, before + " -> " + after);
    }

    /**
     * The main job's default without ../shared (forced here with --trained): the shipped tare-trained RM is style-biased
     * on held-out synthetic items, the forget-LoRA tare trains and the λ the rule picks on the selection half lift Hard
     * on the held-out half with Normal inside the budget there too, and calibration removes the length correlation.
     */
    @Test
    void trainedModelDemoRemovesTheStyleBiasOfATareTrainedModel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("trained");
        Run r = run("demo", "--trained", "--bootstrap", "200", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Everything here is synthetic") && r.out().contains("subtract 1 = lambda -1"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("model/model.safetensors")) && Files.isRegularFile(out.resolve("forget-style/adapter_model.safetensors")));
        JsonNode j = Jsonl.MAPPER.readTree(out.resolve("summary.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(j, "demo summary.json");
        assertEquals("trained-model", j.get("mode").asText());
        assertEquals("fraction", j.get("units").asText());
        double lambda = j.get("chosen_lambda").asDouble();
        assertTrue(lambda < 0 && j.get("chosen_subtract").asDouble() == -lambda, "the chosen strength subtracts the forget-LoRA: " + lambda);
        assertFalse(j.get("none_eligible").asBoolean());
        JsonNode h = j.get("held_out");
        JsonNode base = h.get("base reward model"), cal = h.get("+ LOWESS calibration on length");
        JsonNode lora = null, stacked = null;
        for (var it = h.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().startsWith("minus forget-LoRA")) { if (e.getKey().endsWith("+ LOWESS")) stacked = e.getValue(); else lora = e.getValue(); }
        }
        assertNotNull(lora);
        assertNotNull(stacked);
        double hard = v(base, "hard"), easy = v(base, "easy");
        assertTrue(easy - hard > 0.1, "the base model prefers style: hard " + hard + " easy " + easy);
        assertTrue(v(lora, "hard") > hard + 0.03, "subtracting the forget-LoRA lifts Hard: " + hard + " -> " + v(lora, "hard"));
        assertTrue(v(lora, "normal") >= v(base, "normal") - j.get("budget_points").asDouble() / 100, "correctness kept on held-out items");
        assertTrue(v(stacked, "hard") >= v(lora, "hard"), "calibration on top of the subtraction");
        assertTrue(v(base, "spearman_chars") > 0.1 && Math.abs(v(cal, "spearman_chars")) < v(base, "spearman_chars") / 2,
                "LOWESS removes the length correlation: " + v(base, "spearman_chars") + " -> " + v(cal, "spearman_chars"));
        for (JsonNode x : List.of(base, cal, lora, stacked))
            assertTrue(x.get("hard").get("lo").asDouble() <= x.get("hard").get("value").asDouble() && x.get("hard").has("hi"), "CIs: " + x);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Style bias vs strength") && html.contains("Reward vs length") && html.contains("chosen") && html.contains("<svg"));
    }

    private static double v(JsonNode n, String k) { return n.get(k).get("value").asDouble(); }

    @Test
    void failedRunLeavesPreviousOutputUntouched(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.html"), "previous");
        Run r = run("demo", "--simulate", "--pairs", "1", "--out", out.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("pairs"), r.err());
        assertEquals("previous", Files.readString(out.resolve("report.html")));
    }

    @Test
    void realDataDemoReproducesPublishedFigures(@TempDir Path dir) throws Exception {
        var root = dev.tare.data.SharedData.root().filter(r -> Files.isDirectory(r.resolve("data")));
        org.junit.jupiter.api.Assumptions.assumeTrue(root.isPresent(), "../shared absent (a user's clone): real-data demo skipped");
        Path out = dir.resolve("real");
        Run r = run("demo", "--data-root", root.get().toString(), "--bootstrap", "20", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Age                  29.8 (29.8)"), r.out());
        JsonNode j = Jsonl.MAPPER.readTree(out.resolve("summary.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(j, "demo summary.json");
        assertEquals("real-data", j.get("mode").asText());
        JsonNode jb = j.get("real_data").get("judgebench");
        JsonNode o1 = null;
        for (var it = jb.fields(); it.hasNext(); ) { var e = it.next(); if (e.getKey().contains("o1-mini")) o1 = e.getValue(); }
        assertNotNull(o1, jb.toString());
        assertEquals("fraction", j.get("units").asText());
        assertEquals(0.6571, o1.get("overall").get("value").asDouble(), 0.00005, "JudgeBench's published 65.71%, as a fraction");
        assertTrue(Files.readString(out.resolve("report.html")).contains("UnifiedQA"));
    }

    @Test
    void dataRootWithoutDataFolderIsAClearError(@TempDir Path dir) {
        Run r = run("demo", "--data-root", dir.toString(), "--out", dir.resolve("o").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--data-root") && r.err().contains("data/"), r.err());
    }
}
