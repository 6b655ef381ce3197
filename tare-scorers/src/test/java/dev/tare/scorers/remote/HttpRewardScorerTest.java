package dev.tare.scorers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Message;
import dev.tare.scorers.ScorerException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.tare.testkit.LoopbackServer;
import dev.tare.testkit.LoopbackServer.Reply;
import static org.junit.jupiter.api.Assertions.*;

/** Remote reward scorers against real loopback HTTP servers speaking each documented protocol. */
class HttpRewardScorerTest {
    /** The reward a test server gives: the response length plus a tenth of the prompt's turn count. */
    static double reward(String response, int turns) { return response.length() + 0.1 * turns; }

    /** tare's native /v1/reward handler. */
    static Reply tare(LoopbackServer.Seen s) {
        if (!s.path().equals("/v1/reward")) return Reply.status(404, "{\"error\":\"no route " + s.path() + "\"}");
        ArrayNode rewards = JsonHttpClient.MAPPER.createArrayNode();
        for (JsonNode item : s.body().get("items")) {
            JsonNode msgs = item.get("messages");
            rewards.add(reward(msgs.get(msgs.size() - 1).get("content").asText(), msgs.size() - 1));
        }
        ObjectNode o = JsonHttpClient.MAPPER.createObjectNode();
        o.set("rewards", rewards);
        return Reply.json(o.toString());
    }

    static List<List<Message>> convs(int n) {
        List<List<Message>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Message> c = new ArrayList<>();
            if (i % 3 == 0) {
                c.add(new Message("system", "be brief"));
            }
            c.add(Message.user("question " + i));
            c.add(Message.assistant("x".repeat(i + 1)));
            out.add(c);
        }
        return out;
    }

    static double[] expected(List<List<Message>> cs) {
        double[] e = new double[cs.size()];
        for (int i = 0; i < e.length; i++) e[i] = reward(cs.get(i).getLast().content(), cs.get(i).size() - 1);
        return e;
    }

    /** Records backoff sleeps instead of waiting, so retry tests run instantly. */
    static final class Recorder implements JsonHttpClient.Sleeper {
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();
        @Override public void sleep(Duration d) { sleeps.add(d); }
    }

    static HttpRewardScorer scorer(LoopbackServer srv, RewardProtocol p, HttpOptions o, JsonHttpClient.Sleeper sl,
                                   String model, String label, int batch) {
        return new HttpRewardScorer(srv.base(), p, model, label, batch, new JsonHttpClient(o, sl));
    }

    @Test void tareProtocolBatchesInOrderWithBoundedConcurrency() throws Exception {
        try (var srv = new LoopbackServer(s -> tare(s).after(40))) {
            var o = HttpOptions.defaults().withConcurrency(3);
            try (var sc = scorer(srv, RewardProtocol.TARE, o, new Recorder(), "rm-a", null, 8)) {
                var cs = convs(37);
                assertArrayEquals(expected(cs), sc.score(cs));
                assertEquals(5, srv.seen.size(), "37 conversations in requests of 8");
                assertTrue(srv.maxInFlight.get() <= 3, "at most 3 requests in flight, saw " + srv.maxInFlight.get());
                assertTrue(srv.maxInFlight.get() >= 2, "requests should overlap");
                JsonNode first = srv.seen.stream().filter(s -> s.body().get("items").size() == 5).findFirst().orElseThrow().body();
                assertEquals("rm-a", first.get("model").asText());
                JsonNode firstItem = srv.seen.stream().map(LoopbackServer.Seen::body)
                        .filter(b -> b.get("items").get(0).get("messages").get(1).get("content").asText().equals("question 0"))
                        .findFirst().orElseThrow().get("items").get(0).get("messages");
                assertEquals("system", firstItem.get(0).get("role").asText());
                assertEquals("assistant", firstItem.get(2).get("role").asText());
                assertEquals("x", firstItem.get(2).get("content").asText());
            }
        }
    }

    @Test void retriesOn429HonouringRetryAfterThenSucceeds() throws Exception {
        try (var srv = new LoopbackServer(s -> s.number() <= 2
                ? Reply.status(429, "{\"error\":\"slow down\"}").header("Retry-After", "7") : tare(s))) {
            var rec = new Recorder();
            try (var sc = scorer(srv, RewardProtocol.TARE, HttpOptions.defaults(), rec, null, null, 16)) {
                var cs = convs(4);
                assertArrayEquals(expected(cs), sc.score(cs));
            }
            assertEquals(List.of(Duration.ofSeconds(7), Duration.ofSeconds(7)), rec.sleeps);
            assertEquals(3, srv.seen.size());
        }
    }

    @Test void retriesOn5xxWithExponentialJitteredBackoff() throws Exception {
        try (var srv = new LoopbackServer(s -> s.number() <= 3 ? Reply.status(s.number() == 2 ? 502 : 500, "boom") : tare(s))) {
            var rec = new Recorder();
            var o = HttpOptions.defaults().withBackoff(Duration.ofMillis(100), Duration.ofMillis(250));
            try (var sc = scorer(srv, RewardProtocol.TARE, o, rec, null, null, 16)) {
                var cs = convs(2);
                assertArrayEquals(expected(cs), sc.score(cs));
            }
            assertEquals(3, rec.sleeps.size());
            long[] caps = {100, 200, 250};
            for (int i = 0; i < 3; i++) {
                long ms = rec.sleeps.get(i).toMillis();
                assertTrue(ms >= caps[i] / 2 && ms <= caps[i], "sleep " + i + " = " + ms + " ms, cap " + caps[i]);
            }
        }
    }

    @Test void givesUpAfterMaxAttemptsNamingTheLastError() throws Exception {
        try (var srv = new LoopbackServer(s -> Reply.status(503, "{\"error\":\"overloaded\"}"))) {
            var o = HttpOptions.defaults().withMaxAttempts(4);
            try (var sc = scorer(srv, RewardProtocol.TARE, o, new Recorder(), null, null, 16)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
                assertTrue(e.retryable());
                assertTrue(e.getMessage().contains("4 attempt"), e.getMessage());
                assertTrue(e.getMessage().contains("HTTP 503") && e.getMessage().contains("overloaded"), e.getMessage());
            }
            assertEquals(4, srv.seen.size());
        }
    }

    @Test void slowServerTimesOutAndIsRetried() throws Exception {
        try (var srv = new LoopbackServer(s -> s.number() == 1 ? tare(s).after(3000) : tare(s))) {
            var rec = new Recorder();
            var o = HttpOptions.defaults().withTimeout(Duration.ofMillis(300));
            try (var sc = scorer(srv, RewardProtocol.TARE, o, rec, null, null, 16)) {
                var cs = convs(3);
                assertArrayEquals(expected(cs), sc.score(cs));
            }
            assertEquals(1, rec.sleeps.size(), "one retry after the timeout");
        }
        try (var srv = new LoopbackServer(s -> tare(s).after(3000))) {
            var o = HttpOptions.defaults().withTimeout(Duration.ofMillis(200)).withMaxAttempts(2);
            try (var sc = scorer(srv, RewardProtocol.TARE, o, new Recorder(), null, null, 16)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
                assertTrue(e.getMessage().contains("timed out after 200 ms"), e.getMessage());
            }
        }
    }

    @Test void authFailureIsNotRetriedAndTokenIsSent() throws Exception {
        try (var srv = new LoopbackServer(s -> "Bearer s3cret".equals(s.authorization())
                ? tare(s) : Reply.status(401, "{\"error\":\"invalid api key\"}"))) {
            try (var sc = scorer(srv, RewardProtocol.TARE, HttpOptions.defaults(), new Recorder(), null, null, 16)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(2)));
                assertFalse(e.retryable());
                assertTrue(e.getMessage().contains("authentication failed") && e.getMessage().contains("HTTP 401")
                        && e.getMessage().contains("invalid api key"), e.getMessage());
            }
            assertEquals(1, srv.seen.size(), "401 must not be retried");
            var o = HttpOptions.defaults().withBearerToken("s3cret");
            try (var sc = scorer(srv, RewardProtocol.TARE, o, new Recorder(), null, null, 16)) {
                var cs = convs(2);
                assertArrayEquals(expected(cs), sc.score(cs));
            }
        }
        try (var srv = new LoopbackServer(s -> Reply.status(403, "forbidden"))) {
            try (var sc = scorer(srv, RewardProtocol.TARE, HttpOptions.defaults(), new Recorder(), null, null, 16)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
                assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
            }
        }
    }

    @Test void schemaProblemsAreClearErrors() throws Exception {
        String[][] cases = {
                {"{\"rewards\": [1.0, 2.0", "not valid JSON"},
                {"{\"rewards\": [1.0, 2.0]}", "sent 3 items but got 2 rewards"},
                {"{\"rewards\": [1.0, NaN, 2.0]}", "rewards[1] is not finite (NaN)"},
                {"{\"rewards\": [1.0, \"2.0\", 3.0]}", "rewards[1] is a string"},
                {"{\"rewards\": [1.0, null, 3.0]}", "rewards[1] is missing or null"},
                {"{\"scores\": [1.0, 2.0, 3.0]}", "expected an object with a 'rewards' array"},
                {"[1.0, 2.0, 3.0]", "expected an object with a 'rewards' array"},
        };
        for (String[] c : cases) {
            try (var srv = new LoopbackServer(s -> Reply.json(c[0]))) {
                try (var sc = scorer(srv, RewardProtocol.TARE, HttpOptions.defaults(), new Recorder(), null, null, 16)) {
                    var e = assertThrows(ScorerException.class, () -> sc.score(convs(3)), c[0]);
                    assertTrue(e.getMessage().startsWith("schema:"), e.getMessage());
                    assertTrue(e.getMessage().contains(c[1]), c[1] + " not in: " + e.getMessage());
                    assertTrue(e.getMessage().contains(srv.base().toString()), "names the endpoint: " + e.getMessage());
                    assertFalse(e.retryable());
                }
                assertEquals(1, srv.seen.size(), "schema errors are not retried");
            }
        }
    }

    @Test void otherClientErrorsFailAtOnceWithTheServerMessage() throws Exception {
        try (var srv = new LoopbackServer(s -> Reply.status(400, "{\"message\":\"The model `rm-x` does not exist.\"}"))) {
            try (var sc = scorer(srv, RewardProtocol.TARE, HttpOptions.defaults(), new Recorder(), "rm-x", null, 16)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
                assertTrue(e.getMessage().contains("HTTP 400") && e.getMessage().contains("does not exist"), e.getMessage());
            }
            assertEquals(1, srv.seen.size());
        }
    }

    /** vLLM /pooling: one chat-style request per conversation; scalar, [r] and per-token [[r]...] outputs. */
    @Test void vllmPooling() throws Exception {
        try (var srv = new LoopbackServer(s -> {
            assertEquals("/pooling", s.path());
            assertEquals("internlm2-1_8b-reward", s.body().get("model").asText());
            JsonNode msgs = s.body().get("messages");
            double r = reward(msgs.get(msgs.size() - 1).get("content").asText(), msgs.size() - 1);
            String data = switch (msgs.get(msgs.size() - 1).get("content").asText().length() % 3) {
                case 0 -> String.valueOf(r);
                case 1 -> "[" + r + "]";
                default -> "[[0.5],[-3.25],[" + r + "]]";
            };
            return Reply.json("{\"id\":\"pool-1\",\"object\":\"list\",\"created\":1,\"model\":\"m\",\"data\":[{\"index\":0,"
                    + "\"object\":\"pooling\",\"data\":" + data + "}],\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}");
        })) {
            try (var sc = scorer(srv, RewardProtocol.VLLM_POOLING, HttpOptions.defaults(), new Recorder(), "internlm2-1_8b-reward", null, 16)) {
                var cs = convs(9);
                assertArrayEquals(expected(cs), sc.score(cs));
                assertEquals(9, srv.seen.size(), "one request per conversation");
            }
        }
        try (var srv = new LoopbackServer(s -> Reply.json("{\"data\":[{\"index\":0,\"data\":[0.1,0.2,0.3]}]}"))) {
            try (var sc = scorer(srv, RewardProtocol.VLLM_POOLING, HttpOptions.defaults(), new Recorder(), "e", null, 16)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
                assertTrue(e.getMessage().contains("has 3 values; expected one reward"), e.getMessage());
            }
        }
    }

    /** vLLM /classify with use_activation=false: probs holds the raw logits, picked by class index. */
    @Test void vllmClassify() throws Exception {
        try (var srv = new LoopbackServer(s -> {
            assertEquals("/classify", s.path());
            assertFalse(s.body().get("use_activation").asBoolean(true), "the activation is switched off");
            JsonNode msgs = s.body().get("messages");
            double z = 1.0 / (1 + msgs.get(msgs.size() - 1).get("content").asText().length());
            return Reply.json("{\"id\":\"classify-1\",\"object\":\"list\",\"data\":[{\"index\":0,\"label\":\"LABEL_1\","
                    + "\"probs\":[" + (-z) + "," + (3 - z) + "],\"num_classes\":2}]}");
        })) {
            try (var sc = scorer(srv, RewardProtocol.VLLM_CLASSIFY, HttpOptions.defaults(), new Recorder(), "m", "1", 16)) {
                var cs = convs(4);
                double[] got = sc.score(cs);
                for (int i = 0; i < 4; i++) assertEquals(3 - 1.0 / (2 + i), got[i], 1e-12);
            }
            try (var sc = scorer(srv, RewardProtocol.VLLM_CLASSIFY, HttpOptions.defaults(), new Recorder(), "m", "2", 16)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
                assertTrue(e.getMessage().contains("class index 2 out of range for 2 classes"), e.getMessage());
            }
        }
        // a server that still answers softmax probabilities (it ignored use_activation) is refused at once
        try (var srv = new LoopbackServer(s -> Reply.json("{\"data\":[{\"index\":0,\"probs\":[0.25,0.75],\"num_classes\":2}]}"));
             var sc = scorer(srv, RewardProtocol.VLLM_CLASSIFY, HttpOptions.defaults(), new Recorder(), "m", "1", 16)) {
            var e = assertThrows(ScorerException.class, () -> sc.score(convs(1)));
            assertTrue(e.getMessage().contains("softmax probabilities (2 classes summing to 1)"), e.getMessage());
        }
    }

    /** TEI /predict with text pairs and raw scores; predictions sorted by score as TEI does, picked by label. */
    @Test void teiPredict() throws Exception {
        try (var srv = new LoopbackServer(s -> {
            assertEquals("/predict", s.path());
            assertTrue(s.body().get("raw_scores").asBoolean());
            StringBuilder sb = new StringBuilder("[");
            for (JsonNode pair : s.body().get("inputs")) {
                if (sb.length() > 1) sb.append(',');
                double r = pair.get(1).asText().length() + 0.001 * pair.get(0).asText().length();
                double other = -r;
                String good = "{\"score\":" + r + ",\"label\":\"good\"}", bad = "{\"score\":" + other + ",\"label\":\"bad\"}";
                sb.append('[').append(r >= other ? good + "," + bad : bad + "," + good).append(']');
            }
            return Reply.json(sb.append(']').toString());
        })) {
            var cs = convs(5);
            try (var sc = scorer(srv, RewardProtocol.TEI, HttpOptions.defaults(), new Recorder(), null, "good", 2)) {
                double[] got = sc.score(cs);
                for (int i = 0; i < 5; i++) {
                    String prompt = RewardProtocol.promptText(cs.get(i));
                    assertEquals(cs.get(i).getLast().content().length() + 0.001 * prompt.length(), got[i], 1e-12);
                }
                assertEquals(3, srv.seen.size(), "5 pairs in requests of 2");
            }
            assertEquals("be brief\n\nquestion 0", srv.seen.stream().map(LoopbackServer.Seen::body)
                    .filter(b -> b.get("inputs").get(0).get(1).asText().equals("x")).findFirst().orElseThrow()
                    .get("inputs").get(0).get(0).asText());
            try (var sc = scorer(srv, RewardProtocol.TEI, HttpOptions.defaults(), new Recorder(), null, null, 2)) {
                var e = assertThrows(ScorerException.class, () -> sc.score(cs));
                assertTrue(e.getMessage().contains("has 2 labels; choose one with label=NAME"), e.getMessage());
            }
        }
    }

    @Test void baseUrlGetsTheProtocolPathAndExplicitPathsAreKept() {
        var u = java.net.URI.create("http://h:1");
        assertEquals("http://h:1/v1/reward", HttpRewardScorer.resolve(u, RewardProtocol.TARE).toString());
        assertEquals("http://h:1/predict", HttpRewardScorer.resolve(java.net.URI.create("http://h:1/"), RewardProtocol.TEI).toString());
        assertEquals("http://h:1/custom/score", HttpRewardScorer.resolve(java.net.URI.create("http://h:1/custom/score"), RewardProtocol.TARE).toString());
        assertThrows(IllegalArgumentException.class, () -> HttpRewardScorer.resolve(java.net.URI.create("ftp://h/x"), RewardProtocol.TARE));
    }

    @Test void retryAfterParsesSecondsAndDates() {
        assertEquals(Duration.ofSeconds(12), JsonHttpClient.retryAfter("12"));
        assertNull(JsonHttpClient.retryAfter("soon"));
        assertEquals(Duration.ZERO, JsonHttpClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
        Duration d = JsonHttpClient.retryAfter(java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(90)));
        assertTrue(d.toSeconds() >= 85 && d.toSeconds() <= 90, d.toString());
    }
}
