package dev.tare.scorers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Message;
import dev.tare.scorers.ScorerException;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The wire formats a remote reward endpoint may speak. Each builds one request body for a group of conversations
 * and reads one reward per conversation back, rejecting any response of the wrong shape, size or value.
 * <ul>
 * <li>{@code tare}: tare's native API. {@code POST /v1/reward {"model":M?,"items":[{"messages":[{"role","content"}]}]}}
 *     → {@code {"rewards":[r0, r1, ...]}}, one finite number per item, in order.</li>
 * <li>{@code vllm-pooling}: vLLM's Pooling API with chat-style input (the server applies the model's chat template),
 *     one conversation per request: {@code POST /pooling {"model":M,"messages":[...]}} →
 *     {@code {"data":[{"index":0,"data":X}]}}; X is a number, {@code [r]}, or per-token rows {@code [[r0],...,[rT]]}
 *     (reward task with ALL pooling), of which the last row is the reward.</li>
 * <li>{@code vllm-classify}: vLLM's Classification API, chat-style input, one conversation per request:
 *     {@code POST /classify {"model":M,"messages":[...]}} → {@code {"data":[{"index":0,"probs":[...]}]}};
 *     the reward is {@code probs[label]} (default 0). vLLM applies sigmoid/softmax here, so prefer vllm-pooling
 *     when raw logits matter (calibration).</li>
 * <li>{@code tei}: Hugging Face text-embeddings-inference {@code POST /predict {"inputs":[[prompt, response],...],
 *     "raw_scores":true}} → {@code [[{"label":L,"score":s},...],...]}; the reward is the raw score of the entry named
 *     {@code label} (default: the only entry). The prompt is the text of the prompt turns joined by blank lines.
 *     That (prompt, response) pair form is right for cross-encoder RMs (e.g. DeBERTa/OpenAssistant rerankers) whose
 *     tokenizer joins a text pair; a decoder chat RM (Skywork, InternLM, Llama/Qwen-based) must instead see its chat
 *     template, which TEI does not apply: with a renderer (scorer option {@code chat-template=DIR}) each conversation
 *     is rendered client-side and sent as one single-text input, {@code {"inputs":[[text0],[text1],...],
 *     "raw_scores":true}} (the one-element arrays keep a batch of two from being read as one text pair).</li>
 * <li>{@code tei-rerank}: TEI's re-ranker route for a one-label cross-encoder, the responses of one prompt in one
 *     request: {@code POST /rerank {"query":PROMPT,"texts":[response0, response1, ...],"raw_scores":true}} →
 *     {@code [{"index":i,"score":s},...]} sorted by score (router/src/http/types.rs RerankRequest/Rank); the reward of
 *     text i is the score of the entry with index i. A request's conversations must share the prompt.</li>
 * </ul>
 */
public enum RewardProtocol {
    TARE("/v1/reward", true),
    VLLM_POOLING("/pooling", false),
    VLLM_CLASSIFY("/classify", false),
    TEI("/predict", true),
    TEI_RERANK("/rerank", true);

    private final String defaultPath;
    private final boolean batched;

    RewardProtocol(String defaultPath, boolean batched) {
        this.defaultPath = defaultPath;
        this.batched = batched;
    }

    /** The name used in scorer specs ({@code protocol=...}). */
    public String id() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    public static RewardProtocol parse(String s) {
        for (RewardProtocol p : values()) if (p.id().equalsIgnoreCase(s.trim())) return p;
        throw new IllegalArgumentException("unknown protocol '" + s + "' (expected one of tare, vllm-pooling, vllm-classify, tei, tei-rerank)");
    }

    /** The path appended to a bare base URL (one with no path). */
    public String defaultPath() { return defaultPath; }

    /** Whether one request may carry several conversations. */
    public boolean batched() { return batched; }

    /** The request body for these conversations, with the default {@link WireSettings}. */
    public JsonNode request(String model, List<List<Message>> convs) { return request(model, convs, null, WireSettings.defaults()); }

    /**
     * The request body for these conversations; {@code render} (TEI only, may be null) turns a whole conversation into
     * the single text the server scores, e.g. the model's chat template.
     */
    public JsonNode request(String model, List<List<Message>> convs, java.util.function.Function<List<Message>, String> render) {
        return request(model, convs, render, WireSettings.defaults());
    }

    /** The request body for these conversations under {@code wire} (activation off, left truncation). */
    public JsonNode request(String model, List<List<Message>> convs, java.util.function.Function<List<Message>, String> render,
                            WireSettings wire) {
        if (render != null && this != TEI) throw new IllegalArgumentException("a client-side chat template is for protocol=tei only; "
                + id() + " servers apply the model's own template");
        ObjectNode body = JsonHttpClient.MAPPER.createObjectNode();
        switch (this) {
            case TARE -> {
                if (model != null) body.put("model", model);
                ArrayNode items = body.putArray("items");
                for (List<Message> c : convs) messages(items.addObject().putArray("messages"), c);
            }
            case VLLM_POOLING, VLLM_CLASSIFY -> {
                if (convs.size() != 1) throw new IllegalArgumentException(id() + " sends one conversation per request");
                if (model != null) body.put("model", model);
                messages(body.putArray("messages"), convs.getFirst());
                vllmParams(body, wire);
            }
            case TEI -> {
                ArrayNode inputs = body.putArray("inputs");
                for (List<Message> c : convs) {
                    ArrayNode input = inputs.addArray();
                    if (render != null) {
                        input.add(render.apply(c));
                    } else {
                        input.add(promptText(c));
                        input.add(c.getLast().content());
                    }
                }
                teiParams(body, wire);
            }
            case TEI_RERANK -> {
                String query = promptText(convs.getFirst());
                ArrayNode texts = body.put("query", query).putArray("texts");
                for (List<Message> c : convs) {
                    if (!promptText(c).equals(query)) throw new IllegalArgumentException(id() + " sends the responses of one prompt per request");
                    texts.add(c.getLast().content());
                }
                teiParams(body, wire);
            }
        }
        return body;
    }

    /** Whether two conversations may share a request (tei-rerank: only with the same prompt; others: always). */
    public boolean sameRequest(List<Message> a, List<Message> b) { return this != TEI_RERANK || promptText(a).equals(promptText(b)); }

    /** Whether this protocol can score text already rendered through the chat template (tei-rerank needs the prompt apart). */
    public boolean scoresRenderedText() { return this != TARE && this != TEI_RERANK; }

    /**
     * The request body scoring already rendered texts (chat template applied, special tokens included): vLLM's
     * completion-style {@code {"model":M,"input":TEXT,"add_special_tokens":false,...}} (one text per request), TEI's
     * single-text batch {@code {"inputs":[[t0],[t1],...],"raw_scores":true,...}}.
     */
    public JsonNode renderedRequest(String model, List<String> texts, WireSettings wire) {
        ObjectNode body = JsonHttpClient.MAPPER.createObjectNode();
        switch (this) {
            case TARE, TEI_RERANK -> throw new IllegalArgumentException("protocol=" + id() + " takes chat messages, not rendered text");
            case VLLM_POOLING, VLLM_CLASSIFY -> {
                if (texts.size() != 1) throw new IllegalArgumentException(id() + " sends one text per request");
                if (model != null) body.put("model", model);
                body.put("input", texts.getFirst());
                body.put("add_special_tokens", false); // the rendered text already carries BOS and the turn markup
                vllmParams(body, wire);
            }
            case TEI -> {
                ArrayNode inputs = body.putArray("inputs");
                for (String t : texts) inputs.addArray().add(t);
                teiParams(body, wire);
            }
        }
        return body;
    }

    // vLLM PoolingParams (vllm/pooling_params.py): use_activation=false returns the classifier's raw logits (the classify
    // pooler applies sigmoid/softmax otherwise, v0.10+); truncate_prompt_tokens=k keeps the last k tokens (-1: the model's
    // max length); newer servers also read truncation_side (None falls back to the tokenizer's side), so it is sent as left.
    private static void vllmParams(ObjectNode body, WireSettings wire) {
        body.put(wire.activationField(), false);
        if (wire.truncate().enabled()) {
            body.put("truncate_prompt_tokens", wire.truncate().tokens());
            body.put("truncation_side", "left");
        }
    }

    // TEI PredictRequest (router/src/http/types.rs): truncate truncates to the model's max_input_length, from the side
    // truncation_direction names ("Left"/"Right", default Right); raw_scores skips the sigmoid/softmax.
    private static void teiParams(ObjectNode body, WireSettings wire) {
        body.put("raw_scores", true);
        if (wire.truncate().enabled()) {
            if (wire.truncate().tokens() != -1)
                throw new IllegalArgumentException("protocol=tei truncates at the server's max_input_length only: use truncate=max or off");
            body.put("truncate", true);
            body.put("truncation_direction", "Left");
        }
    }

    /** Reads {@code n} rewards from a response, or throws a schema error naming the endpoint and the problem. */
    public double[] rewards(JsonNode resp, int n, URI uri, String label) {
        double[] out = new double[n];
        switch (this) {
            case TARE -> {
                JsonNode r = resp.get("rewards");
                if (r == null || !r.isArray()) throw schema(uri, "expected an object with a 'rewards' array", resp);
                if (r.size() != n) throw schema(uri, "sent " + n + " items but got " + r.size() + " rewards", null);
                for (int i = 0; i < n; i++) out[i] = number(r.get(i), uri, "rewards[" + i + "]");
            }
            case VLLM_POOLING -> {
                JsonNode d = single(resp, uri);
                JsonNode x = d.get("data");
                if (x == null) throw schema(uri, "data[0] has no 'data' field", resp);
                out[0] = pooled(x, uri);
            }
            case VLLM_CLASSIFY -> {
                JsonNode d = single(resp, uri);
                JsonNode probs = d.get("probs");
                if (probs == null || !probs.isArray() || probs.isEmpty()) throw schema(uri, "data[0] has no 'probs' array", resp);
                int k = 0;
                if (label != null) {
                    try {
                        k = Integer.parseInt(label);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("vllm-classify label must be a class index, got '" + label + "'");
                    }
                }
                if (k < 0 || k >= probs.size()) throw schema(uri, "class index " + k + " out of range for " + probs.size() + " classes", null);
                out[0] = number(probs.get(k), uri, "data[0].probs[" + k + "]");
            }
            case TEI -> {
                if (!resp.isArray()) throw schema(uri, "expected a JSON array of predictions", resp);
                JsonNode rows = resp;
                // a single input may come back unnested: [{"label","score"}, ...]
                if (n == 1 && !resp.isEmpty() && resp.get(0).isObject()) {
                    rows = JsonHttpClient.MAPPER.createArrayNode().add(resp);
                }
                if (rows.size() != n) throw schema(uri, "sent " + n + " inputs but got " + rows.size() + " predictions", null);
                for (int i = 0; i < n; i++) out[i] = teiScore(rows.get(i), i, uri, label);
            }
            case TEI_RERANK -> {
                if (!resp.isArray()) throw schema(uri, "expected a JSON array of ranks", resp);
                if (resp.size() != n) throw schema(uri, "sent " + n + " texts but got " + resp.size() + " ranks", null);
                boolean[] seen = new boolean[n];
                for (int j = 0; j < n; j++) {
                    JsonNode r = resp.get(j);
                    JsonNode ix = r.get("index");
                    if (ix == null || !ix.canConvertToInt() || !ix.isIntegralNumber()) throw schema(uri, "rank " + j + " has no integer 'index'", resp);
                    int i = ix.asInt();
                    if (i < 0 || i >= n || seen[i]) throw schema(uri, "rank " + j + " has index " + i + (i < 0 || i >= n
                            ? ", outside the " + n + " texts sent" : ", given twice"), null);
                    seen[i] = true;
                    out[i] = number(r.get("score"), uri, "ranks[" + j + "].score");
                }
            }
        }
        return out;
    }

    private static JsonNode single(JsonNode resp, URI uri) {
        JsonNode data = resp.get("data");
        if (data == null || !data.isArray()) throw schema(uri, "expected an object with a 'data' array", resp);
        if (data.size() != 1) throw schema(uri, "sent 1 conversation but got " + data.size() + " results", null);
        JsonNode d = data.get(0);
        if (!d.isObject()) throw schema(uri, "data[0] is not an object", resp);
        return d;
    }

    private static double pooled(JsonNode x, URI uri) {
        if (x.isNumber()) return number(x, uri, "data[0].data");
        if (!x.isArray() || x.isEmpty()) throw schema(uri, "data[0].data is empty or not a number/array", null);
        if (x.get(0).isArray()) { // per-token rows: the reward is read at the last token
            JsonNode last = x.get(x.size() - 1);
            if (last.size() != 1) throw schema(uri, "per-token pooling rows have " + last.size()
                    + " values; expected 1 (a scalar reward head)", null);
            return number(last.get(0), uri, "data[0].data[" + (x.size() - 1) + "][0]");
        }
        if (x.size() != 1) throw schema(uri, "data[0].data has " + x.size()
                + " values; expected one reward (is this an embedding model, or is pooling not LAST?)", null);
        return number(x.get(0), uri, "data[0].data[0]");
    }

    private static double teiScore(JsonNode row, int i, URI uri, String label) {
        if (!row.isArray() || row.isEmpty()) throw schema(uri, "prediction " + i + " is not a non-empty array", null);
        JsonNode pick = null;
        if (label == null) {
            if (row.size() != 1) throw schema(uri, "prediction " + i + " has " + row.size()
                    + " labels; choose one with label=NAME", null);
            pick = row.get(0);
        } else {
            for (JsonNode p : row) if (label.equals(p.path("label").asText(null))) pick = p;
            if (pick == null) throw schema(uri, "prediction " + i + " has no label '" + label + "'", null);
        }
        return number(pick.get("score"), uri, "predictions[" + i + "].score");
    }

    private static double number(JsonNode v, URI uri, String where) {
        if (v == null || v.isNull()) throw schema(uri, where + " is missing or null", null);
        if (v.isTextual()) { // Python's json.dumps writes NaN/Infinity bare; some servers quote them
            throw schema(uri, where + " is a string (" + v.asText() + "), expected a number", null);
        }
        if (!v.isNumber()) throw schema(uri, where + " is " + v.getNodeType() + ", expected a number", null);
        double d = v.asDouble();
        if (!Double.isFinite(d)) throw schema(uri, where + " is not finite (" + d + ")", null);
        return d;
    }

    private static ScorerException schema(URI uri, String problem, JsonNode resp) {
        String body = resp == null ? "" : JsonHttpClient.snippet(resp.toString());
        return new ScorerException("schema: response from " + uri + ": " + problem + body);
    }

    private static void messages(ArrayNode arr, List<Message> conv) {
        for (Message m : conv) arr.addObject().put("role", m.role()).put("content", m.content());
    }

    /** The prompt turns (all but the final assistant response) joined by blank lines. */
    static String promptText(List<Message> conv) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < conv.size() - 1; i++) {
            if (i > 0) sb.append("\n\n");
            sb.append(conv.get(i).content());
        }
        return sb.toString();
    }
}
