package dev.tare.runtime.tiny;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes seeded random, tiny Hugging Face checkpoints laid out exactly as the hub serves them (config.json,
 * model.safetensors, a byte-level tokenizer.json, tokenizer_config.json with a chat template), and PEFT LoRA adapters
 * for them: for worked examples, demos and end-to-end tests without network. The numbers they give are meaningless.
 */
public final class TinyCheckpoint {
    /** Shape of the tiny Llama model. */
    public record Spec(int hidden, int layers, int heads, int kvHeads, int intermediate, int maxPositions, boolean causal,
                       DType dtype) {
        public static Spec defaults() { return new Spec(64, 4, 4, 2, 128, 8192, false, DType.F32); }

        public Spec asCausal() { return new Spec(hidden, layers, heads, kvHeads, intermediate, maxPositions, true, dtype); }

        public int headDim() { return hidden / heads; }
    }

    /** The 256 byte-level symbols take ids 0..255; these special tokens follow (HF tokenizers numbers added tokens after the model vocab). */
    public static final List<String> SPECIALS = List.of("<|pad|>", "<|begin|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>");
    public static final int VOCAB = 320;
    /** A small chat template in the usual role-tag style; the BOS comes from the template. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n"
            + "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TinyCheckpoint() {}

    /** Writes a LlamaForSequenceClassification (or LlamaForCausalLM) checkpoint into {@code dir}. */
    public static void write(Path dir, Spec s, long seed) {
        try {
            Files.createDirectories(dir);
            Random r = new Random(seed);
            Map<String, float[]> t = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            int h = s.hidden(), kv = s.kvHeads() * s.headDim();
            put(t, shapes, "model.embed_tokens.weight", gauss(r, VOCAB * h, 1.0), VOCAB, h);
            for (int i = 0; i < s.layers(); i++) {
                String p = "model.layers." + i + ".";
                put(t, shapes, p + "input_layernorm.weight", norm(r, h), h);
                put(t, shapes, p + "self_attn.q_proj.weight", gauss(r, h * h, 1.5 / Math.sqrt(h)), h, h);
                put(t, shapes, p + "self_attn.k_proj.weight", gauss(r, kv * h, 1.5 / Math.sqrt(h)), kv, h);
                put(t, shapes, p + "self_attn.v_proj.weight", gauss(r, kv * h, 1.0 / Math.sqrt(h)), kv, h);
                put(t, shapes, p + "self_attn.o_proj.weight", gauss(r, h * h, 1.0 / Math.sqrt(h)), h, h);
                put(t, shapes, p + "post_attention_layernorm.weight", norm(r, h), h);
                put(t, shapes, p + "mlp.gate_proj.weight", gauss(r, s.intermediate() * h, 1.0 / Math.sqrt(h)), s.intermediate(), h);
                put(t, shapes, p + "mlp.up_proj.weight", gauss(r, s.intermediate() * h, 1.0 / Math.sqrt(h)), s.intermediate(), h);
                put(t, shapes, p + "mlp.down_proj.weight", gauss(r, h * s.intermediate(), 1.0 / Math.sqrt(s.intermediate())), h, s.intermediate());
            }
            put(t, shapes, "model.norm.weight", norm(r, h), h);
            if (s.causal()) put(t, shapes, "lm_head.weight", gauss(r, VOCAB * h, 1.0 / Math.sqrt(h)), VOCAB, h);
            else put(t, shapes, "score.weight", gauss(r, h, 1.0 / Math.sqrt(h)), 1, h);
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            for (var e : t.entrySet()) {
                float[] v = e.getValue();
                entries.add(s.dtype() == DType.BF16
                        ? new SafetensorsWriter.Entry(e.getKey(), DType.BF16, shapes.get(e.getKey()), out -> SafetensorsWriter.writeFloats(out, v, DType.BF16))
                        : new SafetensorsWriter.Entry(e.getKey(), DType.F32, shapes.get(e.getKey()), out -> SafetensorsWriter.writeF32(out, v)));
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of("format", "pt"));
            JSON.writeValue(dir.resolve("config.json").toFile(), config(s));
            writeTokenizer(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tiny checkpoint to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a PEFT LoRA adapter for a tiny sequence classifier: {@code targets} (e.g. q_proj, v_proj), rank r,
     * lora_alpha, random non-zero A and B, and (SEQ_CLS) a modules_to_save copy of the score head = base head + noise.
     */
    public static void writeLora(Path dir, Path baseDir, Spec s, List<String> targets, int r, double alpha, long seed) {
        writeLora(dir, baseDir.getFileName().toString(), s.layers(), s.hidden(), s.kvHeads() * s.headDim(), s.intermediate(),
                !s.causal(), targets, r, alpha, seed);
    }

    /** The same for any Llama/Qwen2-style layout: per-layer q/k/v/o and gate/up/down shapes from the given sizes. */
    public static void writeLora(Path dir, String baseName, int layers, int hidden, int kvDim, int intermediate, boolean seqCls,
                                 List<String> targets, int r, double alpha, long seed) {
        try {
            Files.createDirectories(dir);
            Random rnd = new Random(seed);
            Map<String, float[]> t = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            int h = hidden, kv = kvDim;
            for (int i = 0; i < layers; i++) {
                for (String m : targets) {
                    String group = m.endsWith("_proj") && (m.startsWith("gate") || m.startsWith("up") || m.startsWith("down")) ? "mlp" : "self_attn";
                    int out = switch (m) { case "k_proj", "v_proj" -> kv; case "gate_proj", "up_proj" -> intermediate; default -> h; };
                    int in = m.equals("down_proj") ? intermediate : h;
                    String p = "base_model.model.model.layers." + i + "." + group + "." + m + ".";
                    put(t, shapes, p + "lora_A.weight", gauss(rnd, r * in, 1.0 / Math.sqrt(in)), r, in);
                    put(t, shapes, p + "lora_B.weight", gauss(rnd, out * r, 0.5 / Math.sqrt(r)), out, r);
                }
            }
            if (seqCls) put(t, shapes, "base_model.model.score.weight", gauss(rnd, h, 1.0 / Math.sqrt(h)), 1, h);
            SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), SafetensorsWriter.f32(t, shapes), Map.of("format", "pt"));
            ObjectNode c = JSON.createObjectNode();
            c.put("peft_type", "LORA").put("task_type", seqCls ? "SEQ_CLS" : "CAUSAL_LM").put("r", r).put("lora_alpha", alpha)
                    .put("lora_dropout", 0.0).put("bias", "none").put("fan_in_fan_out", false).put("use_rslora", false)
                    .put("use_dora", false).put("inference_mode", true).put("base_model_name_or_path", baseName);
            ArrayNode tm = c.putArray("target_modules");
            targets.forEach(tm::add);
            if (seqCls) c.putArray("modules_to_save").add("classifier").add("score");
            else c.putNull("modules_to_save");
            c.putObject("rank_pattern");
            c.putObject("alpha_pattern");
            JSON.writeValue(dir.resolve("adapter_config.json").toFile(), c);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tiny adapter to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode config(Spec s) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(s.causal() ? "LlamaForCausalLM" : "LlamaForSequenceClassification");
        c.put("model_type", "llama").put("hidden_size", s.hidden()).put("intermediate_size", s.intermediate())
                .put("num_hidden_layers", s.layers()).put("num_attention_heads", s.heads()).put("num_key_value_heads", s.kvHeads())
                .put("head_dim", s.headDim()).put("hidden_act", "silu").put("max_position_embeddings", s.maxPositions())
                .put("rms_norm_eps", 1e-5).put("rope_theta", 10000.0).put("vocab_size", VOCAB).put("tie_word_embeddings", false)
                .put("attention_bias", false).put("mlp_bias", false).put("bos_token_id", 257).put("eos_token_id", 258).put("pad_token_id", 256)
                .put("torch_dtype", s.dtype() == DType.BF16 ? "bfloat16" : "float32");
        if (!s.causal()) {
            c.putObject("id2label").put("0", "LABEL_0");
            c.putObject("label2id").put("LABEL_0", 0);
        }
        return c;
    }

    /** A byte-level BPE tokenizer with no merges: every UTF-8 byte is one token; role tags are special tokens. */
    private static void writeTokenizer(Path dir) throws IOException {
        ObjectNode tj = JSON.createObjectNode();
        tj.put("version", "1.0");
        tj.putNull("truncation");
        tj.putNull("padding");
        ArrayNode added = tj.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.addObject().put("id", 256 + i).put("content", SPECIALS.get(i)).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        tj.putNull("normalizer");
        tj.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        tj.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false).put("use_regex", true);
        tj.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = tj.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        int[] map = bytesToUnicode();
        for (int b = 0; b < 256; b++) vocab.put(new String(Character.toChars(map[b])), b);
        model.putArray("merges");
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
        ObjectNode tc = JSON.createObjectNode();
        tc.put("bos_token", "<|begin|>").put("eos_token", "<|end|>").put("pad_token", "<|pad|>").put("add_bos_token", false)
                .put("model_max_length", 8192).put("chat_template", CHAT_TEMPLATE);
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tc);
    }

    /** The word that {@link #writeWordLevelTokenizer}'s vocabulary maps to {@code id} (0..510). */
    public static String wordLevelToken(int id) {
        if (id < 0 || id > 510) throw new IllegalArgumentException("id " + id + " has no word in the word-level vocabulary (0..510)");
        return switch (id) {
            case 0 -> "<pad>";
            case 1 -> "<s>";
            case 2 -> "</s>";
            default -> "w" + id;
        };
    }

    /** Text that {@link #writeWordLevelTokenizer}'s tokenizer encodes to exactly {@code ids[from..to)}. */
    public static String wordLevelText(int[] ids, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) b.append(i == from ? "" : " ").append(wordLevelToken(ids[i]));
        return b.toString();
    }

    /**
     * A word-level tokenizer for checkpoints with a 512-id vocabulary such as the hf-parity fixtures: "&lt;pad&gt;" 0,
     * "&lt;s&gt;" 1 (BOS), "&lt;/s&gt;" 2 (EOS), words "w3" … "w510", "&lt;unk&gt;" 511; text "w5 w17" encodes to [5, 17].
     * With {@code addsBos} the tokenizer's own post-processor prepends &lt;s&gt; when special tokens are added.
     */
    public static void writeWordLevelTokenizer(Path dir, String chatTemplate, boolean addsBos) {
        try {
            Files.createDirectories(dir);
            ObjectNode vocab = JSON.createObjectNode();
            String[] specials = {"<pad>", "<s>", "</s>"};
            for (int i = 0; i < 3; i++) vocab.put(specials[i], i);
            for (int i = 3; i < 511; i++) vocab.put("w" + i, i);
            vocab.put("<unk>", 511);
            ObjectNode tj = JSON.createObjectNode();
            tj.put("version", "1.0");
            tj.putNull("truncation");
            tj.putNull("padding");
            ArrayNode added = tj.putArray("added_tokens");
            for (int i = 0; i < 3; i++) {
                added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", false).put("special", true);
            }
            tj.putNull("normalizer");
            tj.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
            if (addsBos) {
                ObjectNode pp = tj.putObject("post_processor");
                pp.put("type", "TemplateProcessing");
                ArrayNode single = pp.putArray("single");
                single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
                single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
                ArrayNode pair = pp.putArray("pair");
                pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
                pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
                pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
                ObjectNode st = pp.putObject("special_tokens").putObject("<s>");
                st.put("id", "<s>");
                st.putArray("ids").add(1);
                st.putArray("tokens").add("<s>");
            } else {
                tj.putNull("post_processor");
            }
            tj.putNull("decoder");
            ObjectNode model = tj.putObject("model");
            model.put("type", "WordLevel");
            model.set("vocab", vocab);
            model.put("unk_token", "<unk>");
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
            ObjectNode tc = JSON.createObjectNode();
            tc.put("bos_token", "<s>").put("eos_token", "</s>").put("pad_token", "<pad>").put("chat_template", chatTemplate);
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** GPT-2's reversible byte → printable code point map used by byte-level BPE. */
    static int[] bytesToUnicode() {
        int[] map = new int[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) direct[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) map[b] = direct[b] ? b : 256 + n++;
        return map;
    }

    private static void put(Map<String, float[]> t, Map<String, long[]> shapes, String name, float[] v, long... shape) {
        t.put(name, v);
        shapes.put(name, shape);
    }

    private static float[] gauss(Random r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * std);
        return v;
    }

    private static float[] norm(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (1 + 0.1 * r.nextGaussian());
        return v;
    }
}
