package dev.tare.scorers.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.Message;
import dev.tare.data.SharedData;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.text.TokenizationConvention;
import dev.tare.scorers.ScorerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end on the tiny hf-parity checkpoints (transformers 4.46.3 goldens) with a word-level tokenizer built here:
 * word "wN" is id N, so a conversation can be written to tokenize to exactly a golden case's input_ids.
 */
class LocalRewardScorerTest {
    static final ObjectMapper OM = new ObjectMapper();
    /** A plain template: messages joined by spaces (no special tokens). */
    static final String PLAIN = "{% for m in messages %}{{ m['content'] }}{% if not loop.last %} {% endif %}{% endfor %}"
            + "{% if add_generation_prompt %} {% endif %}";
    /** The same with the template writing the BOS itself, as Llama 3's does. */
    static final String WITH_BOS = "{{ bos_token }} " + PLAIN;

    @TempDir Path tmp;

    static Path fixture(String name) {
        String env = System.getenv("TARE_HF_PARITY");
        Path p = env != null ? Path.of(env).resolve(name) : SharedData.root().map(r -> r.resolve("fixtures/hf-parity/" + name)).orElse(null);
        assumeTrue(p != null && Files.isDirectory(p), "hf-parity fixture " + name + " not found (TARE_HF_PARITY / shared): skipping");
        return p;
    }

    /** config.json + safetensors of a fixture plus a word-level tokenizer (pad 0, &lt;s&gt; 1 added as BOS, &lt;/s&gt; 2). */
    Path modelDir(String fixture, String template) throws Exception {
        Path src = fixture(fixture);
        Path dir = tmp.resolve(fixture);
        Files.createDirectories(dir);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        dev.tare.runtime.tiny.TinyCheckpoint.writeWordLevelTokenizer(dir, template, true);
        return dir;
    }

    static JsonNode golden(String fixture, String caseName) throws Exception {
        for (JsonNode c : OM.readTree(fixture(fixture).resolve("goldens.json").toFile()).get("cases")) {
            if (c.get("name").asText().equals(caseName)) return c;
        }
        throw new AssertionError("no case " + caseName);
    }

    static int[] ids(JsonNode c) {
        JsonNode row = c.get("input_ids").get(0);
        int[] r = new int[row.size()];
        for (int i = 0; i < r.length; i++) r[i] = row.get(i).asInt();
        return r;
    }

    static String words(int[] ids, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "w" + ids[i]).collect(Collectors.joining(" "));
    }

    /** user = the first {@code split} golden ids, assistant = the rest. */
    static List<Message> conversation(int[] g, int split) {
        return List.of(Message.user(words(g, 0, split)), Message.assistant(words(g, split, g.length)));
    }

    @Test
    void scoreEqualsTransformersGoldenWhenIdsMatch() throws Exception {
        JsonNode c = golden("llama-seqcls", "len33");
        int[] g = ids(c);
        try (var s = LocalRewardScorer.open(modelDir("llama-seqcls", PLAIN), LocalRewardScorer.Options.defaults())) {
            assertArrayEquals(g, s.encode(conversation(g, 20)).ids());
            double[] r = s.score(List.of(conversation(g, 20), conversation(g, 5)));
            float want = Float.parseFloat(c.get("logits").get(0).get(0).asText());
            assertEquals(want, r[0], 2e-5, "transformers 4.46.3 logit");
            assertEquals(r[0], r[1], 0.0, "same ids, same score wherever the turn boundary is");
        }
    }

    @Test
    void doubledBosIsWhatTheModelSeesWithSpecialTokens() throws Exception {
        int[] g = ids(golden("llama-seqcls", "len7"));
        Path dir = modelDir("llama-seqcls", WITH_BOS);
        var conv = conversation(g, 3);
        try (var without = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults());
             var with = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults().withConvention(TokenizationConvention.WITH_SPECIAL_TOKENS));
             RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            int[] one = concat(new int[]{1}, g), two = concat(new int[]{1, 1}, g);
            assertArrayEquals(one, without.encode(conv).ids());
            assertArrayEquals(two, with.encode(conv).ids());
            assertTrue(with.encode(conv).doubledBos());
            float[][] ref = rm.score(new int[][]{one, two});
            assertEquals(ref[0][0], without.score(List.of(conv))[0], 0.0);
            assertEquals(ref[1][0], with.score(List.of(conv))[0], 0.0);
            assertTrue(Math.abs(ref[0][0] - ref[1][0]) > 1e-4, "the extra BOS changes the reward");
        }
    }

    @Test
    void multiObjectiveHeadLabelOrWeightedSum() throws Exception {
        JsonNode c = golden("llama-seqcls-3obj", "len7");
        int[] g = ids(c);
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = Float.parseFloat(c.get("logits").get(0).get(i).asText());
        Path dir = modelDir("llama-seqcls-3obj", PLAIN);
        var conv = List.of(conversation(g, 2));
        try (var l2 = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults().withReduction(LabelReduction.parse("label:2")));
             var w = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults().withReduction(LabelReduction.parse("weights:0.5,-1,2")))) {
            assertEquals(want[2], l2.score(conv)[0], 2e-5);
            assertEquals(0.5 * want[0] - want[1] + 2 * want[2], w.score(conv)[0], 6e-5);
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults().withReduction(LabelReduction.label(3))));
        assertTrue(e.getMessage().contains("3 label"), e.getMessage());
        // no choice on a 3-label head: an error listing the labels, never label 0 silently
        var none = assertThrows(IllegalArgumentException.class, () -> LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults()));
        assertTrue(none.getMessage().contains("0=LABEL_0, 1=LABEL_1, 2=LABEL_2") && none.getMessage().contains("label=N"), none.getMessage());
        try (var l0 = LocalRewardScorer.open(dir, LocalRewardScorer.Options.parse(java.util.Map.of("label", "0")))) {
            assertEquals(want[0], l0.score(conv)[0], 2e-5);
            assertEquals("label=0", l0.provenance().get("labels"));
        }
    }

    /**
     * A plain multi-label head seen per label (transformers' logits for the labels, the reduction's weights as fixed
     * coefficients) and re-weighted with {@code objectives=}: Σ wᵢ · weightᵢ · logitᵢ from the golden logits.
     */
    @Test
    void multiLabelHeadPerLabelViewAndReweighting() throws Exception {
        JsonNode c = golden("llama-seqcls-3obj", "len7");
        int[] g = ids(c);
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = Float.parseFloat(c.get("logits").get(0).get(i).asText());
        Path dir = modelDir("llama-seqcls-3obj", PLAIN);
        var conv = List.of(conversation(g, 2));
        try (var w = LocalRewardScorer.open(dir, LocalRewardScorer.Options.parse(java.util.Map.of("weights", "0.5;-1;2")));
             var masked = LocalRewardScorer.open(dir, LocalRewardScorer.Options.parse(java.util.Map.of("weights", "0.5;-1;2", "objectives", "-LABEL_1;LABEL_2:0.25")))) {
            assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2"), w.objectiveNames());
            var o = w.explain(conv).getFirst();
            for (int i = 0; i < 3; i++) assertEquals(want[i], o.rewards()[i], 2e-5, "label " + i);
            assertArrayEquals(new float[]{0.5f, -1f, 2f}, o.coefficients());
            assertEquals(w.score(conv)[0], w.reward(o), 1e-9);
            assertEquals(0.5 * want[0] - want[1] + 2 * want[2], o.score(), 6e-5);
            assertEquals(0.5 * want[0] + 0.25 * 2 * want[2], masked.score(conv)[0], 6e-5);
            assertEquals("-LABEL_1;LABEL_2:0.25", masked.provenance().get("objective_weights"));
        }
        var e = assertThrows(IllegalArgumentException.class, () -> LocalRewardScorer.open(fixtureDirWithOneLabel(),
                LocalRewardScorer.Options.parse(java.util.Map.of("objectives", "-LABEL_0"))));
        assertTrue(e.getMessage().contains("one label"), e.getMessage());
    }

    private Path fixtureDirWithOneLabel() throws Exception { return modelDir("llama-seqcls", PLAIN); }

    /**
     * The score token: current transformers' last-non-pad by default, transformers 4.46's first-pad on request (its
     * golden reproduced), recorded as provenance, and a warning (once) when the pad id sits inside the content.
     */
    @Test
    void scoreTokenRuleDefaultOptionAndPadInsideWarning() throws Exception {
        JsonNode c = golden("llama-seqcls", "pad_id_inside_content");
        int[] g = ids(c);
        float v446 = Float.parseFloat(c.get("logits").get(0).get(0).asText());
        Path dir = modelDir("llama-seqcls", PLAIN);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        try (var dflt = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults());
             var first = LocalRewardScorer.open(dir, LocalRewardScorer.Options.parse(java.util.Map.of("score-token", "first-pad")));
             RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            assertEquals(java.util.Map.of("score_token", "last-non-pad"), dflt.provenance());
            assertEquals("first-pad", first.provenance().get("score_token"));
            System.setErr(new java.io.PrintStream(err, true));
            assertEquals(v446, first.scoreIds(new int[][]{g})[0], 1e-4, "first-pad reproduces transformers 4.46");
            double last = dflt.scoreIds(new int[][]{g, g})[0];
            dflt.scoreIds(new int[][]{g});
            assertEquals(rm.withScoreTokenRule(dev.tare.runtime.model.ScoreTokenRule.LAST_NON_PAD).score(new int[][]{g})[0][0], last, 0.0);
            assertTrue(Math.abs(v446 - last) > 1e-3, "the two rules read different tokens here");
        } finally {
            System.setErr(old);
        }
        String warnings = err.toString();
        assertEquals(2, warnings.split("occurs inside the content", -1).length - 1, "once per scorer: " + warnings);
        var bad = assertThrows(IllegalArgumentException.class, () -> LocalRewardScorer.Options.parse(java.util.Map.of("score-token", "last")));
        assertTrue(bad.getMessage().contains("last-non-pad") && bad.getMessage().contains("first-pad"), bad.getMessage());
    }

    @Test
    void maxLengthDropsPromptFromTheLeftAndKeepsTheResponse() throws Exception {
        int[] g = ids(golden("llama-seqcls", "len33"));
        Path dir = modelDir("llama-seqcls", WITH_BOS);
        var conv = conversation(g, 25); // BOS + 25 prompt ids + 8 response ids = 34
        try (var s = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults().withMaxLength(20));
             RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            int[] want = concat(new int[]{1}, Arrays.copyOfRange(g, 14, 33)); // BOS, last 11 prompt ids, 8 response ids
            var enc = s.encode(conv);
            assertArrayEquals(want, enc.ids());
            assertEquals(14, enc.truncatedPromptTokens());
            assertEquals(rm.score(new int[][]{want})[0][0], s.score(List.of(conv))[0], 0.0);
            var tooLong = conversation(g, 10); // response 23 ids + BOS > 20
            var ex = assertThrows(ScorerException.class, () -> s.score(List.of(conv, tooLong)));
            assertTrue(ex.getMessage().contains("conversation 1") && ex.getMessage().contains("response alone is 23 tokens"), ex.getMessage());
        }
    }

    @Test
    void renderedTextIsTokenizedWithoutAddingSpecialTokens() throws Exception {
        int[] g = ids(golden("llama-seqcls", "len7"));
        Path dir = modelDir("llama-seqcls", WITH_BOS);
        try (var s = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults())) {
            var conv = conversation(g, 3);
            String rendered = s.encoder().render(conv);
            assertEquals(s.score(List.of(conv))[0], s.scoreRendered(List.of(rendered))[0], 0.0);
        }
    }

    @Test
    void tokenizerThatDoesNotFitTheModelIsRejected() throws Exception {
        Path dir = modelDir("llama-seqcls", PLAIN);
        try (var s = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults())) {
            var ex = assertThrows(ScorerException.class, () -> s.scoreIds(new int[][]{{5, 600}}));
            assertTrue(ex.getMessage().contains("vocab_size 512"), ex.getMessage());
        }
        Files.delete(dir.resolve("tokenizer.json"));
        var ex = assertThrows(RuntimeException.class, () -> LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults()));
        assertTrue(ex.getMessage().contains("tokenizer.json"), ex.getMessage());
    }

    @Test
    void optionsParseFromScorerSpecPairs() {
        var o = LocalRewardScorer.Options.parse(java.util.Map.of("convention", "with-special-tokens", "max-length", "2048",
                "weights", "0.5;0.25;0.25", "score-token", "last-non-pad"));
        assertEquals(TokenizationConvention.WITH_SPECIAL_TOKENS, o.convention());
        assertEquals(2048, o.maxLength());
        assertEquals(0.5 * 2 + 0.25 * 4 + 0.25 * 8, o.reduction().reduce(new float[]{2, 4, 8}), 0.0);
        assertEquals(dev.tare.runtime.model.ScoreTokenRule.LAST_NON_PAD, o.scoreTokenRule());
        var e = assertThrows(IllegalArgumentException.class, () -> LocalRewardScorer.Options.parse(java.util.Map.of("maxlen", "5")));
        assertTrue(e.getMessage().contains("unknown local scorer option 'maxlen'"), e.getMessage());
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
