package dev.tare.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback reward endpoint speaking tare's native protocol ({@code POST /v1/reward {"items":[{"messages":[...]}]}}
 * -> {@code {"rewards":[...]}}) whose reward is {@link #reward}: a known function of the response text, so tests can
 * compute every benchmark number from first principles (or another function of an item's messages). An optional
 * per-request delay slows a run down.
 */
public final class RewardLoopback implements AutoCloseable {
    private static final ObjectMapper M = new ObjectMapper();
    private final HttpServer server;
    /** Delay before each answer, in ms. */
    public final AtomicLong delayMs = new AtomicLong();
    /** Requests received so far. */
    public final AtomicInteger requests = new AtomicInteger();

    public RewardLoopback() throws IOException {
        this(msgs -> reward(msgs.get(msgs.size() - 1).get("content").asText()));
    }

    /** An endpoint whose reward for an item is {@code rewardOf(messages)} (the item's "messages" array). */
    public RewardLoopback(java.util.function.ToDoubleFunction<JsonNode> rewardOf) throws IOException {
        this(rewardOf::applyAsDouble, true);
    }

    /**
     * An endpoint whose reward for an item is {@code rewardOf(messages)}; a request with an item it has no reward for
     * (null) is answered 400 "unknown conversation".
     */
    public static RewardLoopback lookup(java.util.function.Function<JsonNode, Double> rewardOf) throws IOException {
        return new RewardLoopback(rewardOf, false);
    }

    private RewardLoopback(java.util.function.Function<JsonNode, Double> rewardOf, boolean viaConstructor) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/reward", ex -> {
            try (ex) {
                requests.incrementAndGet();
                JsonNode items = M.readTree(ex.getRequestBody()).get("items");
                StringBuilder sb = new StringBuilder("{\"rewards\":[");
                int status = 200;
                for (int i = 0; i < items.size(); i++) {
                    Double r = rewardOf.apply(items.get(i).get("messages"));
                    if (r == null) status = 400;
                    if (i > 0) sb.append(',');
                    sb.append(r);
                }
                byte[] out = (status == 200 ? sb.append("]}").toString() : "{\"error\":\"unknown conversation\"}").getBytes(StandardCharsets.UTF_8);
                Thread.sleep(delayMs.get());
                ex.sendResponseHeaders(status, out.length);
                ex.getResponseBody().write(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /**
     * The model: +1 per occurrence of the word "right", -1 per "wrong", +0.4 per markdown bullet line, plus a length
     * term of 0.002 per code point (a mild length bias).
     */
    public static double reward(String response) {
        double r = 0.002 * response.codePointCount(0, response.length());
        r += count(response, "right") - count(response, "wrong");
        for (String line : response.split("\n", -1)) if (line.startsWith("- ")) r += 0.4;
        return r;
    }

    private static int count(String s, String w) {
        int n = 0;
        for (int i = s.indexOf(w); i >= 0; i = s.indexOf(w, i + 1)) n++;
        return n;
    }

    /** The --scorer spec for this endpoint. */
    public String spec(int batch) {
        return url() + ",protocol=tare,model=loopback-rm,batch=" + batch;
    }

    /** The endpoint's base URL. */
    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    @Override public void close() { server.stop(0); }
}
