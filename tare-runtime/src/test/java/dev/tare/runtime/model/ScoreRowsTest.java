package dev.tare.runtime.model;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A reward score computes the last layer only for the rows it reads (every row still gives its key and value): the
 * scores must carry the full pass's bits. The full pass is forced by a residual hook that adds nothing (x + 0 = x);
 * inputs cover the blocked attention path (≥ 16 tokens), the per-key path (< 16), one sequence and several packed
 * together, sliding windows and soft-capping (gemma2), a gated multi-objective head (two read rows per sequence),
 * shared prompts (cached prefix, then the responses), and causal LMs' last-token logits and greedy generation. A
 * sequence's score is also the same alone as in a batch.
 */
class ScoreRowsTest {
    private static final ResidualHook ADD_NOTHING = (layer, sequence, x, offset, tokens, hidden) -> {
        for (int t = 0; t < tokens * hidden; t++) x[offset + t] += 0f;
    };

    private static int[][] inputs(long seed, int vocab, int... lengths) {
        Random r = new Random(seed);
        int[][] ids = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) ids[i] = r.ints(lengths[i], 3, vocab).toArray();
        return ids;
    }

    private static void assertSameBits(float[][] want, float[][] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++)
            for (int l = 0; l < want[i].length; l++)
                assertEquals(Float.floatToIntBits(want[i][l]), Float.floatToIntBits(got[i][l]),
                        what + ": sequence " + i + " label " + l + ": full pass " + want[i][l] + ", read rows only " + got[i][l]);
    }

    private static void check(Path dir, int[] header, int... lengths) {
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            int vocab = Math.min(500, rm.config().vocabSize());
            for (int[] len : new int[][] {lengths, {lengths[0]}, {header.length + 3}, {40}}) {
                int[][] ids = inputs(len.length * 31L + len[0], vocab, len);
                for (int[] seq : ids) System.arraycopy(header, 0, seq, seq.length - header.length - 2, header.length);
                float[][] batch = rm.score(ids);
                assertSameBits(rm.score(ids, ADD_NOTHING), batch, dir.getFileName() + " " + java.util.Arrays.toString(len));
                // and a sequence scored alone gets the bits it gets in the batch (one row takes the matrix-vector kernel)
                for (int i = 0; i < ids.length; i++)
                    assertSameBits(new float[][] {batch[i]}, rm.score(new int[][] {ids[i]}), dir.getFileName() + " alone, sequence " + i);
            }
        }
    }

    @Test
    void llamaQwenMistralAndGemmaScoresKeepTheFullPassBits() {
        for (String name : new String[] {"llama-seqcls", "qwen2-seqcls", "mistral-seqcls", "gemma2-seqcls"})
            check(Fixtures.root().resolve(name), new int[0], 100, 37, 5, 16, 64);
    }

    @Test
    void aGatedHeadReadsTwoRowsAndKeepsTheFullPassBits() {
        Path d = ArmoRmGoldenTest.dir();
        // the gating weights are read at the Llama 3 assistant header: put one near each sequence's end
        check(d, new int[] {128009, 128006, 78191, 128007, 271}, 90, 20, 9);
    }

    /** A causal LM's last-token logits and greedy generation: the last layer only for the last rows, the same bits. */
    @Test
    void causalLastLogitsAndGenerationKeepTheFullPassBits() {
        for (String name : new String[] {"llama-causal", "qwen2-causal", "gemma2-causal"}) {
            try (CausalLM lm = ModelLoader.loadCausalLM(Fixtures.root().resolve(name))) {
                int vocab = Math.min(500, lm.config().vocabSize());
                int[][] ids = inputs(7, vocab, 70, 18, 4);
                assertSameBits(lm.lastLogits(ids, ADD_NOTHING), lm.lastLogits(ids), name + " last logits");
                assertArrayEquals(lm.generate(ids[0], 6, Sampling.greedy(), ADD_NOTHING), lm.generate(ids[0], 6, Sampling.greedy()),
                        name + " greedy tokens");
            }
        }
    }

    /** Shared prompts: the prefix pass reads no row (only the caches), the responses their score rows. */
    @Test
    void sharedPromptScoresEqualTheUnsharedOnes() {
        try (RewardModel rm = ModelLoader.loadRewardModel(Fixtures.root().resolve("qwen2-seqcls"))) {
            Random r = new Random(3);
            int[] prompt = r.ints(60, 3, 500).toArray();
            int[][] ids = new int[4][];
            for (int i = 0; i < ids.length; i++) {
                int[] resp = r.ints(5 + 30 * i, 3, 500).toArray();
                ids[i] = java.util.stream.IntStream.concat(java.util.Arrays.stream(prompt), java.util.Arrays.stream(resp)).toArray();
            }
            float[][] unshared = rm.score(ids, ADD_NOTHING), shared = rm.scoreSharingPrefixes(ids, 8);
            for (int i = 0; i < ids.length; i++) assertEquals(unshared[i][0], shared[i][0], 1e-5f, "sequence " + i);
        }
    }
}
