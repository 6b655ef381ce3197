package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.TareCli;
import dev.tare.data.Message;
import dev.tare.data.SharedData;
import dev.tare.results.ResultsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code tare score --model DIR} against the transformers 4.46.3 / PEFT 0.13.2 goldens in shared/fixtures/hf-parity
 * (tiny Llama seq-cls model; a word-level tokenizer maps "wN" to id N so the goldens' ids are reproduced exactly).
 * The {@code local:} spec itself (adapters, λ, heads) is tested in tare-scorers (LocalSpecTest).
 */
class ScoreModelDirectoryTest {
    static final ObjectMapper OM = new ObjectMapper();
    static final String PLAIN = "{% for m in messages %}{{ m['content'] }}{% if not loop.last %} {% endif %}{% endfor %}";
    @TempDir Path tmp;

    static Path fixture(String name) {
        String env = System.getenv("TARE_HF_PARITY");
        Path p = env != null ? Path.of(env).resolve(name) : SharedData.root().map(r -> r.resolve("fixtures/hf-parity/" + name)).orElse(null);
        assumeTrue(p != null && Files.isDirectory(p), "hf-parity fixture " + name + " not found (TARE_HF_PARITY / shared)");
        return p;
    }

    Path modelDir() throws Exception {
        Path src = fixture("llama-seqcls");
        Path dir = tmp.resolve("llama-seqcls");
        Files.createDirectories(dir);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        dev.tare.runtime.tiny.TinyCheckpoint.writeWordLevelTokenizer(dir, PLAIN, false);
        return dir;
    }

    static JsonNode sweepCase(String lambda, String name) throws Exception {
        for (JsonNode s : OM.readTree(fixture("lora-llama-seqcls-qkvo").resolve("goldens.json").toFile()).get("sweeps")) {
            if (!s.get("lambda").asText().equals(lambda)) continue;
            for (JsonNode c : s.get("cases")) if (c.get("name").asText().equals(name)) return c;
        }
        throw new AssertionError("no golden " + lambda + "/" + name);
    }

    static List<Message> conversation(JsonNode c, int split) {
        JsonNode row = c.get("input_ids").get(0);
        int[] ids = IntStream.range(0, row.size()).map(i -> row.get(i).asInt()).toArray();
        return List.of(Message.user(IntStream.range(0, split).mapToObj(i -> "w" + ids[i]).collect(Collectors.joining(" "))),
                Message.assistant(IntStream.range(split, ids.length).mapToObj(i -> "w" + ids[i]).collect(Collectors.joining(" "))));
    }

    static double logit(JsonNode c, String field) { return Double.parseDouble(c.get(field).get(0).get(0).asText()); }

    @Test void tareScoreWithModelDirectoryMatchesTransformers() throws Exception {
        Path dir = modelDir();
        JsonNode base = null;
        for (JsonNode c : OM.readTree(fixture("llama-seqcls").resolve("goldens.json").toFile()).get("cases")) {
            if (c.get("name").asText().equals("len33")) base = c;
        }
        assertNotNull(base);
        JsonNode c0 = sweepCase("0.0", "len33"); // λ = 0 is the base body
        List<Message> conv = conversation(base, 20);
        Path data = tmp.resolve("pairs.jsonl");
        ObjectNode row = OM.createObjectNode();
        row.put("id", "p1").put("prompt", conv.get(0).content()).put("chosen", conv.get(1).content())
                .put("rejected", conv.get(1).content().substring(0, conv.get(1).content().lastIndexOf(' ')));
        Files.writeString(data, OM.writeValueAsString(row) + "\n");
        Path out = tmp.resolve("scores.jsonl");
        var err = new ByteArrayOutputStream();
        var cl = TareCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("score", "--model", dir.toString(), "--data", data.toString(), "--out", out.toString()), err.toString());
        var items = ResultsReader.read(out);
        assertEquals(1, items.size());
        assertEquals(logit(base, "logits"), items.getFirst().chosen(), 2e-5, "transformers 4.46.3 logit");
        assertEquals(logit(c0, "logits_base_head"), items.getFirst().chosen(), 2e-5);
        assertEquals("llama-seqcls", items.getFirst().model());
    }
}
