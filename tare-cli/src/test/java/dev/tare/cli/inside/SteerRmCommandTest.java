package dev.tare.cli.inside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import dev.tare.data.PreferenceItem;
import dev.tare.data.npy.NpyArray;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.local.LocalRewardScorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `tare steer --rm-bench`: a markdown style direction of a tiny random reward model, recomputed here from the
 * runtime's hidden states at the last token, and the per-α RM-Bench table (α = 0 is the unsteered model).
 */
class SteerRmCommandTest {
    @TempDir Path tmp;

    /** An RM-Bench-style JSON array of {@code n} items, item i written by {@code item}. */
    private static Path items(Path file, int n, java.util.function.IntFunction<String> item) throws java.io.IOException {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) sb.append(i > 0 ? "," : "").append(item.apply(i));
        Files.writeString(file, sb.append("]").toString());
        return file;
    }

    @Test
    void styleDirectionAndAlphaSweepOnRmBenchItems() throws Exception {
        Path rm = tmp.resolve("rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 3);
        Path data = items(tmp.resolve("chat_filtered.json"), 4, i -> String.format("""
                {"id": %d, "subset": "s", "prompt": "q%d?", "chosen": ["yes %d", "yes %d because", "**yes** %d because"],
                 "rejected": ["no", "no because %d", "- no because %d"]}""", i, i, i, i, i, i, i));
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--layer", "1", "--style", "markdown",
                "--alphas", "-4,0,4", "--bootstrap", "100", "--out", out.toString());
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("hard [95% CI]"), r.out());
        float[] v = NpyArray.read(out.resolve("direction.npy")).data();
        List<PreferenceItem> items = RmBenchReader.read(data);
        try (LocalRewardScorer s = LocalRewardScorer.open(rm, LocalRewardScorer.Options.defaults())) {
            int H = s.model().config().hiddenSize();
            assertEquals(H, v.length);
            double[] want = new double[H];
            for (PreferenceItem it : items) {
                for (List<String> side : List.of(it.chosen(), it.rejected())) {
                    int[] md = s.encode(it.conversation(side.get(2))).ids(), pl = s.encode(it.conversation(side.get(1))).ids();
                    float[] a = s.model().hiddenStates(md)[2], b = s.model().hiddenStates(pl)[2]; // after decoder layer 1
                    for (int i = 0; i < H; i++) want[i] += (a[(md.length - 1) * H + i] - b[(pl.length - 1) * H + i]) / 8.0;
                }
            }
            for (int i = 0; i < H; i++) assertEquals(want[i], v[i], 1e-5, "markdown direction entry " + i);
        }
        JsonNode j = new ObjectMapper().readTree(out.resolve("steer.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(j, "steer.json (--rm-bench)");
        JsonNode rows = j.get("alphas");
        assertEquals(3, rows.size());
        assertEquals(0.0, rows.get(1).get("mean_reward_change").asDouble(), 0.0, "alpha 0 is the unsteered model");
        assertNotEquals(0.0, rows.get(0).get("mean_reward_change").asDouble(), "alpha -4 changed no reward");
        assertNotEquals(0.0, rows.get(2).get("mean_reward_change").asDouble(), "alpha 4 changed no reward");
        for (JsonNode x : rows) for (String k : List.of("hard", "normal", "easy", "average")) {
            double val = x.get(k).get("value").asDouble();
            assertTrue(val >= 0 && val <= 1, k + " " + val);
        }
        // the --rm-bench folder is written whole: a rerun with a given direction leaves no direction.npy of the
        // earlier style run, and a folder holding other files is refused untouched
        Path given = tmp.resolve("given.npy");
        Files.copy(out.resolve("direction.npy"), given);
        CliRun again = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--layer", "1", "--direction", given.toString(),
                "--alphas", "0,4", "--bootstrap", "100", "--out", out.toString());
        assertEquals(0, again.rc(), again.out() + again.err());
        try (var s = Files.list(out)) {
            assertEquals(List.of("steer.json"), s.map(f -> f.getFileName().toString()).toList());
        }
        assertEquals(2, new ObjectMapper().readTree(out.resolve("steer.json").toFile()).get("alphas").size());
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        CliRun refused = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--layer", "1", "--style", "markdown",
                "--alphas", "0", "--bootstrap", "100", "--out", foreign.toString());
        assertNotEquals(0, refused.rc());
        assertTrue(refused.err().contains("holds files this command does not write (notes.txt)"), refused.err());
        try (var s = Files.list(foreign)) {
            assertEquals(List.of("notes.txt"), s.map(f -> f.getFileName().toString()).toList());
        }
        CliRun bbqLevers = CliRun.of("steer", "--model", rm.toString(), "--bbq", data.toString(), "--layer", "1", "--alphas", "0",
                "--calibrate", "--out", tmp.resolve("y").toString());
        assertNotEquals(0, bbqLevers.rc());
        assertTrue(bbqLevers.err().contains("they need --rm-bench"), bbqLevers.err());
        CliRun both = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--bbq", data.toString(),
                "--layer", "1", "--alphas", "0", "--out", tmp.resolve("x").toString());
        assertNotEquals(0, both.rc());
        assertTrue(both.err().contains("exactly one of --bbq"), both.err());
    }

    /** An input over max_position_embeddings is refused naming its item (direction and scoring); --max-length truncates the prompt instead. */
    @Test
    void overLongItemsAreNamedAndMaxLengthTruncatesThePrompt() throws Exception {
        Path rm = tmp.resolve("short-rm");
        var d = TinyCheckpoint.Spec.defaults();
        TinyCheckpoint.write(rm, new TinyCheckpoint.Spec(d.hidden(), d.layers(), d.heads(), d.kvHeads(), d.intermediate(), 128, d.causal(), d.dtype()), 3);
        Path data = tmp.resolve("chat_filtered.json");
        Files.writeString(data, """
                [{"id": "short", "subset": "s", "prompt": "q?", "chosen": ["yes", "yes because", "**yes** because"], "rejected": ["no", "no because", "- no because"]},
                 {"id": "long", "subset": "s", "prompt": "%s?", "chosen": ["yes", "yes because", "**yes** because"], "rejected": ["no", "no because", "- no because"]}]
                """.formatted("why ".repeat(60)));
        for (String[] mode : new String[][]{{"--style", "markdown"}, {"--direction", null}}) {
            List<String> args = new java.util.ArrayList<>(List.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--layer", "1",
                    "--alphas", "0", "--bootstrap", "20", "--out", tmp.resolve("o-" + mode[0].substring(2)).toString()));
            if (mode[1] == null) {
                Path v = tmp.resolve("v.npy");
                new dev.tare.data.npy.NpyArray(new int[]{d.hidden()}, new float[d.hidden()]).write(v);
                args.addAll(List.of("--direction", v.toString()));
            } else args.addAll(List.of(mode));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertNotEquals(0, r.rc());
            assertTrue(r.err().contains("item long") && r.err().contains("max_position_embeddings 128"), r.err());
        }
        CliRun ok = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--layer", "1", "--style", "markdown",
                "--alphas", "0", "--max-length", "128", "--bootstrap", "20", "--out", tmp.resolve("ok").toString());
        assertEquals(0, ok.rc(), ok.out() + ok.err());
    }

    /**
     * The levers side by side: steering rows, the unsteered RM LOWESS-calibrated on the style's feature (equal to
     * `tare eval` + `tare calibrate --method lwr --feature markdown` on the same items) and base − λ·LoRA given as a
     * scorer spec (equal to `tare eval` with that spec; the spec of the base itself reproduces the α = 0 row).
     */
    @Test
    void leversTableMatchesCalibrateAndLoraScoredSeparately() throws Exception {
        Path rm = tmp.resolve("rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 5);
        Path lora = tmp.resolve("lora");
        TinyCheckpoint.writeLora(lora, rm, TinyCheckpoint.Spec.defaults(), List.of("q_proj", "v_proj"), 4, 8, 7);
        Path data = items(tmp.resolve("chat_filtered.json"), 8, i -> String.format("""
                {"id": %d, "subset": "s", "prompt": "question %d?", "chosen": ["yes %d", "yes %d, because it is so", "**yes** %d\\n- because\\n- it is"],
                 "rejected": ["no", "no, because %d is odd", "# no\\n- because %d"]}""", i, i, i, i, i, i, i));
        String loraSpec = "local:" + rm + ",adapter=" + lora + ",lambda=-1";
        Path out = tmp.resolve("levers");
        CliRun r = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--layer", "1", "--style", "markdown",
                "--alphas", "0,4", "--calibrate", "--compare", loraSpec, "--compare", "local:" + rm, "--bootstrap", "100", "--out", out.toString());
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("LOWESS on markdown") && r.out().contains("adapter="), r.out());
        JsonNode j = new ObjectMapper().readTree(out.resolve("steer.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(j, "steer.json (--rm-bench)");
        JsonNode base = j.get("alphas").get(0), cmp = j.get("compare");
        assertEquals(3, cmp.size(), cmp.toString());
        assertEquals("LOWESS on markdown", cmp.get(0).get("lever").asText());
        for (String k : List.of("hard", "normal", "easy"))
            assertEquals(base.get(k).get("value").asDouble(), cmp.get(2).get(k).get("value").asDouble(), 0.0, "the base as a spec is the alpha 0 row: " + k);
        assertEquals(0.0, cmp.get(2).get("mean_reward_change").asDouble(), 1e-9);
        assertNotEquals(0.0, cmp.get(1).get("mean_reward_change").asDouble(), "the LoRA row changed no reward");

        // the same numbers from the commands a user would run one by one
        Path ev = tmp.resolve("eval"), lev = tmp.resolve("eval-lora"), cal = tmp.resolve("cal");
        assertEquals(0, CliRun.of("eval", "--scorer", "local:" + rm, "--benchmark", "rm-bench", "--data", data.toString(), "--out", ev.toString(), "--bootstrap", "100").rc());
        assertEquals(0, CliRun.of("eval", "--scorer", loraSpec, "--benchmark", "rm-bench", "--data", data.toString(), "--out", lev.toString(), "--bootstrap", "100").rc());
        CliRun c = CliRun.of("calibrate", "--results", ev.resolve("results.jsonl").toString(), "--data", data.toString(), "--benchmark", "rm-bench",
                "--method", "lwr", "--feature", "markdown", "--out", cal.toString());
        assertEquals(0, c.rc(), c.out() + c.err());
        JsonNode calSum = new ObjectMapper().readTree(cal.resolve("summary.json").toFile());
        JsonNode loraSum = new ObjectMapper().readTree(lev.resolve("summary.json").toFile());
        for (String[] k : new String[][]{{"hard", "Hard"}, {"normal", "Normal"}, {"easy", "Easy"}}) {
            assertEquals(calSum.get("metrics").get("after").get(k[0]).get("value").asDouble(),
                    cmp.get(0).get(k[0]).get("value").asDouble(), 1e-12, "calibrated " + k[0] + ": " + calSum.get("metrics"));
            assertEquals(loraSum.get("scores").get("parts").get(k[1]).get("value").asDouble(),
                    cmp.get(1).get(k[0]).get("value").asDouble(), 1e-12, "LoRA " + k[0]);
        }
    }
}
