package dev.tare.serve;

import dev.tare.data.Message;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerException;
import dev.tare.scorers.remote.HttpOptions;
import dev.tare.scorers.remote.HttpRewardScorer;
import dev.tare.scorers.remote.JsonHttpClient;
import dev.tare.scorers.remote.RewardProtocol;
import dev.tare.serve.api.Limits;
import dev.tare.serve.api.Protocols;
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
import java.util.concurrent.CountDownLatch;
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
                Duration.ofMillis(400), 1, Duration.ofSeconds(30), Admission.shed()));
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

    /** A downstream server whose model is the {@code http:} (tare protocol) scorer in front of {@code upstream}; one attempt. */
    private static RewardServer downstreamOf(RewardServer upstream) throws Exception {
        var scorer = new HttpRewardScorer(URI.create("http://127.0.0.1:" + upstream.port() + "/v1/reward"), RewardProtocol.TARE,
                null, null, 8, new JsonHttpClient(HttpOptions.defaults().withMaxAttempts(1).withTimeout(Duration.ofSeconds(20))));
        return RewardServer.start(new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(scorer), 1.0)), List.of()),
                RewardServer.Options.defaults().withPort(0));
    }

    @Test
    void aRemoteScorersNonRetryable4xxIs502WithTheUpstreamStatusAndRetryableIs503() throws Exception {
        // upstream 1: a real tare server with a BBQ source, which refuses unlabelled items with 422
        try (RewardServer upstream = RewardServer.start(new RewardPipeline(List.of(new RewardPipeline.Weighted(new BbqLetterSource(0, -0.1), 1.0)), List.of()),
                RewardServer.Options.defaults().withPort(0))) {
            server = downstreamOf(upstream);
            var r = reward("A");
            assertEquals(502, r.statusCode(), r.body());
            var body = Protocols.JSON.readTree(r.body());
            assertEquals(422, body.get("upstream_status").asInt(), r.body());
            assertTrue(body.get("error").asText().contains("HTTP 422") && body.get("error").asText().contains("needs a label"),
                    "the upstream's own message is passed on: " + r.body());
            assertTrue(r.headers().firstValue("Retry-After").isEmpty(), "a refusal is not worth retrying: " + r.headers().map());
            server.close();
        }
        // upstream 2: wants a bearer token we do not send: 401 upstream, still our 502 (our client did nothing wrong)
        try (RewardServer upstream = RewardServer.start(new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(new ScriptedScorer()), 1.0)), List.of()),
                RewardServer.Options.defaults().withPort(0).withToken("secret"))) {
            server = downstreamOf(upstream);
            var r = reward("A");
            assertEquals(502, r.statusCode(), r.body());
            assertEquals(401, Protocols.JSON.readTree(r.body()).get("upstream_status").asInt(), r.body());
            server.close();
        }
        // upstream 3: its model is temporarily down (503 + Retry-After): ours stays 503 + Retry-After, no upstream_status
        try (RewardServer upstream = RewardServer.start(new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(new ScriptedScorer()), 1.0)), List.of()),
                RewardServer.Options.defaults().withPort(0))) {
            server = downstreamOf(upstream);
            var r = reward("remote-down");
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().map().toString());
            assertFalse(Protocols.JSON.readTree(r.body()).has("upstream_status"), r.body());
            // and a healthy upstream call goes through: the length of the response
            r = reward("fine");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(4.0, Protocols.JSON.readTree(r.body()).get("rewards").get(0).asDouble(), r.body());
        }
    }

    private HttpResponse<String> health() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeadBatchWorkerMakesHealth503AndNewRequests503WithRetryAfterInsteadOfHanging() throws Exception {
        server = RewardServer.start(new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(new ScriptedScorer()), 1.0)), List.of()),
                new RewardServer.Options("127.0.0.1", 0, Limits.defaults(), null, 64, 8, Duration.ofMillis(1), 1, Duration.ofSeconds(60), Admission.shed()));
        assertEquals(200, reward("fine").statusCode());
        assertEquals(200, health().statusCode());
        server.batcher().injectWorkerFault(new OutOfMemoryError("simulated: escaped while failing a batch"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.batcher().deadWorkers() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
        var h = health();
        assertEquals(503, h.statusCode(), h.body());
        assertTrue(h.body().contains("1 batch worker(s) died") && h.body().contains("simulated"), h.body());
        long t0 = System.nanoTime();
        var r = reward("fine");
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().map().toString());
        assertTrue(r.body().contains("no batch worker left"), r.body());
        assertTrue(secs < 5, "answered at once, not after the 60 s request timeout: " + secs + " s");
    }

    @Test
    void requestsQueuedWhenTheLastWorkerDiesFailAtOnceAndASecondWorkerKeepsServing() throws Exception {
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        try (var b = new DynamicBatcher<String, Integer>(items -> {
            if (items.contains("block")) {
                entered.countDown();
                try { release.await(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            }
            return items.stream().map(String::length).toList();
        }, 16, 1, Duration.ofMillis(1), 2, new ServerMetrics())) {
            // two workers: one dies, the other keeps serving; the dead one still shows in deadWorkers()
            b.injectWorkerFault(new OutOfMemoryError("simulated"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.deadWorkers() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(1, b.deadWorkers());
            assertEquals(List.of(2), b.submit(List.of("ok")).get(10, TimeUnit.SECONDS));
            // the survivor is busy with a blocking batch; a request waits in the queue; then the survivor is killed
            CompletableFuture<List<Integer>> busy = b.submit(List.of("block"));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            CompletableFuture<List<Integer>> queued = b.submit(List.of("waiting"));
            b.injectWorkerFault(new OutOfMemoryError("simulated again"));
            release.countDown();
            assertEquals(List.of(5), busy.get(10, TimeUnit.SECONDS), "the batch in hand finishes");
            // the last worker died with "waiting" still queued: it fails at once with a 503-style rejection, not a hang
            var e = assertThrows(ExecutionException.class, () -> queued.get(10, TimeUnit.SECONDS));
            var orphan = assertInstanceOf(DynamicBatcher.Rejected.class, e.getCause());
            assertTrue(orphan.unavailable() && orphan.getMessage().contains("simulated again"), orphan.getMessage());
            while (b.deadWorkers() < 2 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(10)) Thread.sleep(10);
            assertEquals(2, b.deadWorkers());
            var rej = assertThrows(DynamicBatcher.Rejected.class, () -> b.submit(List.of("late")));
            assertTrue(rej.unavailable() && rej.retryAfterSeconds() > 0, rej.getMessage());
        }
    }
}
