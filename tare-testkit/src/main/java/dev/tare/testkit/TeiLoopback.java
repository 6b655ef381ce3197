package dev.tare.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A loopback double of Hugging Face text-embeddings-inference serving a sequence classifier, written from TEI's router
 * schemas (router/src/http/types.rs PredictRequest/PredictResponse, router/src/lib.rs Info):
 * <ul>
 * <li>{@code GET /info} → {@code {"model_id","model_dtype","model_type":{"classifier"|"reranker":{"id2label","label2id"}},
 *     "max_input_length",...}} (one label is reported as {@code reranker});</li>
 * <li>{@code POST /predict {"inputs": "text" | ["a","b"] | [["a"],["a","b"],...], "truncate", "truncation_direction":
 *     "Left"|"Right" (default Right), "raw_scores"}} → {@code [{"score","label"},...]} for one input, a list of those for a
 *     batch, each sorted by score descending; without raw_scores the scores are sigmoid (one label) or softmax.</li>
 * <li>{@code POST /rerank {"query", "texts": [...], "truncate", "truncation_direction", "raw_scores", "return_text"}} →
 *     {@code [{"index","score"(,"text")},...]} sorted by score descending (RerankRequest/Rank), each text scored as the
 *     pair (query, text); a model of several labels answers 424 "model is not a re-ranker model", more than
 *     {@code max_client_batch_size} (32) texts 413.</li>
 * </ul>
 * TEI tokenizes with special tokens added. The model is an {@link EngineModel}: by default a token is one code point
 * (no BOS); a test may serve a real checkpoint through tare's runtime instead. A pair is scored as {@code a + "\n" + b}. Over-long input without {@code truncate}: a 413
 * validation error when {@link #legacy} (TEI ≤ 1.8), else silent right truncation (TEI ≥ 1.9's default).
 */
public final class TeiLoopback implements AutoCloseable {
    private static final ObjectMapper M = new ObjectMapper();
    private final HttpServer server;
    private final List<String> labels;
    private final int maxInputLength;
    private final EngineModel model;
    /** true: TEI ≤ 1.8 (refuses over-long input unless truncate is sent). */
    public volatile boolean legacy;
    /** The JSON bodies of the /predict requests received. */
    public final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    /** The texts the model saw after truncation. */
    public final List<String> seen = new CopyOnWriteArrayList<>();

    /** A server for {@code modelId} with these labels whose classifier gives {@code logits(text)} (one per label). */
    public TeiLoopback(String modelId, List<String> labels, int maxInputLength, Function<String, double[]> logits) throws IOException {
        this(modelId, labels, maxInputLength, EngineModel.codePoints("", logits));
    }

    /** A server for {@code modelId} with these labels serving {@code model}. */
    public TeiLoopback(String modelId, List<String> labels, int maxInputLength, EngineModel model) throws IOException {
        this.labels = List.copyOf(labels);
        this.maxInputLength = maxInputLength;
        this.model = model;
        ObjectNode info = M.createObjectNode();
        info.put("model_id", modelId).putNull("model_sha").put("model_dtype", "float16");
        ObjectNode cls = info.putObject("model_type").putObject(labels.size() == 1 ? "reranker" : "classifier");
        ObjectNode id2 = cls.putObject("id2label"), l2 = cls.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2.put(String.valueOf(i), labels.get(i));
            l2.put(labels.get(i), i);
        }
        info.put("max_concurrent_requests", 512).put("max_input_length", maxInputLength).put("max_batch_tokens", 16384)
                .putNull("max_batch_requests").put("max_client_batch_size", 32).put("auto_truncate", false)
                .put("tokenization_workers", 4).put("version", "1.9.0");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/info", ex -> reply(ex, 200, info.toString()));
        server.createContext("/predict", this::predict);
        server.createContext("/rerank", this::rerank);
        server.start();
    }

    private void predict(HttpExchange ex) throws IOException {
        JsonNode req = M.readTree(ex.getRequestBody());
        requests.add(req);
        JsonNode in = req.get("inputs");
        List<String> texts = new ArrayList<>();
        boolean batch;
        if (in.isTextual()) { texts.add(in.asText()); batch = false; }
        else if (in.size() > 0 && in.get(0).isTextual()) { texts.add(join(in)); batch = false; }
        else { for (JsonNode s : in) texts.add(join(s)); batch = true; }
        boolean truncate = req.path("truncate").asBoolean(false);
        boolean left = "left".equalsIgnoreCase(req.path("truncation_direction").asText("Right"));
        boolean raw = req.path("raw_scores").asBoolean(false);
        ArrayNode out = M.createArrayNode();
        for (String t : texts) {
            double[] p = scores(ex, t, truncate, left, raw);
            if (p == null) return;
            Integer[] order = new Integer[p.length];
            for (int i = 0; i < p.length; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
            ArrayNode row = M.createArrayNode();
            for (int i : order) row.addObject().put("score", (float) p[i]).put("label", labels.get(i));
            out.add(row);
        }
        reply(ex, 200, (batch ? out : out.get(0)).toString());
    }

    /** The model's scores of one text (tokenized with special tokens, truncated as asked), or null after an error reply. */
    private double[] scores(HttpExchange ex, String t, boolean truncate, boolean left, boolean raw) throws IOException {
        int[] cps = model.tokenize(t, true);
        if (cps.length > maxInputLength) {
            if (!truncate && legacy) {
                reply(ex, 413, "{\"error\":\"Input validation error: `inputs` must have less than " + maxInputLength
                        + " tokens. Given: " + cps.length + "\",\"error_type\":\"Validation\"}");
                return null;
            }
            cps = left && truncate ? java.util.Arrays.copyOfRange(cps, cps.length - maxInputLength, cps.length)
                    : java.util.Arrays.copyOf(cps, maxInputLength);
        }
        seen.add(model.decode(cps));
        double[] p = model.logits(cps).clone();
        if (!raw) {
            if (p.length == 1) p[0] = 1 / (1 + Math.exp(-p[0]));
            else {
                double mx = java.util.Arrays.stream(p).max().orElse(0), sum = 0;
                for (int i = 0; i < p.length; i++) sum += (p[i] = Math.exp(p[i] - mx));
                for (int i = 0; i < p.length; i++) p[i] /= sum;
            }
        }
        return p;
    }

    private void rerank(HttpExchange ex) throws IOException {
        JsonNode req = M.readTree(ex.getRequestBody());
        requests.add(req);
        if (labels.size() != 1) {
            reply(ex, 424, "{\"error\":\"model is not a re-ranker model\",\"error_type\":\"Backend\"}");
            return;
        }
        JsonNode texts = req.get("texts");
        if (!req.path("query").isTextual() || texts == null || !texts.isArray() || texts.isEmpty()) {
            reply(ex, 422, "{\"error\":\"expected a query and a non-empty texts array\",\"error_type\":\"Validation\"}");
            return;
        }
        if (texts.size() > 32) {
            reply(ex, 413, "{\"error\":\"batch size " + texts.size() + " > maximum allowed batch size 32\",\"error_type\":\"Validation\"}");
            return;
        }
        boolean truncate = req.path("truncate").asBoolean(false);
        boolean left = "left".equalsIgnoreCase(req.path("truncation_direction").asText("Right"));
        boolean raw = req.path("raw_scores").asBoolean(false);
        double[] score = new double[texts.size()];
        for (int i = 0; i < score.length; i++) {
            double[] p = scores(ex, req.get("query").asText() + "\n" + texts.get(i).asText(), truncate, left, raw);
            if (p == null) return;
            score[i] = (float) p[0];
        }
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        ArrayNode out = M.createArrayNode();
        for (int i : order) {
            ObjectNode r = out.addObject().put("index", i);
            if (req.path("return_text").asBoolean(false)) r.put("text", texts.get(i).asText());
            r.put("score", (float) score[i]);
        }
        reply(ex, 200, out.toString());
    }

    private static String join(JsonNode seq) {
        return seq.size() == 1 ? seq.get(0).asText() : seq.get(0).asText() + "\n" + seq.get(1).asText();
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException { JsonReply.send(ex, status, body); }

    /** The base URL. */
    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    @Override public void close() { server.stop(0); }
}
