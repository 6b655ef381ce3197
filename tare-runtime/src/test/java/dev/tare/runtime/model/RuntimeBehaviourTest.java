package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Score-token rules, packing/bucketing invariance, steering hooks, KV-cache generation and sampling on the fixture models. */
class RuntimeBehaviourTest {
    private static JsonNode caseNamed(Path dir, String name) {
        for (JsonNode c : Fixtures.goldens(dir).get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new AssertionError("no case " + name);
    }

    @Test
    void padInsideContentFollowsTheChosenRule() {
        Path dir = Fixtures.root().resolve("llama-seqcls");
        JsonNode c = caseNamed(dir, "pad_id_inside_content");
        int[] ids = Fixtures.ints(c.get("input_ids").get(0));
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            assertEquals(ScoreTokenRule.LAST_NON_PAD, rm.scoreTokenRule(), "default: current transformers' rule");
            RewardModel old = rm.withScoreTokenRule(ScoreTokenRule.FIRST_PAD_MINUS_ONE);
            float hf = old.score(new int[][]{ids})[0][0];
            // this fixture's golden is transformers 4.46's, which reads one before the first pad
            assertEquals(Float.parseFloat(c.get("logits").get(0).get(0).asText()), hf, 1e-4f);
            float newer = rm.score(new int[][]{ids})[0][0];
            assertTrue(ScoreTokenRule.rulesDisagree(ids, rm.config().padTokenId()));
            // the old rule reads index 3 = the causal prefix ending there
            float prefixTo3 = rm.score(new int[][]{java.util.Arrays.copyOf(ids, 4)})[0][0];
            assertEquals(hf, prefixTo3, 1e-5f, "FIRST_PAD_MINUS_ONE reads index 3 = the causal prefix ending there");
            assertNotEquals(hf, newer, 0.1f);
        }
        assertEquals(2, ScoreTokenRule.LAST_NON_PAD.index(new int[]{5, 6, 7, 0, 0}, 0));
        assertEquals(4, ScoreTokenRule.FIRST_PAD_MINUS_ONE.index(new int[]{0, 0, 5, 6, 7}, 0));
        assertEquals(4, ScoreTokenRule.LAST_NON_PAD.index(new int[]{0, 0, 5, 6, 7}, 0));
    }

    @Test
    void packingAndBucketingDoNotChangeScores() {
        Path dir = Fixtures.root().resolve("gemma2-seqcls");
        int[][] ids = new int[6][];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < ids.length; i++) ids[i] = r.ints(5 + 13 * i, 3, 512).toArray();
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            float[][] packed = rm.score(ids);
            float[][] tiny = rm.withTokenBudget(1).score(ids);
            for (int i = 0; i < ids.length; i++) {
                float[] alone = rm.score(new int[][]{ids[i]})[0];
                assertArrayEquals(alone, packed[i], 1e-6f, "packed row " + i);
                assertArrayEquals(alone, tiny[i], 1e-6f, "one-sequence buckets row " + i);
            }
        }
    }

    @Test
    void aLinearViewSharesTheModelAndLeavesItUnchanged() {
        // withLinears re-decorates every decoder linear layer, named as at load; the original model is not touched
        Path dir = Fixtures.root().resolve("qwen2-seqcls");
        int[][] ids = {new java.util.Random(8).ints(21, 3, 512).toArray()};
        java.util.List<String> atLoad = new java.util.ArrayList<>(), inView = new java.util.ArrayList<>();
        try (RewardModel rm = ModelLoader.loadRewardModel(dir, (m, w) -> { atLoad.add(m); return w; })) {
            float[] base = rm.score(ids)[0];
            RewardModel same = rm.withLinears((m, w) -> { inView.add(m); return w; });
            assertEquals(atLoad, inView);
            assertEquals(7 * rm.config().numLayers(), inView.size());
            assertArrayEquals(base, same.score(ids)[0], 0f, "an identity view scores bit for bit as the model");
            RewardModel halved = rm.withLinears((m, w) -> !m.equals("model.layers.1.mlp.down_proj") ? w : new dev.tare.runtime.kernel.LinearWeight() {
                @Override public int outFeatures() { return w.outFeatures(); }
                @Override public int inFeatures() { return w.inFeatures(); }
                @Override public void forward(float[] x, int rows, float[] y) {
                    w.forward(x, rows, y);
                    for (int i = 0; i < rows * w.outFeatures(); i++) y[i] *= 0.5f;
                }
                @Override public float get(int o, int k) { return 0.5f * w.get(o, k); }
            });
            assertNotEquals(base[0], halved.score(ids)[0][0], 1e-3f, "the view runs its own layers");
            assertArrayEquals(base, rm.score(ids)[0], 0f, "the original model is unchanged");
        }
    }

    @Test
    void reusedActivationBuffersGiveTheSameScoresAsAFreshModel() {
        // forwards reuse one workspace: a short input after a long one must not see the long one's leftovers,
        // and concurrent forwards must each get their own buffers
        Path dir = Fixtures.root().resolve("mistral-seqcls");
        java.util.Random r = new java.util.Random(5);
        int[] lng = r.ints(100, 3, 512).toArray(), shrt = r.ints(9, 3, 512).toArray();
        float fresh;
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            fresh = rm.score(new int[][]{shrt})[0][0];
        }
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            float long1 = rm.score(new int[][]{lng})[0][0];
            assertEquals(fresh, rm.score(new int[][]{shrt})[0][0], 0f, "short after long");
            assertEquals(long1, rm.score(new int[][]{lng})[0][0], 0f, "long again");
            java.util.List<Float> par = java.util.stream.IntStream.range(0, 16).parallel()
                    .mapToObj(i -> rm.score(new int[][]{i % 2 == 0 ? shrt : lng})[0][0]).toList();
            for (int i = 0; i < par.size(); i++) assertEquals(i % 2 == 0 ? fresh : long1, par.get(i), 0f, "concurrent " + i);
        }
    }

    @Test
    void steeringTheEmbeddingsEqualsSwappingTheToken() {
        Path dir = Fixtures.root().resolve("qwen2-seqcls");
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            int a = 17, b = 301, H = rm.config().hiddenSize();
            float[][] hsA = rm.hiddenStates(new int[]{a}), hsB = rm.hiddenStates(new int[]{b});
            float[] delta = new float[H];
            for (int i = 0; i < H; i++) delta[i] = hsB[0][i] - hsA[0][i];
            float steered = rm.score(new int[][]{{a, a, a}}, ResidualHook.addVector(-1, delta, 1f))[0][0];
            float swapped = rm.score(new int[][]{{b, b, b}})[0][0];
            assertEquals(swapped, steered, 1e-5f);
            float zero = rm.score(new int[][]{{a, a, a}}, ResidualHook.addVector(1, new float[H], 1f))[0][0];
            assertEquals(rm.score(new int[][]{{a, a, a}})[0][0], zero, 0f);
            float moved = rm.score(new int[][]{{a, a, a}}, ResidualHook.addVector(1, delta, 3f))[0][0];
            assertNotEquals(zero, moved, 1e-3f);
        }
    }

    @Test
    void aSteeringViewMovesOneTokensStreamOntoAnothersAfterLayerL() {
        Path dir = Fixtures.root().resolve("qwen2-seqcls");
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            int a = 17, b = 301, L = rm.config().numLayers();
            float[][] hsA = rm.hiddenStates(new int[]{a}), hsB = rm.hiddenStates(new int[]{b});
            float swapped = rm.score(new int[][]{{b}})[0][0];
            assertTrue(L >= 2, "the fixture needs two layers");
            for (int layer = 0; layer < L - 1; layer++) { // hidden_states[L] is final-normed, not the raw stream after the last layer
                // one token: after layer l its stream is all the later layers see, so moving it onto b's gives b's score
                float[] delta = new float[hsA[layer + 1].length];
                for (int i = 0; i < delta.length; i++) delta[i] = hsB[layer + 1][i] - hsA[layer + 1][i];
                RewardModel steered = rm.withSteering(new Steering(layer, delta, 1));
                assertEquals(swapped, steered.score(new int[][]{{a}})[0][0], 1e-5f, "layer " + layer);
                assertEquals(swapped, steered.scorePadded(new int[][]{{a}}, null, null)[0][0], 1e-5f, "padded path, layer " + layer);
                float[] hs = steered.hiddenStates(new int[]{a})[layer + 1];
                for (int i = 0; i < hs.length; i++) assertEquals(hsB[layer + 1][i], hs[i], 1e-5f, "steered hidden state, layer " + layer);
                assertEquals(steered.steering(), steered.withScoreTokenRule(ScoreTokenRule.DEFAULT).steering(), "views keep the steering");
            }
            assertTrue(rm.steering().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> rm.withSteering(new Steering(L, new float[rm.config().hiddenSize()], 1)));
        }
    }

    @Test
    void kvCacheGenerationEqualsRecomputingAndSamplingIsSeeded() {
        Path dir = Fixtures.root().resolve("gemma2-causal");
        int[] prompt = Fixtures.ints(caseNamed(dir, "len33").get("input_ids").get(0));
        try (CausalLM lm = ModelLoader.loadCausalLM(dir)) {
            int[] cached = lm.generate(prompt, 8, Sampling.greedy());
            int[] seq = prompt.clone();
            for (int t = 0; t < 8; t++) {
                int next = Sampling.argmax(lm.lastLogits(new int[][]{seq})[0]);
                assertEquals(next, cached[t], "step " + t);
                seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next;
            }
            Sampling s = new Sampling(1.0, 0.9, 42);
            int[] s1 = lm.generate(prompt, 8, s), s2 = lm.generate(prompt, 8, s);
            assertArrayEquals(s1, s2, "same seed, same tokens");
            assertArrayEquals(cached, lm.generate(prompt, 8, new Sampling(1.0, 1e-9, 5)), "a vanishing nucleus is greedy");
            int[] stopped = lm.generate(prompt, 8, Sampling.greedy(), cached[2]);
            assertArrayEquals(java.util.Arrays.copyOf(cached, 3), stopped, "stops after a stop id");
        }
    }

    @Test
    void noPadIdRefusesPaddedBatches() throws Exception {
        Path tmp = java.nio.file.Files.createTempDirectory("nopad");
        try {
            Path src = Fixtures.root().resolve("llama-seqcls");
            java.nio.file.Files.copy(src.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
            com.fasterxml.jackson.databind.node.ObjectNode c = (com.fasterxml.jackson.databind.node.ObjectNode)
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(src.resolve("config.json").toFile());
            c.putNull("pad_token_id");
            java.nio.file.Files.writeString(tmp.resolve("config.json"), c.toString());
            try (RewardModel rm = ModelLoader.loadRewardModel(tmp)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> rm.scorePadded(new int[][]{{5, 6}, {7, 8}}, null, null));
                assertTrue(e.getMessage().contains("pad_token_id"), e.getMessage());
                assertEquals(1, rm.scorePadded(new int[][]{{5, 6, 0}}, null, null).length);
            }
        } finally {
            try (var s = java.nio.file.Files.list(tmp)) { s.forEach(p -> p.toFile().delete()); }
            java.nio.file.Files.delete(tmp);
        }
    }
}
