package dev.tare.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tare.serve.api.BadRequest;
import dev.tare.serve.api.Limits;
import dev.tare.serve.api.Protocols;
import dev.tare.runtime.text.ChatTemplateException;
import dev.tare.scorers.ScorerException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The HTTP/1.1 reward server: OpenRLHF's remote reward-model protocol on {@code POST /get_reward}, tare's native
 * API on {@code POST /v1/reward}, {@code GET /health} and {@code GET /metrics} (Prometheus). Requests are merged by
 * a {@link DynamicBatcher}; a full queue answers 429 with Retry-After at once ({@link Admission#shed()}) or after
 * holding the request up to the admission wait ({@link Admission#queue}); shutdown answers 503 while in-flight work
 * finishes, for up to a few seconds. Only the four paths are answered (exact match). A connection whose request
 * (headers and body) has not arrived within the read timeout is closed, and at most {@code maxConnections} are open at
 * once (the JDK server's {@code sun.net.httpserver.maxReqTime} and {@code jdk.httpserver.maxConnections}, which are
 * JVM-wide and read once: the first server started sets them unless the JVM was started with them).
 */
public final class RewardServer implements AutoCloseable {
    /**
     * Server settings. {@code bearerToken} null = no auth. {@code readTimeout}: how long a connection may take to send
     * its whole request (headers and body; whole seconds). {@code maxConnections}: open connections at most (more are
     * closed on accept). {@code stuckAfter}: a worker busy on one batch longer than this makes /health report 503.
     * {@code maxBatchChars}: the text one merged batch may carry (a single request over it still runs, alone).
     */
    public record Options(String host, int port, Limits limits, String bearerToken, int queueCapacityItems,
                          int maxBatchItems, Duration maxWait, int workers, Duration requestTimeout, Admission admission,
                          Duration readTimeout, int maxConnections, Duration stuckAfter, long maxBatchChars) {
        /** The connection and batch bounds at their defaults (30 s read timeout, 1024 connections, stuck after the request timeout, 400,000 characters per batch). */
        public Options(String host, int port, Limits limits, String bearerToken, int queueCapacityItems,
                       int maxBatchItems, Duration maxWait, int workers, Duration requestTimeout, Admission admission) {
            this(host, port, limits, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission,
                    Duration.ofSeconds(30), 1024, requestTimeout, 400_000);
        }

        public Options {
            if (readTimeout.toSeconds() < 1) throw new IllegalArgumentException("the read timeout must be at least 1 s, got " + readTimeout);
            if (maxConnections < 1) throw new IllegalArgumentException("max connections must be >= 1, got " + maxConnections);
            if (stuckAfter.isNegative() || stuckAfter.isZero()) throw new IllegalArgumentException("stuck-after must be > 0, got " + stuckAfter);
            if (maxBatchChars < 1) throw new IllegalArgumentException("max batch characters must be >= 1, got " + maxBatchChars);
            if (admission.queue() && admission.maxWait().compareTo(requestTimeout) >= 0)
                throw new IllegalArgumentException("the admission wait (" + admission.maxWait().toSeconds() + " s) must be shorter than the request timeout ("
                        + requestTimeout.toSeconds() + " s)");
        }

        public static Options defaults() {
            return new Options("127.0.0.1", 8000, Limits.defaults(), null, 4096, 32, Duration.ofMillis(5), 1, Duration.ofSeconds(170), Admission.shed());
        }

        public Options withHost(String h) { return new Options(h, port, limits, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission, readTimeout, maxConnections, stuckAfter, maxBatchChars); }
        public Options withPort(int p) { return new Options(host, p, limits, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission, readTimeout, maxConnections, stuckAfter, maxBatchChars); }
        public Options withToken(String t) { return new Options(host, port, limits, t, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission, readTimeout, maxConnections, stuckAfter, maxBatchChars); }
        public Options withQueue(int cap, int batch) { return new Options(host, port, limits, bearerToken, cap, batch, maxWait, workers, requestTimeout, admission, readTimeout, maxConnections, stuckAfter, maxBatchChars); }
        public Options withLimits(Limits l) { return new Options(host, port, l, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission, readTimeout, maxConnections, stuckAfter, maxBatchChars); }
        public Options withConnections(Duration read, int max) { return new Options(host, port, limits, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission, read, max, stuckAfter, maxBatchChars); }
        public Options withStuckAfter(Duration d) { return new Options(host, port, limits, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission, readTimeout, maxConnections, d, maxBatchChars); }
        public Options withMaxBatchChars(long c) { return new Options(host, port, limits, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, admission, readTimeout, maxConnections, stuckAfter, c); }
        public Options withAdmission(Admission a) { return new Options(host, port, limits, bearerToken, queueCapacityItems, maxBatchItems, maxWait, workers, requestTimeout, a, readTimeout, maxConnections, stuckAfter, maxBatchChars); }
    }

    private final RewardPipeline pipeline;
    private final Options options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final DynamicBatcher<RewardItem, RewardResult> batcher;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean draining = new AtomicBoolean();

    private RewardServer(RewardPipeline pipeline, Options options) throws IOException {
        this.pipeline = pipeline;
        this.options = options;
        this.batcher = new DynamicBatcher<>(pipeline::evaluate, options.queueCapacityItems(), options.maxBatchItems(),
                options.maxWait(), options.workers(), metrics, options.admission().maxWait(), RewardItem::chars, options.maxBatchChars());
        configureJdkServer(options);
        this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
        http.setExecutor(executor);
        ResponseSplitter splitter = pipeline.responseSplitter();
        // one context for every path and an exact match here: the JDK's contexts match by prefix, which would answer
        // /healthz as /health and score POST /v1/reward/../../etc/passwd
        java.util.Map<String, com.sun.net.httpserver.HttpHandler> routes = java.util.Map.of(
                "/get_reward", ex -> handle(ex, "/get_reward", "POST", false, b -> Protocols.openRlhf(b, options.limits(), splitter), Protocols::openRlhfResponse),
                "/v1/reward", ex -> handle(ex, "/v1/reward", "POST", true, b -> Protocols.nativeItems(b, options.limits(), splitter), Protocols::nativeResponse),
                "/health", this::health,
                "/metrics", this::metricsPage);
        http.createContext("/", ex -> {
            var route = routes.get(ex.getRequestURI().getRawPath());
            if (route != null) {
                route.handle(ex);
                return;
            }
            drainBody(ex);
            sendJson(ex, 404, error("no such endpoint: " + ex.getRequestURI().getRawPath() + " (try POST /get_reward, POST /v1/reward, GET /health, GET /metrics)"));
            ex.close();
        });
    }

    /**
     * The JDK server's connection bounds, set before its first use in this JVM (it reads them once): the whole request
     * within the read timeout (else the connection is closed; a connection that sends nothing is closed then too),
     * the response within the request timeout plus the read timeout, at most {@code maxConnections} open. A value
     * the JVM was started with ({@code -Dsun.net.httpserver.maxReqTime=...}, e.g. in TARE_JAVA_OPTS) wins.
     */
    private static synchronized void configureJdkServer(Options o) {
        setIfAbsent("sun.net.httpserver.maxReqTime", o.readTimeout().toSeconds());
        setIfAbsent("sun.net.httpserver.maxRspTime", o.requestTimeout().toSeconds() + o.readTimeout().toSeconds());
        setIfAbsent("jdk.httpserver.maxConnections", o.maxConnections());
    }

    private static void setIfAbsent(String key, long value) {
        if (System.getProperty(key) == null) System.setProperty(key, Long.toString(value));
    }

    /** Checks each remote model source (ModelSource.checkServedModel), then binds and starts serving. */
    public static RewardServer start(RewardPipeline pipeline, Options options) throws IOException {
        for (RewardPipeline.Weighted w : pipeline.sources())
            if (w.source() instanceof dev.tare.serve.source.ModelSource m) m.checkServedModel();   // before the port opens
        RewardServer s = new RewardServer(pipeline, options);
        s.http.start();
        return s;
    }

    public int port() { return http.getAddress().getPort(); }

    public ServerMetrics metrics() { return metrics; }

    /** The request batcher (for tests). */
    DynamicBatcher<RewardItem, RewardResult> batcher() { return batcher; }

    /**
     * {@code partial}: whether the endpoint can answer some items and fail others in a 200 (the native API: a null
     * reward with its error). OpenRLHF's /get_reward cannot: its client turns every reward into a tensor outside its
     * retry guard (v0.11 openrlhf/trainer/ppo_utils/samples_generator.py), so a null would crash the trainer; there an
     * item that fails is a 422 naming it, and as OpenRLHF v0.11 posts one query per request, only that sample fails.
     */
    private void handle(HttpExchange ex, String endpoint, String method, boolean partial, Function<JsonNode, List<RewardItem>> parse,
                        Function<List<RewardResult>, ObjectNode> render) throws IOException {
        long t0 = System.nanoTime();
        int status = 500;
        metrics.inFlight(1);
        try {
            if (!method.equals(ex.getRequestMethod())) throw new BadRequest(405, endpoint + " takes " + method);
            authorize(ex);
            if (draining.get()) {
                ex.getResponseHeaders().set("Retry-After", "5");
                throw new BadRequest(503, "server is shutting down");
            }
            byte[] body = readBody(ex, options.limits().maxBodyBytes());
            List<RewardItem> items = parse.apply(Protocols.parse(body));
            List<RewardResult> results;
            try {
                var future = batcher.submit(items); // with queue admission, may wait for room first
                long left = options.requestTimeout().toNanos() - (System.nanoTime() - t0); // the timeout counts from arrival
                results = future.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (DynamicBatcher.Rejected r) {
                throw rejected(ex, r);
            } catch (TimeoutException e) {
                throw new BadRequest(503, "timed out after " + options.requestTimeout().toSeconds() + " s waiting for the reward model");
            } catch (ExecutionException e) {
                throw failure(ex, e.getCause());
            }
            metrics.items(items.size());
            List<String> failed = new java.util.ArrayList<>();
            for (int i = 0; i < results.size(); i++) if (!results.get(i).ok()) failed.add("item " + i + ": " + results.get(i).error());
            if (!failed.isEmpty() && (!partial || failed.size() == results.size())) throw new BadRequest(422, String.join("; ", failed));
            status = 200;
            sendJson(ex, 200, render.apply(results));
        } catch (BadRequest e) {
            status = e.status();
            drainBody(ex);
            ObjectNode err = error(e.getMessage());
            if (e.upstreamStatus() > 0) err.put("upstream_status", e.upstreamStatus());
            sendJson(ex, status, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sendJson(ex, 503, error("interrupted"));
        } catch (RuntimeException e) {
            status = 500;
            sendJson(ex, 500, error("reward evaluation failed: " + (e.getMessage() == null ? e.toString() : e.getMessage())));
        } finally {
            metrics.inFlight(-1);
            metrics.request(endpoint, status, (System.nanoTime() - t0) / 1e9);
            ex.close();
        }
    }

    /** 429 (queue full) or 503 (shutting down, no batch worker left), both with Retry-After. */
    private static BadRequest rejected(HttpExchange ex, DynamicBatcher.Rejected r) {
        ex.getResponseHeaders().set("Retry-After", Integer.toString(r.retryAfterSeconds()));
        return new BadRequest(r.unavailable() ? 503 : 429, r.getMessage());
    }

    /**
     * What a failed evaluation tells the client: 422 for input the sources refuse (bad labels, unsplittable
     * queries, over-length or out-of-vocabulary text, a chat template's raise_exception), 503 + Retry-After for a
     * remote scorer that may recover, 502 with {@code upstream_status} when a remote scorer's endpoint refused the
     * call with a 4xx (the upstream refused, not our client), 500 for everything else (a server fault).
     */
    private static RuntimeException failure(HttpExchange ex, Throwable c) {
        String msg = c.getMessage() == null ? c.toString() : c.getMessage();
        if (c instanceof DynamicBatcher.Rejected r) return rejected(ex, r);
        if (c instanceof IllegalArgumentException || c instanceof ChatTemplateException) return new BadRequest(422, msg);
        if (c instanceof ScorerException se && se.badInput()) return new BadRequest(422, msg);
        if (c instanceof ScorerException se && se.upstreamStatus() > 0)
            return new BadRequest(502, "the remote reward model refused the call (HTTP " + se.upstreamStatus() + "): " + msg, se.upstreamStatus());
        if (c instanceof ScorerException se && se.retryable()) {
            ex.getResponseHeaders().set("Retry-After", "5");
            return new BadRequest(503, "reward model temporarily unavailable: " + msg);
        }
        return new IllegalStateException(msg, c);
    }

    private void authorize(HttpExchange ex) {
        if (options.bearerToken() == null) return;
        String h = ex.getRequestHeaders().getFirst("Authorization");
        String expected = "Bearer " + options.bearerToken();
        if (h == null || !MessageDigest.isEqual(h.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new BadRequest(401, "missing or wrong bearer token");
        }
    }

    private static byte[] readBody(HttpExchange ex, int max) throws IOException {
        String cl = ex.getRequestHeaders().getFirst("Content-Length");
        if (cl != null) {
            try {
                if (Long.parseLong(cl.strip()) > max) throw new BadRequest(413, "body of " + cl + " bytes exceeds the limit of " + max);
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "bad Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] data = in.readNBytes((int) Math.min((long) max + 1, Integer.MAX_VALUE - 8)); // no int overflow at max = MAX_VALUE
            if (data.length > max) throw new BadRequest(413, "body exceeds the limit of " + max + " bytes");
            return data;
        }
    }

    private static void drainBody(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            in.skip(1 << 20);
        } catch (IOException ignored) {
            // the connection will be closed anyway
        }
    }

    private void health(HttpExchange ex) throws IOException {
        drainBody(ex);
        ObjectNode o = Protocols.JSON.createObjectNode();
        boolean draining = this.draining.get();
        int dead = batcher.deadWorkers();
        Duration busy = batcher.longestBusy();
        boolean stuck = busy.compareTo(options.stuckAfter()) > 0;
        boolean down = draining || dead > 0 || stuck;
        o.put("status", draining ? "draining" : dead > 0 ? "unhealthy: " + dead + " batch worker(s) died (last of "
                + batcher.lastDeath() + "); restart the server"
                : stuck ? "unhealthy: a batch worker has been busy on one batch for " + busy.toMillis() / 1000.0
                + " s, over the bound of " + options.stuckAfter().toMillis() / 1000.0 + " s (requests behind it wait or time out)" : "ok");
        var arr = o.putArray("sources");
        for (RewardPipeline.Weighted w : pipeline.sources()) arr.addObject().put("name", w.source().name()).put("weight", w.weight());
        o.put("queued_items", batcher.queuedItems());
        sendJson(ex, down ? 503 : 200, o);
        ex.close();
    }

    private void metricsPage(HttpExchange ex) throws IOException {
        drainBody(ex);
        byte[] b = metrics.render().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream os = ex.getResponseBody()) { os.write(b); }
        ex.close();
    }

    private static ObjectNode error(String msg) {
        ObjectNode o = Protocols.JSON.createObjectNode();
        o.put("error", msg);
        return o;
    }

    private static void sendJson(HttpExchange ex, int status, ObjectNode body) {
        try {
            byte[] b = Protocols.JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) { os.write(b); }
        } catch (IOException ignored) {
            // client went away
        }
    }

    /**
     * Prompt graceful shutdown: new requests get 503; queued and in-flight requests have 3 s to finish, after which
     * those still waiting get 503 (a batch that will not end is abandoned to its daemon worker); then the socket and
     * every connection close. Returns within about 5 s.
     */
    @Override
    public void close() {
        draining.set(true);
        batcher.close(Duration.ofSeconds(3));
        http.stop(1);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
