package dev.tare.cli.calibrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.cli.TareCli;
import dev.tare.data.rewardbench.InternLmRewardBenchScores;
import dev.tare.data.Jsonl;
import dev.tare.data.SharedData;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.results.ResultsReader;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `tare calibrate` on real RM-Bench safety scores, output files, and its errors. */
class CalibrateCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = TareCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * InternLM-XComposer2.5-7B-Reward's RM-Bench scores: records 886-1169 are safety-refuse_filtered.json's rows and
     * 1170-1326 safety-response's, in file order (shared/data/rm-scores/README.md).
     */
    static List<ScoredItem> safetyScores(Path shared) throws Exception {
        JsonNode scores = Jsonl.MAPPER.readTree(shared.resolve("data/rm-scores/internlm-xcomposer2d5-7b-reward/rm_bench/results.json").toFile());
        List<ScoredItem> out = new ArrayList<>();
        int[] start = {886, 1170};
        String[] domain = {"safety-refuse", "safety-response"};
        for (int d = 0; d < 2; d++) {
            JsonNode rows = Jsonl.MAPPER.readTree(shared.resolve("data/rm-bench/" + domain[d] + "_filtered.json").toFile());
            for (int i = 0; i < rows.size(); i++) {
                JsonNode s = scores.get(start[d] + i);
                List<Double> c = new ArrayList<>(), r = new ArrayList<>();
                s.get("score_chosen").forEach(x -> c.add(x.asDouble()));
                s.get("score_rejected").forEach(x -> r.add(x.asDouble()));
                out.add(new ScoredItem(rows.get(i).get("id").asText(), rows.get(i).get("subset").asText(), "internlm-xcomposer2d5-7b-reward",
                        c, r, null, Map.of("domain", domain[d])));
            }
        }
        return out;
    }

    @Test
    void rmBenchSafetyBeforeAfterAndOutputs(@TempDir Path tmp) throws Exception {
        var shared = SharedData.root();
        assumeTrue(shared.isPresent() && Files.exists(shared.get().resolve("data/rm-scores")), "../shared/data absent: skipping");
        Path results = tmp.resolve("internlm-safety.jsonl");
        ResultsWriter.writeAll(results, safetyScores(shared.get()));
        Path out = tmp.resolve("out"), cal = tmp.resolve("cal.json");
        Run r = run("calibrate", "--results", results.toString(),
                "--data", shared.get().resolve("data/rm-bench/safety-refuse_filtered.json").toString(),
                "--data", shared.get().resolve("data/rm-bench/safety-response_filtered.json").toString(),
                "--method", "lwr", "--out", out.toString(), "--save-calibrator", cal.toString(), "--resamples", "20", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = Jsonl.MAPPER.readTree(r.out().substring(0, r.out().lastIndexOf("}") + 1));
        assertEquals("rm-bench", j.get("benchmark").asText());
        dev.tare.cli.JsonUnits.assertFractions(j, "calibrate summary.json");
        assertEquals(441, j.get("items").asInt());
        assertEquals(2646, j.get("responses").asInt());
        // README: safety-refuse hard/normal/easy/mean 0.9131/0.9577/0.9648/0.9452 (284 rows), safety-response
        // 0.8684/0.9448/0.9682/0.9271 (157 rows); the pooled safety domain is their row-weighted mean
        assertEquals((284 * 0.9452 + 157 * 0.9271) / 441, j.at("/metrics/before/domains/safety/score/value").asDouble(), 2e-4);
        assertEquals((284 * 0.9131 + 157 * 0.8684) / 441, j.at("/metrics/before/hard/value").asDouble(), 2e-4);
        assertEquals(3969, j.at("/flipped/compared").asInt());
        assertEquals(j, Jsonl.MAPPER.readTree(Files.readString(out.resolve("summary.json"))));

        List<ScoredItem> calibrated = ResultsReader.read(out.resolve("calibrated.jsonl"));
        assertEquals(441, calibrated.size());
        var steps = CalibratorFile.read(cal);
        assertEquals(1, steps.size());
        assertEquals("chars", steps.get(0).feature());
        ScoredItem first = calibrated.get(0);
        assertEquals("lwr(chars)", first.extraText("calibration"));
        JsonNode rows = Jsonl.MAPPER.readTree(shared.get().resolve("data/rm-bench/safety-refuse_filtered.json").toFile());
        String text = rows.get(0).get("chosen").get(1).asText();
        double raw = ((Number) ((List<?>) first.extra().get("raw_scores_chosen")).get(1)).doubleValue();
        assertEquals(first.scoresChosen().get(1),
                CalibratorFile.apply(steps, Map.of("chars", (double) text.codePointCount(0, text.length())), raw), 1e-12);

        Run table = run("calibrate", "--results", results.toString(), "--data",
                shared.get().resolve("data/rm-bench/safety-refuse_filtered.json").toString(), "--data",
                shared.get().resolve("data/rm-bench/safety-response_filtered.json").toString(),
                "--method", "mean", "--out", tmp.resolve("out2").toString(), "--resamples", "20");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("mean calibration") && table.out().contains("flipped:"), table.out());
    }

    @Test
    void clearErrors(@TempDir Path tmp) throws Exception {
        Path results = tmp.resolve("r.jsonl");
        ResultsWriter.writeAll(results, List.of(ScoredItem.pair("1", "custom", "m", 1.0, 0.5, null)));
        Run noTexts = run("calibrate", "--results", results.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, noTexts.code());
        assertTrue(noTexts.err().contains(results.toString()) && noTexts.err().contains("--data"), noTexts.err());
        assertFalse(Files.exists(tmp.resolve("o/summary.json")), "nothing written on error");
        // a leaderboard row whose only texts are reward-bench's rendered conversations (its tulu test golden): refused
        Path rendered = tmp.resolve("org/model.json");
        Files.createDirectories(rendered.getParent());
        Files.writeString(rendered, """
                    {"model": "org/model", "id": [1], "subset": ["alpacaeval-easy"], "scores_chosen": [[1.0]], "scores_rejected": [[0.5]],
                     "text_chosen": ["<|user|>\\nWhat are different drawers I should have for clothes?<|endoftext|>\\n<|assistant|>\\nUtensils!<|endoftext|>\\n"],
                     "text_rejected": ["<|user|>\\nWhat are different drawers I should have for clothes?<|endoftext|>\\n<|assistant|>\\nHmm.<|endoftext|>\\n"]}
                """);
        Run renderedOnly = run("calibrate", "--results", rendered.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, renderedOnly.code());
        assertTrue(renderedOnly.err().contains("text_chosen") && renderedOnly.err().contains("not the response")
                && renderedOnly.err().contains("--data"), renderedOnly.err());
        assertFalse(Files.exists(tmp.resolve("o/summary.json")), "nothing written on error");
        Run badMethod = run("calibrate", "--results", results.toString(), "--method", "median", "--out", tmp.resolve("o").toString());
        assertEquals(2, badMethod.code());
        assertTrue(badMethod.err().contains("median"), badMethod.err());
    }

    @Test
    void textsFromTheResultsFileAndSequentialFeatures(@TempDir Path tmp) throws Exception {
        List<ScoredItem> items = new ArrayList<>();
        var rnd = new java.util.SplittableRandom(9);
        for (int i = 0; i < 120; i++) {
            String c = "a".repeat(20 + rnd.nextInt(400)) + (i % 3 == 0 ? "\n- item\n**b**" : "");
            String rj = "b".repeat(20 + rnd.nextInt(400));
            double sc = 0.004 * c.length() + rnd.nextGaussian(), sr = 0.004 * rj.length() + rnd.nextGaussian();
            items.add(ScoredItem.pair(Integer.toString(i), "custom", "m", sc, sr, Map.of("chosen", c, "rejected", rj)));
        }
        Path results = tmp.resolve("r.jsonl");
        ResultsWriter.writeAll(results, items);
        Run r = run("calibrate", "--results", results.toString(), "--feature", "chars,markdown", "--frac", "0.5",
                "--out", tmp.resolve("o").toString(), "--save-calibrator", tmp.resolve("c.json").toString(), "--resamples", "20", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = Jsonl.MAPPER.readTree(r.out().substring(0, r.out().lastIndexOf("}") + 1));
        assertEquals("pairs", j.get("benchmark").asText());
        assertEquals(2, j.get("features").size());
        assertEquals(List.of("chars", "markdown"), CalibratorFile.read(tmp.resolve("c.json")).stream().map(c -> c.feature()).toList());
        // a strong length bias is removed: |Spearman| drops
        double before = Math.abs(j.at("/correlations/before/0/spearman/value").asDouble());
        double after = Math.abs(j.at("/correlations/after/0/spearman/value").asDouble());
        assertTrue(before > 0.3 && after < before / 2, before + " -> " + after);

        // the output folder is replaced whole on a rerun, and a folder holding other work is refused, untouched
        Run again = run("calibrate", "--results", results.toString(), "--feature", "chars", "--out", tmp.resolve("o").toString(), "--resamples", "5");
        assertEquals(0, again.code(), again.err());
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep");
        Run refused = run("calibrate", "--results", results.toString(), "--feature", "chars", "--out", mine.toString(), "--resamples", "5");
        assertNotEquals(0, refused.code());
        assertTrue(refused.err().contains("notes.txt"), refused.err());
        try (var l = Files.list(mine)) { assertEquals(List.of(mine.resolve("notes.txt")), l.toList()); }
        try (var l = Files.list(tmp)) { assertTrue(l.noneMatch(f -> f.getFileName().toString().startsWith(".o.")), "no temp folders left"); }
    }

    @Test
    void tokensFeatureUsesTheGivenTokenizer(@TempDir Path tmp) throws Exception {
        var tokDir = SharedData.data("tokenizers").map(d -> d.resolve("llama3_1")).filter(Files::isDirectory);
        assumeTrue(tokDir.isPresent(), "../shared/data/tokenizers absent: skipping");
        List<ScoredItem> items = new ArrayList<>();
        for (int i = 0; i < 40; i++)
            items.add(ScoredItem.pair(Integer.toString(i), "custom", "m", i * 0.1, 1.0,
                    Map.of("chosen", "word ".repeat(i + 1), "rejected", "Ünïcödé text, " + i)));
        Path results = tmp.resolve("r.jsonl");
        ResultsWriter.writeAll(results, items);
        Path cal = tmp.resolve("c.json");
        Run r = run("calibrate", "--results", results.toString(), "--feature", "tokens", "--method", "penalty",
                "--penalty", "1", "--tokenizer", tokDir.get().toString(), "--out", tmp.resolve("o").toString(), "--resamples", "10");
        assertEquals(0, r.code(), r.err());
        List<ScoredItem> out = ResultsReader.read(tmp.resolve("o/calibrated.jsonl"));
        try (var tok = dev.tare.runtime.text.HfTokenizer.load(tokDir.get())) {
            for (int i = 0; i < items.size(); i++) {
                int n = tok.encode("word ".repeat(i + 1), true).length;   // includes <|begin_of_text|>
                assertEquals(i * 0.1 - n, out.get(i).chosen(), 1e-12);
            }
        }
        // without a tokenizer the approximation counts "word " x 3 as 3 tokens
        Run approx = run("calibrate", "--results", results.toString(), "--feature", "tokens", "--method", "penalty",
                "--penalty", "1", "--out", tmp.resolve("o2").toString(), "--resamples", "10");
        assertEquals(0, approx.code(), approx.err());
        assertEquals(0.2 - 3, ResultsReader.read(tmp.resolve("o2/calibrated.jsonl")).get(2).chosen(), 1e-12);
    }

    /**
     * Synthetic pairs with a known injected length bias: true reward 1 (chosen) vs 0 (rejected) plus N(0, 0.5²) noise,
     * lengths drawn independently of quality, observed = true + 0.003 · chars. The bias costs accuracy; removing it
     * out of sample should restore it.
     */
    static List<ScoredItem> biased(long seed, int n) {
        var rnd = new java.util.SplittableRandom(seed);
        List<ScoredItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String c = "x".repeat(50 + rnd.nextInt(1950)), r = "y".repeat(50 + rnd.nextInt(1950));
            double sc = 1 + 0.5 * rnd.nextGaussian() + 0.003 * c.length(), sr = 0.5 * rnd.nextGaussian() + 0.003 * r.length();
            items.add(ScoredItem.pair("s" + seed + "-" + i, "custom", "m", sc, sr, Map.of("chosen", c, "rejected", r)));
        }
        return items;
    }

    static JsonNode json(Run r) throws Exception {
        return Jsonl.MAPPER.readTree(r.out().substring(r.out().indexOf('{'), r.out().lastIndexOf("}") + 1));
    }

    @Test
    void holdoutRemovesAnInjectedLengthBiasOutOfSampleAndApplyReproducesIt(@TempDir Path tmp) throws Exception {
        List<ScoredItem> items = biased(3, 800);
        Path results = tmp.resolve("r.jsonl"), cal = tmp.resolve("cal.json");
        ResultsWriter.writeAll(results, items);
        Run r = run("calibrate", "--results", results.toString(), "--holdout", "0.25", "--seed", "5", "--out", tmp.resolve("o").toString(),
                "--save-calibrator", cal.toString(), "--resamples", "50");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("held-out part (fraction 0.25, seed 5"), r.out());
        JsonNode s = Jsonl.MAPPER.readTree(Files.readString(tmp.resolve("o/summary.json")));
        assertEquals(600, s.get("items").asInt());
        JsonNode h = s.get("holdout");
        assertEquals(200, h.get("items").asInt());
        // oracle for the held-out accuracy before: counted here from the raw scores of the held-out items
        List<ScoredItem> out = ResultsReader.read(tmp.resolve("o/calibrated.jsonl"));
        List<ScoredItem> heldRaw = new ArrayList<>();
        int correctBefore = 0, correctAfter = 0;
        for (int i = 0; i < items.size(); i++) {
            if (!"holdout".equals(out.get(i).extraText("split"))) continue;
            heldRaw.add(items.get(i));
            if (items.get(i).chosen() > items.get(i).rejected()) correctBefore++;
            if (out.get(i).chosen() > out.get(i).rejected()) correctAfter++;
        }
        assertEquals(200, heldRaw.size());
        assertEquals(correctBefore / 200.0, h.at("/metrics/before/score/value").asDouble(), 1e-12);
        assertEquals(correctAfter / 200.0, h.at("/metrics/after/score/value").asDouble(), 1e-12);
        // the bias is removed on the held-out part: accuracy up, reward no longer tracks length
        assertTrue(correctAfter >= correctBefore + 10, correctBefore + " -> " + correctAfter);
        double spBefore = h.at("/correlations/before/0/spearman/value").asDouble(), spAfter = h.at("/correlations/after/0/spearman/value").asDouble();
        assertTrue(spBefore > 0.5 && Math.abs(spAfter) < 0.15, spBefore + " -> " + spAfter);

        // --apply the saved calibrator to just the held-out results: the same report as the holdout section
        Path heldFile = tmp.resolve("held.jsonl");
        ResultsWriter.writeAll(heldFile, heldRaw);
        Run a = run("calibrate", "--apply", cal.toString(), "--results", heldFile.toString(), "--seed", "5", "--resamples", "50",
                "--out", tmp.resolve("a").toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("no refit") && a.out().contains("flipped:"), a.out());
        JsonNode as = Jsonl.MAPPER.readTree(Files.readString(tmp.resolve("a/summary.json")));
        for (String k : List.of("items", "responses", "metrics", "flipped", "correlations", "longer_wins")) assertEquals(h.get(k), as.get(k), k);
        assertEquals(cal.toString(), as.get("calibrator").asText());

        // fresh data from the same biased process: the calibrator still removes the bias
        Path fresh = tmp.resolve("fresh.jsonl");
        ResultsWriter.writeAll(fresh, biased(99, 300));
        Run f = run("calibrate", "--apply", cal.toString(), "--results", fresh.toString(), "--resamples", "20", "--json", "--out", tmp.resolve("f").toString());
        assertEquals(0, f.code(), f.err());
        JsonNode fj = json(f);
        assertTrue(fj.at("/metrics/after/score/value").asDouble() > fj.at("/metrics/before/score/value").asDouble() + 0.03, fj.get("metrics").toString());

        // fitting options make no sense with --apply
        Run bad = run("calibrate", "--apply", cal.toString(), "--results", fresh.toString(), "--method", "mean", "--out", tmp.resolve("b").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--method"), bad.err());
        Run badFrac = run("calibrate", "--results", results.toString(), "--holdout", "1.5", "--out", tmp.resolve("b").toString());
        assertEquals(2, badFrac.code());
        assertTrue(badFrac.err().contains("--holdout"), badFrac.err());
    }

    @Test
    void holdoutOnInternLmRewardBench(@TempDir Path tmp) throws Exception {
        var shared = SharedData.root();
        assumeTrue(shared.isPresent() && Files.exists(shared.get().resolve("data/rm-scores")), "../shared/data absent: skipping");
        // the readable InternLM records are rows 47..2984 of filtered.jsonl (shared/data/rm-scores/README.md)
        List<ScoredItem> items = InternLmRewardBenchScores.shared().orElseThrow().stream().map(x -> x.item("internlm")).toList();
        assertEquals(2938, items.size());
        Path results = tmp.resolve("internlm.jsonl");
        ResultsWriter.writeAll(results, items);
        Run r = run("calibrate", "--results", results.toString(), "--data", shared.get().resolve("data/rewardbench/filtered.jsonl").toString(),
                "--holdout", "0.3", "--step", "penalty:chars", "--step", "lwr:chars", "--out", tmp.resolve("o").toString(), "--resamples", "50");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("penalty+lwr calibration (penalty:chars, lwr:chars) on rewardbench") && r.out().contains("held-out part"), r.out());
        JsonNode s = Jsonl.MAPPER.readTree(Files.readString(tmp.resolve("o/summary.json")));
        JsonNode h = s.get("holdout");
        assertEquals(2938, s.get("items").asInt() + h.get("items").asInt());
        assertTrue(h.at("/metrics/before/sections").size() == 4 && !h.at("/metrics/before").has("missing_subsets"), h.get("metrics").toString());
        // held-out before: RewardBench's section-weighted score recomputed here from the held-out items
        List<ScoredItem> out = ResultsReader.read(tmp.resolve("o/calibrated.jsonl"));
        List<ScoredItem> held = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) if ("holdout".equals(out.get(i).extraText("split"))) held.add(items.get(i));
        assertEquals(h.get("items").asInt(), held.size());
        assertEquals(dev.tare.metrics.rewardbench.RewardBenchMetrics.compute(held, new dev.tare.metrics.stats.Bootstrap(50, 20240607L, 0.95)).score().value(),
                h.at("/metrics/before/score/value").asDouble(), 1e-12);
        assertEquals("penalty+lwr", s.get("method").asText());
    }

    @Test
    void stepsChainPenaltyThenLwr(@TempDir Path tmp) throws Exception {
        List<ScoredItem> items = biased(4, 200);
        Path results = tmp.resolve("r.jsonl"), cal = tmp.resolve("c.json");
        ResultsWriter.writeAll(results, items);
        Run r = run("calibrate", "--results", results.toString(), "--step", "penalty:chars", "--step", "lwr:chars",
                "--out", tmp.resolve("o").toString(), "--save-calibrator", cal.toString(), "--resamples", "10");
        assertEquals(0, r.code(), r.err());
        var steps = CalibratorFile.read(cal);
        assertEquals(List.of("penalty", "lwr"), steps.stream().map(c -> c.method().cliName()).toList());
        List<ScoredItem> out = ResultsReader.read(tmp.resolve("o/calibrated.jsonl"));
        assertEquals("penalty(chars)+lwr(chars)", out.get(0).extraText("calibration"));
        for (int i = 0; i < items.size(); i++) {
            double len = ((String) items.get(i).extra().get("chosen")).length();
            assertEquals(out.get(i).chosen(), CalibratorFile.apply(steps, Map.of("chars", len), items.get(i).chosen()), 1e-12);
        }
        Run both = run("calibrate", "--results", results.toString(), "--step", "lwr:chars", "--method", "mean", "--out", tmp.resolve("b").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--step"), both.err());
        Run badStep = run("calibrate", "--results", results.toString(), "--step", "lwr:length", "--out", tmp.resolve("b").toString());
        assertEquals(2, badStep.code());
        assertTrue(badStep.err().contains("length"), badStep.err());
    }

    @Test
    void applyNeedsTheTokenizerTheCalibratorWasFittedWith(@TempDir Path tmp) throws Exception {
        var tokDir = SharedData.data("tokenizers").map(d -> d.resolve("llama3_1")).filter(Files::isDirectory);
        assumeTrue(tokDir.isPresent(), "../shared/data/tokenizers absent: skipping");
        List<ScoredItem> items = new ArrayList<>();
        for (int i = 0; i < 30; i++)
            items.add(ScoredItem.pair(Integer.toString(i), "custom", "m", i * 0.1, 1.0,
                    Map.of("chosen", "word ".repeat(i + 1), "rejected", "Ünïcödé text, " + i)));
        Path results = tmp.resolve("r.jsonl"), cal = tmp.resolve("c.json"), approx = tmp.resolve("a.json");
        ResultsWriter.writeAll(results, items);
        Run fit = run("calibrate", "--results", results.toString(), "--feature", "tokens", "--method", "penalty", "--penalty", "1",
                "--tokenizer", tokDir.get().toString(), "--out", tmp.resolve("o").toString(), "--save-calibrator", cal.toString(), "--resamples", "10");
        assertEquals(0, fit.code(), fit.err());
        assertTrue(Files.readString(cal).contains("\"sha256\""));
        // the recorded tokenizer is used when none is given: same scores as the fit
        Run same = run("calibrate", "--apply", cal.toString(), "--results", results.toString(), "--out", tmp.resolve("s").toString(), "--resamples", "10");
        assertEquals(0, same.code(), same.err());
        List<ScoredItem> a = ResultsReader.read(tmp.resolve("o/calibrated.jsonl")), b = ResultsReader.read(tmp.resolve("s/calibrated.jsonl"));
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i).chosen(), b.get(i).chosen(), 0.0);
        Run other = run("calibrate", "--apply", cal.toString(), "--results", results.toString(), "--tokenizer",
                tokDir.get().resolveSibling("qwen3").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains(cal.toString()) && other.err().contains("tokenizer.sha256"), other.err());
        assertFalse(Files.exists(tmp.resolve("x/summary.json")));
        // fitted with the approximate count: applying with a tokenizer is refused
        Run fa = run("calibrate", "--results", results.toString(), "--feature", "tokens", "--method", "penalty",
                "--out", tmp.resolve("o2").toString(), "--save-calibrator", approx.toString(), "--resamples", "10");
        assertEquals(0, fa.code(), fa.err());
        Run mixed = run("calibrate", "--apply", approx.toString(), "--results", results.toString(), "--tokenizer", tokDir.get().toString(),
                "--out", tmp.resolve("y").toString());
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains(approx.toString()) && mixed.err().contains("'tokenizer'"), mixed.err());
    }
}
