package dev.tare.train.grad;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.runtime.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random, tiny *ForSequenceClassification checkpoints (config.json + model.safetensors) of every family the
 * runtime implements, each switching on its family's peculiarities, and PEFT LoRA adapters for them.
 */
final class TinyDecoders {
    /** One tiny model layout. */
    enum Kind {
        /** Llama with attention_bias + mlp_bias (q/k/v/o and gate/up/down biases), llama3 rope scaling, 2 labels. */
        LLAMA,
        /** Qwen2: q/k/v bias, one KV head (MQA), a sliding-window layer (v5 layer_types) beside a full one. */
        QWEN2,
        /** Qwen3: per-head q/k RMSNorm, head_dim 8 with heads·head_dim ≠ hidden. */
        QWEN3,
        /** Gemma2: GELU-tanh, (1+w) norms incl. post-attention/post-ffn norms, √H embedding scale, logit softcap, sliding window on layer 0, query_pre_attn_scalar. */
        GEMMA2,
        /** Mistral: a sliding window on every layer. */
        MISTRAL
    }

    static final int VOCAB = 48, HIDDEN = 16, INTER = 24, LAYERS = 2, PAD = 0, WINDOW = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyDecoders() {}

    /** Three sequences of lengths 7, 4 and 9; the second ends in the pad id (read at its last non-pad token). */
    static int[][] ids() {
        return new int[][]{{1, 5, 9, 17, 33, 2, 40}, {3, 7, 11, PAD}, {1, 12, 13, 14, 15, 16, 18, 19, 47}};
    }

    static int heads(Kind k) { return k == Kind.GEMMA2 ? 2 : 4; }

    static int kvHeads(Kind k) { return k == Kind.QWEN2 || k == Kind.GEMMA2 ? 1 : 2; }

    static int headDim(Kind k) { return k == Kind.QWEN3 || k == Kind.GEMMA2 ? 8 : HIDDEN / heads(k); }

    static int labels(Kind k) { return k == Kind.LLAMA ? 2 : 1; }

    /** Writes the checkpoint of {@code kind} into {@code dir}; returns dir. */
    static Path write(Path dir, Kind kind, long seed) {
        Random r = new Random(seed);
        int h = HIDDEN, nh = heads(kind), kv = kvHeads(kind), hd = headDim(kind), in = INTER;
        boolean gemma = kind == Kind.GEMMA2;
        boolean qkvBias = kind == Kind.LLAMA || kind == Kind.QWEN2, oBias = kind == Kind.LLAMA, mlpBias = kind == Kind.LLAMA;
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        put(t, shapes, "model.embed_tokens.weight", gauss(r, VOCAB * h, gemma ? 0.3 : 1.0), VOCAB, h);
        for (int i = 0; i < LAYERS; i++) {
            String p = "model.layers." + i + ".";
            put(t, shapes, p + "input_layernorm.weight", norm(r, h, gemma), h);
            linear(t, shapes, r, p + "self_attn.q_proj", nh * hd, h, 1.5, qkvBias);
            linear(t, shapes, r, p + "self_attn.k_proj", kv * hd, h, 1.5, qkvBias);
            linear(t, shapes, r, p + "self_attn.v_proj", kv * hd, h, 1.0, qkvBias);
            linear(t, shapes, r, p + "self_attn.o_proj", h, nh * hd, 1.0, oBias);
            put(t, shapes, p + "post_attention_layernorm.weight", norm(r, h, gemma), h);
            if (gemma) {
                put(t, shapes, p + "pre_feedforward_layernorm.weight", norm(r, h, true), h);
                put(t, shapes, p + "post_feedforward_layernorm.weight", norm(r, h, true), h);
            }
            if (kind == Kind.QWEN3) {
                put(t, shapes, p + "self_attn.q_norm.weight", norm(r, hd, false), hd);
                put(t, shapes, p + "self_attn.k_norm.weight", norm(r, hd, false), hd);
            }
            linear(t, shapes, r, p + "mlp.gate_proj", in, h, 1.0, mlpBias);
            linear(t, shapes, r, p + "mlp.up_proj", in, h, 1.0, mlpBias);
            linear(t, shapes, r, p + "mlp.down_proj", h, in, 1.0, mlpBias);
        }
        put(t, shapes, "model.norm.weight", norm(r, h, gemma), h);
        put(t, shapes, "score.weight", gauss(r, labels(kind) * h, 1.0 / Math.sqrt(h)), labels(kind), h);
        try {
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), SafetensorsWriter.f32(t, shapes), Map.of("format", "pt"));
            JSON.writeValue(dir.resolve("config.json").toFile(), config(kind));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static ObjectNode config(Kind kind) {
        ObjectNode c = JSON.createObjectNode();
        String type = switch (kind) {
            case LLAMA -> "llama";
            case QWEN2 -> "qwen2";
            case QWEN3 -> "qwen3";
            case GEMMA2 -> "gemma2";
            case MISTRAL -> "mistral";
        };
        String arch = switch (kind) {
            case LLAMA -> "Llama";
            case QWEN2 -> "Qwen2";
            case QWEN3 -> "Qwen3";
            case GEMMA2 -> "Gemma2";
            case MISTRAL -> "Mistral";
        };
        c.putArray("architectures").add(arch + "ForSequenceClassification");
        c.put("model_type", type).put("vocab_size", VOCAB).put("hidden_size", HIDDEN).put("intermediate_size", INTER)
                .put("num_hidden_layers", LAYERS).put("num_attention_heads", heads(kind)).put("num_key_value_heads", kvHeads(kind))
                .put("head_dim", headDim(kind)).put("rms_norm_eps", 1e-6).put("pad_token_id", PAD).put("torch_dtype", "float32")
                .put("max_position_embeddings", 128).put("tie_word_embeddings", false);
        ObjectNode id2label = c.putObject("id2label");
        for (int i = 0; i < labels(kind); i++) id2label.put(String.valueOf(i), "LABEL_" + i);
        switch (kind) {
            case LLAMA -> {
                c.put("hidden_act", "silu").put("attention_bias", true).put("mlp_bias", true).put("rope_theta", 10000.0);
                // original_max_position_embeddings 8 puts head_dim 4's two frequencies in the smoothed and the scaled band
                c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0).put("low_freq_factor", 1.0)
                        .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8);
            }
            case QWEN2 -> {
                c.put("hidden_act", "silu").put("rope_theta", 1000000.0).put("use_sliding_window", true).put("sliding_window", WINDOW);
                ArrayNode lt = c.putArray("layer_types");
                lt.add("sliding_attention").add("full_attention");
            }
            case QWEN3 -> c.put("hidden_act", "silu").put("rope_theta", 1000000.0).put("attention_bias", false);
            case GEMMA2 -> c.put("hidden_activation", "gelu_pytorch_tanh").put("query_pre_attn_scalar", 6).put("sliding_window", WINDOW)
                    .put("attn_logit_softcapping", 1.5).put("final_logit_softcapping", 30.0).put("rope_theta", 10000.0);
            case MISTRAL -> c.put("hidden_act", "silu").put("sliding_window", WINDOW + 1).put("rope_theta", 10000.0);
        }
        return c;
    }

    /**
     * A PEFT LoRA adapter (SEQ_CLS, with a modules_to_save head copy) on {@code targets} of every layer, A and B random
     * non-zero, shapes from {@code d}.
     */
    static Path writeAdapter(Path dir, GradDecoder d, List<String> targets, int rank, double alpha, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String m : d.linearModules()) {
            if (!targets.contains(m.substring(m.lastIndexOf('.') + 1))) continue;
            int[] s = d.linearShape(m);
            String p = "base_model.model." + m + ".";
            put(t, shapes, p + "lora_A.weight", gauss(r, rank * s[1], 1.0 / Math.sqrt(s[1])), rank, s[1]);
            put(t, shapes, p + "lora_B.weight", gauss(r, s[0] * rank, 0.5 / Math.sqrt(rank)), s[0], rank);
        }
        int labels = d.config().numLabels(), h = d.config().hiddenSize();
        put(t, shapes, "base_model.model.score.weight", gauss(r, labels * h, 1.0 / Math.sqrt(h)), labels, h);
        try {
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), SafetensorsWriter.f32(t, shapes), Map.of("format", "pt"));
            ObjectNode c = JSON.createObjectNode();
            c.put("peft_type", "LORA").put("task_type", "SEQ_CLS").put("r", rank).put("lora_alpha", alpha).put("lora_dropout", 0.0)
                    .put("bias", "none").put("fan_in_fan_out", false).put("use_rslora", false).put("use_dora", false)
                    .put("inference_mode", true).put("base_model_name_or_path", d.config().file().getParent().getFileName().toString());
            ArrayNode tm = c.putArray("target_modules");
            targets.forEach(tm::add);
            c.putArray("modules_to_save").add("classifier").add("score");
            JSON.writeValue(dir.resolve("adapter_config.json").toFile(), c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static void linear(Map<String, float[]> t, Map<String, long[]> shapes, Random r, String module, int out, int in, double gain, boolean bias) {
        put(t, shapes, module + ".weight", gauss(r, out * in, gain / Math.sqrt(in)), out, in);
        if (bias) put(t, shapes, module + ".bias", gauss(r, out, 0.3), out);
    }

    private static void put(Map<String, float[]> t, Map<String, long[]> shapes, String name, float[] v, long... shape) {
        t.put(name, v);
        shapes.put(name, shape);
    }

    static float[] gauss(Random r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * std);
        return v;
    }

    /** Norm weights: around 1, or (Gemma's 1+w) around 0. */
    private static float[] norm(Random r, int n, boolean onePlus) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((onePlus ? 0 : 1) + 0.2 * r.nextGaussian());
        return v;
    }
}
