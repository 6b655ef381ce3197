package dev.tare.cli.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.TareCli;
import dev.tare.data.Jsonl;
import dev.tare.data.SharedData;
import dev.tare.results.ResultsReader;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.local.LocalRewardScorer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SweepCommandTest {
    @TempDir static Path tmp;
    static Path base, adapter, data;

    @BeforeAll
    static void models() throws Exception {
        base = tmp.resolve("rm");
        adapter = tmp.resolve("bias-lora");
        TinyCheckpoint.write(base, TinyCheckpoint.Spec.defaults(), 7);
        TinyCheckpoint.writeLora(adapter, base, TinyCheckpoint.Spec.defaults(), List.of("q_proj", "v_proj"), 4, 8, 8);
        // A small file in RM-Bench's own schema: 3 style variants per side (concise, detailed, markdown).
        data = tmp.resolve("chat_filtered.json");
        ArrayNode rows = Jsonl.MAPPER.createArrayNode();
        for (int i = 0; i < 12; i++) {
            ObjectNode r = rows.addObject();
            r.put("id", "q" + i).put("domain", i % 3 == 0 ? "safety-refuse" : "chat").put("prompt", "Question " + i + ": what is " + i + "+" + i + "?");
            r.putArray("chosen").add("It is " + (2 * i) + ".").add("The sum of " + i + " and " + i + " is " + (2 * i) + ", since adding a number to itself doubles it.")
                    .add("## Answer\n\n- **" + (2 * i) + "**\n- doubling " + i);
            r.putArray("rejected").add("It is " + (2 * i + 1) + ".").add("The sum of " + i + " and " + i + " is " + (2 * i + 1) + ", since adding a number to itself doubles it.")
                    .add("## Answer\n\n- **" + (2 * i + 1) + "**\n- doubling " + i);
        }
        Jsonl.MAPPER.writeValue(data.toFile(), rows);
    }

    private static int run(String... args) { return TareCli.commandLine().execute(args); }

    @Test
    void sweepsChoosesByTheRuleAndLambdaZeroWithBaseHeadIsTheBaseModel() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,-0.5,0,0.5",
                "--head", "base", "--data", data.toString(), "--seed", "3", "--out", out.toString()));
        JsonNode s = Jsonl.MAPPER.readTree(out.resolve("sweep.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(s, "sweep.json");
        assertEquals(12, s.get("items").asInt());
        assertEquals(6, s.get("selection_items").asInt());
        JsonNode lambdas = s.get("lambdas");
        assertEquals(4, lambdas.size());
        double chosen = s.get("chosen_lambda").asDouble();
        // the rule, recomputed from the table: best selection Hard among rows within 1 point of lambda 0's Normal
        // (sweep.json holds fractions: 1 point = 0.01)
        assertEquals("fraction", s.get("units").asText());
        double normal0 = lambdas.get("0").get("selection").get("normal").asDouble();
        double best = Double.NEGATIVE_INFINITY;
        for (var e : lambdas.properties()) {
            JsonNode sel = e.getValue().get("selection");
            boolean ok = sel.get("normal").asDouble() >= normal0 - 0.01 - 1e-9;
            for (String k : List.of("hard", "normal", "easy", "score")) assertTrue(sel.get(k).asDouble() >= 0 && sel.get(k).asDouble() <= 1, k + " " + sel);
            assertEquals(ok, e.getValue().get("eligible").asBoolean());
            if (ok) best = Math.max(best, sel.get("hard").asDouble());
        }
        assertEquals(best, lambdas.get(SweepCommand.fmt(chosen)).get("selection").get("hard").asDouble(), 1e-9);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("accuracy vs lambda"), "report has the accuracy-vs-lambda plot");
        // lambda 0 with the base head = the base reward model, score for score
        List<ScoredItem> zero = ResultsReader.read(out.resolve("results-lambda=0.jsonl"));
        try (var plain = LocalRewardScorer.open(base, LocalRewardScorer.Options.defaults())) {
            var items = dev.tare.data.rmbench.RmBenchReader.readPath(data);
            for (int k = 0; k < items.size(); k++) {
                var it = items.get(k);
                double[] sc = plain.score(List.of(it.conversation(it.chosen().get(0)), it.conversation(it.rejected().get(2))));
                ScoredItem z = zero.stream().filter(x -> x.id().equals(it.id())).findFirst().orElseThrow();
                assertEquals(sc[0], z.scoresChosen().get(0), 0.0);
                assertEquals(sc[1], z.scoresRejected().get(2), 0.0);
            }
        }
        List<ScoredItem> minus1 = ResultsReader.read(out.resolve("results-lambda=-1.jsonl"));
        assertNotEquals(zero.get(0).scoresChosen(), minus1.get(0).scoresChosen(), "subtracting the adapter changes scores");
    }

    @Test
    void defaultAdapterHeadAlsoScoresTheRealBaseModelAndStatesTheReference() throws Exception {
        Path out = tmp.resolve("out-adapter-head");
        assertEquals(0, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,0,0.5",
                "--data", data.toString(), "--seed", "3", "--out", out.toString()));
        JsonNode s = Jsonl.MAPPER.readTree(out.resolve("sweep.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(s, "sweep.json");
        assertEquals("adapter", s.get("head").asText());
        assertEquals("lambda0", s.get("reference").asText(), "default keeps PEFT's lambda 0 as the reference");
        assertTrue(s.get("rule").asText().contains("lambda=0 value") && s.get("reference_is").asText().contains("adapter's head"), s.toString());
        // the base row is the plain base model (base body + base head), score for score, on the same token ids
        List<ScoredItem> baseRows = ResultsReader.read(out.resolve("results-base.jsonl"));
        List<ScoredItem> zero = ResultsReader.read(out.resolve("results-lambda=0.jsonl"));
        var items = dev.tare.data.rmbench.RmBenchReader.readPath(data);
        assertEquals(items.size(), baseRows.size());
        boolean zeroDiffers = false;
        try (var plain = LocalRewardScorer.open(base, LocalRewardScorer.Options.defaults())) {
            for (var it : items) {
                List<List<dev.tare.data.Message>> convs = new java.util.ArrayList<>();
                for (String c : it.chosen()) convs.add(it.conversation(c));
                for (String r : it.rejected()) convs.add(it.conversation(r));
                double[] sc = plain.score(convs);
                ScoredItem b = baseRows.stream().filter(x -> x.id().equals(it.id())).findFirst().orElseThrow();
                ScoredItem z = zero.stream().filter(x -> x.id().equals(it.id())).findFirst().orElseThrow();
                for (int j = 0; j < 3; j++) {
                    assertEquals(sc[j], b.scoresChosen().get(j), 0.0, it.id() + " chosen " + j);
                    assertEquals(sc[3 + j], b.scoresRejected().get(j), 0.0, it.id() + " rejected " + j);
                    zeroDiffers |= sc[j] != z.scoresChosen().get(j);
                }
            }
        }
        assertTrue(zeroDiffers, "with the adapter's head copy, lambda 0 is not the base model");
        // the base row's metrics in sweep.json are those of results-base.jsonl on each part of the split
        var split = dev.tare.debias.lora.LambdaSweep.split(items.stream().map(it -> it.meta().get("domain") + "/" + it.id()).toList(), 0.5, 3);
        var point = new dev.tare.metrics.stats.Bootstrap(1, 3, 0.95);
        var baseSel = dev.tare.eval.lora.LoraSweep.metrics(dev.tare.metrics.rmbench.RmBenchMetrics.compute(
                baseRows.stream().filter(x -> split.selection().contains(x.domain() + "/" + x.id())).toList(), point));
        assertEquals(baseSel.get("normal") / 100, s.get("base").get("selection").get("normal").asDouble(), 1e-9, "the sweep's percent as a fraction");
        assertEquals(baseSel.get("hard") / 100, s.get("base").get("selection").get("hard").asDouble(), 1e-9);
        assertTrue(s.get("base").get("held_out").has("easy"));
        // --reference base: eligibility is against the base row's selection Normal
        Path out2 = tmp.resolve("out-ref-base");
        assertEquals(0, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,0,0.5",
                "--data", data.toString(), "--seed", "3", "--reference", "base", "--out", out2.toString()));
        JsonNode s2 = Jsonl.MAPPER.readTree(out2.resolve("sweep.json").toFile());
        assertEquals("base", s2.get("reference").asText());
        assertTrue(s2.get("rule").asText().contains("base-model"), s2.get("rule").asText());
        double ref = s2.get("base").get("selection").get("normal").asDouble();
        for (var e : s2.get("lambdas").properties())
            assertEquals(e.getValue().get("selection").get("normal").asDouble() >= ref - 0.01 - 1e-9, e.getValue().get("eligible").asBoolean(), "lambda " + e.getKey());
        assertEquals(2, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--data", data.toString(),
                "--reference", "nope", "--out", tmp.resolve("bad-ref").toString()));
    }

    @Test
    void subtractIsThePublishedConventionAndBothArePrinted() throws Exception {
        Path a = tmp.resolve("by-lambda"), b = tmp.resolve("by-subtract");
        assertEquals(0, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,0,0.5",
                "--head", "base", "--data", data.toString(), "--seed", "3", "--out", a.toString()));
        var r = dev.tare.cli.CliRun.of("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--subtract=1,0,-0.5",
                "--head", "base", "--data", data.toString(), "--seed", "3", "--out", b.toString());
        assertEquals(0, r.rc(), r.err());
        JsonNode sa = Jsonl.MAPPER.readTree(a.resolve("sweep.json").toFile()), sb = Jsonl.MAPPER.readTree(b.resolve("sweep.json").toFile());
        assertEquals(sa.get("lambdas"), sb.get("lambdas"), "--subtract 1,0,-0.5 is --lambdas -1,0,0.5");
        assertEquals(1.0, sb.get("lambdas").get("-1").get("subtract").asDouble());
        assertEquals(-sb.get("chosen_lambda").asDouble() + 0.0, sb.get("chosen_subtract").asDouble());
        assertTrue(r.out().contains("(--subtract "), r.out());
        assertArrayEquals(Files.readAllBytes(a.resolve("results-lambda=-1.jsonl")), Files.readAllBytes(b.resolve("results-lambda=-1.jsonl")));
        assertEquals(2, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--subtract=1,0", "--lambdas=0",
                "--data", data.toString(), "--out", tmp.resolve("both").toString()));
    }

    @Test
    void theOutputFolderAppearsWholeAndAFolderOfOtherFilesIsRefusedUntouched() throws Exception {
        Path out = tmp.resolve("out-rerun");
        assertEquals(0, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,-0.5,0",
                "--head", "base", "--data", data.toString(), "--seed", "3", "--out", out.toString()));
        assertTrue(Files.exists(out.resolve("results-lambda=-0.5.jsonl")));
        // a rerun with another grid replaces the folder whole: no results file of the earlier grid beside the new sweep.json
        assertEquals(0, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,0",
                "--head", "base", "--data", data.toString(), "--seed", "3", "--out", out.toString()));
        try (var s = Files.list(out)) {
            assertEquals(List.of("report.html", "results-lambda=-1.jsonl", "results-lambda=0.jsonl", "sweep.json"),
                    s.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals(2, Jsonl.MAPPER.readTree(out.resolve("sweep.json").toFile()).get("lambdas").size());
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".out-rerun")), "no temp folder left beside OUT");
        }
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        var r = dev.tare.cli.CliRun.of("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,0",
                "--head", "base", "--data", data.toString(), "--out", foreign.toString());
        assertNotEquals(0, r.rc());
        assertTrue(r.err().contains("holds files this command does not write (notes.txt)"), r.err());
        try (var s = Files.list(foreign)) {
            assertEquals(List.of("notes.txt"), s.map(f -> f.getFileName().toString()).toList());
        }
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
    }

    @Test
    void refusesASweepWithoutLambdaZeroAndWritesNothing() {
        Path out = tmp.resolve("bad");
        assertEquals(2, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-1,0.5",
                "--data", data.toString(), "--out", out.toString()));
        assertFalse(Files.exists(out.resolve("sweep.json")));
    }

    @Test
    void mismatchedAdapterFailsClearly() throws Exception {
        Path other = tmp.resolve("other-lora");
        TinyCheckpoint.Spec wide = new TinyCheckpoint.Spec(96, 4, 4, 2, 128, 8192, false, dev.tare.runtime.kernel.DType.F32);
        TinyCheckpoint.writeLora(other, base, wide, List.of("q_proj"), 4, 8, 9);
        var err = new java.io.StringWriter();
        var cl = TareCli.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(2, cl.execute("sweep", "--model", base.toString(), "--adapter", other.toString(), "--data", data.toString(),
                "--out", tmp.resolve("mismatch").toString()));
        assertTrue(err.toString().contains("q_proj"), err.toString());
    }

    @Test
    void runsOnRealRmBenchRows() throws Exception {
        var rm = SharedData.data("rm-bench");
        assumeTrue(rm.isPresent(), "../shared absent (user clone): skipping real RM-Bench rows");
        Path out = tmp.resolve("real");
        assertEquals(0, run("sweep", "--model", base.toString(), "--adapter", adapter.toString(), "--lambdas=-0.5,0",
                "--data", rm.get().toString(), "--max-items", "6", "--out", out.toString()));
        JsonNode s = Jsonl.MAPPER.readTree(out.resolve("sweep.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(s, "sweep.json");
        assertEquals(6, s.get("items").asInt());
        assertTrue(s.get("lambdas").get("-0.5").get("held_out").has("hard"));
    }
}
