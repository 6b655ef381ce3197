package dev.tare.testkit;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) whose handler the test scripts per request: it records each request
 * (path, JSON body, Authorization header, arrival number) and the most requests in flight at once, and answers what the
 * handler returns. {@link #raw} serves a hand-written {@link HttpHandler} instead (e.g. a server that stalls mid-body).
 */
public final class LoopbackServer implements AutoCloseable {
    /** Reads request bodies as the clients under test write them (a bare NaN parses, so a test can see it). */
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** What the server answers: status, body, extra headers, and a delay before answering. */
    public record Reply(int status, String body, Map<String, String> headers, long delayMs) {
        public static Reply json(String body) { return new Reply(200, body, Map.of(), 0); }
        public static Reply status(int code, String body) { return new Reply(code, body, Map.of(), 0); }
        public Reply after(long ms) { return new Reply(status, body, headers, ms); }
        public Reply header(String k, String v) {
            var h = new java.util.HashMap<>(headers);
            h.put(k, v);
            return new Reply(status, body, h, delayMs);
        }
    }

    /** One received request: its path, parsed JSON body, Authorization header and 1-based arrival number. */
    public record Seen(String path, JsonNode body, String authorization, int number) {}

    /** The script: the reply to one request. */
    @FunctionalInterface
    public interface Handler { Reply handle(Seen request) throws Exception; }

    private final HttpServer server;
    /** Requests received so far, in arrival order. */
    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** Requests being answered now, and the most at once so far. */
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger count = new AtomicInteger();

    /** A server that answers every path with {@code handler}'s reply. */
    public LoopbackServer(Handler handler) throws IOException {
        this(null, java.util.Objects.requireNonNull(handler));
    }

    private LoopbackServer(HttpHandler raw, Handler scripted) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", raw != null ? raw : ex -> serve(ex, scripted));
        server.start();
    }

    /** A server that hands every exchange to {@code handler} as it is (nothing recorded, nothing scripted). */
    public static LoopbackServer raw(HttpHandler handler) throws IOException {
        return new LoopbackServer(java.util.Objects.requireNonNull(handler), null);
    }

    private void serve(HttpExchange ex, Handler handler) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            byte[] in = ex.getRequestBody().readAllBytes();
            JsonNode body = in.length == 0 ? null : MAPPER.readTree(in);
            Seen s = new Seen(ex.getRequestURI().getPath(), body, ex.getRequestHeaders().getFirst("Authorization"),
                    count.incrementAndGet());
            seen.add(s);
            Reply r;
            try {
                r = handler.handle(s);
            } catch (Exception e) {
                r = Reply.status(500, "handler failed: " + e);
            }
            if (r.delayMs() > 0) {
                try {
                    Thread.sleep(r.delayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (IOException e) {
            // client went away (timeout): nothing to answer
        } finally {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    /** The server's base URL, {@code http://127.0.0.1:PORT}. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override public void close() {
        server.stop(0);
    }
}
