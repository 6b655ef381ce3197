package dev.tare.scorers.remote;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A parsed remote scorer spec: {@code URL[,key=value...]}. Keys: {@code protocol} (tare | vllm-pooling |
 * vllm-classify | tei), {@code model}, {@code label}, {@code token} (literal, or {@code env:VAR}; default
 * $TARE_API_TOKEN), {@code timeout} (seconds), {@code retries} (attempts after the first), {@code concurrency},
 * {@code batch} (conversations per request), {@code chat-template} (protocol=tei: a model folder whose
 * tokenizer_config.json / chat_template.jinja template renders each conversation client-side), and for vLLM/TEI
 * ({@link WireSettings}): {@code truncate} (off | max | N tokens, vLLM only; default max: keep the last tokens, as
 * RewardBench), {@code activation-field} (vLLM: use_activation | activation | softmax, the field sent as false; default
 * use_activation), {@code probability} (true: the model outputs probabilities, do not refuse scores in [0, 1]).
 */
public record RemoteSpec(URI url, Map<String, String> options) {
    private static final Set<String> KEYS = Set.of("protocol", "model", "label", "token", "timeout", "retries",
            "concurrency", "batch", "chat-template", "truncate", "activation-field", "probability");

    public RemoteSpec {
        options = Map.copyOf(options);
    }

    /**
     * Parses {@code URL,key=value,...}; unknown keys and malformed values are rejected by name here (the token
     * reference and the chat-template folder are looked up when the scorer is built).
     */
    public static RemoteSpec parse(String spec) {
        String[] parts = spec.split(",");
        URI url;
        try {
            url = new URI(parts[0].trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad endpoint URL '" + parts[0] + "': " + e.getMessage());
        }
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                || url.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL with a host, got '" + parts[0] + "'");
        }
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value in scorer spec, got '" + p + "'");
            String k = p.substring(0, eq).trim();
            if (!KEYS.contains(k)) throw new IllegalArgumentException("unknown scorer option '" + k + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            if (opts.put(k, p.substring(eq + 1).trim()) != null) throw new IllegalArgumentException("scorer option '" + k + "' given twice");
        }
        RemoteSpec r = new RemoteSpec(url, opts);
        r.validate();
        return r;
    }

    /** Checks every value that needs neither the environment nor the file system. */
    private void validate() {
        RewardProtocol p = protocol();
        batch();
        if (options.containsKey("timeout")) positive("timeout");
        if (options.containsKey("retries")) nonNegativeInt("retries");
        if (options.containsKey("concurrency")) positiveInt("concurrency");
        if (options.containsKey("chat-template") && p != RewardProtocol.TEI)
            throw new IllegalArgumentException("scorer option chat-template is for protocol=tei only; " + p.id()
                    + " servers apply the model's own chat template");
        for (String k : List.of("truncate", "activation-field", "probability"))
            if (options.containsKey(k) && p == RewardProtocol.TARE)
                throw new IllegalArgumentException("scorer option " + k + " is for protocol=vllm-pooling, vllm-classify or tei");
        if (options.containsKey("activation-field") && (p == RewardProtocol.TEI || p == RewardProtocol.TEI_RERANK))
            throw new IllegalArgumentException("scorer option activation-field is for vLLM; TEI is sent raw_scores=true");
        WireSettings w = wire();
        if ((p == RewardProtocol.TEI || p == RewardProtocol.TEI_RERANK) && w.truncate().enabled() && w.truncate().tokens() != -1)
            throw new IllegalArgumentException("scorer option truncate=" + options.get("truncate")
                    + ": TEI truncates at its max_input_length only (truncate=max or off)");
    }

    /** The engine request settings of this spec (the served model is checked before the first request). */
    public WireSettings wire() {
        WireSettings d = WireSettings.defaults();
        String prob = options.get("probability");
        if (prob != null && !prob.equals("true") && !prob.equals("false"))
            throw new IllegalArgumentException("scorer option probability=" + prob + " must be true or false");
        return new WireSettings(options.getOrDefault("activation-field", d.activationField()),
                options.containsKey("truncate") ? WireSettings.Truncation.parse(options.get("truncate")) : d.truncate(),
                "true".equals(prob), true);
    }

    public String get(String key) { return options.get(key); }

    /** The transport options these settings describe; {@code env} resolves token references. */
    public HttpOptions httpOptions(Function<String, String> env) {
        HttpOptions o = HttpOptions.defaults();
        if (options.containsKey("timeout")) o = o.withTimeout(Duration.ofMillis(Math.round(1000 * positive("timeout"))));
        if (options.containsKey("retries")) o = o.withMaxAttempts(1 + nonNegativeInt("retries"));
        if (options.containsKey("concurrency")) o = o.withConcurrency(positiveInt("concurrency"));
        String token = options.get("token");
        if (token != null && token.startsWith("env:")) {
            String var = token.substring(4);
            token = env.apply(var);
            if (token == null || token.isBlank()) throw new IllegalArgumentException("token=env:" + var + " but $" + var + " is not set");
        } else if (token == null) {
            token = env.apply("TARE_API_TOKEN");
        }
        return o.withBearerToken(token);
    }

    /** The reward protocol ({@code tare} when not given). */
    public RewardProtocol protocol() {
        String p = options.get("protocol");
        return p == null ? RewardProtocol.TARE : RewardProtocol.parse(p);
    }

    /** Conversations per request ({@code batch}, default 16). */
    public int batch() { return options.containsKey("batch") ? positiveInt("batch") : 16; }

    /** Builds the reward scorer this spec describes. */
    public HttpRewardScorer rewardScorer(Function<String, String> env) {
        var render = chatTemplate();
        return new HttpRewardScorer(url, protocol(), options.get("model"), options.get("label"), batch(),
                new JsonHttpClient(httpOptions(env)), render, wire());
    }

    /**
     * The client-side renderer of {@code chat-template=DIR}, or null: the folder's chat template (tokenizer_config.json,
     * else chat_template.jinja) with its special-token variables, no generation prompt, as transformers'
     * {@code apply_chat_template(conversation, tokenize=False)} renders it.
     */
    java.util.function.Function<java.util.List<dev.tare.data.Message>, String> chatTemplate() {
        String dir = options.get("chat-template");
        if (dir == null) return null;
        java.nio.file.Path d = java.nio.file.Path.of(dir);
        if (!java.nio.file.Files.isDirectory(d))
            throw new IllegalArgumentException("scorer option chat-template=" + dir + ": not a directory (expected a model folder with tokenizer_config.json)");
        var cfg = dev.tare.runtime.text.TokenizerConfig.read(d);
        String source = cfg.chatTemplateSource().orElseThrow(() -> new IllegalArgumentException("scorer option chat-template="
                + dir + ": no chat_template in " + d.resolve("tokenizer_config.json") + " and no chat_template.jinja"));
        var template = dev.tare.runtime.text.ChatTemplate.of(source);
        var vars = cfg.templateVariables();
        return conv -> template.render(conv, false, vars);
    }

    /** Builds a chat client for a generative judge ({@code model} is required). */
    public OpenAiChatClient chatClient(Function<String, String> env) {
        String model = options.get("model");
        if (model == null || model.isBlank()) throw new IllegalArgumentException("openai scorer needs model=NAME");
        return new OpenAiChatClient(url, model, new JsonHttpClient(httpOptions(env)));
    }

    private double positive(String k) {
        try {
            double v = Double.parseDouble(options.get(k));
            if (!(v > 0) || !Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scorer option " + k + "=" + options.get(k) + " must be a positive number");
        }
    }

    private int positiveInt(String k) {
        int v = nonNegativeInt(k);
        if (v == 0) throw new IllegalArgumentException("scorer option " + k + " must be >= 1");
        return v;
    }

    private int nonNegativeInt(String k) {
        try {
            int v = Integer.parseInt(options.get(k));
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scorer option " + k + "=" + options.get(k) + " must be a non-negative integer");
        }
    }
}
