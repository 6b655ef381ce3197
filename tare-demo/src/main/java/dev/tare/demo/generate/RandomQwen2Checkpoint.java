package dev.tare.demo.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.core.Progress;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes a randomly initialised Qwen2ForSequenceClassification checkpoint (BF16 safetensors + config.json). */
public final class RandomQwen2Checkpoint {
    /** Model dimensions; {@link #QWEN25_05B} is Qwen2.5-0.5B's. */
    public record Shape(int layers, int hidden, int heads, int kvHeads, int intermediate, int vocab) {
        /** Width of one attention head. */
        public int headDim() { return hidden / heads; }

        /** Weights of the linear layers a token passes through (q, k, v, o, gate, up, down; not the embedding). */
        public long linearParams() {
            long kv = (long) kvHeads * headDim();
            return (long) layers * ((long) hidden * hidden * 2 + 2L * kv * hidden + 3L * hidden * intermediate);
        }

        /** Forward FLOPs for one causal sequence of {@code len} tokens: 2·linear params per token + QKᵀ and AV + head. */
        public double forwardFlops(int len) {
            double linear = 2.0 * linearParams() * len;
            double attention = (double) layers * 4.0 * hidden * ((double) len * (len + 1) / 2);   // causal: t+1 keys for query t
            return linear + attention + 2.0 * hidden;   // one score-head dot product per sequence
        }

        /**
         * The FLOPs tare does to score one sequence of {@code len} tokens: {@link #forwardFlops} less what the last layer
         * skips for the rows no one reads (queries, attention, output projection and MLP of all but the score token;
         * its keys and values are computed for every token).
         */
        public double scoreFlops(int len) {
            double perRowSkipped = 2.0 * ((long) hidden * hidden * 2 + 3L * hidden * intermediate);   // q, o, gate, up, down
            double lastAttention = 4.0 * hidden * ((double) len * (len + 1) / 2 - len);   // only the score row's len keys stay
            return forwardFlops(len) - perRowSkipped * (len - 1) - lastAttention;
        }
    }

    /** Qwen2.5-0.5B's dimensions. */
    public static final Shape QWEN25_05B = new Shape(24, 896, 14, 2, 4864, 151936);
    /** Qwen2's pad (and bos) token id; sampled token ids stay below it. */
    public static final int PAD_ID = 151643;

    private record TensorSpec(String name, long[] shape, Kind kind) {
        long elements() { long n = 1; for (long d : shape) n *= d; return n; }
    }

    private enum Kind { WEIGHT, ONES, BIAS }

    private RandomQwen2Checkpoint() {}

    private static List<TensorSpec> tensors(Shape s) {
        List<TensorSpec> t = new ArrayList<>();
        long h = s.hidden(), kv = (long) s.kvHeads() * s.headDim();
        t.add(new TensorSpec("model.embed_tokens.weight", new long[] {s.vocab(), h}, Kind.WEIGHT));
        for (int i = 0; i < s.layers(); i++) {
            String p = "model.layers." + i + ".";
            t.add(new TensorSpec(p + "input_layernorm.weight", new long[] {h}, Kind.ONES));
            t.add(new TensorSpec(p + "self_attn.q_proj.weight", new long[] {h, h}, Kind.WEIGHT));
            t.add(new TensorSpec(p + "self_attn.q_proj.bias", new long[] {h}, Kind.BIAS));
            t.add(new TensorSpec(p + "self_attn.k_proj.weight", new long[] {kv, h}, Kind.WEIGHT));
            t.add(new TensorSpec(p + "self_attn.k_proj.bias", new long[] {kv}, Kind.BIAS));
            t.add(new TensorSpec(p + "self_attn.v_proj.weight", new long[] {kv, h}, Kind.WEIGHT));
            t.add(new TensorSpec(p + "self_attn.v_proj.bias", new long[] {kv}, Kind.BIAS));
            t.add(new TensorSpec(p + "self_attn.o_proj.weight", new long[] {h, h}, Kind.WEIGHT));
            t.add(new TensorSpec(p + "post_attention_layernorm.weight", new long[] {h}, Kind.ONES));
            t.add(new TensorSpec(p + "mlp.gate_proj.weight", new long[] {s.intermediate(), h}, Kind.WEIGHT));
            t.add(new TensorSpec(p + "mlp.up_proj.weight", new long[] {s.intermediate(), h}, Kind.WEIGHT));
            t.add(new TensorSpec(p + "mlp.down_proj.weight", new long[] {h, s.intermediate()}, Kind.WEIGHT));
        }
        t.add(new TensorSpec("model.norm.weight", new long[] {h}, Kind.ONES));
        t.add(new TensorSpec("score.weight", new long[] {1, h}, Kind.WEIGHT));
        return t;
    }

    /** Bytes of all tensors (BF16). */
    public static long weightBytes(Shape s) {
        long n = 0;
        for (TensorSpec t : tensors(s)) n += t.elements() * 2;
        return n;
    }

    /** Writes config.json and model.safetensors into {@code dir} (each atomically); weights ~ U(±0.02·√3), i.e. std 0.02. */
    public static void write(Path dir, Shape s, long seed, PrintStream err) {
        try {
            Files.createDirectories(dir);
            writeConfig(dir, s);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the random checkpoint to " + dir + ": " + e.getMessage(), e);
        }
        List<TensorSpec> specs = tensors(s);
        Progress progress = Progress.on(err, "writing checkpoint (MiB)", weightBytes(s) >> 20);
        long[] state = {seed * 0x9E3779B97F4A7C15L + 1}, written = {0};
        float scale = (float) (0.02 * Math.sqrt(3) / (1L << 31));
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (TensorSpec t : specs) {
            entries.add(new SafetensorsWriter.Entry(t.name(), DType.BF16, t.shape(), out -> {
                // one xorshift64 stream over all WEIGHT tensors in order, streamed in 4 MiB chunks
                ByteBuffer buf = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0, n = t.elements(); i < n; i++) {
                    float v;
                    if (t.kind() == Kind.ONES) v = 1f;
                    else if (t.kind() == Kind.BIAS) v = 0f;
                    else {
                        long x = state[0];
                        x ^= x << 13; x ^= x >>> 7; x ^= x << 17;   // xorshift64
                        state[0] = x;
                        v = (int) x * scale;
                    }
                    DType.BF16.put(buf, v);
                    if (!buf.hasRemaining()) {
                        out.write(buf.array(), 0, buf.position());
                        written[0] += buf.position();
                        buf.clear();
                        progress.update(written[0] >> 20);
                    }
                }
                out.write(buf.array(), 0, buf.position());
                written[0] += buf.position();
                progress.update(written[0] >> 20);
            }));
        }
        try (progress) {
            SafetensorsWriter.write(dir.resolve("model.safetensors"), entries,
                    Map.of("format", "pt", "generator", "tare bench runtime (random init, seed " + seed + ")"));
        }
    }

    private static void writeConfig(Path dir, Shape s) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode c = m.createObjectNode();
        c.putArray("architectures").add("Qwen2ForSequenceClassification");
        c.put("model_type", "qwen2");
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("num_hidden_layers", s.layers());
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("vocab_size", s.vocab());
        c.put("max_position_embeddings", 32768);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", 1000000.0);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", true);
        c.put("use_sliding_window", false);
        c.put("sliding_window", 32768);
        c.put("max_window_layers", s.layers());
        c.put("attention_dropout", 0.0);
        c.put("initializer_range", 0.02);
        c.put("torch_dtype", "bfloat16");
        c.put("bos_token_id", PAD_ID);
        c.put("eos_token_id", PAD_ID);
        c.put("pad_token_id", PAD_ID);
        c.putObject("id2label").put("0", "LABEL_0");
        c.putObject("label2id").put("LABEL_0", 0);
        Path tmp = dir.resolve("config.json.tmp");
        Files.writeString(tmp, m.writerWithDefaultPrettyPrinter().writeValueAsString(c), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("config.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
