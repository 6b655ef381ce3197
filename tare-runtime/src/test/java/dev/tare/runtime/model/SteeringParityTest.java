package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Steering against transformers: α·v (and v orthogonalised against u) added after each decoder layer of
 * hf-parity/llama-causal by a forward hook; last logits ≤ 1e-4 and the 4 greedy tokens identical, for the forward
 * pass, KV-cached generation and batched generation. Folder: $TARE_STEERING or ../shared/fixtures/steer-probe-llama-causal.
 */
class SteeringParityTest {
    static final double TOL = 1e-4;

    /** The steering fixture folder; skips only when ../shared (and $TARE_STEERING) is absent, fails on a missing file. */
    static Path steeringDir() {
        String env = System.getenv("TARE_STEERING");
        Path d;
        if (env != null && !env.isBlank()) {
            d = Path.of(env);
        } else {
            Optional<Path> shared = SharedData.root();
            Assumptions.assumeTrue(shared.isPresent(), "steering fixtures: neither ../shared nor TARE_STEERING exists (user clone): skipping");
            d = shared.get().resolve("fixtures/steer-probe-llama-causal");
        }
        if (!Files.isDirectory(d)) fail("steering fixture folder " + d + " is missing");
        for (String f : List.of("goldens.json", "probe_activations.npy"))
            if (!Files.isRegularFile(d.resolve(f))) fail(d.resolve(f) + " is missing");
        return d;
    }

    static JsonNode goldens(Path d) throws IOException { return new ObjectMapper().readTree(d.resolve("goldens.json").toFile()); }

    @Test
    void steeredLogitsAndGreedyTokensMatchTransformers() throws IOException {
        JsonNode g = goldens(steeringDir());
        Path model = Fixtures.dir("llama-causal");
        int[] prompt = Fixtures.ints(Fixtures.need(g, "prompt_ids", "steering"));
        float[] v = Fixtures.floats(Fixtures.need(g, "steering_vector_v", "steering"));
        float[] u = Fixtures.floats(Fixtures.need(g, "u_direction", "steering"));
        float[] vOrthGolden = Fixtures.floats(Fixtures.need(g, "v_orth_u", "steering"));
        float[] vOrth = Steering.orthogonalise(v, u);
        assertTrue(Fixtures.maxDiff(vOrth, vOrthGolden) < 1e-6, "v orthogonalised against u differs from torch's");
        JsonNode cases = Fixtures.need(g, "steering", "steering");
        double worst = 0;
        int checked = 0;
        try (CausalLM lm = ModelLoader.loadCausalLM(model)) {
            float[] plain = lm.lastLogits(new int[][]{prompt})[0];
            for (JsonNode c : cases) {
                int layer = Fixtures.need(c, "layer", "case").asInt();
                String which = Fixtures.need(c, "vector", "case").asText();
                double alpha = Fixtures.need(c, "alpha", "case").asDouble();
                String where = "layer " + layer + " " + which + " alpha " + alpha;
                Steering s = switch (which) {
                    case "v" -> new Steering(layer, v, alpha);
                    case "v_orth_u" -> new Steering(layer, v, alpha).orthogonalisedAgainst(u);
                    default -> throw new AssertionError(where + ": unknown vector " + which);
                };
                CausalLM steered = lm.withSteering(s);
                float[] want = Fixtures.floats(Fixtures.need(c, "last_logits", where));
                float[] got = steered.lastLogits(new int[][]{prompt})[0];
                double d = Fixtures.maxDiff(got, want);
                worst = Math.max(worst, d);
                assertTrue(d <= TOL, where + ": last logits differ by " + d);
                assertTrue(Fixtures.maxDiff(plain, want) > 1e-3, where + ": steering did not change the logits");
                int[] greedy = Fixtures.ints(Fixtures.need(c, "greedy_4", where));
                assertArrayEquals(greedy, steered.generate(prompt, 4, Sampling.greedy()), where + ": greedy tokens (KV cache)");
                assertArrayEquals(greedy, steered.generateBatch(new int[][]{prompt, prompt}, 4,
                        List.of(Sampling.greedy(), Sampling.greedy()))[1], where + ": greedy tokens (batched)");
                checked++;
            }
            assertTrue(lm.steering().isEmpty(), "withSteering must not change the model it was called on");
            assertArrayEquals(plain, lm.lastLogits(new int[][]{prompt})[0], "unsteered logits changed after steering views");
        }
        assertEquals(12, checked, "golden steering cases checked");
        System.out.printf("steering parity: %d cases, max |logit diff| = %.3g%n", checked, worst);
    }

    @Test
    void steeringIsCheckedAgainstTheModel() {
        Path model = Fixtures.dir("llama-causal");
        try (CausalLM lm = ModelLoader.loadCausalLM(model)) {
            int H = lm.config().hiddenSize(), L = lm.config().numLayers();
            assertThrows(IllegalArgumentException.class, () -> lm.withSteering(new Steering(L, new float[H], 1)));
            assertThrows(IllegalArgumentException.class, () -> lm.withSteering(new Steering(0, new float[H + 1], 1)));
            assertThrows(IllegalArgumentException.class, () -> new Steering(0, new float[]{Float.NaN}, 1));
            assertThrows(IllegalArgumentException.class, () -> Steering.orthogonalise(new float[H], new float[H]));
        }
    }
}
