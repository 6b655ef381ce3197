package dev.tare.scorers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Message;
import dev.tare.scorers.RenderedTextScorer;
import dev.tare.scorers.ScorerException;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * A reward model behind an HTTP endpoint ({@link RewardProtocol}). A call is split into requests of at most
 * {@code requestSize} conversations (one for unbatched protocols) that run on virtual threads, at most
 * {@link HttpOptions#concurrency()} at a time; rewards come back in input order, all finite, or the call throws.
 * Before its first request it checks the served model ({@link ServedModel}) when {@link WireSettings#checkServer()},
 * and it refuses probability-valued responses ({@link ProbabilityGuard}) unless {@link WireSettings#probability()}.
 * vLLM and TEI endpoints also score already rendered text ({@link #scoreRendered}).
 */
public final class HttpRewardScorer implements RenderedTextScorer {
    private final URI uri;
    private final RewardProtocol protocol;
    private final String model;
    private final String label;
    private final int requestSize;
    private final JsonHttpClient http;
    private final String name;
    private final Function<List<Message>, String> render;
    private final WireSettings wire;
    private final ProbabilityGuard guard;
    private volatile ServedModel served;

    public HttpRewardScorer(URI endpoint, RewardProtocol protocol, String model, String label, int requestSize,
                            JsonHttpClient http) {
        this(endpoint, protocol, model, label, requestSize, http, null, WireSettings.defaults().unchecked());
    }

    /** With {@code render} (TEI only): each conversation is sent as the one text it returns (a chat template). */
    public HttpRewardScorer(URI endpoint, RewardProtocol protocol, String model, String label, int requestSize,
                            JsonHttpClient http, Function<List<Message>, String> render) {
        this(endpoint, protocol, model, label, requestSize, http, render, WireSettings.defaults().unchecked());
    }

    public HttpRewardScorer(URI endpoint, RewardProtocol protocol, String model, String label, int requestSize,
                            JsonHttpClient http, Function<List<Message>, String> render, WireSettings wire) {
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
        this.wire = Objects.requireNonNull(wire, "wire");
        this.guard = new ProbabilityGuard(uri, wire.probability() || protocol == RewardProtocol.TARE);
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
    public WireSettings wire() { return wire; }

    @Override public String name() { return name; }

    /** Unbatched protocols (vLLM) still take at least 16 conversations a call, enough to judge a probability response. */
    @Override public int preferredBatchSize() {
        return protocol.batched() ? requestSize * http.options().concurrency() : Math.max(16, http.options().concurrency());
    }

    @Override public Map<String, Object> provenance() {
        if (protocol == RewardProtocol.TARE) return Map.of();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("truncation", wire.truncate().toString());
        if (protocol != RewardProtocol.TEI && protocol != RewardProtocol.TEI_RERANK) p.put("activation", wire.activationField() + "=false");
        if (wire.probability()) p.put("probability", "true");
        ServedModel s = served;
        if (s != null && s.maxInputTokens() > 0) p.put("max_input_tokens", s.maxInputTokens());
        return p;
    }

    /**
     * Checks the served model against this spec now (vLLM {@code GET /v1/models}, TEI {@code GET /info}), at most once;
     * throws a {@link ScorerException} naming the mismatch. Scoring calls it before the first request.
     */
    /** Whether this scorer checks the served model before its first request ({@code check_server}, on by default). */
    public boolean checksServer() { return wire.checkServer(); }

    public ServedModel verify() {
        ServedModel s = served;
        if (s != null) return s;
        synchronized (this) {
            if (served == null) served = ServedModel.check(uri, protocol, model, label, http);
            return served;
        }
    }

    @Override public double[] score(List<List<Message>> conversations) {
        int n = conversations.size();
        for (int i = 0; i < n; i++) {
            List<Message> c = conversations.get(i);
            if (c.isEmpty() || !"assistant".equals(c.getLast().role())) {
                throw new IllegalArgumentException("conversation " + i + " must end with an assistant turn");
            }
        }
        return run(n, (from, to) -> call(protocol.request(model, conversations.subList(from, to), render, wire), to - from),
                i -> protocol.sameRequest(conversations.get(i - 1), conversations.get(i)));
    }

    /**
     * Scores texts already rendered through the model's chat template (an RL trainer's query): vLLM gets
     * {@code {"input":TEXT,"add_special_tokens":false}}, TEI the single text; protocol=tare cannot.
     */
    @Override public double[] scoreRendered(List<String> renderedTexts) {
        if (!protocol.scoresRenderedText())
            throw new IllegalArgumentException(name + " (protocol=" + protocol.id() + ") cannot score an already rendered query; send chat messages");
        return run(renderedTexts.size(), (from, to) -> call(protocol.renderedRequest(model, renderedTexts.subList(from, to), wire), to - from),
                i -> true);
    }

    @Override public boolean scoresRenderedText() { return protocol.scoresRenderedText(); }

    @FunctionalInterface
    private interface Part { double[] score(int from, int to); }

    /** Requests of at most {@code requestSize} consecutive items; {@code joins(i)}: item i may share item i−1's request. */
    private double[] run(int n, Part part, java.util.function.IntPredicate joins) {
        double[] out = new double[n];
        if (n == 0) return out;
        if (wire.checkServer()) verify();
        List<int[]> chunks = new ArrayList<>();
        for (int from = 0, i = 1; i <= n; i++)
            if (i == n || i - from == requestSize || !joins.test(i)) {
                chunks.add(new int[]{from, i});
                from = i;
            }
        if (chunks.size() == 1) {
            double[] r = part.score(0, n);
            System.arraycopy(r, 0, out, 0, n);
        } else {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<double[]>> parts = new ArrayList<>();
                for (int[] c : chunks) parts.add(ex.submit((Callable<double[]>) () -> part.score(c[0], c[1])));
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
        }
        guard.check(out);
        return out;
    }

    private double[] call(JsonNode body, int n) {
        JsonNode resp = http.post(uri, body);
        if (protocol == RewardProtocol.VLLM_CLASSIFY && !wire.probability()) guard.checkSoftmax(resp);
        return protocol.rewards(resp, n, uri, label);
    }

    @Override public void close() { http.close(); }

    @Override public String toString() {
        return "HttpRewardScorer[" + protocol.id() + " " + uri + (model == null ? "" : " model=" + model) + "]";
    }
}
