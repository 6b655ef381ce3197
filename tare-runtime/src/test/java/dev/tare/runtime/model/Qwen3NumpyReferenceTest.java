package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Qwen3 against real transformers 5.17 is {@link Hf5ParityTest}; this also checks the engine against tools/decoder_numpy_reference.py (float64 NumPy,
 * written from modeling_qwen3 semantics). The script itself is first checked against transformers goldens
 * (llama-seqcls, qwen2-seqcls) so that it is a real oracle. Runs only where python3 + numpy exist.
 */
class Qwen3NumpyReferenceTest {
    @TempDir Path tmp;
    static Path script;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void findPython() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("tools/decoder_numpy_reference.py"))) dir = dir.getParent();
        Assumptions.assumeTrue(dir != null, "tools/decoder_numpy_reference.py not found");
        script = dir.resolve("tools/decoder_numpy_reference.py");
        boolean ok;
        try {
            ok = new ProcessBuilder("python3", "-c", "import numpy").start().waitFor() == 0;
        } catch (java.io.IOException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "python3 with numpy is not available: skipping the NumPy reference check");
    }

    private float[][] numpy(Path model, int[][] ids) throws Exception {
        Path idsFile = tmp.resolve("ids-" + System.nanoTime() + ".json");
        Files.writeString(idsFile, JSON.writeValueAsString(ids));
        Process p = new ProcessBuilder("python3", script.toString(), model.toString(), idsFile.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        JsonNode o = JSON.readTree(out).get("outputs");
        float[][] r = new float[o.size()][];
        for (int i = 0; i < r.length; i++) r[i] = Fixtures.floats(o.get(i));
        return r;
    }

    @Test
    void referenceScriptReproducesTransformersGoldens() throws Exception {
        for (String f : new String[]{"llama-seqcls", "qwen2-seqcls"}) {
            Path dir = Fixtures.root().resolve(f);
            JsonNode cases = Fixtures.goldens(dir).get("cases");
            List<int[]> ids = new ArrayList<>();
            List<float[]> want = new ArrayList<>();
            for (JsonNode c : cases) {
                if (!c.get("attention_mask").isNull() || c.get("input_ids").size() != 1) continue;
                ids.add(Fixtures.ints(c.get("input_ids").get(0)));
                want.add(Fixtures.floats(c.get("logits").get(0)));
            }
            float[][] got = numpy(dir, ids.toArray(int[][]::new));
            for (int i = 0; i < got.length; i++) assertTrue(Fixtures.maxDiff(got[i], want.get(i)) < 2e-5, f + " case " + i);
        }
    }

    @Test
    void qwen3SeqClsAndTiedCausalMatchNumpy() throws Exception {
        int[][] ids = {{5, 17, 99, 3, 42, 7, 120}, {9}, new Random(7).ints(40, 1, 128).toArray(), {11, 12, 0, 13, 14}};
        for (boolean causal : new boolean[]{false, true}) {
            Path dir = tmp.resolve(causal ? "qwen3-causal" : "qwen3-seqcls");
            writeQwen3(dir, causal);
            float[][] want = numpy(dir, ids);
            double max = 0;
            try (Model m = ModelLoader.load(dir)) {
                assertEquals(32, m.config().headDim(), "head_dim comes from config, not hidden/heads");
                float[][] got = m instanceof RewardModel rm ? rm.withScoreTokenRule(ScoreTokenRule.FIRST_PAD_MINUS_ONE).score(ids) : ((CausalLM) m).lastLogits(ids);
                for (int i = 0; i < ids.length; i++) max = Math.max(max, Fixtures.maxDiff(got[i], want[i]));
            }
            System.out.printf("qwen3 %s vs NumPy float64: max |diff| %.3g%n", causal ? "causal (tied)" : "seq-cls", max);
            assertTrue(max <= 1e-4, "qwen3 max diff " + max);
        }
    }

    /** A tiny random Qwen3 checkpoint (head_dim 32 ≠ hidden/heads, GQA 4/2, q/k norms ≠ 1, some BF16 tensors). */
    static void writeQwen3(Path dir, boolean causal) throws Exception {
        Files.createDirectories(dir);
        int H = 64, nh = 4, kv = 2, hd = 32, I = 96, L = 2, V = 128;
        String arch = causal ? "Qwen3ForCausalLM" : "Qwen3ForSequenceClassification";
        Files.writeString(dir.resolve("config.json"), """
                {"architectures":["%s"],"model_type":"qwen3","hidden_size":%d,"num_attention_heads":%d,"num_key_value_heads":%d,
                 "head_dim":%d,"intermediate_size":%d,"num_hidden_layers":%d,"vocab_size":%d,"rms_norm_eps":1e-6,"rope_theta":1000000.0,
                 "pad_token_id":0,"tie_word_embeddings":%s,"id2label":{"0":"a","1":"b"},"use_sliding_window":false,"sliding_window":null,
                 "hidden_act":"silu","torch_dtype":"float32"}""".formatted(arch, H, nh, kv, hd, I, L, V, causal));
        Random r = new Random(causal ? 11 : 10);
        List<SafetensorsWriter.Entry> es = new ArrayList<>();
        add(es, r, "model.embed_tokens.weight", DType.F32, 1.0, 0, V, H);
        for (int l = 0; l < L; l++) {
            String p = "model.layers." + l + ".";
            DType big = l == 0 ? DType.BF16 : DType.F32;
            add(es, r, p + "self_attn.q_proj.weight", big, 0.25, 0, nh * hd, H);
            add(es, r, p + "self_attn.k_proj.weight", big, 0.25, 0, kv * hd, H);
            add(es, r, p + "self_attn.v_proj.weight", DType.F32, 0.25, 0, kv * hd, H);
            add(es, r, p + "self_attn.o_proj.weight", DType.F32, 0.15, 0, H, nh * hd);
            add(es, r, p + "self_attn.q_norm.weight", DType.F32, 0.3, 1, hd);
            add(es, r, p + "self_attn.k_norm.weight", DType.F32, 0.3, 1, hd);
            add(es, r, p + "mlp.gate_proj.weight", big, 0.2, 0, I, H);
            add(es, r, p + "mlp.up_proj.weight", DType.F32, 0.2, 0, I, H);
            add(es, r, p + "mlp.down_proj.weight", DType.F32, 0.2, 0, H, I);
            add(es, r, p + "input_layernorm.weight", DType.F32, 0.2, 1, H);
            add(es, r, p + "post_attention_layernorm.weight", DType.F32, 0.2, 1, H);
        }
        add(es, r, "model.norm.weight", DType.F32, 0.2, 1, H);
        if (!causal) add(es, r, "score.weight", DType.F32, 0.3, 0, 2, H);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), es, java.util.Map.of("format", "pt"));
    }

    private static void add(List<SafetensorsWriter.Entry> es, Random r, String name, DType dt, double sd, double mean, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (mean + sd * r.nextGaussian());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (float f : v) {
            if (dt == DType.F32) {
                int bits = Float.floatToRawIntBits(f);
                b.write(bits); b.write(bits >>> 8); b.write(bits >>> 16); b.write(bits >>> 24);
            } else {
                int bits = Float.floatToRawIntBits(f) >>> 16; // truncated bf16: any bf16 value is a valid weight
                b.write(bits); b.write(bits >>> 8);
            }
        }
        byte[] bytes = b.toByteArray();
        es.add(new SafetensorsWriter.Entry(name, dt, shape, out -> out.write(bytes)));
    }
}
