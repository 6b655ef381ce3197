package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A decoder checkpoint's config.json, in either format transformers writes (v4: top-level {@code rope_theta} /
 * {@code rope_scaling}, {@code torch_dtype}; v5: {@code rope_parameters}, {@code dtype}, {@code layer_types}), resolved
 * against the per-model_type class defaults (save_pretrained drops values equal to them, e.g. Gemma2's
 * tie_word_embeddings=true). Strict: a value that would change the numbers and that the runtime does not implement is
 * an error naming the file and field, never a default. {@code gating} is the gated multi-objective head's settings
 * (ArmoRM's {@code LlamaForRewardModelWithGating}), null for every other head.
 */
public record ModelConfig(
        Path file, Family family, Head head, String architecture,
        int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads, int headDim,
        double rmsNormEps, RopeParams[] ropeByLayer, Activation activation,
        boolean tieWordEmbeddings, Integer padTokenId, int numLabels, List<String> labels,
        int[] slidingWindows, float attnSoftcap, float finalSoftcap, float attentionScale,
        boolean qkvBias, boolean oBias, boolean mlpBias, String dtype, String transformersVersion,
        int maxPositionEmbeddings, GatingConfig gating) {

    /** The model families (model_type values) the runtime implements. */
    public enum Family { LLAMA, MISTRAL, QWEN2, QWEN3, GEMMA2 }

    /**
     * Which head sits on the decoder: a linear score head, an LM head, or ArmoRM's multi-objective head with a
     * prompt-conditioned gating network ({@code LlamaForRewardModelWithGating}, see {@link GatingConfig}).
     */
    public enum Head { SEQUENCE_CLASSIFICATION, CAUSAL_LM, GATED_MULTI_OBJECTIVE }

    /** The architecture name of ArmoRM's remote-code model (RLHFlow/ArmoRM-Llama3-8B-v0.1, modeling_custom.py). */
    public static final String GATED_ARCHITECTURE = "LlamaForRewardModelWithGating";

    /** MLP activation. */
    public enum Activation { SILU, GELU_TANH }

    /** Rope frequency scaling: llama3 (factor, low, high, original max positions) or linear (factor). */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    /** One layer's rotary embedding: base theta and an optional scaling (null = rope_type "default"). */
    public record RopeParams(double theta, RopeScaling scaling) {}

    /** The rope_type values the runtime implements. */
    public static final Set<String> ROPE_TYPES = Set.of("default", "linear", "llama3");

    /** The layer_types values the runtime implements. */
    public static final Set<String> LAYER_TYPES = Set.of("full_attention", "sliding_attention");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Base rope theta of layer 0 (all layers share it unless the config gives per-layer-type rope parameters). */
    public double ropeTheta() { return ropeByLayer[0].theta(); }

    /** Rope scaling of layer 0 (null = none). */
    public RopeScaling ropeScaling() { return ropeByLayer[0].scaling(); }

    /** Reads and validates {@code dir/config.json}. */
    public static ModelConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        JsonNode c;
        try {
            c = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new DataFormatException(file, 0, null, "cannot read config.json: " + e.getMessage(), e);
        }
        if (c == null || !c.isObject()) throw new DataFormatException(file, 0, null, "config.json is not a JSON object");
        return parse(file, c);
    }

    static ModelConfig parse(Path file, JsonNode c) {
        String type = text(file, c, "model_type", null);
        if (type == null) throw new DataFormatException(file, 0, "model_type", "missing");
        Family family = switch (type) {
            case "llama" -> Family.LLAMA;
            case "mistral" -> Family.MISTRAL;
            case "qwen2" -> Family.QWEN2;
            case "qwen3" -> Family.QWEN3;
            case "gemma2" -> Family.GEMMA2;
            default -> throw new DataFormatException(file, 0, "model_type", "'" + type + "' is not supported (llama, mistral, qwen2, qwen3, gemma2)");
        };
        JsonNode archs = c.get("architectures");
        if (archs == null || !archs.isArray() || archs.isEmpty())
            throw new DataFormatException(file, 0, "architectures", "missing: cannot tell a sequence classifier from a causal LM");
        Head head = null;
        String arch = null;
        for (JsonNode a : archs) {
            if (!a.isTextual()) throw new DataFormatException(file, 0, "architectures", "entries must be strings, got " + a);
            String name = a.asText();
            Head h;
            if (name.endsWith("ForSequenceClassification")) h = Head.SEQUENCE_CLASSIFICATION;
            else if (name.endsWith("ForCausalLM")) h = Head.CAUSAL_LM;
            else if (name.equals(GATED_ARCHITECTURE)) h = Head.GATED_MULTI_OBJECTIVE;
            else throw new DataFormatException(file, 0, "architectures", "'" + name + "' has no head in tare (*ForSequenceClassification, *ForCausalLM, "
                    + GATED_ARCHITECTURE + ")");
            if (head != null && h != head) throw new DataFormatException(file, 0, "architectures", archs + " mixes different heads");
            if (head == null) { head = h; arch = name; }
        }
        if (c.hasNonNull("quantization_config"))
            throw new DataFormatException(file, 0, "quantization_config", "quantized checkpoints are not supported (tare reads F32/BF16/F16 weights)");

        // class defaults per model_type (transformers 4.46 and 5.x agree on these)
        int dVocab, dHidden, dInter, dLayers, dHeads, dKv;
        double dEps;
        boolean dTie;
        switch (family) {
            case LLAMA -> { dVocab = 32000; dHidden = 4096; dInter = 11008; dLayers = 32; dHeads = 32; dKv = -1; dEps = 1e-6; dTie = false; }
            case MISTRAL -> { dVocab = 32000; dHidden = 4096; dInter = 14336; dLayers = 32; dHeads = 32; dKv = 8; dEps = 1e-6; dTie = false; }
            case QWEN2, QWEN3 -> { dVocab = 151936; dHidden = 4096; dInter = 22016; dLayers = 32; dHeads = 32; dKv = 32; dEps = 1e-6; dTie = false; }
            case GEMMA2 -> { dVocab = 256000; dHidden = 2304; dInter = 9216; dLayers = 26; dHeads = 8; dKv = 4; dEps = 1e-6; dTie = true; }
            default -> throw new AssertionError();
        }
        int vocab = integer(file, c, "vocab_size", dVocab);
        int hidden = integer(file, c, "hidden_size", dHidden);
        int inter = integer(file, c, "intermediate_size", dInter);
        int layers = integer(file, c, "num_hidden_layers", dLayers);
        int heads = integer(file, c, "num_attention_heads", dHeads);
        int kv = integer(file, c, "num_key_value_heads", dKv < 0 ? heads : dKv);
        if (heads <= 0) throw new DataFormatException(file, 0, "num_attention_heads", "must be positive, got " + heads);
        int dHeadDim = switch (family) {
            case QWEN3 -> 128;
            case GEMMA2 -> 256;
            default -> hidden / heads;
        };
        int headDim = integer(file, c, "head_dim", dHeadDim);
        for (String[] f : new String[][]{{"vocab_size", "" + vocab}, {"hidden_size", "" + hidden}, {"intermediate_size", "" + inter},
                {"num_hidden_layers", "" + layers}, {"num_attention_heads", "" + heads}, {"num_key_value_heads", "" + kv}, {"head_dim", "" + headDim}})
            if (Integer.parseInt(f[1]) <= 0) throw new DataFormatException(file, 0, f[0], "must be positive, got " + f[1]);
        if (heads % kv != 0) throw new DataFormatException(file, 0, "num_key_value_heads", kv + " does not divide num_attention_heads " + heads);
        if (headDim % 2 != 0) throw new DataFormatException(file, 0, "head_dim", "must be even for rotary embeddings, got " + headDim);
        double eps = number(file, c, "rms_norm_eps", dEps);
        // the longest input the model was built for (transformers' class defaults when absent); longer input is refused
        int maxPositions = integer(file, c, "max_position_embeddings", switch (family) {
            case LLAMA -> 2048;
            case MISTRAL -> 4096 * 32;
            case QWEN2, QWEN3 -> 32768;
            case GEMMA2 -> 8192;
        });
        if (maxPositions <= 0) throw new DataFormatException(file, 0, "max_position_embeddings", "must be positive, got " + maxPositions);
        String dtype = dtype(file, c);
        String version = text(file, c, "transformers_version", null);
        String[] layerTypes = layerTypes(file, c, layers);
        RopeParams[] rope = rope(file, c, layers, layerTypes);
        String actField = family == Family.GEMMA2 ? "hidden_activation" : "hidden_act";
        String act = text(file, c, actField, family == Family.GEMMA2 ? "gelu_pytorch_tanh" : "silu");
        Activation activation = switch (act) {
            case "silu", "swish" -> Activation.SILU;
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> Activation.GELU_TANH;
            default -> throw new DataFormatException(file, 0, actField, "'" + act + "' is not supported (silu, gelu_pytorch_tanh)");
        };
        boolean tie = bool(file, c, "tie_word_embeddings", dTie);
        Integer pad = null;
        if (c.hasNonNull("pad_token_id")) pad = integer(file, c, "pad_token_id", 0);
        else if (family == Family.GEMMA2 && !c.has("pad_token_id")) pad = 0; // Gemma2Config default
        GatingConfig gating = null;
        List<String> labels;
        if (head == Head.GATED_MULTI_OBJECTIVE) {
            if (family != Family.LLAMA)
                throw new DataFormatException(file, 0, "architectures", "'" + GATED_ARCHITECTURE + "' is a Llama body (model_type llama), not model_type '" + type + "'");
            gating = GatingConfig.parse(file, c);
            // the gated head yields one score (its objectives are read separately); id2label / num_labels do not apply to it
            labels = List.of("score");
        } else {
            labels = labels(file, c);
        }
        int numLabels = labels.size();
        if (head == Head.SEQUENCE_CLASSIFICATION && numLabels < 1) throw new DataFormatException(file, 0, "id2label", "a classifier needs at least one label");
        if (bool(file, c, "use_bidirectional_attention", false))
            throw new DataFormatException(file, 0, "use_bidirectional_attention", "true is not supported (tare runs causal attention)");

        int[] windows = new int[layers];
        float attnCap = 0f, finalCap = 0f;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        boolean qkvBias = false, oBias = false, mlpBias = false;
        switch (family) {
            case LLAMA -> {
                qkvBias = oBias = bool(file, c, "attention_bias", false);
                mlpBias = bool(file, c, "mlp_bias", false);
                requireFullAttention(file, layerTypes, "llama");
            }
            case MISTRAL -> {
                Integer w = c.has("sliding_window") ? (c.get("sliding_window").isNull() ? null : integer(file, c, "sliding_window", 0)) : 4096;
                if (layerTypes != null) {
                    for (int i = 0; i < layers; i++) if (layerTypes[i].equals("sliding_attention")) windows[i] = windowFor(file, w, i);
                } else if (w != null) java.util.Arrays.fill(windows, w);
            }
            case QWEN2, QWEN3 -> {
                qkvBias = family == Family.QWEN2 || bool(file, c, "attention_bias", false);
                oBias = family == Family.QWEN3 && qkvBias;
                boolean use = bool(file, c, "use_sliding_window", false);
                Integer w = null;
                if (use) w = c.hasNonNull("sliding_window") ? integer(file, c, "sliding_window", 0) : 4096;
                if (layerTypes != null) {
                    // transformers v5: the layer's window is sliding_window when its type is sliding_attention
                    // (sliding_window itself is None unless use_sliding_window)
                    for (int i = 0; i < layers; i++)
                        if (layerTypes[i].equals("sliding_attention")) {
                            if (w == null) throw new DataFormatException(file, 0, "layer_types[" + i + "]",
                                    "sliding_attention but use_sliding_window is false (no window size): inconsistent config");
                            windows[i] = windowFor(file, w, i);
                        }
                } else if (use) {
                    int from = integer(file, c, "max_window_layers", 28);
                    if (from < layers)
                        throw new DataFormatException(file, 0, "use_sliding_window", "true without layer_types is read differently by "
                                + "transformers 4.46 (eager: no window) and 5.x (window on layers >= max_window_layers); refusing rather than guessing "
                                + "(add layer_types to say which layers slide)");
                }
            }
            case GEMMA2 -> {
                qkvBias = oBias = bool(file, c, "attention_bias", false);
                Integer w = c.has("sliding_window") ? (c.get("sliding_window").isNull() ? null : integer(file, c, "sliding_window", 0)) : 4096;
                if (layerTypes != null) {
                    for (int i = 0; i < layers; i++) if (layerTypes[i].equals("sliding_attention")) windows[i] = windowFor(file, w, i);
                } else if (w != null) for (int i = 0; i < layers; i += 2) windows[i] = w;
                attnCap = c.has("attn_logit_softcapping") ? (c.get("attn_logit_softcapping").isNull() ? 0f : (float) number(file, c, "attn_logit_softcapping", 0)) : 50f;
                finalCap = c.has("final_logit_softcapping") ? (c.get("final_logit_softcapping").isNull() ? 0f : (float) number(file, c, "final_logit_softcapping", 0)) : 30f;
                scale = (float) Math.pow(number(file, c, "query_pre_attn_scalar", 256), -0.5);
            }
        }
        if (family != Family.LLAMA && bool(file, c, "mlp_bias", false))
            throw new DataFormatException(file, 0, "mlp_bias", "true, but transformers' " + type + " MLP has no bias (only llama implements mlp_bias)");
        for (int w : windows) if (w < 0) throw new DataFormatException(file, 0, "sliding_window", "must be positive, got " + w);
        return new ModelConfig(file, family, head, arch, vocab, hidden, inter, layers, heads, kv, headDim, eps, rope,
                activation, tie, pad, numLabels, labels, windows, attnCap, finalCap, scale, qkvBias, oBias, mlpBias, dtype, version,
                maxPositions, gating);
    }

    private static int windowFor(Path file, Integer w, int layer) {
        if (w == null || w <= 0) throw new DataFormatException(file, 0, "sliding_window",
                "layer_types[" + layer + "] is sliding_attention but sliding_window is " + w);
        return w;
    }

    private static void requireFullAttention(Path file, String[] layerTypes, String type) {
        if (layerTypes == null) return;
        for (int i = 0; i < layerTypes.length; i++)
            if (!layerTypes[i].equals("full_attention"))
                throw new DataFormatException(file, 0, "layer_types[" + i + "]", "'" + layerTypes[i] + "': transformers' " + type + " has no such layer");
    }

    /** {@code dtype} (v5) or {@code torch_dtype} (v4): the dtype the weights were saved in; tare computes in float32. */
    private static String dtype(Path file, JsonNode c) {
        String a = text(file, c, "dtype", null), b = text(file, c, "torch_dtype", null);
        if (a != null && b != null && !a.equals(b))
            throw new DataFormatException(file, 0, "dtype", "'" + a + "' disagrees with torch_dtype '" + b + "'");
        String d = a != null ? a : b;
        if (d != null && !Set.of("float32", "bfloat16", "float16", "auto").contains(d))
            throw new DataFormatException(file, 0, a != null ? "dtype" : "torch_dtype", "'" + d + "' is not supported (float32, bfloat16, float16)");
        return d;
    }

    /** v5 {@code layer_types}: one of {@link #LAYER_TYPES} per layer, or null when absent. */
    private static String[] layerTypes(Path file, JsonNode c, int layers) {
        JsonNode n = c.get("layer_types");
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw new DataFormatException(file, 0, "layer_types", "must be a list, got " + n);
        if (n.size() != layers) throw new DataFormatException(file, 0, "layer_types", n.size() + " entries for num_hidden_layers " + layers);
        String[] r = new String[layers];
        for (int i = 0; i < layers; i++) {
            JsonNode e = n.get(i);
            if (!e.isTextual() || !LAYER_TYPES.contains(e.asText()))
                throw new DataFormatException(file, 0, "layer_types[" + i + "]", e + " is not supported " + new TreeSet<>(LAYER_TYPES));
            r[i] = e.asText();
        }
        return r;
    }

    /** Label names by id: id2label (ids 0..n−1, each once), else num_labels (LABEL_i), else transformers' default 2. */
    private static List<String> labels(Path file, JsonNode c) {
        JsonNode m = c.get("id2label");
        if (m != null && !m.isNull()) {
            if (!m.isObject()) throw new DataFormatException(file, 0, "id2label", "must be an object, got " + m);
            String[] names = new String[m.size()];
            for (var it = m.fields(); it.hasNext(); ) {
                var e = it.next();
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException x) {
                    throw new DataFormatException(file, 0, "id2label", "key '" + e.getKey() + "' is not an integer id");
                }
                if (id < 0 || id >= names.length || names[id] != null)
                    throw new DataFormatException(file, 0, "id2label", "ids must be 0.." + (names.length - 1) + ", each once; got '" + e.getKey() + "'");
                names[id] = e.getValue().asText();
            }
            if (c.hasNonNull("num_labels") && integer(file, c, "num_labels", 0) != names.length)
                throw new DataFormatException(file, 0, "num_labels", c.get("num_labels") + " disagrees with id2label's " + names.length + " labels");
            return List.of(names);
        }
        int n = c.hasNonNull("num_labels") ? integer(file, c, "num_labels", 2) : 2;
        List<String> r = new ArrayList<>();
        for (int i = 0; i < n; i++) r.add("LABEL_" + i);
        return List.copyOf(r);
    }

    /**
     * Rope parameters per layer: v5 {@code rope_parameters} (one dict, or one per layer type), else v4 top-level
     * {@code rope_theta} + {@code rope_scaling}; the class default theta is 10000 for every supported family.
     */
    private static RopeParams[] rope(Path file, JsonNode c, int layers, String[] layerTypes) {
        RopeParams[] r = new RopeParams[layers];
        JsonNode p = c.get("rope_parameters");
        Double legacyTheta = c.hasNonNull("rope_theta") ? number(file, c, "rope_theta", 0) : null;
        checkPartialRotary(file, c, "partial_rotary_factor");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) throw new DataFormatException(file, 0, "rope_parameters", "must be an object, got " + p);
            if (c.hasNonNull("rope_scaling") && !c.get("rope_scaling").equals(p))
                throw new DataFormatException(file, 0, "rope_scaling", "given beside rope_parameters and different from it: which one applies is ambiguous");
            boolean perType = p.size() > 0 && p.properties().stream().allMatch(e -> LAYER_TYPES.contains(e.getKey()) && e.getValue().isObject());
            if (perType) {
                for (int i = 0; i < layers; i++) {
                    String t = layerTypes == null ? "full_attention" : layerTypes[i];
                    JsonNode q = p.get(t);
                    if (q == null) throw new DataFormatException(file, 0, "rope_parameters", "has no entry for layer type '" + t + "' (layer " + i + ")");
                    r[i] = ropeParams(file, q, "rope_parameters." + t, legacyTheta);
                }
            } else {
                java.util.Arrays.fill(r, ropeParams(file, p, "rope_parameters", legacyTheta));
            }
            return r;
        }
        double theta = legacyTheta != null ? legacyTheta : 10000.0;
        if (theta <= 0) throw new DataFormatException(file, 0, "rope_theta", "must be positive, got " + theta);
        JsonNode s = c.get("rope_scaling");
        RopeScaling scaling = null;
        if (s != null && !s.isNull()) {
            if (!s.isObject()) throw new DataFormatException(file, 0, "rope_scaling", "must be an object, got " + s);
            scaling = scaling(file, s, "rope_scaling");
        }
        java.util.Arrays.fill(r, new RopeParams(theta, scaling));
        return r;
    }

    private static RopeParams ropeParams(Path file, JsonNode p, String where, Double legacyTheta) {
        if (!p.hasNonNull("rope_theta")) {
            if (legacyTheta == null) throw new DataFormatException(file, 0, where + ".rope_theta", "missing");
        } else if (!p.get("rope_theta").isNumber()) {
            throw new DataFormatException(file, 0, where + ".rope_theta", "must be a number, got " + p.get("rope_theta"));
        }
        double theta = p.hasNonNull("rope_theta") ? p.get("rope_theta").asDouble() : legacyTheta;
        if (legacyTheta != null && legacyTheta != theta)
            throw new DataFormatException(file, 0, "rope_theta", legacyTheta + " disagrees with " + where + ".rope_theta " + theta);
        if (theta <= 0) throw new DataFormatException(file, 0, where + ".rope_theta", "must be positive, got " + theta);
        checkPartialRotary(file, p, where + ".partial_rotary_factor");
        return new RopeParams(theta, scaling(file, p, where));
    }

    private static void checkPartialRotary(Path file, JsonNode n, String field) {
        String key = field.substring(field.lastIndexOf('.') + 1);
        JsonNode f = n.get(key);
        if (f == null || f.isNull()) return;
        if (!f.isNumber()) throw new DataFormatException(file, 0, field, "must be a number, got " + f);
        if (f.asDouble() != 1.0) throw new DataFormatException(file, 0, field, f.asDouble() + " is not supported (tare rotates the whole head, factor 1.0)");
    }

    /** Keys each rope_type may carry (anything else could change the numbers and is refused). */
    private static final Map<String, Set<String>> ROPE_KEYS = Map.of(
            "default", Set.of(),
            "linear", Set.of("factor"),
            "llama3", Set.of("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"));

    private static RopeScaling scaling(Path file, JsonNode r, String where) {
        JsonNode t = r.hasNonNull("rope_type") ? r.get("rope_type") : r.get("type");
        if (t != null && !t.isNull() && !t.isTextual()) throw new DataFormatException(file, 0, where + ".rope_type", "must be a string, got " + t);
        String type = t == null || t.isNull() ? "default" : t.asText();
        if (!ROPE_TYPES.contains(type))
            throw new DataFormatException(file, 0, where + ".rope_type", "'" + type + "' is not supported " + new TreeSet<>(ROPE_TYPES)
                    + " (yarn, dynamic, longrope and others change the frequencies in ways tare does not implement)");
        Set<String> allowed = new java.util.HashSet<>(ROPE_KEYS.get(type));
        allowed.addAll(Set.of("rope_type", "type", "rope_theta", "partial_rotary_factor"));
        if (type.equals("default")) allowed.add("original_max_position_embeddings"); // informational for default rope
        for (String k : r.properties().stream().map(Map.Entry::getKey).toList())
            if (!allowed.contains(k) && !r.get(k).isNull())
                throw new DataFormatException(file, 0, where + "." + k, "is not used by rope_type '" + type + "' as tare implements it; refusing rather than ignoring it");
        return switch (type) {
            case "default" -> null;
            case "linear" -> new RopeScaling("linear", num(file, r, where, "factor"), 0, 0, 0);
            case "llama3" -> new RopeScaling("llama3", num(file, r, where, "factor"), num(file, r, where, "low_freq_factor"),
                    num(file, r, where, "high_freq_factor"), (int) num(file, r, where, "original_max_position_embeddings"));
            default -> throw new AssertionError(type);
        };
    }

    private static double num(Path file, JsonNode r, String where, String f) {
        if (!r.hasNonNull(f) || !r.get(f).isNumber()) throw new DataFormatException(file, 0, where + "." + f, "missing or not a number");
        double v = r.get(f).asDouble();
        if (!(v > 0)) throw new DataFormatException(file, 0, where + "." + f, "must be positive, got " + v);
        return v;
    }

    private static String text(Path file, JsonNode c, String f, String dflt) {
        JsonNode n = c.get(f);
        if (n == null || n.isNull()) return dflt;
        if (!n.isTextual()) throw new DataFormatException(file, 0, f, "must be a string, got " + n);
        return n.asText();
    }

    private static int integer(Path file, JsonNode c, String f, int dflt) {
        JsonNode n = c.get(f);
        if (n == null || n.isNull()) return dflt;
        if (!n.canConvertToInt() || !n.isIntegralNumber()) throw new DataFormatException(file, 0, f, "must be an integer, got " + n);
        return n.asInt();
    }

    private static double number(Path file, JsonNode c, String f, double dflt) {
        JsonNode n = c.get(f);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber()) throw new DataFormatException(file, 0, f, "must be a number, got " + n);
        return n.asDouble();
    }

    private static boolean bool(Path file, JsonNode c, String f, boolean dflt) {
        JsonNode n = c.get(f);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw new DataFormatException(file, 0, f, "must be true or false, got " + n);
        return n.asBoolean();
    }

    /** Sliding window of layer {@code i} (keys i−W &lt; j ≤ i), or 0 for full causal attention. */
    public int slidingWindow(int layer) { return slidingWindows[layer]; }
}
