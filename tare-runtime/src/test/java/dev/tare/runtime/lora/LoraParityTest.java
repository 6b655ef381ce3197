package dev.tare.runtime.lora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.runtime.model.Fixtures;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.tare.runtime.model.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every lora-* fixture folder vs PEFT 0.13.2: all λ sweeps, both head choices, adapters disabled, λ=1 hidden states;
 * and two strengths scored concurrently on one loaded base.
 */
class LoraParityTest {
    static final double TOL = 1e-4;

    @TestFactory
    List<DynamicTest> everyAdapterFolder() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : ADAPTER_FOLDERS) tests.add(DynamicTest.dynamicTest(name, () -> check(dir(name))));
        return tests;
    }

    private void check(Path dir) {
        JsonNode g = goldens(dir);
        for (String f : List.of("adapter_config.json", "adapter_model.safetensors"))
            assertTrue(Files.isRegularFile(dir.resolve(f)), dir.resolve(f) + " is missing");
        Path base = Fixtures.dir(need(g, "base_model_dir", dir).asText());
        int cases = 0;
        LoraAdapter ad = LoraAdapter.load(dir);
        double max = 0;
        int n = 0;
        try (LoraModel lm = LoraModel.open(base, List.of(ad)); RewardModel plain = ModelLoader.loadRewardModel(base)) {
            for (JsonNode sweep : need(g, "sweeps", dir)) {
                double lambda = sweep.get("lambda").asDouble();
                LoraModel at = lm.withStrengths(Map.of(ad.name(), lambda));
                RewardModel withAdapterHead = at.rewardModel(HeadChoice.ADAPTER), withBaseHead = at.rewardModel(HeadChoice.BASE);
                for (LoraAdapter.Module m : ad.modules().values())
                    assertEquals(sweep.get("scaling_set").asDouble(), lambda * m.scaling(), 1e-9, dir + " scaling at λ=" + lambda);
                for (JsonNode c : need(sweep, "cases", dir + " λ=" + lambda)) {
                    cases++;
                    max = Math.max(max, compare(withAdapterHead, c, "logits", dir + " λ=" + lambda));
                    max = Math.max(max, compare(withBaseHead, c, "logits_base_head", dir + " λ=" + lambda + " base head"));
                    n += 2;
                    if (lambda == 0) {
                        int[][] ids = ints2(c.get("input_ids"));
                        float[][] a = withBaseHead.scorePadded(ids, ints2(c.get("attention_mask")), ints2(c.get("position_ids")));
                        float[][] b = plain.scorePadded(ids, ints2(c.get("attention_mask")), ints2(c.get("position_ids")));
                        for (int i = 0; i < a.length; i++) assertArrayEquals(b[i], a[i], 0f, "λ=0 with the base head is exactly the base model");
                    }
                }
            }
            RewardModel off = lm.withStrengths(Map.of(ad.name(), 0.0)).rewardModel(HeadChoice.BASE);
            for (JsonNode c : need(g, "adapters_disabled_cases", dir)) {
                cases++;
                max = Math.max(max, compare(off, c, "logits", dir + " disabled"));
                n++;
            }
            JsonNode dbg = g.get("debug");
            if (dbg != null && dbg.has("lambda_1_len7_hidden_states_at_last_token")) {
                RewardModel withAdapterHead = lm.rewardModel(HeadChoice.ADAPTER);   // as opened: strength 1
                int[] ids = null;
                for (JsonNode c : g.get("sweeps").get(0).get("cases")) if (c.get("name").asText().equals("len7")) ids = ints(c.get("input_ids").get(0));
                float[][] hs = withAdapterHead.hiddenStates(ids);
                JsonNode want = dbg.get("lambda_1_len7_hidden_states_at_last_token");
                int H = withAdapterHead.config().hiddenSize(), last = ids.length - 1;
                for (int i = 0; i < want.size(); i++) {
                    double d = maxDiff(java.util.Arrays.copyOfRange(hs[i], last * H, last * H + H), floats(want.get(i)));
                    assertTrue(d <= TOL, dir + " λ=1 hidden_states[" + i + "] " + d);
                    max = Math.max(max, d);
                }
            }
        }
        assertCases(dir.getFileName().toString(), cases);
        assertEquals(5, g.get("sweeps").size(), dir + ": lambda sweeps");
        System.out.printf("lora-parity %-32s %3d comparisons, max |diff| %.3g%n", dir.getFileName(), n, max);
    }

    @Test
    void twoStrengthsScoredAtOnceOnOneLoadedBase() throws Exception {
        // λ is bound per view, not set on the shared adapter: +1 and −0.5 run at the same time on one loaded base,
        // each thread's every forward pass meeting the others' (barrier), and each matches PEFT at its own λ
        Path dir = dir("lora-llama-seqcls-qkvo");
        JsonNode g = goldens(dir);
        LoraAdapter ad = LoraAdapter.load(dir);
        try (LoraModel lm = LoraModel.open(Fixtures.dir(need(g, "base_model_dir", dir).asText()), List.of(ad));
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            CyclicBarrier together = new CyclicBarrier(2);
            Future<Integer> plus = pool.submit(() -> scoreWhileTheOtherDoes(lm, ad, sweep(g, 1.0), together));
            Future<Integer> minus = pool.submit(() -> scoreWhileTheOtherDoes(lm, ad, sweep(g, -0.5), together));
            int n = plus.get(5, TimeUnit.MINUTES) + minus.get(5, TimeUnit.MINUTES);
            assertEquals(2 * 2 * 3 * sweep(g, 1.0).get("cases").size(), n);
            // and the opened model still reads at its own strength (1)
            for (JsonNode c : sweep(g, 1.0).get("cases")) compare(lm.rewardModel(HeadChoice.ADAPTER), c, "logits", "after the threads, λ=1");
        }
    }

    private static JsonNode sweep(JsonNode g, double lambda) {
        for (JsonNode s : g.get("sweeps")) if (s.get("lambda").asDouble() == lambda) return s;
        throw new AssertionError("no sweep at λ=" + lambda);
    }

    private static int scoreWhileTheOtherDoes(LoraModel lm, LoraAdapter ad, JsonNode sweep, CyclicBarrier together) throws Exception {
        double lambda = sweep.get("lambda").asDouble();
        LoraModel view = lm.withStrengths(Map.of(ad.name(), lambda));
        RewardModel withAdapterHead = view.rewardModel(HeadChoice.ADAPTER), withBaseHead = view.rewardModel(HeadChoice.BASE);
        int n = 0;
        try {
            for (int round = 0; round < 3; round++) {
                for (JsonNode c : sweep.get("cases")) {
                    together.await(1, TimeUnit.MINUTES);
                    compare(withAdapterHead, c, "logits", "concurrent λ=" + lambda);
                    together.await(1, TimeUnit.MINUTES);
                    compare(withBaseHead, c, "logits_base_head", "concurrent λ=" + lambda + " base head");
                    n += 2;
                }
            }
        } catch (Throwable t) {
            together.reset();   // the other thread stops waiting for this one
            throw t;
        }
        return n;
    }

    static double compare(RewardModel rm, JsonNode c, String field, String what) {
        int[][] ids = ints2(c.get("input_ids"));
        // transformers 4.46 goldens: its first-pad-minus-one score token
        float[][] got = rm.withScoreTokenRule(dev.tare.runtime.model.ScoreTokenRule.FIRST_PAD_MINUS_ONE)
                .scorePadded(ids, ints2(c.get("attention_mask")), ints2(c.get("position_ids")));
        double max = 0;
        for (int b = 0; b < ids.length; b++) {
            double d = maxDiff(got[b], floats(c.get(field).get(b)));
            assertTrue(d <= TOL, what + " " + c.get("name").asText() + " row " + b + ": |diff| " + d);
            max = Math.max(max, d);
        }
        return max;
    }
}
