package dev.tare.spark;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Jsonl;
import dev.tare.data.SharedData;
import dev.tare.results.ResultsReader;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.tiny.TinyCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** tare-spark's command line in local[2]: score writes tare eval's and tare calibrate's files, relabel a DPO file, bench compares. */
class SparkMainTest {
    @TempDir Path tmp;

    record Run(int code, String out) {}

    static Run run(String... args) {
        StringWriter sw = new StringWriter();
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setOut(new PrintWriter(sw));
        cl.setErr(new PrintWriter(sw));
        int code = cl.execute(args);
        return new Run(code, sw.toString());
    }

    /** A JSON value with objects as sorted maps and every scalar as its text (Parquet's long/double vs JSON's int). */
    static Object plain(JsonNode n) {
        if (n.isObject()) {
            java.util.TreeMap<String, Object> m = new java.util.TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(plain(x)));
            return l;
        }
        return n.asText();
    }

    /** Every 75th RewardBench row from ../shared (40 rows) in DIR/rb.jsonl; skips the test when ../shared is absent. */
    static Path sampleRows(Path dir) throws java.io.IOException {
        var rb = SharedData.data("rewardbench/filtered.jsonl");
        assumeTrue(rb.isPresent(), "../shared/data/rewardbench/filtered.jsonl is absent (a user's clone): skipping");
        List<String> lines = Files.readAllLines(rb.get());
        List<String> rows = new ArrayList<>();
        for (int i = 5; i < lines.size(); i += 75) rows.add(lines.get(i));
        Path data = dir.resolve("rb.jsonl");
        Files.write(data, rows);
        return data;
    }

    /** A one-layer tiny reward model (hidden 16, 16384 positions for long byte-level rows) in DIR/rm. */
    static Path tinyModel(Path dir) {
        Path model = dir.resolve("rm");
        TinyCheckpoint.write(model, new TinyCheckpoint.Spec(16, 1, 1, 1, 32, 16384, false, dev.tare.runtime.kernel.DType.F32), 3);
        return model;
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        Run r = run("score", "--data", tmp.resolve("rows").toString(), "--format", "csv", "--scorer", "local:" + tmp.resolve("rm"),
                "--out", tmp.resolve("out").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("--format must be auto, jsonl or parquet, got csv"), r.out());
    }

    @Test
    void scoreThenRelabelThenBench() throws Exception {
        Path data = SparkMainTest.sampleRows(tmp), model = SparkMainTest.tinyModel(tmp);
        List<String> rows = Files.readAllLines(data);
        Path out = tmp.resolve("out");
        Run s = run("score", "--data", data.toString(), "--scorer", "local:" + model, "--out", out.toString(),
                "--rows-per-part", "16", "--master", "local[2]", "--bootstrap", "100", "--parquet", out.resolve("results.parquet").toString());
        assertEquals(0, s.code(), s.out());
        // the Parquet copy, read back with tare's own Parquet reader (Hardwood): same rows, same order, same fields
        List<JsonNode> written = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("results.jsonl"))) written.add(Jsonl.MAPPER.readTree(l));
        List<JsonNode> pq = new ArrayList<>();
        try (var files = Files.list(out.resolve("results.parquet"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList())
                for (var row : dev.tare.data.pairs.RowSource.read(f)) pq.add(row.node());
        }
        assertEquals(written.size(), pq.size());
        for (int i = 0; i < written.size(); i++) {
            JsonNode want = written.get(i), got = pq.get(i);
            List<String> wantFields = new ArrayList<>(ScoredItem.CORE_FIELDS);
            List<String> extras = new ArrayList<>();
            want.fieldNames().forEachRemaining(f -> { if (!ScoredItem.CORE_FIELDS.contains(f)) extras.add(f); });
            extras.sort(null);
            wantFields.addAll(extras);
            List<String> gotFields = new ArrayList<>();
            got.fieldNames().forEachRemaining(gotFields::add);
            assertEquals(wantFields, gotFields, "row " + i);
            assertEquals(plain(want), plain(got), "row " + i);
        }
        assertTrue(s.out().contains("scored " + rows.size() + " rows in 3 parts (0 found finished)"), s.out());
        for (String f : List.of("results.jsonl", "summary.json", "report.html", "calibrated.jsonl")) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        List<ScoredItem> cal = ResultsReader.read(out.resolve("calibrated.jsonl"));
        assertEquals(rows.size(), cal.size());
        // tare eval's own summary.json for the same rows, scored in this process: the same but for the results path
        var items = dev.tare.data.pairs.Benchmark.REWARDBENCH.read(data);
        Path single = tmp.resolve("single");
        Files.createDirectories(single);
        java.util.Map<String, Object> settings;
        try (var rm = dev.tare.scorers.ScorerSpec.parse("local:" + model).rewardScorer(System::getenv);
             var p = dev.tare.core.Progress.on(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), "eval", items.size())) {
            settings = rm.provenance();
            dev.tare.eval.EvalRunner.run(items, rm, single.resolve("results.jsonl"), false, dev.tare.eval.EvalRunner.Options.defaults(), p);
        }
        var audit = dev.tare.eval.EvalSummary.analyze(dev.tare.data.pairs.Benchmark.REWARDBENCH, items,
                ResultsReader.read(single.resolve("results.jsonl")), new dev.tare.metrics.stats.Bootstrap(100, dev.tare.metrics.stats.Bootstrap.DEFAULT_SEED, 0.95));
        dev.tare.eval.EvalReport.write(audit, new dev.tare.eval.EvalReport.RunInfo("local:" + model, data.toString(),
                single.resolve("results.jsonl").toString(), 1.0, settings), single);
        assertEquals(Files.readString(single.resolve("results.jsonl")), Files.readString(out.resolve("results.jsonl")));
        var wantSummary = (com.fasterxml.jackson.databind.node.ObjectNode) Jsonl.MAPPER.readTree(single.resolve("summary.json").toFile());
        var gotSummary = (com.fasterxml.jackson.databind.node.ObjectNode) Jsonl.MAPPER.readTree(out.resolve("summary.json").toFile());
        wantSummary.remove("results");
        gotSummary.remove("results");
        assertEquals(wantSummary, gotSummary);
        Run again = run("score", "--data", data.toString(), "--scorer", "local:" + model, "--out", out.toString(),
                "--rows-per-part", "16", "--master", "local[2]", "--bootstrap", "100", "--no-analysis");
        assertEquals(0, again.code(), again.out());
        assertTrue(again.out().contains("(3 found finished)"), again.out());

        Path dpo = tmp.resolve("dpo");
        Run r = run("relabel", "--data", data.toString(), "--scores", out.resolve("calibrated.jsonl").toString(), "--margin", "0.01",
                "--ambiguous", "drop", "--out", dpo.toString());
        assertEquals(0, r.code(), r.out());
        JsonNode report = Jsonl.MAPPER.readTree(dpo.resolve("relabel.json").toFile());
        int flipped = 0, within = 0;
        for (ScoredItem c : cal) {
            double gap = c.chosen() - c.rejected();
            if (gap < -0.01) flipped++;
            else if (gap <= 0.01) within++;
        }
        assertEquals(flipped, report.get("flipped").asInt());
        assertEquals(within, report.get("dropped").asInt());
        assertEquals(rows.size() - within, Files.readAllLines(dpo.resolve("dpo.jsonl")).size());

        Run b = run("bench", "--data", data.toString(), "--scorer", "local:" + model, "--rows-per-part", "16", "--master", "local[2]");
        assertEquals(0, b.code(), b.out());
        assertTrue(b.out().contains("results identical"), b.out());

        Run bad = run("relabel", "--data", data.toString(), "--scores", out.resolve("calibrated.jsonl").toString(), "--ambiguous", "maybe",
                "--out", dpo.toString());
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("--ambiguous must be keep or drop"), bad.out());
    }
}
