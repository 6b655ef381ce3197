package dev.tare.runtime.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Scoring with shared prefixes computed once equals the unshared computation (≤ 1e-5) on the transformers-checked
 * fixtures — Llama, Qwen2 (biases), Gemma2 (sliding window 24, soft-capping), Mistral (sliding window 40), a 3-label
 * head — for responses of one prompt longer and shorter than the windows, duplicates, and unrelated sequences; the
 * plan groups exactly the sequences that share enough tokens.
 */
class PrefixSharingTest {
    static int[] tokens(Random r, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 1 + r.nextInt(500);   // never the pad id 0
        return t;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void sharedPrefixScoresEqualTheFullPassesOnEveryFamily() {
        Random r = new Random(11);
        int[] promptA = tokens(r, 50), promptB = tokens(r, 20);
        List<int[]> seqs = new ArrayList<>();
        for (int len : new int[]{1, 5, 30, 60}) seqs.add(concat(promptA, tokens(r, len)));   // 4 responses to prompt A
        seqs.add(concat(promptA, new int[0]).clone());                                      // the prompt alone
        seqs.add(seqs.get(2).clone());                                                      // a duplicate
        for (int len : new int[]{3, 40}) seqs.add(concat(promptB, tokens(r, len)));         // 2 responses to prompt B
        seqs.add(tokens(r, 17));                                                            // unrelated
        seqs.add(Arrays.copyOf(promptB, 6));                                                // shares only 6 tokens with B's
        int[][] ids = seqs.toArray(int[][]::new);
        for (String f : new String[]{"llama-seqcls", "qwen2-seqcls", "gemma2-seqcls", "mistral-seqcls", "llama-seqcls-3obj"}) {
            try (RewardModel m = ModelLoader.loadRewardModel(Fixtures.dir(f))) {
                PrefixPlan plan = m.prefixPlan(ids, 8);
                assertEquals(2, plan.groups().size(), f);
                assertEquals(List.of(8, 9), plan.alone().stream().sorted().toList(), f + ": the unrelated and the 6-token sequences run alone");
                float[][] full = m.score(ids), shared = m.scoreSharingPrefixes(ids, 8);
                double max = 0;
                for (int i = 0; i < ids.length; i++)
                    for (int l = 0; l < full[i].length; l++) max = Math.max(max, Math.abs(full[i][l] - shared[i][l]));
                System.out.printf("%s: shared-prefix vs full scores, max |diff| %.2e (%d tokens computed once)%n", f, max, plan.tokensSaved());
                assertTrue(max <= 1e-5, f + " max diff " + max);
                assertTrue(plan.tokensSaved() >= 4 * 49 + 19, f + " saved " + plan.tokensSaved());
            }
        }
    }

    @Test
    void theSharedPartStopsBeforeEachMembersLastTokenAndScoreToken() {
        int[][] ids = {{5, 6, 7, 8, 9}, {5, 6, 7, 8, 9}, {5, 6, 7, 8, 9, 10}};
        PrefixPlan p = PrefixPlan.of(ids, new int[]{4, 4, 5}, 2);
        assertEquals(1, p.groups().size());
        assertEquals(4, p.shared()[0], "identical sequences still run their last token");
        PrefixPlan early = PrefixPlan.of(ids, new int[]{1, 4, 5}, 2);
        assertTrue(early.groups().isEmpty() || Arrays.stream(early.groups().getFirst()).noneMatch(i -> i == 0),
                "a sequence read at token 1 cannot share 2 tokens");
        assertThrows(IllegalArgumentException.class, () -> PrefixPlan.of(ids, new int[]{4, 4, 5}, 0));
    }
}
