package dev.tare.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.scorers.ScorerSpec;
import dev.tare.serve.api.Protocols;
import dev.tare.serve.source.ModelSource;
import dev.tare.testkit.TeiLoopback;
import dev.tare.testkit.VllmLoopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tare serve with an http: model source in front of the vLLM and TEI doubles, called as OpenRLHF v0.11 calls a remote
 * RM: one POST /get_reward per query, {"query":[q],"prompts":[p],"labels":[""]}, q the rendered prompt + response.
 */
class EngineSourceServeTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private RewardServer server;

    @AfterEach
    void stop() { if (server != null) server.close(); }

    static double logit(String text) {
        double r = 0.01 * text.codePointCount(0, text.length()) - 3;
        for (int i = text.indexOf("right"); i >= 0; i = text.indexOf("right", i + 1)) r += 2;
        return r;
    }

    private JsonNode post(String path, String body) throws Exception {
        var r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Protocols.JSON.readTree(r.body());
    }

    private void serve(String spec) throws Exception {
        var scorer = ScorerSpec.parse(spec).rewardScorer(Map.<String, String>of()::get);
        server = RewardServer.start(new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(scorer), 1.0)), List.of()),
                RewardServer.Options.defaults().withPort(0));
    }

    /**
     * A deployment in front of the wrong vLLM model, or an engine that is down, refuses to start (before the port opens)
     * with the served-model check's message, instead of starting healthy and answering 500 to every trainer request.
     */
    @Test void theServedModelIsCheckedBeforeThePortOpens() throws Exception {
        try (var v = new VllmLoopback("other-rm", 4096, EngineSourceServeTest::logit)) {
            var e = assertThrows(dev.tare.scorers.ScorerException.class, () -> serve("http:" + v.url() + ",protocol=vllm-pooling,model=rm"));
            assertTrue(e.getMessage().contains("/v1/models") && e.getMessage().contains("other-rm"), e.getMessage());
            assertNull(server, "no server was started");
            assertTrue(v.requests.isEmpty(), "nothing was scored");
        }
        int closedPort;
        try (var sock = new java.net.ServerSocket(0)) { closedPort = sock.getLocalPort(); }
        assertThrows(dev.tare.scorers.ScorerException.class,
                () -> serve("http:http://127.0.0.1:" + closedPort + ",protocol=vllm-pooling,model=rm,retries=0,timeout=2"));
        assertNull(server);
        try (var t = new TeiLoopback("other-rm", List.of("LABEL_0"), 4096, x -> new double[]{logit(x)})) {
            var e = assertThrows(dev.tare.scorers.ScorerException.class, () -> serve("http:" + t.url() + ",protocol=tei,model=rm"));
            assertTrue(e.getMessage().contains("/info"), e.getMessage());
        }
    }

    @Test void openRlhfRenderedQueriesThroughVllmScoreExactlyAsTheChatMessagesDo() throws Exception {
        try (var v = new VllmLoopback("rm", 4096, EngineSourceServeTest::logit)) {
            serve("http:" + v.url() + ",protocol=vllm-pooling,model=rm");
            for (int i = 0; i < 20; i++) {
                String prompt = VllmLoopback.render(List.<String[]>of(new String[]{"user", "question " + i})) + "<|im_start|>assistant\n";
                String reply = (i % 2 == 0 ? "that is right " : "no ") + "x".repeat(i);
                String query = prompt + reply + "<|im_end|>\n";
                JsonNode got = post("/get_reward", Protocols.JSON.createObjectNode().set("query", Protocols.JSON.createArrayNode().add(query))
                        .toString().replace("}", ",\"prompts\":[" + Protocols.JSON.writeValueAsString(prompt) + "],\"labels\":[\"\"]}"));
                assertEquals(logit(query), got.get("rewards").get(0).asDouble(), 0.0, "item " + i);
                // the same rollout as chat messages: vLLM applies the template and reaches the same text
                JsonNode nat = post("/v1/reward", "{\"items\":[{\"messages\":[{\"role\":\"user\",\"content\":\"question " + i
                        + "\"},{\"role\":\"assistant\",\"content\":" + Protocols.JSON.writeValueAsString(reply) + "}]}]}");
                assertEquals(got.get("rewards").get(0).asDouble(), nat.get("results").get(0).get("reward").asDouble(), 0.0);
            }
            assertTrue(v.requests.stream().filter(b -> b.has("input")).allMatch(b -> !b.get("add_special_tokens").asBoolean(true)
                    && !b.get("use_activation").asBoolean(true)));
        }
    }

    @Test void openRlhfRenderedQueriesThroughTei() throws Exception {
        try (var t = new TeiLoopback("rm", List.of("LABEL_0"), 4096, s -> new double[]{logit(s)})) {
            serve("http:" + t.url() + ",protocol=tei");
            String query = "<s><|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\nright<|im_end|>\n";
            JsonNode got = post("/get_reward", "{\"query\":[" + Protocols.JSON.writeValueAsString(query) + "],\"labels\":[\"\"]}");
            assertEquals(Double.parseDouble(Float.toString((float) logit(query))), got.get("rewards").get(0).asDouble(), 0.0);
            assertEquals(query, t.requests.getLast().get("inputs").get(0).get(0).asText());
        }
    }
}
