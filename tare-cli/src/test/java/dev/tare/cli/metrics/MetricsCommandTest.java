package dev.tare.cli.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tare.cli.TareCli;
import dev.tare.data.SharedData;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ResultsReader;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MetricsCommandTest {
    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        var cl = TareCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test void rmBenchSafetyFromRealScoresAsJson() throws Exception {
        var p = SharedData.data("rm-scores").map(d -> d.resolve("internlm-xcomposer2d5-7b-reward/rm_bench/results.json")).filter(Files::exists);
        assumeTrue(p.isPresent(), "../shared/data/rm-scores not present");
        var all = ResultsFiles.read(p.get());
        Path f = dir.resolve("safety.jsonl");
        try (var w = ResultsWriter.create(f)) {
            for (int k = 886; k < 1327; k++) {
                var it = all.get(k);
                String domain = k < 1170 ? "safety-refuse" : "safety-response";
                w.append(new ScoredItem(Integer.toString(k), domain, "internlm", it.scoresChosen(), it.scoresRejected(), null, Map.of("domain", domain)));
            }
        }
        Run r = run("metrics", "--benchmark", "rm-bench", "--results", f.toString(), "--json", "--resamples", "200");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JsonMapper.builder().build().readTree(r.out());
        JsonNode safety = j.get("domains").get(0);
        assertEquals("safety", safety.get("domain").asText());
        assertEquals(0.9388, safety.get("score").get("value").asDouble(), 5e-5);
        assertTrue(safety.get("score").get("lo").asDouble() < 0.9388);
        assertFalse(j.get("complete").asBoolean());

        Run t = run("metrics", "--benchmark", "rm-bench", "--results", f.toString(), "--resamples", "50");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("safety") && t.out().contains("93.88"), t.out());
    }

    /** The published results.json (no domain field) is scored pooled, as RM-Bench's compute_accuracy does (rm-scores README). */
    @Test void rmBenchPublishedResultsWithoutDomainArePooled() throws Exception {
        var p = SharedData.data("rm-scores").map(d -> d.resolve("internlm-xcomposer2d5-7b-reward/rm_bench/results.json")).filter(Files::exists);
        assumeTrue(p.isPresent(), "../shared/data/rm-scores not present");
        Run r = run("metrics", "--benchmark", "rm-bench", "--results", p.get().toString(), "--json", "--resamples", "100");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JsonMapper.builder().build().readTree(r.out());
        assertTrue(j.get("pooled").asBoolean());
        assertFalse(j.get("complete").asBoolean());
        assertEquals(1327, j.get("items").asInt());
        assertEquals(0.4745, j.get("hard").get("value").asDouble(), 5e-5);
        assertEquals(0.7134, j.get("normal").get("value").asDouble(), 5e-5);
        assertEquals(0.8747, j.get("easy").get("value").asDouble(), 5e-5);
        assertEquals("pooled", j.get("domains").get(0).get("domain").asText());
        assertEquals(0.9450, j.get("domains").get(0).get("matrix").get(2).get(0).asDouble(), 5e-5);

        Run t = run("metrics", "--benchmark", "rm-bench", "--results", p.get().toString(), "--resamples", "50");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("compute_accuracy") && t.out().contains("pooled") && t.out().contains("47.45"), t.out());
        assertFalse(t.out().contains("overall"), "a pooled score is not the official overall: " + t.out());
        // the published file names no model: the header says nothing about it rather than "model=null"
        assertTrue(t.out().startsWith("RM-Bench  items=1327"), t.out());
        assertFalse(t.out().contains("null"), t.out());
    }

    @Test void rmBenchNativePerDomainOutputsArePooled() throws Exception {
        var p = SharedData.data("rm-scores").map(d -> d.resolve("internlm-xcomposer2d5-7b-reward/rm_bench/results.json")).filter(Files::exists);
        var data = SharedData.data("rm-bench");
        assumeTrue(p.isPresent() && data.isPresent(), "../shared/data/rm-scores or rm-bench not present");
        var all = ResultsFiles.read(p.get());
        var mapper = JsonMapper.builder().build();
        // lay the scores out as run_rm.py writes them: the domain file's items plus score_chosen / score_rejected
        Path[] outs = new Path[2];
        String[] domains = {"safety-refuse", "safety-response"};
        int[] first = {886, 1170};
        for (int d = 0; d < 2; d++) {
            var items = (com.fasterxml.jackson.databind.node.ArrayNode) mapper.readTree(data.get().resolve(domains[d] + "_filtered.json").toFile());
            for (int i = 0; i < items.size(); i++) {
                var o = (com.fasterxml.jackson.databind.node.ObjectNode) items.get(i);
                var sc = all.get(first[d] + i);
                o.set("score_chosen", mapper.valueToTree(sc.scoresChosen()));
                o.set("score_rejected", mapper.valueToTree(sc.scoresRejected()));
            }
            outs[d] = dir.resolve(domains[d] + "_filtered_internlm_REWORD_MODEL_2025.json");
            mapper.writeValue(outs[d].toFile(), items);
        }
        Run r = run("metrics", "--benchmark", "rm-bench", "--results", outs[0].toString(), outs[1].toString(), "--json", "--resamples", "100");
        assertEquals(0, r.code(), r.err());
        JsonNode j = mapper.readTree(r.out());
        assertEquals(441, j.get("items").asInt());
        assertEquals(0.9388, j.get("domains").get(0).get("score").get("value").asDouble(), 5e-5);
        Run twice = run("metrics", "--benchmark", "rm-bench", "--results", outs[0].toString(), outs[0].toString());
        assertEquals(2, twice.code());
        assertTrue(twice.err().contains("appears twice"), twice.err());
    }

    @Test void leaderboardJsonIsScoredAndConverted() throws Exception {
        Path f = dir.resolve("org/model.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, """
                {"model": "org/model", "model_type": "Seq. Classifier", "chat_template": "tulu",
                 "id": [1, 2, 3, 4], "subset": ["hep-go", "hep-go", "math-prm", "math-prm"],
                 "results": [1, 0, 1, 1], "scores_chosen": [[2.0], [0.0], [3.0], [1.0]], "scores_rejected": [[1.0], [0.0], [1.0], [0.5]]}
                """);
        Path conv = dir.resolve("conv.jsonl");
        Path summary = dir.resolve("summary.json");
        Run r = run("metrics", "--benchmark", "rewardbench", "--results", f.toString(), "--convert-to", conv.toString(),
                "--out", summary.toString(), "--resamples", "50");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Reasoning"), r.out());
        assertTrue(r.out().startsWith("RewardBench v1  model=org/model  items=4"), r.out());
        assertEquals(4, ResultsReader.read(conv).size());
        JsonNode j = JsonMapper.builder().build().readTree(Files.readString(summary));
        assertEquals((0.5 * 164 + 1.0 * 984) / (164 + 984), j.get("sections").get("Reasoning").get("value").asDouble(), 1e-12);
        assertEquals(1, j.get("ties").asInt());
        // only Reasoning subsets: the other sections are n/a (null), the score is Reasoning alone, labelled partial
        assertTrue(j.get("partial").asBoolean());
        assertEquals("partial: mean of 1 of 4 sections", j.get("score_label").asText());
        for (String sec : new String[]{"Chat", "Chat Hard", "Safety"}) assertTrue(j.get("sections").get(sec).isNull(), sec);
        assertEquals(j.get("sections").get("Reasoning").get("value").asDouble(), j.get("score").get("value").asDouble(), 1e-12);
        assertEquals(3, j.get("missing_sections").size());
        assertTrue(r.out().contains("Score (partial: mean of 1 of 4 sections)") && r.out().contains("n/a  (no items in this section)"), r.out());
    }

    @Test void genericPairsAccuracy() throws Exception {
        Path f = dir.resolve("pairs.jsonl");
        Files.writeString(f, """
                {"id": 1, "subset": "a", "scores_chosen": 2.0, "scores_rejected": 1.0}
                {"id": 2, "subset": "a", "scores_chosen": 1.0, "scores_rejected": 1.0}
                {"id": 3, "subset": "b", "scores_chosen": 0.5, "scores_rejected": 1.0}
                {"id": 4, "subset": "b", "scores_chosen": 3.0, "scores_rejected": 1.0}
                """);
        Run table = run("metrics", "--benchmark", "pairs", "--results", f.toString(), "--resamples", "50");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().startsWith("Preference pairs  items=4  ties=1"), "no model in the file, none in the header: " + table.out());
        Run r = run("metrics", "--benchmark", "pairs", "--results", f.toString(), "--json", "--resamples", "50");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JsonMapper.builder().build().readTree(r.out());
        assertEquals(0.5, j.get("accuracy").get("value").asDouble());
        assertEquals(1, j.get("ties").asInt());
        assertEquals(0.5, j.get("subsets").get(1).get("score").get("value").asDouble());
    }

    /** --bootstrap is the documented name; --resamples (old scripts) is a hidden alias; --seed defaults to Bootstrap's seed. */
    @Test void bootstrapOptionAndItsHiddenAlias() throws Exception {
        Path f = dir.resolve("pairs.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 40; i++)   // 26 of 40 right: a wide interval whose ends move with the seed
            rows.append(String.format("{\"id\": %d, \"subset\": \"a\", \"scores_chosen\": %s, \"scores_rejected\": 1.0}%n", i, i % 20 < 13 ? "2.0" : "0.5"));
        Files.writeString(f, rows);
        var mapper = JsonMapper.builder().build();
        Run a = run("metrics", "--benchmark", "pairs", "--results", f.toString(), "--json", "--bootstrap", "70");
        Run b = run("metrics", "--benchmark", "pairs", "--results", f.toString(), "--json", "--resamples", "70");
        Run c = run("metrics", "--benchmark", "pairs", "--results", f.toString(), "--json", "--bootstrap", "70", "--seed", "7");
        assertEquals(0, a.code(), a.err());
        JsonNode ja = mapper.readTree(a.out()), jb = mapper.readTree(b.out()), jc = mapper.readTree(c.out());
        assertEquals(70, ja.get("bootstrap_resamples").asInt());
        assertEquals(dev.tare.metrics.stats.Bootstrap.DEFAULT_SEED, ja.get("bootstrap_seed").asLong());
        assertEquals(ja.get("accuracy"), jb.get("accuracy"));
        assertEquals(7, jc.get("bootstrap_seed").asLong());
        assertNotEquals(ja.get("accuracy"), jc.get("accuracy"), "the seed reaches the bootstrap");
        Run bad = run("metrics", "--benchmark", "pairs", "--results", f.toString(), "--resamples", "0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--resamples must be >= 1"), bad.err());
        Run help = run("metrics", "--help");
        assertTrue(help.out().contains("--bootstrap=N") && !help.out().contains("--resamples"), help.out());
    }

    @Test void badInputGivesAClearError() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":1,\"subset\":\"hep-go\",\"scores_chosen\":NaN,\"scores_rejected\":0}\n");
        Run r = run("metrics", "--benchmark", "rewardbench", "--results", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("r.jsonl:1: field 'scores_chosen'"), r.err());
        Run u = run("metrics", "--benchmark", "nope", "--results", f.toString());
        assertNotEquals(0, u.code());
    }
}
