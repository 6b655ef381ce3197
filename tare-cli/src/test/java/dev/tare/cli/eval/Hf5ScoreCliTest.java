package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.CliRun;
import dev.tare.data.SharedData;
import dev.tare.runtime.tiny.TinyCheckpoint;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tare score} / {@code tare eval} end to end on every hf5-parity checkpoint (saved and run by transformers
 * 5.17 / PEFT 0.21, v5 config format): each golden case becomes a conversation whose word-level tokens are exactly the
 * golden ids, and the per-example results must equal transformers' logits to 1e-4, with the score-token rule recorded.
 */
class Hf5ScoreCliTest {
    static final ObjectMapper OM = new ObjectMapper();
    static final String PLAIN = "{% for m in messages %}{{ m['content'] }}{% if not loop.last %} {% endif %}{% endfor %}";
    @TempDir Path tmp;

    static Path fixtures() {
        String env = System.getenv("TARE_HF5_PARITY");
        if (env != null && !env.isBlank()) return Path.of(env);
        var shared = SharedData.root();
        Assumptions.assumeTrue(shared.isPresent(), "hf5-parity: neither ../shared nor TARE_HF5_PARITY exists (user clone): skipping");
        Path p = shared.get().resolve("fixtures/hf5-parity");
        assertTrue(Files.isDirectory(p), p + " is missing while ../shared is present");
        return p;
    }

    /** The fixture's config + weights with a word-level tokenizer whose ids are the fixture's ids. */
    Path modelDir(String name) throws Exception {
        Path src = fixtures().resolve(name), dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "model.safetensors")) {
            assertTrue(Files.isRegularFile(src.resolve(f)), src.resolve(f) + " is missing");
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        TinyCheckpoint.writeWordLevelTokenizer(dir, PLAIN, false);
        return dir;
    }

    static String words(int[] ids, int from, int to) { return TinyCheckpoint.wordLevelText(ids, from, to); }

    /** A golden row as real tokens and its logits: unpadded cases and right-padded rows (same positions as unpadded). */
    record Row(String name, int[] ids, float[] logits) {}

    static List<Row> rows(JsonNode cases) {
        List<Row> out = new ArrayList<>();
        for (JsonNode c : cases) {
            JsonNode ids = c.get("input_ids"), mask = c.get("attention_mask");
            for (int b = 0; b < ids.size(); b++) {
                int n = ids.get(b).size(), first = 0, last = n - 1;
                if (mask != null && !mask.isNull()) {
                    while (first < n && mask.get(b).get(first).asInt() == 0) first++;
                    while (last >= 0 && mask.get(b).get(last).asInt() == 0) last--;
                }
                if (first > 0 || last - first + 1 < 2) continue; // left padding shifts positions; a pair needs 2 tokens
                int[] real = new int[last + 1];
                for (int i = 0; i <= last; i++) real[i] = ids.get(b).get(i).asInt();
                float[] lg = new float[c.get("logits").get(b).size()];
                for (int l = 0; l < lg.length; l++) lg[l] = Float.parseFloat(c.get("logits").get(b).get(l).asText());
                out.add(new Row(c.get("name").asText() + "[" + b + "]", real, lg));
            }
        }
        return out;
    }

    /** Pairs: item i has row i as chosen and row i+1 (cyclically) as rejected (split into prompt + response, rejoined by the template). */
    Path pairsFile(List<Row> rows) throws Exception {
        Path f = tmp.resolve("pairs-" + System.nanoTime() + ".jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            Row a = rows.get(i), b = rows.get((i + 1) % rows.size());
            // same prompt for both sides: only the shared prefix can be a prompt, so score each row alone as chosen
            // with a rejected that repeats the chosen's prompt and continues with the other row's ids
            int k = Math.max(1, a.ids().length / 2);
            ObjectNode o = OM.createObjectNode().put("id", "p" + i).put("prompt", words(a.ids(), 0, k))
                    .put("chosen", words(a.ids(), k, a.ids().length)).put("rejected", words(b.ids(), 0, b.ids().length));
            sb.append(OM.writeValueAsString(o)).append('\n');
        }
        Files.writeString(f, sb);
        return f;
    }

    /** Scores every row through tare score and checks the chosen side against transformers' logit of {@code label}. */
    void scoreAndCompare(String spec, List<Row> rows, int label, String what) throws Exception {
        Path out = tmp.resolve("results-" + System.nanoTime() + ".jsonl");
        CliRun r = CliRun.of("score", "--scorer", spec, "--data", pairsFile(rows).toString(), "--benchmark", "pairs", "--out", out.toString());
        assertEquals(0, r.rc(), what + ": " + r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(rows.size(), lines.size(), what);
        double max = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode l = OM.readTree(lines.get(i));
            assertEquals("last-non-pad", l.path("score_token").asText(), what + ": score_token recorded on every line");
            double d = Math.abs(first(l.get("scores_chosen")) - rows.get(i).logits()[label]);
            assertTrue(d <= 1e-4, what + " " + rows.get(i).name() + ": |tare - transformers 5.17| = " + d);
            max = Math.max(max, d);
        }
        System.out.printf("tare score %-40s %2d rows, max |diff| vs transformers 5.17 %.3g%n", what, lines.size(), max);
    }

    /** A pair's score is a number, a best-of-N's a list (RewardBench's results format). */
    static double first(JsonNode scores) {
        return scores.isArray() ? scores.get(0).asDouble() : scores.asDouble();
    }

    static JsonNode goldens(Path dir) throws Exception {
        assertTrue(Files.isRegularFile(dir.resolve("goldens.json")), dir + "/goldens.json is missing");
        return OM.readTree(dir.resolve("goldens.json").toFile());
    }

    @Test
    void everySeqClsCheckpointScoresAsTransformers5() throws Exception {
        for (String name : List.of("qwen3-seqcls", "llama-seqcls-v5", "qwen2-seqcls-v5", "gemma2-seqcls-v5", "qwen3-seqcls-2obj")) {
            List<Row> rows = rows(goldens(fixtures().resolve(name)).get("cases"));
            assertTrue(rows.size() >= 6, name + ": rows " + rows.size());
            assertTrue(rows.stream().anyMatch(r -> r.name().startsWith("pad_id_inside_content")), name + ": the pad-inside case is scored");
            Path dir = modelDir(name);
            if (name.endsWith("2obj")) {
                for (int label = 0; label < 2; label++) scoreAndCompare("local:" + dir + ",label=" + label, rows, label, name + " label=" + label);
                // no label chosen on a two-label head: an error that lists the labels, nothing scored
                Path out = tmp.resolve("none.jsonl");
                CliRun r = CliRun.of("score", "--scorer", "local:" + dir, "--data", pairsFile(rows).toString(), "--out", out.toString());
                assertNotEquals(0, r.rc());
                assertTrue(r.err().contains("2 labels (0=") && r.err().contains("label=N"), r.err());
            } else {
                scoreAndCompare("local:" + dir, rows, 0, name);
            }
        }
    }

    @Test
    void peft021LoraOnQwen3AtEveryLambda() throws Exception {
        Path adapter = fixtures().resolve("lora-qwen3-seqcls-qkvo");
        Path base = modelDir("qwen3-seqcls");
        for (JsonNode sweep : goldens(adapter).get("sweeps")) {
            double lambda = sweep.get("lambda").asDouble();
            scoreAndCompare("local:" + base + ",adapter=" + adapter + ",lambda=" + lambda, rows(sweep.get("cases")), 0, "lora-qwen3 λ=" + lambda);
        }
    }

    @Test
    void evalRecordsTheRuleAndFirstPadReproducesTheOlderRule() throws Exception {
        Path dir = modelDir("qwen3-seqcls");
        List<Row> rows = rows(goldens(fixtures().resolve("qwen3-seqcls")).get("cases"));
        Path data = pairsFile(rows), out = tmp.resolve("eval");
        CliRun r = CliRun.of("eval", "--scorer", "local:" + dir, "--data", data.toString(), "--benchmark", "pairs", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        JsonNode summary = OM.readTree(out.resolve("summary.json").toFile());
        assertEquals("last-non-pad", summary.path("score_token").asText(), summary.toString());
        // score-token=first-pad: the older rule reads one before the pad inside the content, i.e. the prefix's logit
        Path res = tmp.resolve("first.jsonl");
        CliRun f = CliRun.of("score", "--scorer", "local:" + dir + ",score-token=first-pad", "--data", data.toString(), "--out", res.toString());
        assertEquals(0, f.rc(), f.err());
        Path last = tmp.resolve("last.jsonl");
        assertEquals(0, CliRun.of("score", "--scorer", "local:" + dir, "--data", data.toString(), "--out", last.toString()).rc());
        List<String> a = Files.readAllLines(res), b = Files.readAllLines(last);
        int differ = 0;
        for (int i = 0; i < a.size(); i++) {
            JsonNode x = OM.readTree(a.get(i)), y = OM.readTree(b.get(i));
            assertEquals("first-pad", x.get("score_token").asText());
            boolean padInside = words(rows.get(i).ids(), 0, rows.get(i).ids().length).contains("<pad>");
            boolean same = first(x.get("scores_chosen")) == first(y.get("scores_chosen"));
            assertEquals(!padInside, same, rows.get(i).name() + ": the rules differ exactly where the pad id is inside the content");
            if (!same) differ++;
        }
        assertEquals(1, differ);
        // resuming a first-pad file with the default rule would mix two rules: refused
        CliRun mix = CliRun.of("score", "--scorer", "local:" + dir, "--data", data.toString(), "--out", res.toString(), "--resume");
        assertNotEquals(0, mix.rc());
        assertTrue(mix.err().contains("score_token=first-pad") && mix.err().contains("score_token=last-non-pad"), mix.err());
    }
}
