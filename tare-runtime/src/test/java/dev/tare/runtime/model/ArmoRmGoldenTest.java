package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.SharedData;
import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static dev.tare.runtime.model.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * ArmoRM's gated multi-objective head ({@code LlamaForRewardModelWithGating}) against armorm-tiny ($TARE_ARMORM,
 * default ../shared/fixtures/armorm-tiny): rewards, gating output, coefficients, score and top-3 objectives from a
 * transcription of ArmoRM's published head over transformers' LlamaModel, ≤ 1e-4 abs. Skips only when neither the
 * variable nor ../shared exists; a missing file or case fails.
 */
class ArmoRmGoldenTest {
    static final double TOL = 1e-4;
    static final int CASES = 4;

    static Path dir() {
        String env = System.getenv("TARE_ARMORM");
        Path d;
        if (env != null && !env.isBlank()) {
            d = Path.of(env);
            if (!Files.isDirectory(d)) fail("TARE_ARMORM=" + env + " is not a folder");
        } else {
            var shared = SharedData.root();
            Assumptions.assumeTrue(shared.isPresent(), "armorm-tiny fixture: neither ../shared nor TARE_ARMORM exists (user clone): skipping");
            d = shared.get().resolve("fixtures/armorm-tiny");
            if (!Files.isDirectory(d)) fail("../shared is present (" + shared.get() + ") but the armorm-tiny fixture " + d + " is missing");
        }
        for (String f : List.of("config.json", "model.safetensors", "goldens.json"))
            if (!Files.isRegularFile(d.resolve(f))) fail("armorm-tiny fixture " + d + " lacks " + f);
        return d;
    }

    @Test
    void everyGoldenCaseMatchesWithinTolerance() {
        Path d = dir();
        JsonNode cases = need(goldens(d), "cases", d);
        assertEquals(CASES, cases.size(), d + ": golden cases");
        double maxR = 0, maxG = 0, maxC = 0, maxS = 0;
        try (RewardModel m = ModelLoader.loadRewardModel(d)) {
            assertTrue(m.isGated());
            assertEquals(ModelConfig.Head.GATED_MULTI_OBJECTIVE, m.config().head());
            GatingConfig g = m.gating().orElseThrow();
            assertEquals(19, g.numObjectives());
            assertEquals(GatingConfig.ARMORM_OBJECTIVES, g.objectiveNames());
            int[][] all = new int[cases.size()][];
            for (int c = 0; c < cases.size(); c++) all[c] = ints(need(cases.get(c), "input_ids", "case " + c));
            List<ObjectiveScores> batch = m.objectives(all);   // packed together
            float[][] scores = m.score(all);
            for (int c = 0; c < cases.size(); c++) {
                JsonNode k = cases.get(c);
                String where = d + " case " + c;
                assertEquals(need(k, "gating_position", where).asInt(), RewardModel.gatingPosition(all[c]), where + ": gating position");
                ObjectiveScores one = m.objectives(new int[][]{all[c]}).getFirst();
                ObjectiveScores got = batch.get(c);
                assertEquals(0, maxDiff(one.rewards(), got.rewards()), 1e-5, where + ": packed vs alone");
                maxR = Math.max(maxR, check(got.rewards(), floats(need(k, "rewards", where)), where + " rewards"));
                maxG = Math.max(maxG, check(got.gating(), floats(need(k, "gating_output", where)), where + " gating_output"));
                maxC = Math.max(maxC, check(got.coefficients(), floats(need(k, "multi_obj_coeffs", where)), where + " multi_obj_coeffs"));
                float want = Float.parseFloat(need(k, "score", where).asText());
                maxS = Math.max(maxS, check(new float[]{got.score()}, new float[]{want}, where + " score"));
                assertEquals(got.score(), scores[c][0], 1e-6, where + ": score() is the gated score");
                assertEquals(got.score(), got.reweighted(ones(19)), 1e-5, where + ": contributions sum to the score");
                assertArrayEquals(ints(need(k, "top3_objectives", where)), got.topByCoefficient(3), where + ": top-3 objectives by |coefficient|");
            }
        }
        System.out.printf("armorm-tiny: %d cases, max |diff| rewards %.3g, gating %.3g, coefficients %.3g, score %.3g%n", CASES, maxR, maxG, maxC, maxS);
    }

    private static double check(float[] got, float[] want, String what) {
        double m = maxDiff(got, want);
        assertTrue(m <= TOL, what + ": max |diff| " + m + " > " + TOL);
        return m;
    }

    private static double[] ones(int n) {
        double[] r = new double[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }

    @Test
    void theLastAssistantHeaderDecidesAndItsAbsenceIsAnError() {
        Path d = dir();
        int[] twoTurns = ints(need(goldens(d).get("cases").get(3), "input_ids", "case 3"));
        int first = RewardModel.gatingPosition(java.util.Arrays.copyOf(twoTurns, twoTurns.length - 10));
        assertTrue(first < RewardModel.gatingPosition(twoTurns), "the multi-turn case has an earlier header");
        try (RewardModel m = ModelLoader.loadRewardModel(d)) {
            int[] noHeader = {128000, 128006, 882, 128007, 271, 1000, 2000, 128009};
            var e = assertThrows(IllegalArgumentException.class, () -> m.objectives(new int[][]{twoTurns, noHeader}));
            assertTrue(e.getMessage().contains("sequence 1") && e.getMessage().contains("assistant"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.score(new int[][]{noHeader}));
            assertThrows(UnsupportedOperationException.class, m::head);
        }
    }

    /**
     * The published head reads rewards one before the FIRST pad id (its own rule, not transformers'): case 0 followed by
     * a pad id and more tokens still gives case 0's golden rewards and score; read at the last non-pad token it does not.
     */
    @Test
    void rewardsAreReadBeforeTheFirstPadAsThePublishedHeadDoes() {
        Path d = dir();
        JsonNode c0 = goldens(d).get("cases").get(0);
        int[] g = ints(need(c0, "input_ids", "case 0"));
        int pad = 128256;
        int[] ids = java.util.Arrays.copyOf(g, g.length + 4);
        ids[g.length] = pad;
        ids[g.length + 1] = 1000;
        ids[g.length + 2] = 2000;
        ids[g.length + 3] = 3000;
        try (RewardModel m = ModelLoader.loadRewardModel(d)) {
            assertEquals(ScoreTokenRule.FIRST_PAD_MINUS_ONE, m.scoreTokenRule());
            assertEquals(ScoreTokenRule.FIRST_PAD_MINUS_ONE, m.defaultScoreTokenRule());
            ObjectiveScores o = m.objectives(new int[][]{ids}).getFirst();
            check(o.rewards(), floats(need(c0, "rewards", "case 0")), "case 0 + pad + 3 tokens: rewards");
            check(new float[]{o.score()}, new float[]{Float.parseFloat(c0.get("score").asText())}, "case 0 + pad + 3 tokens: score");
            ObjectiveScores last = m.withScoreTokenRule(ScoreTokenRule.LAST_NON_PAD).objectives(new int[][]{ids}).getFirst();
            assertTrue(maxDiff(last.rewards(), floats(c0.get("rewards"))) > 1e-3, "the last-non-pad rule reads another token");
        }
    }

    @Test
    void missingConfigKeyIsNamed(@TempDir Path tmp) throws IOException {
        Path d = dir();
        for (String key : List.of("num_objectives", "gating_temperature", "gating_hidden_dim", "gating_n_hidden")) {
            Path t = tmp.resolve(key);
            copyWith(d, t, n -> true, Map.of());
            ObjectNode cfg = (ObjectNode) new ObjectMapper().readTree(t.resolve("config.json").toFile());
            cfg.remove(key);
            Files.writeString(t.resolve("config.json"), cfg.toString());
            var e = assertThrows(DataFormatException.class, () -> ModelLoader.loadRewardModel(t));
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains("config.json"), e.getMessage());
        }
    }

    @Test
    void missingOrMisshapenTensorIsNamed(@TempDir Path tmp) throws IOException {
        Path d = dir();
        Path a = tmp.resolve("missing");
        copyWith(d, a, n -> !n.equals("reward_transform_matrix"), Map.of());
        var e = assertThrows(SafetensorsException.class, () -> ModelLoader.loadRewardModel(a));
        assertTrue(e.getMessage().contains("reward_transform_matrix") && e.getMessage().contains("model.safetensors"), e.getMessage());

        Path b = tmp.resolve("shape");
        copyWith(d, b, n -> true, Map.of("gating.layers.3.weight", new long[]{19, 8}));
        e = assertThrows(SafetensorsException.class, () -> ModelLoader.loadRewardModel(b));
        assertTrue(e.getMessage().contains("gating.layers.3.weight") && e.getMessage().contains("[19, 8]"), e.getMessage());

        Path c = tmp.resolve("extra-layer");
        copyWith(d, c, n -> true, Map.of("gating.layers.4.weight", new long[]{19, 19}));
        e = assertThrows(SafetensorsException.class, () -> ModelLoader.loadRewardModel(c));
        assertTrue(e.getMessage().contains("gating.layers.4.weight"), e.getMessage());
    }

    /**
     * Copies the fixture to {@code to}, keeping the tensors {@code keep} accepts; {@code reshape} entries add (new
     * name) or replace (existing name) a zero tensor of that shape.
     */
    private static void copyWith(Path from, Path to, Predicate<String> keep, Map<String, long[]> reshape) throws IOException {
        Files.createDirectories(to);
        Files.copy(from.resolve("config.json"), to.resolve("config.json"));
        try (WeightStore w = WeightStore.open(from)) {
            List<SafetensorsWriter.Entry> es = new ArrayList<>();
            for (Tensor t : w.tensors().values()) {
                if (!keep.test(t.name()) || reshape.containsKey(t.name())) continue;
                es.add(new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape(), SafetensorsWriter.copyOf(t)));
            }
            for (var r : reshape.entrySet()) {
                long n = 1;
                for (long s : r.getValue()) n *= s;
                float[] zeros = new float[(int) n];
                es.add(new SafetensorsWriter.Entry(r.getKey(), dev.tare.runtime.kernel.DType.F32, r.getValue(), out -> SafetensorsWriter.writeF32(out, zeros)));
            }
            SafetensorsWriter.write(to.resolve("model.safetensors"), es, Map.of("format", "pt"));
        }
    }
}
