package dev.tare.scorers.remote;

import dev.tare.data.Message;
import dev.tare.scorers.ScorerException;
import dev.tare.testkit.TeiLoopback;
import dev.tare.testkit.VllmLoopback;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * vLLM and TEI scorers against the testkit's engine doubles (written from the engines' own request/response schemas):
 * raw rewards (activation off), left truncation, the served-model check, probability refusal, rendered text.
 */
class EngineProtocolTest {
    static final Map<String, String> ENV = Map.of();

    /** A reward head whose logit is known: 0.01 per code point, +2 per "right", -2 per "wrong" (can exceed [0, 1]). */
    static double logit(String text) {
        double r = 0.01 * text.codePointCount(0, text.length());
        for (int i = text.indexOf("right"); i >= 0; i = text.indexOf("right", i + 1)) r += 2;
        for (int i = text.indexOf("wrong"); i >= 0; i = text.indexOf("wrong", i + 1)) r -= 2;
        return r - 3;
    }

    /** A number as TEI writes it: an f32 in its shortest decimal form. */
    static double f32(double x) { return Double.parseDouble(Float.toString((float) x)); }

    static List<List<Message>> convs(int n) {
        List<List<Message>> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
            out.add(List.of(Message.user("question " + i), Message.assistant((i % 2 == 0 ? "right " : "wrong ") + "x".repeat(i))));
        return out;
    }

    static String rendered(List<Message> c) {
        List<String[]> m = new ArrayList<>();
        for (Message x : c) m.add(new String[]{x.role(), x.content()});
        return VllmLoopback.render(m);
    }

    @Test void vllmPoolingAndClassifyReturnTheRawLogitWithActivationOffAndLeftTruncation() throws Exception {
        try (var v = new VllmLoopback("Skywork-Reward", 4096, EngineProtocolTest::logit)) {
            for (String proto : List.of("vllm-pooling", "vllm-classify")) {
                v.requests.clear();
                try (var sc = RemoteSpec.parse(v.url() + ",protocol=" + proto + ",model=Skywork-Reward").rewardScorer(ENV::get)) {
                    var cs = convs(20);
                    double[] got = sc.score(cs);
                    for (int i = 0; i < cs.size(); i++) assertEquals(logit(rendered(cs.get(i))), got[i], 0.0, proto + " item " + i);
                    var body = v.requests.getFirst();
                    assertFalse(body.get("use_activation").asBoolean(true), body.toString());
                    assertEquals(-1, body.get("truncate_prompt_tokens").asInt());
                    assertEquals("left", body.get("truncation_side").asText());
                    assertEquals(Map.of("truncation", "left,max", "activation", "use_activation=false", "max_input_tokens", 4096), sc.provenance());
                }
            }
        }
        // a short context: the conversation is cut from the left, keeping the response's end (RewardBench's convention)
        try (var v = new VllmLoopback("rm", 40, EngineProtocolTest::logit)) {
            var c = List.of(Message.user("a long question ".repeat(5)), Message.assistant("the answer is right"));
            String full = rendered(c);
            try (var sc = RemoteSpec.parse(v.url() + ",protocol=vllm-pooling,model=rm").rewardScorer(ENV::get)) {
                assertEquals(logit(full.substring(full.length() - 40)), sc.score(List.of(c))[0], 0.0);
                assertTrue(v.seen.getLast().endsWith("right<|im_end|>\n"), v.seen.getLast());
            }
            try (var sc = RemoteSpec.parse(v.url() + ",protocol=vllm-pooling,model=rm,truncate=off").rewardScorer(ENV::get)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(List.of(c)));
                assertTrue(e.getMessage().contains("maximum context length is 40 tokens"), e.getMessage());
            }
        }
    }

    @Test void aServerThatAppliesTheSigmoidAnywayIsRefusedUnlessTheSpecSaysProbability() throws Exception {
        try (var v = new VllmLoopback("rm", 4096, EngineProtocolTest::logit)) {
            v.legacy = true; // ignores use_activation: every score is sigmoid(logit)
            try (var sc = RemoteSpec.parse(v.url() + ",protocol=vllm-pooling,model=rm").rewardScorer(ENV::get)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(16)));
                assertTrue(e.getMessage().contains("look like probabilities") && e.getMessage().contains("probability=true"), e.getMessage());
            }
            // saturation: a logit of +40 is exactly 1.0f after the sigmoid, refused on the first score
            try (var sat = new VllmLoopback("rm", 4096, t -> 40); var sc = RemoteSpec.parse(sat.url() + ",protocol=vllm-classify,model=rm").rewardScorer(ENV::get)) {
                sat.legacy = true;
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
                assertTrue(e.getMessage().contains("exactly 0 or 1"), e.getMessage());
            }
            // the older spelling reaches an older server
            try (var sc = RemoteSpec.parse(v.url() + ",protocol=vllm-pooling,model=rm,activation-field=activation").rewardScorer(ENV::get)) {
                var cs = convs(16);
                assertEquals(logit(rendered(cs.get(3))), sc.score(cs)[3], 0.0);
                assertFalse(v.requests.getLast().get("activation").asBoolean(true));
            }
            try (var sc = RemoteSpec.parse(v.url() + ",protocol=vllm-pooling,model=rm,probability=true").rewardScorer(ENV::get)) {
                var cs = convs(16);
                assertEquals((double) (float) (1 / (1 + Math.exp(-logit(rendered(cs.get(5)))))), sc.score(cs)[5], 0.0);
            }
        }
    }

    @Test void theServedModelIsCheckedBeforeTheFirstRequest() throws Exception {
        try (var v = new VllmLoopback("Skywork-Reward", 4096, EngineProtocolTest::logit)) {
            try (var sc = RemoteSpec.parse(v.url() + ",protocol=vllm-pooling,model=Llama-RM").rewardScorer(ENV::get)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(2)));
                assertEquals("served model check (" + v.url() + "/v1/models): model=Llama-RM is not served; the server serves "
                        + "[Skywork-Reward] (vllm serve --served-model-name sets the name)", e.getMessage());
            }
            assertTrue(v.requests.isEmpty(), "nothing is scored against the wrong model");
        }
        try (var t = new TeiLoopback("OpenAssistant/reward-model-deberta-v3-large-v2", List.of("LABEL_0"), 512, s -> new double[]{logit(s)})) {
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei,label=good").rewardScorer(ENV::get)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(2)));
                assertTrue(e.getMessage().endsWith("label=good is not one of OpenAssistant/reward-model-deberta-v3-large-v2's labels [LABEL_0]"), e.getMessage());
            }
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei,model=other/rm").rewardScorer(ENV::get)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(2)));
                assertTrue(e.getMessage().endsWith("model=other/rm but the server serves OpenAssistant/reward-model-deberta-v3-large-v2"), e.getMessage());
            }
        }
        try (var t = new TeiLoopback("some/nli", List.of("entailment", "neutral", "contradiction"), 512, s -> new double[]{1, 2, 3})) {
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei").rewardScorer(ENV::get)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(2)));
                assertTrue(e.getMessage().endsWith("some/nli has 3 labels [entailment, neutral, contradiction]; choose the reward's with label=NAME"), e.getMessage());
            }
        }
    }

    @Test void teiIsSentTruncateLeftAndRawScores() throws Exception {
        try (var t = new TeiLoopback("OpenAssistant/reward-model-deberta-v3-large-v2", List.of("LABEL_0"), 30, s -> new double[]{logit(s)})) {
            t.legacy = true; // TEI <= 1.8 refuses over-long input unless truncate is sent
            var c = List.of(Message.user("a long question ".repeat(4)), Message.assistant("that is right"));
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei").rewardScorer(ENV::get)) {
                String pair = RewardProtocol.promptText(c) + "\n" + c.getLast().content();
                double got = sc.score(List.of(c))[0];
                assertEquals(f32(logit(pair.substring(pair.length() - 30))), got, 0.0);
                assertTrue(t.seen.getLast().endsWith("that is right"), t.seen.getLast());
                var body = t.requests.getLast();
                assertTrue(body.get("truncate").asBoolean() && body.get("raw_scores").asBoolean(), body.toString());
                assertEquals("Left", body.get("truncation_direction").asText());
                assertEquals(30, sc.provenance().get("max_input_tokens"));
            }
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei,truncate=off").rewardScorer(ENV::get)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(List.of(c)));
                assertTrue(e.getMessage().contains("HTTP 413") && e.getMessage().contains("must have less than 30 tokens"), e.getMessage());
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,protocol=tei,truncate=100"));
        assertEquals("scorer option truncate=100: TEI truncates at its max_input_length only (truncate=max or off)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,protocol=tei,activation-field=softmax"));
        assertEquals("scorer option activation-field is for vLLM; TEI is sent raw_scores=true", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,protocol=vllm-pooling,activation-field=sigmoid"));
        assertEquals("scorer option activation-field=sigmoid must be one of use_activation, activation, softmax", e.getMessage());
    }

    @Test void renderedTextGoesAsCompletionInputWithoutSpecialTokens() throws Exception {
        var cs = convs(3);
        List<String> texts = cs.stream().map(EngineProtocolTest::rendered).toList();
        try (var v = new VllmLoopback("rm", 4096, EngineProtocolTest::logit);
             var sc = RemoteSpec.parse(v.url() + ",protocol=vllm-pooling,model=rm,probability=true").rewardScorer(ENV::get)) {
            double[] viaText = sc.scoreRendered(texts);
            assertArrayEquals(sc.score(cs), viaText, 0.0, "rendered text and chat messages reach the model as the same text");
            var body = v.requests.stream().filter(b -> b.has("input")).filter(b -> b.get("input").asText().equals(texts.getFirst()))
                    .findFirst().orElseThrow();
            assertFalse(body.get("add_special_tokens").asBoolean(true));
        }
        try (var t = new TeiLoopback("rm", List.of("LABEL_0"), 512, s -> new double[]{logit(s)});
             var sc = RemoteSpec.parse(t.url() + ",protocol=tei,batch=2").rewardScorer(ENV::get)) {
            double[] got = sc.scoreRendered(texts);
            for (int i = 0; i < 3; i++) assertEquals(f32(logit(texts.get(i))), got[i], 0.0);
        }
    }

    @Test void teiRerankScoresEachResponseOfAPromptAsThePredictRouteDoes() throws Exception {
        // two prompts, three responses each, interleaved: a request carries the consecutive responses of one prompt
        List<List<Message>> cs = new ArrayList<>();
        for (String q : List.of("question one", "question two", "question one"))
            for (String a : List.of("that is right", "that is wrong", "right " + "x".repeat(q.length())))
                cs.add(List.of(Message.user(q), Message.assistant(a)));
        try (var t = new TeiLoopback("OpenAssistant/reward-model-deberta-v3-large-v2", List.of("LABEL_0"), 512, s -> new double[]{logit(s)})) {
            double[] viaPredict, viaRerank;
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei").rewardScorer(ENV::get)) { viaPredict = sc.score(cs); }
            t.requests.clear();
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei-rerank,batch=2").rewardScorer(ENV::get)) { viaRerank = sc.score(cs); }
            assertArrayEquals(viaPredict, viaRerank, 0.0, "the pair (prompt, response) reaches the model as /predict sends it");
            for (int i = 0; i < cs.size(); i++)
                assertEquals(f32(logit(RewardProtocol.promptText(cs.get(i)) + "\n" + cs.get(i).getLast().content())), viaRerank[i], 0.0);
            // 9 responses in runs of 3 per prompt, at most 2 per request: 2+1 per run
            assertEquals(6, t.requests.size(), t.requests.toString());
            for (var b : t.requests) {
                assertTrue(b.get("texts").size() <= 2 && b.get("raw_scores").asBoolean() && b.get("truncate").asBoolean(), b.toString());
                assertEquals("Left", b.get("truncation_direction").asText());
            }
            try (var sc = RemoteSpec.parse(t.url() + ",protocol=tei-rerank").rewardScorer(ENV::get)) {
                var e = assertThrows(IllegalArgumentException.class, () -> sc.scoreRendered(List.of("rendered")));
                assertTrue(e.getMessage().contains("cannot score an already rendered query"), e.getMessage());
            }
        }
        try (var t = new TeiLoopback("some/nli", List.of("entailment", "neutral", "contradiction"), 512, s -> new double[]{1, 2, 3});
             var sc = RemoteSpec.parse(t.url() + ",protocol=tei-rerank,label=entailment").rewardScorer(ENV::get)) {
            var e = assertThrows(ScorerException.class, () -> sc.score(convs(2)));
            assertTrue(e.getMessage().endsWith("some/nli has 3 labels [entailment, neutral, contradiction]; TEI re-ranks with one-label models only (use protocol=tei)"), e.getMessage());
            assertTrue(t.requests.isEmpty());
        }
    }
}
