package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.SharedData;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.tare.runtime.model.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every folder of hf5-parity ($TARE_HF5_PARITY, default ../shared/fixtures/hf5-parity): checkpoints saved and run by
 * transformers 5.17 / PEFT 0.21 (v5 config format: rope_parameters, dtype, layer_types), scores read at the last
 * non-pad token (tare's default rule). Float32 goldens, ≤ 1e-4 abs. Skips only when neither the variable nor ../shared
 * exists; a missing folder, file or case fails.
 */
class Hf5ParityTest {
    static final double TOL = 1e-4;

    /** Model folders and their expected case counts (seq-cls 7, causal 4). */
    static final Map<String, Integer> MODELS = Map.of("qwen3-seqcls", 7, "qwen3-seqcls-2obj", 7, "qwen3-causal", 4,
            "llama-seqcls-v5", 7, "qwen2-seqcls-v5", 7, "gemma2-seqcls-v5", 7);
    static final String ADAPTER = "lora-qwen3-seqcls-qkvo";

    /** The fixture root; skips when neither $TARE_HF5_PARITY nor ../shared exists, fails when one is set up but incomplete. */
    static Path root() {
        String env = System.getenv("TARE_HF5_PARITY");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isDirectory(p)) fail("TARE_HF5_PARITY=" + env + " is not a folder");
            return p;
        }
        var shared = SharedData.root();
        Assumptions.assumeTrue(shared.isPresent(), "hf5-parity fixtures: neither ../shared nor TARE_HF5_PARITY exists (user clone): skipping");
        Path p = shared.get().resolve("fixtures/hf5-parity");
        if (!Files.isDirectory(p)) fail("../shared is present (" + shared.get() + ") but the hf5-parity fixtures " + p + " are missing");
        return p;
    }

    static Path dir(String name) {
        Path d = root().resolve(name);
        if (!Files.isDirectory(d)) fail("hf5-parity fixture folder " + d + " is missing");
        if (!Files.isRegularFile(d.resolve("goldens.json"))) fail(d.resolve("goldens.json") + " is missing");
        return d;
    }

    static JsonNode goldens(Path d) {
        try {
            return new ObjectMapper().readTree(d.resolve("goldens.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyFolderIsExpected() throws IOException {
        TreeSet<String> want = new TreeSet<>(MODELS.keySet());
        want.add(ADAPTER);
        TreeSet<String> got = new TreeSet<>();
        try (Stream<Path> s = Files.list(root())) {
            s.filter(Files::isDirectory).forEach(p -> got.add(p.getFileName().toString()));
        }
        assertEquals(want, got, "hf5-parity folders under " + root());
        for (String m : MODELS.keySet()) {
            JsonNode g = goldens(dir(m));
            assertEquals("5.17.0", need(need(g, "versions", m), "transformers", m).asText(), m);
            assertTrue(Files.isRegularFile(dir(m).resolve("config.json")), m + "/config.json is missing");
        }
    }

    @TestFactory
    List<DynamicTest> everyModelFolder() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : new TreeSet<>(MODELS.keySet())) tests.add(DynamicTest.dynamicTest(name, () -> check(name)));
        return tests;
    }

    private void check(String name) {
        Path d = dir(name);
        JsonNode g = goldens(d);
        int n = 0;
        double max = 0;
        try (Model m = ModelLoader.load(d)) {
            assertEquals(need(g, "architecture", name).asText(), m.config().architecture(), name);
            if (m instanceof RewardModel rm) {
                assertEquals(ScoreTokenRule.LAST_NON_PAD, rm.scoreTokenRule(), "default score-token rule");
                for (JsonNode c : need(g, "cases", name)) {
                    max = Math.max(max, checkCase(rm, c, name));
                    n++;
                }
            } else if (m instanceof CausalLM lm) {
                for (JsonNode c : need(g, "cases", name)) {
                    int[][] ids = ints2(need(c, "input_ids", name));
                    float[][] got = lm.lastLogits(ids);
                    double dd = maxDiff(got[0], floats(need(c, "last_logits", name)));
                    assertTrue(dd <= TOL, name + "/" + c.get("name").asText() + " |diff| " + dd);
                    max = Math.max(max, dd);
                    int[] want = ints(need(c, "greedy_next_tokens", name));
                    if (need(c, "generate_matches_greedy_loop", name).asBoolean())
                        assertArrayEquals(want, lm.generate(ids[0], want.length, Sampling.greedy()), name + " greedy tokens (KV cache)");
                    n++;
                }
            } else fail(name + ": neither a reward model nor a causal LM");
            // hidden states at the last token of len7: embeddings, after each layer, final norm
            JsonNode hsWant = need(need(g, "debug", name), "len7_hidden_states_at_last_token", name);
            int[] ids = null;
            for (JsonNode c : g.get("cases")) if (c.get("name").asText().equals("len7")) ids = ints(c.get("input_ids").get(0).isArray() ? c.get("input_ids").get(0) : c.get("input_ids"));
            assertNotNull(ids, name + ": no len7 case");
            float[][] hs = HiddenStates.of(m.body(), ids);
            assertEquals(hsWant.size(), hs.length, name + " number of hidden states");
            int H = m.config().hiddenSize(), last = ids.length - 1;
            for (int i = 0; i < hs.length; i++) {
                double dd = maxDiff(java.util.Arrays.copyOfRange(hs[i], last * H, last * H + H), floats(hsWant.get(i)));
                assertTrue(dd <= TOL, name + " len7 hidden_states[" + i + "] |diff| " + dd);
            }
        }
        assertEquals(MODELS.get(name), n, name + ": golden cases checked");
        System.out.printf("hf5-parity %-22s %d cases, max |diff| %.3g%n", name, n, max);
    }

    /** One seq-cls case: score index by the v5 rule, padded and (where unpadded) ragged APIs, every label. */
    static double checkCase(RewardModel rm, JsonNode c, String where) {
        String name = where + "/" + c.get("name").asText();
        int[][] ids = ints2(c.get("input_ids"));
        int[][] mask = ints2(c.get("attention_mask"));
        int[][] pos = ints2(c.get("position_ids"));
        int[] idx = ints(need(c, "score_index", name));
        for (int b = 0; b < ids.length; b++) {
            assertEquals(idx[b], ScoreTokenRule.LAST_NON_PAD.index(ids[b], rm.config().padTokenId()), name + " score_index row " + b);
            assertEquals(0.0, need(c, "pooling_check", name).get(b).asDouble(), 0.0, name + " pooling_check (golden premise)");
        }
        float[][] got = rm.scorePadded(ids, mask, pos);
        double max = 0;
        for (int b = 0; b < ids.length; b++) {
            float[] want = floats(need(c, "logits", name).get(b));
            assertEquals(rm.numLabels(), want.length, name + " labels");
            double d = maxDiff(got[b], want);
            assertTrue(d <= TOL, name + " row " + b + ": |diff| " + d);
            max = Math.max(max, d);
        }
        if (mask == null && pos == null) {
            float[][] again = rm.score(ids);
            for (int b = 0; b < ids.length; b++) assertArrayEquals(got[b], again[b], 1e-6f, name + " ragged API");
        }
        return max;
    }

    @Test
    void loraOnQwen3AtEveryLambda() {
        Path d = dir(ADAPTER);
        JsonNode g = goldens(d);
        Path base = dir(need(g, "base_model_dir", ADAPTER).asText());
        LoraAdapter ad = LoraAdapter.load(d);
        int n = 0;
        double max = 0;
        try (LoraModel lm = LoraModel.open(base, List.of(ad))) {
            for (JsonNode sweep : need(g, "sweeps", ADAPTER)) {
                double lambda = need(sweep, "lambda", ADAPTER).asDouble();
                RewardModel withAdapterHead = lm.withStrengths(Map.of(ad.name(), lambda)).rewardModel(HeadChoice.ADAPTER);
                for (LoraAdapter.Module mod : ad.modules().values())
                    assertEquals(need(sweep, "scaling_set", ADAPTER).asDouble(), lambda * mod.scaling(), 1e-9, "scaling at λ=" + lambda);
                for (JsonNode c : need(sweep, "cases", ADAPTER + " λ=" + lambda)) {
                    max = Math.max(max, checkCase(withAdapterHead, c, ADAPTER + " λ=" + lambda));
                    n++;
                }
            }
        }
        assertEquals(5 * 7, n, ADAPTER + ": golden cases checked");
        System.out.printf("hf5-parity %-22s %d cases, max |diff| %.3g%n", ADAPTER, n, max);
    }
}
