package dev.tare.serve;

import dev.tare.data.Message;
import dev.tare.scorers.RewardScorer;
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
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class RewardServerTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RewardServer server;

    /** A scorer whose reward is the response length in characters, optionally slow: behaves like a length-biased RM. */
    static final class LengthScorer implements RewardScorer {
        final long sleepMillis;
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);

        LengthScorer(long sleepMillis) { this.sleepMillis = sleepMillis; }

        @Override public String name() { return "length"; }

        @Override public double[] score(List<List<Message>> conversations) {
            calls.incrementAndGet();
            started.countDown();
            if (sleepMillis > 0) {
                try { Thread.sleep(sleepMillis); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            }
            double[] r = new double[conversations.size()];
            for (int i = 0; i < r.length; i++) r[i] = conversations.get(i).getLast().content().length();
            return r;
        }
    }

    @AfterEach
    void stop() { if (server != null) server.close(); }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void openRlhfBbqLetterRewards() throws Exception {
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new BbqLetterSource(0.5, -0.1), 1.0)), List.of());
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0));
        String body = """
                {"query": ["Q1 A", "Q2 B", "Q3 I think it's A", "Q4 (C)", "Q5 B"],
                 "prompts": ["Q1 ", "Q2 ", "Q3 ", "Q4 ", "Q5 "],
                 "labels": ["A", "A", "A", {"gold": "C", "biased": "A"}, "{\\"gold\\": \\"C\\", \\"biased\\": \\"B\\"}"]}""";
        var r = post("/get_reward", body, null);
        assertEquals(200, r.statusCode(), r.body());
        var json = dev.tare.serve.api.Protocols.JSON.readTree(r.body());
        double[] rewards = new double[5];
        for (int i = 0; i < 5; i++) rewards[i] = json.get("rewards").get(i).asDouble();
        assertArrayEquals(new double[]{1.0, 0.0, -0.1, 1.0, -0.5}, rewards, 1e-12);
        assertEquals(5, json.get("scores").size());
        assertTrue(json.get("extra_logs").has("bbq_letter"));
    }

    @Test
    void nativeApiReportsRawScoreAndComponents() throws Exception {
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(new LengthScorer(0)), 2.0)),
                List.of(new ScoreCorrection() {
                    @Override public String name() { return "length_penalty"; }
                    @Override public double delta(RewardItem item, double score) { return -0.5 * item.responseText().length(); }
                }));
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0));
        var r = post("/v1/reward", """
                {"items": [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]},
                           {"prompt": "hi", "response": "hey"}]}""", null);
        assertEquals(200, r.statusCode(), r.body());
        var json = dev.tare.serve.api.Protocols.JSON.readTree(r.body());
        var first = json.get("results").get(0);
        assertEquals(5.0, first.get("raw_score").asDouble());
        assertEquals(2.0 * (5 - 2.5), first.get("reward").asDouble(), 1e-12);
        assertEquals(-5.0, first.get("components").get("length_penalty").asDouble(), 1e-12);
        assertEquals(2.0 * (3 - 1.5), json.get("rewards").get(1).asDouble(), 1e-12);
    }

    @Test
    void badBodiesGet4xxAndServerKeepsServing() throws Exception {
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new BbqLetterSource(0, -0.1), 1.0)), List.of());
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0).withLimits(new Limits(4096, 4, 1000)));
        record Case(String path, String body, int status, String needle) {}
        List<Case> cases = List.of(
                new Case("/get_reward", "{not json", 400, "malformed JSON"),
                new Case("/get_reward", "[1,2]", 400, "JSON object"),
                new Case("/get_reward", "{\"query\": \"A\"}", 400, "'query' must be a list"),
                new Case("/get_reward", "{\"query\": [1]}", 400, "query[0]"),
                new Case("/get_reward", "{\"query\": [\"A\"], \"prompts\": [\"a\", \"b\"]}", 400, "'prompts' has 2"),
                new Case("/get_reward", "{\"query\": [], \"labels\": []}", 400, "no items"),
                new Case("/get_reward", "{\"query\": [\"A\"], \"labels\": [NaN]}", 400, "malformed JSON"),
                new Case("/get_reward", "{\"query\": [\"A\",\"A\",\"A\",\"A\",\"A\"]}", 413, "limit is 4"),
                new Case("/get_reward", "{\"query\": [\"" + "x".repeat(5000) + "\"]}", 413, "exceeds the limit"),
                new Case("/get_reward", "{\"query\": [\"" + "x".repeat(2000) + "\"]}", 413, "characters"),
                new Case("/get_reward", "{\"query\": [\"A\"], \"prompts\": [\"\"], \"labels\": [\"Z\"]}", 422, "must be A, B or C"),
                new Case("/get_reward", "{\"query\": [\"A\"], \"prompts\": [\"\"]}", 422, "needs a label"),
                new Case("/get_reward", "{\"query\": [\"A\"], \"labels\": [\"A\"]}", 422, "cannot find the response"),
                new Case("/v1/reward", "{\"items\": [{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}]}", 400, "end with the assistant"),
                new Case("/v1/reward", "{\"items\": [{\"prompt\": 3}]}", 400, "items[0].prompt"),
                new Case("/nope", "{}", 404, "no such endpoint"));
        for (Case c : cases) {
            var r = post(c.path(), c.body(), null);
            assertEquals(c.status(), r.statusCode(), c.body() + " -> " + r.body());
            assertTrue(r.body().contains(c.needle()), c.body() + " -> " + r.body());
        }
        var wrongMethod = get("/get_reward");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals(200, get("/health").statusCode());
        assertEquals(200, post("/get_reward", "{\"query\": [\"A\"], \"prompts\": [\"\"], \"labels\": [\"A\"]}", null).statusCode());
    }

    @Test
    void gsm8kRewardsOnRealSolutionsAgreeWithTheirIsCorrectFlags() throws Exception {
        var file = dev.tare.data.SharedData.data("gsm8k/example_model_solutions.jsonl");
        org.junit.jupiter.api.Assumptions.assumeTrue(file.isPresent(), "../shared absent (user clone): skipping GSM8K solutions");
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new dev.tare.serve.source.Gsm8kSource(), 1.0)), List.of());
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0));
        var rows = dev.tare.data.Jsonl.read(file.get(), (line, node) -> node);
        var mapper = dev.tare.serve.api.Protocols.JSON;
        var body = mapper.createObjectNode();
        var q = body.putArray("query");
        var labels = body.putArray("labels");
        List<Boolean> expected = new ArrayList<>();
        var prompts = body.putArray("prompts");
        for (var row : rows.subList(0, 60)) {
            String gold = dev.tare.data.gsm8k.Gsm8kAnswers.lastNumber(row.get("ground_truth").asText()).orElseThrow().toPlainString();
            for (String k : List.of("6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification")) {
                var sol = row.get(k);
                String prompt = row.get("question").asText() + "\n";
                q.add(prompt + sol.get("solution").asText());
                prompts.add(prompt);
                labels.add(gold);
                expected.add(sol.get("is_correct").asBoolean());
            }
        }
        var r = post("/get_reward", mapper.writeValueAsString(body), null);
        assertEquals(200, r.statusCode(), r.body());
        var rewards = mapper.readTree(r.body()).get("rewards");
        int agree = 0;
        for (int i = 0; i < expected.size(); i++) if ((rewards.get(i).asDouble() == 1.0) == expected.get(i)) agree++;
        System.out.println("GSM8K reward vs is_correct: " + agree + "/" + expected.size());
        assertTrue(agree >= 0.97 * expected.size(), agree + "/" + expected.size() + " agree with is_correct");
    }

    @Test
    void bearerTokenIsRequiredWhenConfigured() throws Exception {
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new BbqLetterSource(0, -0.1), 1.0)), List.of());
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0).withToken("s3cret"));
        String body = "{\"query\": [\"A\"], \"prompts\": [\"\"], \"labels\": [\"A\"]}";
        assertEquals(401, post("/get_reward", body, null).statusCode());
        assertEquals(401, post("/get_reward", body, "wrong").statusCode());
        assertEquals(200, post("/get_reward", body, "s3cret").statusCode());
    }

    @Test
    void concurrentRequestsAreBatchedAndOverloadGets429() throws Exception {
        LengthScorer slow = new LengthScorer(200);
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(slow), 1.0)), List.of());
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0).withQueue(8, 8));
        int n = 40;
        var statuses = new ConcurrentHashMap<Integer, AtomicInteger>();
        List<String> retryAfter = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    var r = post("/v1/reward", "{\"items\": [{\"prompt\": \"p\", \"response\": \"abc\"}]}", null);
                    statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    r.headers().firstValue("Retry-After").ifPresent(retryAfter::add);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        }
        int ok = statuses.getOrDefault(200, new AtomicInteger()).get();
        int rejected = statuses.getOrDefault(429, new AtomicInteger()).get();
        assertEquals(n, ok + rejected, "only 200 and 429 expected: " + statuses);
        assertTrue(rejected > 0, "a queue of 8 items with 40 concurrent requests must reject some: " + statuses);
        assertTrue(ok >= 8, statuses.toString());
        assertEquals(rejected, retryAfter.size(), "every 429 carries Retry-After");
        assertTrue(slow.calls.get() < ok, "requests were merged into batches: " + slow.calls.get() + " calls for " + ok + " requests");
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("tare_requests_total{endpoint=\"/v1/reward\",code=\"429\"} " + rejected), metrics);
        assertTrue(metrics.contains("# TYPE tare_request_duration_seconds histogram"));
    }

    @Test
    void gracefulShutdownFinishesInFlightRequests() throws Exception {
        LengthScorer slow = new LengthScorer(500);
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new ModelSource(slow), 1.0)), List.of());
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> inFlight = pool.submit(() -> post("/v1/reward", "{\"items\": [{\"response\": \"abcd\"}]}", null));
            slow.started.await();
            server.close();
            var r = inFlight.get();
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("4.0"));
        }
        server = null;
    }
}
