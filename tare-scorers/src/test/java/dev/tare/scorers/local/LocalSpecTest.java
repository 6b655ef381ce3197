package dev.tare.scorers.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Message;
import dev.tare.scorers.RenderedTextScorer;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;
import dev.tare.scorers.judge.Generation;
import dev.tare.scorers.judge.SamplingParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code local:DIR[,adapter=DIR,lambda=X,head=...]} specs opened by {@link LocalRewardScorer#open(ScorerSpec.Local)},
 * against the transformers 4.46.3 / PEFT 0.13.2 goldens in shared/fixtures/hf-parity (tiny Llama seq-cls model; a
 * word-level tokenizer maps "wN" to id N so the goldens' ids are reproduced exactly).
 */
class LocalSpecTest {
    @TempDir Path tmp;

    private Path modelDir(String fixture) throws Exception {
        LocalRewardScorerTest h = new LocalRewardScorerTest();
        h.tmp = Files.createTempDirectory(tmp, "m");
        return h.modelDir(fixture, LocalRewardScorerTest.PLAIN);
    }

    static JsonNode sweepCase(String lambda, String name) throws Exception {
        Path goldens = LocalRewardScorerTest.fixture("lora-llama-seqcls-qkvo").resolve("goldens.json");
        for (JsonNode s : LocalRewardScorerTest.OM.readTree(goldens.toFile()).get("sweeps")) {
            if (!s.get("lambda").asText().equals(lambda)) continue;
            for (JsonNode c : s.get("cases")) if (c.get("name").asText().equals(name)) return c;
        }
        throw new AssertionError("no golden " + lambda + "/" + name);
    }

    static List<Message> conversation(JsonNode c, int split) {
        int[] ids = LocalRewardScorerTest.ids(c);
        return List.of(Message.user(IntStream.range(0, split).mapToObj(i -> "w" + ids[i]).collect(Collectors.joining(" "))),
                Message.assistant(IntStream.range(split, ids.length).mapToObj(i -> "w" + ids[i]).collect(Collectors.joining(" "))));
    }

    static double logit(JsonNode c, String field) { return Double.parseDouble(c.get(field).get(0).get(0).asText()); }

    private static RewardScorer open(String spec) { return ScorerSpec.parse(spec).rewardScorer(k -> null); }

    @Test
    void adapterAtLambdaMatchesPeftGoldens() throws Exception {
        Path dir = modelDir("llama-seqcls");
        Path adapter = LocalRewardScorerTest.fixture("lora-llama-seqcls-qkvo");
        for (String lam : List.of("-0.5", "1.0")) {
            JsonNode c = sweepCase(lam, "len33");
            try (var s = open("local:" + dir + ",adapter=" + adapter + ",lambda=" + lam)) {
                assertEquals(logit(c, "logits"), s.score(List.of(conversation(c, 20)))[0], 2e-5, "PEFT λ=" + lam + " (adapter head)");
                assertEquals("llama-seqcls+" + adapter.getFileName() + "@" + Double.parseDouble(lam), s.name());
                assertEquals(Map.of("score_token", "last-non-pad"), s.provenance(), "the LoRA scorer reports its settings");
                assertInstanceOf(RenderedTextScorer.class, s, "tare serve sends rendered text: the LoRA scorer must take it");
            }
            try (var s = open("local:" + dir + ",adapter=" + adapter + ",lambda=" + lam + ",head=base,score-token=first-pad")) {
                assertEquals(logit(c, "logits_base_head"), s.score(List.of(conversation(c, 20)))[0], 2e-5, "λ=" + lam + " base head");
                assertEquals("first-pad", s.provenance().get("score_token"));
            }
        }
    }

    @Test
    void lambdaZeroOnTheBaseHeadIsThePlainModelWithTheSameChatTemplate() throws Exception {
        Path dir = modelDir("llama-seqcls");
        Path adapter = LocalRewardScorerTest.fixture("lora-llama-seqcls-qkvo");
        JsonNode c = sweepCase("0.0", "len33");
        // a template file that differs from the tokenizer's: both spec forms must load it the same way
        Path jinja = tmp.resolve("t.jinja");
        Files.writeString(jinja, "{% for m in messages %}{{ m['content'] }} {% endfor %}w7");
        List<List<Message>> convs = List.of(conversation(c, 20), conversation(c, 5));
        try (var plain = open("local:" + dir + ",chat-template=" + jinja);
             var lora = open("local:" + dir + ",adapter=" + adapter + ",lambda=0,head=base,chat-template=" + jinja);
             var tokenizers = open("local:" + dir)) {
            double[] p = plain.score(convs), l = lora.score(convs);
            assertArrayEquals(p, l, 1e-6);
            assertNotEquals(tokenizers.score(convs)[0], p[0], "the template file is used, not the tokenizer's");
            assertEquals(logit(c, "logits_base_head"), tokenizers.score(List.of(conversation(c, 20)))[0], 2e-5);
        }
        // neither form opens a tokenizer without a chat template, with the same message
        ObjectNode cfg = (ObjectNode) LocalRewardScorerTest.OM.readTree(dir.resolve("tokenizer_config.json").toFile());
        cfg.remove("chat_template");
        Files.writeString(dir.resolve("tokenizer_config.json"), cfg.toString());
        Files.deleteIfExists(dir.resolve("chat_template.jinja"));
        String want = dir.resolve("tokenizer_config.json") + ": no chat_template; pass chat-template=FILE.jinja";
        assertEquals(want, assertThrows(IllegalArgumentException.class, () -> open("local:" + dir)).getMessage());
        assertEquals(want, assertThrows(IllegalArgumentException.class, () -> open("local:" + dir + ",adapter=" + adapter)).getMessage());
    }

    @Test
    void missingFoldersAreNamed() throws Exception {
        Path dir = modelDir("llama-seqcls");
        var e = assertThrows(IllegalArgumentException.class, () -> open("local:" + tmp.resolve("nope")));
        assertEquals("local scorer: model directory " + tmp.resolve("nope") + " does not exist", e.getMessage());
        var a = assertThrows(RuntimeException.class, () -> open("local:" + dir + ",adapter=" + tmp.resolve("no-adapter")));
        assertTrue(a.getMessage().contains("no-adapter"), a.getMessage());
    }

    @Test
    void judgeSpecDecodingOptionsOverrideWhatTheCallerAsks() throws Exception {
        Path dir = modelDir("qwen2-causal");
        var prompt = List.of(List.of(Message.user("w5 w6 w7")));
        try (var free = ScorerSpec.parse("judge:local:" + dir + ",batch=2").chatGenerator(k -> null);
             var capped = ScorerSpec.parse("judge:local:" + dir + ",max_tokens=2").chatGenerator(k -> null)) {
            Generation f = free.generate(prompt, SamplingParams.greedy(6)).getFirst();
            Generation c = capped.generate(prompt, SamplingParams.greedy(6)).getFirst();
            assertTrue(f.completionTokens() > 2, f.toString());
            assertEquals(2, c.completionTokens(), "max_tokens=2 caps what the caller asked (6)");
            assertTrue(f.text().startsWith(c.text()), "greedy: the capped reply is a prefix of the free one");
        }
    }
}
