package dev.tare.serve;

import dev.tare.data.Message;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerException;
import dev.tare.serve.api.Limits;
import dev.tare.serve.source.BbqLetterSource;
import dev.tare.serve.source.ModelSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** How scorer failures reach the client (422 / 503 / 500), and that one bad request or an Error never takes down others. */
class ModelFailureTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private RewardServer server;

    @AfterEach
    void stop() { if (server != null) server.close(); }

    /** Fails the way its response text says; otherwise rewards the response length. Records every batch size. */
    static final class ScriptedScorer implements RewardScorer {
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());

        @Override public String name() { return "scripted"; }

        @Override public double[] score(List<List<Message>> convs) {
            batchSizes.add(convs.size());
            double[] r = new double[convs.size()];
            for (int i = 0; i < r.length; i++) {
                String t = convs.get(i).getLast().content();
                switch (t) {
                    case "too-long" -> throw ScorerException.badInput("rendered text " + i + " is 9000 tokens, over the max length 4096", null);
                    case "remote-down" -> throw new ScorerException("giving up after 3 attempt(s): HTTP 503", true, null);
                    case "model-broken" -> throw new ScorerException("non-finite reward NaN for row " + i);
                    case "kernel-bug" -> throw new AssertionError("kernel bug: shapes disagree");
                    default -> r[i] = t.length();
                }
            }
            return r;
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> reward(String response) throws Exception {
        return post("/v1/reward", "{\"items\": [{\"prompt\": \"p\", \"response\": \"" + response + "\"}]}");
    }

    @Test
    void clientErrorsAre422RetryableAre503AndServerFaultsAre500() throws Exception {
        server = RewardServer.start(new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(new ScriptedScorer()), 1.0)), List.of()),
                RewardServer.Options.defaults().withPort(0));
        var r = reward("too-long");
        assertEquals(422, r.statusCode(), r.body());
        assertTrue(r.body().contains("over the max length 4096"), r.body());
        r = reward("remote-down");
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
        r = reward("model-broken");
        assertEquals(500, r.statusCode(), r.body());
        assertTrue(r.body().contains("non-finite"), r.body());
        r = reward("kernel-bug");
        assertEquals(500, r.statusCode(), "an Error fails its request: " + r.body());
        // the worker survived the Error: the server keeps serving and stays healthy
        r = reward("fine");
        assertEquals(200, r.statusCode(), r.body());
        var h = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, h.statusCode(), h.body());
        assertTrue(h.body().contains("\"ok\""), h.body());
    }

    @Test
    void aBadLabelMergedWithAGoodRequestFailsAloneAndTheGoodOneGets200() throws Exception {
        ScriptedScorer scorer = new ScriptedScorer();
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(scorer), 1.0),
                new RewardPipeline.Weighted(new BbqLetterSource(0, -0.1), 1.0)), List.of());
        // a long batching window so that the two concurrent requests land in one runtime batch
        server = RewardServer.start(pipeline, new RewardServer.Options("127.0.0.1", 0, Limits.defaults(), null, 64, 32,
                Duration.ofMillis(400), 1, Duration.ofSeconds(30)));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> good = pool.submit(() -> post("/v1/reward", "{\"items\": [{\"response\": \"A\", \"label\": \"A\"}]}"));
            Future<HttpResponse<String>> bad = pool.submit(() -> post("/v1/reward", "{\"items\": [{\"response\": \"B\", \"label\": \"Q\"}]}"));
            var g = good.get(30, TimeUnit.SECONDS);
            var b = bad.get(30, TimeUnit.SECONDS);
            assertEquals(200, g.statusCode(), g.body());
            assertEquals(2.0, dev.tare.serve.api.Protocols.JSON.readTree(g.body()).get("rewards").get(0).asDouble(), "length 1 + gold letter 1");
            assertEquals(422, b.statusCode(), b.body());
            assertTrue(b.body().contains("must be A, B or C"), b.body());
        }
        assertTrue(scorer.batchSizes.contains(2), "the two requests were merged into one batch first: " + scorer.batchSizes);
    }

    @Test
    void batcherWorkerSurvivesErrorsAndFailsOnlyThatBatch() throws Exception {
        try (var b = new DynamicBatcher<String, Integer>(items -> {
            if (items.contains("overflow")) throw new StackOverflowError("deep recursion");
            return items.stream().map(String::length).toList();
        }, 16, 4, Duration.ofMillis(1), 1, new ServerMetrics())) {
            CompletableFuture<List<Integer>> f = b.submit(List.of("overflow"));
            var e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(StackOverflowError.class, e.getCause());
            assertEquals(List.of(3, 1), b.submit(List.of("abc", "x")).get(10, TimeUnit.SECONDS));
            assertEquals(0, b.deadWorkers());
        }
    }
}
