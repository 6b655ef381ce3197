package dev.tare.cli.inside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import dev.tare.cli.judge.TinyCausalLm;
import dev.tare.data.SharedData;
import dev.tare.data.bbq.BbqItem;
import dev.tare.data.bbq.BbqReader;
import dev.tare.data.npy.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * activations → probe → steer from the CLI on real BBQ items (../shared/data/bbq) with a tiny random-weight causal LM
 * (hf-parity/llama-causal + a word-level tokenizer): shapes and labels of the stored activations, the probe's JSON,
 * directions and page, and a steering sweep whose α = 0 replies are the unsteered ones and whose α ≠ 0 replies change.
 */
class InsideCommandsTest {
    @TempDir Path tmp;

    static Path bbq() {
        Path f = SharedData.data("bbq/data/Sexual_orientation.jsonl").orElse(null);
        assumeTrue(f != null, "../shared/data/bbq absent: skipping");
        return f;
    }

    @Test
    void activationsProbeAndSteerRunEndToEnd() throws Exception {
        Path data = bbq();
        Path model = TinyCausalLm.make(tmp.resolve("tiny"), "llama-causal");
        Path acts = tmp.resolve("acts");
        CliRun a = CliRun.of("activations", "--model", model.toString(), "--bbq", data.toString(), "--limit", "40",
                "--position", "last", "--max-tokens", "2", "--out", acts.toString());
        assertEquals(0, a.rc(), a.out() + a.err());
        NpyArray x = NpyArray.read(acts.resolve("activations.npy"));
        assertArrayEquals(new int[]{40, 3, 64}, x.shape(), "items x (layers + 1) x hidden");
        List<String> rows = Files.readAllLines(acts.resolve("items.jsonl"));
        assertEquals(40, rows.size());
        List<BbqItem> items = BbqReader.read(data).subList(0, 40);
        ObjectMapper m = new ObjectMapper();
        for (int i = 0; i < 40; i++) {
            JsonNode r = m.readTree(rows.get(i));
            assertEquals(i, r.get("row").asInt());
            assertEquals(items.get(i).category() + "#" + items.get(i).exampleId(), r.get("id").asText());
            assertEquals(items.get(i).condition() == BbqItem.Condition.AMBIG ? 1 : 0, r.get("labels").get("ambiguous").asInt());
        }
        assertTrue(a.out().contains("label ambiguous"), a.out());

        Path probe = tmp.resolve("probe");
        CliRun p = CliRun.of("probe", "--activations", acts.toString(), "--label", "ambiguous", "--folds", "3", "--seed", "1",
                "--bootstrap", "200", "--out", probe.toString());
        assertEquals(0, p.rc(), p.out() + p.err());
        JsonNode pj = m.readTree(probe.resolve("probe.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(pj, "probe.json");
        assertEquals(3, pj.get("layers").size());
        for (JsonNode l : pj.get("layers")) {
            double acc = l.get("accuracy").get("value").asDouble();
            assertTrue(acc >= 0 && acc <= 1);
            assertEquals(3, l.get("fold_accuracy").size());
            assertEquals(64, l.get("coef").size());
        }
        assertArrayEquals(new int[]{3, 64}, NpyArray.read(probe.resolve("directions.npy")).shape());
        NpyArray w = NpyArray.read(probe.resolve("weights.npy"));
        assertArrayEquals(new int[]{3, 64}, w.shape());
        assertEquals(pj.get("layers").get(2).get("coef").get(5).asDouble(), w.get(2, 5), 1e-6, "weights.npy holds the probes' coefficients");
        assertTrue(Files.readString(probe.resolve("probe.html")).contains("<svg"));
        CliRun missing = CliRun.of("probe", "--activations", acts.toString(), "--label", "nope", "--out", tmp.resolve("p2").toString());
        assertNotEquals(0, missing.rc());
        assertTrue(missing.err().contains("no row carries the label 'nope'"), missing.err());
        // the output folder is written all at once: a rerun replaces the four files together, and a folder holding
        // other files is refused untouched
        String firstJson = Files.readString(probe.resolve("probe.json"));
        assertEquals(0, CliRun.of("probe", "--activations", acts.toString(), "--label", "ambiguous", "--folds", "3", "--seed", "1",
                "--bootstrap", "200", "--out", probe.toString()).rc());
        assertEquals(firstJson, Files.readString(probe.resolve("probe.json")), "same inputs and seed, same probe.json");
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        CliRun refused = CliRun.of("probe", "--activations", acts.toString(), "--label", "ambiguous", "--out", foreign.toString());
        assertNotEquals(0, refused.rc());
        assertTrue(refused.err().contains("holds files this command does not write (notes.txt)"), refused.err());
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
        assertFalse(Files.exists(foreign.resolve("probe.json")));

        Path steer = tmp.resolve("steer");
        CliRun s = CliRun.of("steer", "--model", model.toString(), "--bbq", data.toString(), "--limit", "6", "--layer", "0",
                "--direction", probe.resolve("directions.npy").toString(), "--unit", "--alphas", "-8,0,8", "--max-tokens", "3",
                "--batch", "3", "--bootstrap", "100", "--out", steer.toString());
        assertEquals(0, s.rc(), s.out() + s.err());
        JsonNode sj = m.readTree(steer.resolve("steer.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(sj, "steer.json (--bbq)");
        assertEquals(3, sj.get("alphas").size());
        assertTrue(Files.readString(steer.resolve("steer.html")).contains("tare steer"));
        List<String> neg = replies(steer.resolve("alpha_-8/predictions.jsonl")), zero = replies(steer.resolve("alpha_0/predictions.jsonl")),
                pos = replies(steer.resolve("alpha_8/predictions.jsonl"));
        assertEquals(6, zero.size());
        assertNotEquals(zero, pos, "steering with alpha 8 changed no reply");
        assertNotEquals(zero, neg, "steering with alpha -8 changed no reply");
        // steer.json and steer.html are one set beside the resumable alpha_<a>/ folders, steer.json (the marker) last:
        // a rerun that cannot put steer.html in place leaves no steer.json rather than a new one beside the old page
        Files.delete(steer.resolve("steer.html"));
        Files.createDirectories(steer.resolve("steer.html"));
        Files.writeString(steer.resolve("steer.html/blocker"), "x");
        CliRun blocked = CliRun.of("steer", "--model", model.toString(), "--bbq", data.toString(), "--limit", "6", "--layer", "0",
                "--direction", probe.resolve("directions.npy").toString(), "--unit", "--alphas", "0", "--max-tokens", "3",
                "--batch", "3", "--bootstrap", "100", "--resume", "--out", steer.toString());
        assertNotEquals(0, blocked.rc(), blocked.out());
        assertTrue(!Files.exists(steer.resolve("steer.json")) || m.readTree(steer.resolve("steer.json").toFile()).get("alphas").size() == 3,
                "a steer.json of the failed rerun (1 alpha) beside the earlier run's steer.html");
        try (var st = Files.list(steer)) {
            assertTrue(st.noneMatch(f -> f.getFileName().toString().startsWith(".")), "no temp file left behind");
        }
        assertEquals(zero, replies(steer.resolve("alpha_0/predictions.jsonl")), "the resumable predictions are kept");
        // alpha 0 is the unsteered model: the same replies as tare eval's generative BBQ run
        Path plain = tmp.resolve("plain");
        CliRun e = CliRun.of("eval", "--benchmark", "bbq", "--data", data.toString(), "--scorer", "judge:local:" + model + ",max_tokens=3,batch=3",
                "--out", plain.toString(), "--limit", "6");
        assertEquals(zero, replies(plain.resolve("predictions.jsonl")), e.out());
    }

    @Test
    void jsonlPromptsWithGivenResponsesStoreTheMeanOverResponseTokens() throws Exception {
        Path model = TinyCausalLm.make(tmp.resolve("tiny"), "llama-causal");
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, """
                {"id": "a", "prompt": "w5 w6 w7", "response": "w8 w9 w10", "labels": {"long": 0}}
                {"id": "b", "group": "g", "prompt": "w11", "response": "w12 w13 w14 w15 w16", "labels": {"long": 1}}
                """);
        for (String pos : List.of("response_mean", "last_prompt", "last")) {
            Path out = tmp.resolve(pos);
            CliRun r = CliRun.of("activations", "--model", model.toString(), "--jsonl", in.toString(), "--position", pos, "--out", out.toString());
            assertEquals(0, r.rc(), r.out() + r.err());
        }
        NpyArray mean = NpyArray.read(tmp.resolve("response_mean/activations.npy")), lastPrompt = NpyArray.read(tmp.resolve("last_prompt/activations.npy")),
                last = NpyArray.read(tmp.resolve("last/activations.npy"));
        try (var g = dev.tare.scorers.local.LocalChatGenerator.load(model, 1)) {
            int[] p = g.promptIds(List.of(dev.tare.data.Message.user("w11")));
            int[] resp = g.encode("w12 w13 w14 w15 w16");
            assertEquals(5, resp.length);
            int[] seq = java.util.Arrays.copyOf(p, p.length + resp.length);
            System.arraycopy(resp, 0, seq, p.length, resp.length);
            float[][] hs = g.model().hiddenStates(seq);
            int H = 64;
            for (int l = 0; l < 3; l++) {
                for (int i = 0; i < H; i++) {
                    double m = 0;
                    for (int t = p.length; t < seq.length; t++) m += hs[l][t * H + i];
                    assertEquals((float) (m / resp.length), mean.get(1, l, i), 1e-6, "mean over the response, layer " + l);
                    assertEquals(hs[l][(p.length - 1) * H + i], lastPrompt.get(1, l, i), 0, "last prompt token, layer " + l);
                    assertEquals(hs[l][(seq.length - 1) * H + i], last.get(1, l, i), 0, "last token, layer " + l);
                }
            }
        }
        JsonNode row = new ObjectMapper().readTree(Files.readAllLines(tmp.resolve("last/items.jsonl")).get(1));
        assertEquals("g", row.get("group").asText());
        assertEquals(1, row.get("labels").get("long").asInt());

        Files.writeString(in, "{\"id\": \"a\", \"prompt\": \"w5\", \"labels\": {\"long\": 2}}\n");
        CliRun bad = CliRun.of("activations", "--model", model.toString(), "--jsonl", in.toString(), "--out", tmp.resolve("bad").toString());
        assertNotEquals(0, bad.rc());
        assertTrue(bad.err().contains("in.jsonl") && bad.err().contains("labels.long"), bad.err());
        assertFalse(Files.exists(tmp.resolve("bad/activations.npy")));

        // the pair appears at once: a rerun replaces it, a folder holding other files is refused untouched
        Files.writeString(in, "{\"id\": \"a\", \"prompt\": \"w5\", \"labels\": {\"long\": 1}}\n");
        assertEquals(0, CliRun.of("activations", "--model", model.toString(), "--jsonl", in.toString(), "--out", tmp.resolve("last").toString()).rc());
        assertEquals(1, Files.readAllLines(tmp.resolve("last/items.jsonl")).size());
        assertEquals(1, NpyArray.read(tmp.resolve("last/activations.npy")).shape()[0]);
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        CliRun refused = CliRun.of("activations", "--model", model.toString(), "--jsonl", in.toString(), "--out", foreign.toString());
        assertNotEquals(0, refused.rc());
        assertTrue(refused.err().contains("holds files this command does not write (notes.txt)"), refused.err());
        try (var s = Files.list(foreign)) {
            assertEquals(List.of("notes.txt"), s.map(f -> f.getFileName().toString()).toList());
        }
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".")), "no temp folder left behind");
        }
    }

    private static List<String> replies(Path f) throws Exception {
        ObjectMapper m = new ObjectMapper();
        return Files.readAllLines(f).stream().map(l -> {
            try {
                return m.readTree(l).get("reply").asText();
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }).toList();
    }
}
