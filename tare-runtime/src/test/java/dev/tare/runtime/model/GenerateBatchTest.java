package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tare.runtime.model.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** {@link CausalLM#generateBatch} against per-prompt {@link CausalLM#generate} and the transformers greedy goldens. */
class GenerateBatchTest {

    /** The fixture folder: skips only without ../shared and $TARE_HF_PARITY, fails when it is missing from them. */
    private static Path causal(String name) { return dir(name); }

    /** The single-sequence cases of a causal fixture: their prompts and the golden greedy continuations. */
    private static List<int[][]> cases(Path dir) {
        List<int[][]> out = new ArrayList<>();
        for (JsonNode c : need(goldens(dir), "cases", dir)) {
            if (!c.has("greedy_next_tokens")) continue;
            // the goldens' KV-cache generate() agreed with their recompute loop; batched KV generation is held to it
            assertTrue(need(c, "generate_matches_greedy_loop", dir).asBoolean(), dir + " " + c.get("name").asText() + ": transformers' generate() differs from its greedy loop");
            JsonNode ids = c.get("input_ids");
            if (ids.size() != 1) continue;
            out.add(new int[][]{ints(ids.get(0)), ints(c.get("greedy_next_tokens"))});
        }
        return out;
    }

    @Test
    void batchedGreedyEqualsGoldensAndPerPromptGenerate() {
        for (String name : new String[]{"llama-causal", "qwen2-causal", "gemma2-causal"}) {
            Path dir = causal(name);
            List<int[][]> cs = cases(dir);
            assertTrue(cs.size() >= 3, name + ": expected several greedy cases, got " + cs.size());
            try (CausalLM lm = ModelLoader.loadCausalLM(dir)) {
                int[][] prompts = cs.stream().map(c -> c[0]).toArray(int[][]::new);
                int steps = cs.getFirst()[1].length;
                List<Sampling> greedy = cs.stream().map(c -> Sampling.greedy()).toList();
                int[][] batch = lm.generateBatch(prompts, steps, greedy);
                for (int i = 0; i < prompts.length; i++) {
                    assertArrayEquals(cs.get(i)[1], batch[i], name + " case " + i + ": batched greedy vs transformers");
                    assertArrayEquals(lm.generate(prompts[i], steps, Sampling.greedy()), batch[i], name + " case " + i + ": batched vs single");
                }
                // longer runs than the goldens: still the same as one prompt at a time
                int[][] longer = lm.generateBatch(prompts, 24, greedy);
                for (int i = 0; i < prompts.length; i++)
                    assertArrayEquals(lm.generate(prompts[i], 24, Sampling.greedy()), longer[i], name + " case " + i + ": 24 greedy steps");
            }
        }
    }

    @Test
    void aSequencesLogitsHaveTheSameBitsAloneAndInABatch() {
        // every Java kernel call gives a row the same sums whatever the other rows (one row takes the matrix-vector path,
        // which sums in the matrix tile's order), so batching never changes a sequence's logits, not even in the last bit
        for (String name : new String[]{"llama-causal", "qwen2-causal", "gemma2-causal"}) {
            Path dir = causal(name);
            try (CausalLM lm = ModelLoader.loadCausalLM(dir)) {
                int[][] prompts = cases(dir).stream().map(c -> c[0]).toArray(int[][]::new);
                float[][] batch = lm.lastLogits(prompts);
                for (int i = 0; i < prompts.length; i++)
                    assertArrayEquals(lm.lastLogits(new int[][]{prompts[i]})[0], batch[i], name + " case " + i);
            }
        }
    }

    @Test
    void batchedSeededSamplingEqualsPerPromptAndStopsPerSequence() {
        Path dir = causal("llama-causal");
        List<int[][]> cs = cases(dir);
        try (CausalLM lm = ModelLoader.loadCausalLM(dir)) {
            int[][] prompts = cs.stream().map(c -> c[0]).toArray(int[][]::new);
            List<Sampling> s = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) s.add(new Sampling(0.9, 0.95, 1000 + i));
            int[][] batch = lm.generateBatch(prompts, 20, s);
            boolean differsFromGreedy = false;
            for (int i = 0; i < prompts.length; i++) {
                int[] single = lm.generate(prompts[i], 20, s.get(i));
                assertArrayEquals(single, batch[i], "sampled case " + i);
                differsFromGreedy |= !java.util.Arrays.equals(single, lm.generate(prompts[i], 20, Sampling.greedy()));
            }
            assertTrue(differsFromGreedy, "temperature 0.9 should sample something other than the argmax");
            // a stop id taken from one sequence's greedy output ends that sequence early, the others run on
            int[] g0 = lm.generate(prompts[0], 10, Sampling.greedy());
            int stop = g0[3];
            List<Sampling> greedy = cs.stream().map(c -> Sampling.greedy()).toList();
            int[][] stopped = lm.generateBatch(prompts, 10, greedy, stop);
            for (int i = 0; i < prompts.length; i++)
                assertArrayEquals(lm.generate(prompts[i], 10, Sampling.greedy(), stop), stopped[i], "stop id, case " + i);
            assertTrue(stopped[0].length <= 4 && stopped[0][stopped[0].length - 1] == stop);
        }
    }
}
