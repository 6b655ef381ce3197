package dev.tare.scorers.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.Message;
import dev.tare.data.SharedData;
import dev.tare.runtime.model.GatingConfig;
import dev.tare.runtime.model.ObjectiveScores;
import dev.tare.scorers.ScorerException;
import dev.tare.scorers.ScorerSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The local scorer on armorm-tiny ($TARE_ARMORM, default ../shared/fixtures/armorm-tiny) with the real Llama 3
 * tokenizer (../shared/data/tokenizers/llama3_1): the score, and the score with objectives masked or re-weighted,
 * against the fixture's goldens (score − Σ (1 − w_i) · rewards_i · coefficients_i from the golden rewards and
 * coefficients), ≤ 1e-4.
 */
class ArmoRmScorerTest {
    static final double TOL = 1e-4;
    @TempDir Path tmp;

    /** The fixture's weights with the Llama 3 tokenizer beside them; fails when the fixture is there but incomplete. */
    static Path modelDir(Path tmp) throws Exception {
        String env = System.getenv("TARE_ARMORM");
        var shared = SharedData.root();
        Path fx;
        if (env != null && !env.isBlank()) fx = Path.of(env);
        else {
            Assumptions.assumeTrue(shared.isPresent(), "armorm-tiny fixture: neither ../shared nor TARE_ARMORM exists (user clone): skipping");
            fx = shared.get().resolve("fixtures/armorm-tiny");
        }
        Assumptions.assumeTrue(shared.isPresent(), "the Llama 3 tokenizer is in ../shared/data/tokenizers, which is absent: skipping");
        Path tok = shared.get().resolve("data/tokenizers/llama3_1");
        for (Path f : List.of(fx.resolve("config.json"), fx.resolve("model.safetensors"), fx.resolve("goldens.json"),
                tok.resolve("tokenizer.json"), tok.resolve("tokenizer_config.json")))
            if (!Files.isRegularFile(f)) fail(f + " is missing");
        Path d = tmp.resolve("armorm-tiny");
        Files.createDirectories(d);
        for (String f : List.of("config.json", "model.safetensors")) Files.createSymbolicLink(d.resolve(f), fx.resolve(f).toAbsolutePath());
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.createSymbolicLink(d.resolve(f), tok.resolve(f).toAbsolutePath());
        Files.createSymbolicLink(d.resolve("goldens.json"), fx.resolve("goldens.json").toAbsolutePath());
        return d;
    }

    static JsonNode cases(Path d) throws Exception { return new ObjectMapper().readTree(d.resolve("goldens.json").toFile()).get("cases"); }

    static int[] ids(JsonNode c) {
        int[] r = new int[c.get("input_ids").size()];
        for (int i = 0; i < r.length; i++) r[i] = c.get("input_ids").get(i).asInt();
        return r;
    }

    static double[] doubles(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asDouble();
        return r;
    }

    /** The golden score with objective i's golden contribution scaled by w[i]. */
    static double goldenReweighted(JsonNode c, double[] w) {
        double[] r = doubles(c.get("rewards")), k = doubles(c.get("multi_obj_coeffs"));
        double s = c.get("score").asDouble();
        for (int i = 0; i < w.length; i++) s -= (1 - w[i]) * r[i] * k[i];
        return s;
    }

    @Test
    void scoresAndReweightedScoresMatchTheGoldens() throws Exception {
        Path d = modelDir(tmp);
        JsonNode cases = cases(d);
        int[][] ids = new int[cases.size()][];
        for (int i = 0; i < ids.length; i++) ids[i] = ids(cases.get(i));
        List<String> names = GatingConfig.ARMORM_OBJECTIVES;
        int verbosity = names.indexOf("helpsteer-verbosity"), style = names.indexOf("code-style");
        double[] plain = new double[19], masked = new double[19], mixed = new double[19];
        java.util.Arrays.fill(plain, 1);
        java.util.Arrays.fill(masked, 1);
        java.util.Arrays.fill(mixed, 1);
        masked[verbosity] = 0;
        mixed[verbosity] = 0.5;
        mixed[style] = 0;
        double maxDiff = 0;
        for (var run : List.of(new Object[]{"", plain}, new Object[]{",objectives=-helpsteer-verbosity", masked},
                new Object[]{",objectives=helpsteer-verbosity:0.5;-code-style", mixed})) {
            try (LocalRewardScorer s = ((ScorerSpec.Local) ScorerSpec.parse("local:" + d + run[0])).open()) {
                assertEquals(names, s.objectiveNames());
                double[] got = s.scoreIds(ids);
                for (int i = 0; i < ids.length; i++) {
                    double want = goldenReweighted(cases.get(i), (double[]) run[1]);
                    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want));
                    assertEquals(want, got[i], TOL, "case " + i + run[0]);
                }
                if (!((String) run[0]).isEmpty()) assertEquals(((String) run[0]).substring(12), s.provenance().get("objective_weights"));
            }
        }
        System.out.printf("armorm-tiny scorer: max |diff| of score and re-weighted scores vs goldens %.3g%n", maxDiff);
    }

    @Test
    void explainsAChatTemplatedConversationAndRefusesTextWithoutAnAssistantHeader() throws Exception {
        Path d = modelDir(tmp);
        try (LocalRewardScorer s = ((ScorerSpec.Local) ScorerSpec.parse("local:" + d)).open()) {
            List<Message> conv = List.of(Message.user("Name a prime."), Message.assistant("Seven is a prime number."));
            int[] ids = s.encode(conv).ids();
            int gate = dev.tare.runtime.model.RewardModel.gatingPosition(ids);
            assertEquals(128009, ids[gate]);
            ObjectiveScores o = s.explain(List.of(conv)).getFirst();
            assertEquals(s.score(List.of(conv))[0], o.score(), 1e-6);
            assertEquals(o.score(), o.reweighted(new double[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), 1e-5);
            var e = assertThrows(ScorerException.class, () -> s.scoreRendered(List.of("no chat template here")));
            assertTrue(e.getMessage().contains("assistant"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> ((ScorerSpec.Local) ScorerSpec.parse("local:" + d + ",objectives=-verbosity")).open());
        assertTrue(e.getMessage().contains("verbosity") && e.getMessage().contains("helpsteer-verbosity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("local:" + d + ",objectives=helpsteer-verbosity:x"));
        assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("local:" + d + ",objectives=-a;-a"));
    }

    /**
     * {@code transform=} replaces the transform matrix: with the identity the score is Σ gating · rewards and with a
     * file holding T it is Σ gating · (rewards @ T), both from the golden rewards and gating output; objectives= applies
     * on top; a file of the wrong shape is refused naming it.
     */
    @Test
    void replacedTransformMatrixMatchesTheGoldenRewardsAndGating() throws Exception {
        Path d = modelDir(tmp);
        JsonNode cases = cases(d);
        int n = 19;
        double[][] t = new double[n][n];
        java.util.Random rnd = new java.util.Random(16);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) t[i][j] = (i == j ? 1 : 0) + 0.25 * rnd.nextGaussian();
        Path file = tmp.resolve("transform.json");
        Files.writeString(file, new ObjectMapper().writeValueAsString(t));
        int v = GatingConfig.ARMORM_OBJECTIVES.indexOf("helpsteer-verbosity");
        try (LocalRewardScorer id = ((ScorerSpec.Local) ScorerSpec.parse("local:" + d + ",transform=identity")).open();
             LocalRewardScorer tf = ((ScorerSpec.Local) ScorerSpec.parse("local:" + d + ",transform=" + file + ",objectives=-helpsteer-verbosity")).open()) {
            for (int c = 0; c < cases.size(); c++) {
                JsonNode k = cases.get(c);
                double[] r = doubles(k.get("rewards")), g = doubles(k.get("gating_output"));
                double plain = 0, mixed = 0;
                for (int i = 0; i < n; i++) {
                    plain += g[i] * r[i];
                    double coef = 0;
                    for (int j = 0; j < n; j++) coef += g[j] * t[i][j];
                    if (i != v) mixed += r[i] * coef;
                }
                assertEquals(plain, id.scoreIds(new int[][]{ids(k)})[0], TOL, "case " + c + " transform=identity");
                assertEquals(mixed, tf.scoreIds(new int[][]{ids(k)})[0], TOL, "case " + c + " transform=FILE, objectives=-helpsteer-verbosity");
            }
            assertEquals("identity", id.provenance().get("objective_transform"));
        }
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "[[1, 0], [0, 1]]");
        var e = assertThrows(dev.tare.data.DataFormatException.class, () -> ((ScorerSpec.Local) ScorerSpec.parse("local:" + d + ",transform=" + bad)).open());
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("19 rows"), e.getMessage());
    }
}
