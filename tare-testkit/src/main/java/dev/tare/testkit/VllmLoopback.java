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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.ToDoubleFunction;

/**
 * A loopback double of vLLM's pooling server for a one-label {@code *ForSequenceClassification} reward model, written
 * from vLLM's request/response schemas, not from tare's client:
 * <ul>
 * <li>{@code GET /v1/models} → {@code {"object":"list","data":[{"id":NAME,"object":"model","owned_by":"vllm",
 *     "max_model_len":N}]}} (vllm/entrypoints/openai/protocol.py ModelCard);</li>
 * <li>{@code POST /pooling} and {@code POST /classify} take chat {@code messages} (the server applies the model's chat
 *     template, here {@link #render}) or completion {@code input} text with {@code add_special_tokens} (default true: the
 *     BOS {@value #BOS} is prepended), {@code truncate_prompt_tokens} (k keeps the LAST k tokens, -1 = max_model_len;
 *     vllm/pooling_params.py) with {@code truncation_side} (left/right, newer servers), and {@code use_activation}
 *     (older {@code activation}/{@code softmax}; vllm/config/pooler.py get_use_activation). Without truncation an input
 *     over max_model_len is a 400, as vLLM answers.</li>
 * <li>The pooler output is the logit, or sigmoid(logit) unless the activation is switched off (the classify pooler's
 *     default since v0.10). {@code /pooling} → {@code {"data":[{"index":0,"object":"pooling","data":[x]}]}} (PoolingResponse),
 *     {@code /classify} → {@code {"data":[{"index":0,"label":..,"probs":[x],"num_classes":1}]}} (ClassificationResponse).</li>
 * </ul>
 * Chat messages are templated and tokenized without added special tokens (vLLM's chat default). The model is an
 * {@link EngineModel}: by default a token is one code point of the text the model sees; a test may serve a real
 * checkpoint through tare's runtime instead. {@link #legacy} imitates a vLLM before {@code use_activation}
 * (it ignores that field and always applies the sigmoid).
 */
public final class VllmLoopback implements AutoCloseable {
    /** The BOS text prepended when {@code add_special_tokens} is true. */
    public static final String BOS = "<s>";
    private static final ObjectMapper M = new ObjectMapper();
    private final HttpServer server;
    private final String name;
    private final int maxModelLen;
    private final EngineModel model;
    /** true: ignore use_activation (a vLLM before 0.10 read only activation/softmax, here: none). */
    public volatile boolean legacy;
    /** The JSON bodies of the pooling/classify requests received, in arrival order. */
    public final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    /**
     * Milliseconds of model time per pooling/classify request, served one at a time (0 = none): an engine at its
     * throughput limit, 1000 / msPerRequest requests per second however many arrive at once.
     */
    public final java.util.concurrent.atomic.AtomicLong msPerRequest = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.locks.ReentrantLock busy = new java.util.concurrent.locks.ReentrantLock(true);
    /** The texts the model saw (after template, special tokens and truncation), in arrival order. */
    public final List<String> seen = new CopyOnWriteArrayList<>();

    /** A server named {@code name} with a {@code maxModelLen}-token context whose reward head gives {@code logit(text)}. */
    public VllmLoopback(String name, int maxModelLen, ToDoubleFunction<String> logit) throws IOException {
        this(name, maxModelLen, EngineModel.codePoints(BOS, s -> new double[]{logit.applyAsDouble(s)}));
    }

    /** A server named {@code name} with a {@code maxModelLen}-token context serving {@code model} (label 0 is the reward). */
    public VllmLoopback(String name, int maxModelLen, EngineModel model) throws IOException {
        this.name = name;
        this.maxModelLen = maxModelLen;
        this.model = model;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/models", ex -> reply(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"" + name
                + "\",\"object\":\"model\",\"created\":1,\"owned_by\":\"vllm\",\"root\":\"" + name + "\",\"parent\":null,"
                + "\"max_model_len\":" + maxModelLen + "}]}"));
        server.createContext("/pooling", ex -> pool(ex, false));
        server.createContext("/classify", ex -> pool(ex, true));
        server.start();
    }

    /** The chat template this double's model applies: ChatML-like turns after the BOS. */
    public static String render(List<String[]> roleContent) { return render(BOS, roleContent); }

    static String render(String bos, List<String[]> roleContent) {
        StringBuilder sb = new StringBuilder(bos);
        for (String[] m : roleContent) sb.append("<|im_start|>").append(m[0]).append('\n').append(m[1]).append("<|im_end|>\n");
        return sb.toString();
    }

    /** What the server's model would return for this text (already templated and truncated) with the activation off. */
    public double logit(String modelText) { return model.logits(model.tokenize(modelText, false))[0]; }

    private void pool(HttpExchange ex, boolean classify) throws IOException {
        JsonNode req = M.readTree(ex.getRequestBody());
        long ms = msPerRequest.get();
        if (ms > 0) {
            busy.lock();
            try { Thread.sleep(ms); } catch (InterruptedException e) { Thread.currentThread().interrupt(); } finally { busy.unlock(); }
        }
        requests.add(req);
        if (req.hasNonNull("model") && !req.get("model").asText().equals(name)) {
            reply(ex, 404, "{\"object\":\"error\",\"message\":\"The model `" + req.get("model").asText()
                    + "` does not exist.\",\"type\":\"NotFoundError\",\"param\":null,\"code\":404}");
            return;
        }
        int[] cps;
        if (req.has("messages")) {
            List<String[]> msgs = new java.util.ArrayList<>();
            for (JsonNode m : req.get("messages")) msgs.add(new String[]{m.get("role").asText(), m.get("content").asText()});
            cps = model.tokenize(model.applyChatTemplate(msgs), req.path("add_special_tokens").asBoolean(false));
        } else if (req.has("input") && req.get("input").isTextual()) {
            boolean special = !req.has("add_special_tokens") || req.get("add_special_tokens").asBoolean();
            cps = model.tokenize(req.get("input").asText(), special);
        } else {
            reply(ex, 400, "{\"object\":\"error\",\"message\":\"expected messages or a string input\",\"code\":400}");
            return;
        }
        JsonNode t = req.get("truncate_prompt_tokens");
        if (t != null && !t.isNull()) {
            int k = t.asInt() == -1 ? maxModelLen : t.asInt();
            if (k > maxModelLen) {
                reply(ex, 400, "{\"object\":\"error\",\"message\":\"truncate_prompt_tokens value (" + k
                        + ") is greater than max_model_len (" + maxModelLen + ").\",\"code\":400}");
                return;
            }
            boolean right = "right".equals(req.path("truncation_side").asText(null));
            if (cps.length > k) cps = right ? java.util.Arrays.copyOf(cps, k) : java.util.Arrays.copyOfRange(cps, cps.length - k, cps.length);
        } else if (cps.length > maxModelLen) {
            reply(ex, 400, "{\"object\":\"error\",\"message\":\"This model's maximum context length is " + maxModelLen
                    + " tokens. However, you requested " + cps.length + " tokens in the input.\",\"code\":400}");
            return;
        }
        seen.add(model.decode(cps));
        double x = model.logits(cps)[0];
        Boolean act = null;
        for (String f : legacy ? List.of("softmax", "activation") : List.of("softmax", "activation", "use_activation"))
            if (act == null && req.hasNonNull(f)) act = req.get(f).asBoolean();
        if (act == null || act) x = (float) (1 / (1 + Math.exp(-x))); // the pooler's sigmoid, in float32 as on the GPU
        ObjectNode out = M.createObjectNode();
        out.put("id", (classify ? "classify-" : "pool-") + requests.size()).put("object", "list").put("created", 1).put("model", name);
        ObjectNode d = out.putArray("data").addObject().put("index", 0);
        if (classify) {
            d.put("label", "LABEL_0");
            d.putArray("probs").add(x);
            d.put("num_classes", 1);
        } else {
            d.put("object", "pooling");
            d.putArray("data").add(x);
        }
        out.putObject("usage").put("prompt_tokens", cps.length).put("total_tokens", cps.length).put("completion_tokens", 0);
        reply(ex, 200, out.toString());
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException { JsonReply.send(ex, status, body); }

    /** The base URL. */
    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    @Override public void close() { server.stop(0); }
}
