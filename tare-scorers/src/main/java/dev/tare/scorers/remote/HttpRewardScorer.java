package dev.tare.scorers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Message;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerException;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A reward model behind an HTTP endpoint ({@link RewardProtocol}). A call is split into requests of at most
 * {@code requestSize} conversations (one for unbatched protocols) that run on virtual threads, at most
 * {@link HttpOptions#concurrency()} at a time; rewards come back in input order, all finite, or the call throws.
 */
public final class HttpRewardScorer implements RewardScorer {
    private final URI uri;
    private final RewardProtocol protocol;
    private final String model;
    private final String label;
    private final int requestSize;
    private final JsonHttpClient http;
    private final String name;
    private final java.util.function.Function<List<Message>, String> render;

    public HttpRewardScorer(URI endpoint, RewardProtocol protocol, String model, String label, int requestSize,
                            JsonHttpClient http) {
        this(endpoint, protocol, model, label, requestSize, http, null);
    }

    /** With {@code render} (TEI only): each conversation is sent as the one text it returns (a chat template). */
    public HttpRewardScorer(URI endpoint, RewardProtocol protocol, String model, String label, int requestSize,
                            JsonHttpClient http, java.util.function.Function<List<Message>, String> render) {
        if (render != null && protocol != RewardProtocol.TEI)
            throw new IllegalArgumentException("chat-template=DIR is for protocol=tei only; " + protocol.id()
                    + " servers apply the model's own chat template");
        this.render = render;
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.uri = resolve(Objects.requireNonNull(endpoint, "endpoint"), protocol);
        this.model = model;
        this.label = label;
        if (requestSize < 1) throw new IllegalArgumentException("requestSize must be >= 1");
        this.requestSize = protocol.batched() ? requestSize : 1;
        this.http = Objects.requireNonNull(http, "http");
        this.name = model != null ? model : uri.getHost() + ":" + uri.getPort();
    }

    /** A base URL with no path gets the protocol's default path; a URL with a path is used as given. */
    static URI resolve(URI endpoint, RewardProtocol protocol) {
        String scheme = endpoint.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL with a host, got '" + endpoint + "'");
        }
        String path = endpoint.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return endpoint.resolve(protocol.defaultPath());
        }
        return endpoint;
    }

    public URI uri() { return uri; }
    public RewardProtocol protocol() { return protocol; }

    @Override public String name() { return name; }

    @Override public int preferredBatchSize() { return requestSize * http.options().concurrency(); }

    @Override public double[] score(List<List<Message>> conversations) {
        int n = conversations.size();
        double[] out = new double[n];
        if (n == 0) return out;
        for (int i = 0; i < n; i++) {
            List<Message> c = conversations.get(i);
            if (c.isEmpty() || !"assistant".equals(c.getLast().role())) {
                throw new IllegalArgumentException("conversation " + i + " must end with an assistant turn");
            }
        }
        if (n <= requestSize) {
            double[] r = call(conversations);
            System.arraycopy(r, 0, out, 0, n);
            return out;
        }
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<double[]>> parts = new ArrayList<>();
            for (int from = 0; from < n; from += requestSize) {
                List<List<Message>> chunk = conversations.subList(from, Math.min(n, from + requestSize));
                parts.add(ex.submit(() -> call(chunk)));
            }
            int pos = 0;
            for (Future<double[]> f : parts) {
                double[] r;
                try {
                    r = f.get();
                } catch (ExecutionException e) {
                    parts.forEach(p -> p.cancel(true));
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new ScorerException("request to " + uri + " failed: " + e.getCause(), false, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ScorerException("interrupted while scoring via " + uri, false, e);
                }
                System.arraycopy(r, 0, out, pos, r.length);
                pos += r.length;
            }
        }
        return out;
    }

    private double[] call(List<List<Message>> chunk) {
        JsonNode resp = http.post(uri, protocol.request(model, chunk, render));
        return protocol.rewards(resp, chunk.size(), uri, label);
    }

    @Override public void close() { http.close(); }

    @Override public String toString() {
        return "HttpRewardScorer[" + protocol.id() + " " + uri + (model == null ? "" : " model=" + model) + "]";
    }
}
