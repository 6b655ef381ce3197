package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.runtime.safetensors.SafetensorsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** config.json resolution against transformers' per-model_type defaults, and config/weights mismatches. */
class ModelConfigTest {
    @TempDir Path tmp;
    static final ObjectMapper JSON = new ObjectMapper();

    private ObjectNode config(String folder) throws Exception {
        return (ObjectNode) JSON.readTree(Fixtures.root().resolve(folder).resolve("config.json").toFile());
    }

    private ModelConfig parse(ObjectNode c) {
        return ModelConfig.parse(tmp.resolve("config.json"), c);
    }

    @Test
    void gemma2DefaultsFromTheClassNotTheFile() throws Exception {
        ObjectNode c = config("gemma2-seqcls");
        assertFalse(c.has("tie_word_embeddings"), "fixture premise: save_pretrained dropped the default");
        ModelConfig m = parse(c);
        assertTrue(m.tieWordEmbeddings());
        assertArrayEquals(new int[]{24, 0, 24, 0}, m.slidingWindows());
        assertEquals((float) Math.pow(24, -0.5), m.attentionScale());
        assertEquals(5f, m.attnSoftcap());
        assertEquals(ModelConfig.Activation.GELU_TANH, m.activation());
        c.remove("attn_logit_softcapping");
        c.remove("query_pre_attn_scalar");
        assertEquals(50f, parse(c).attnSoftcap());
        assertEquals(1f / 16f, parse(c).attentionScale());
    }

    @Test
    void qwen2IgnoresSlidingWindowUnlessEnabled() throws Exception {
        ObjectNode c = config("qwen2-seqcls");
        c.put("sliding_window", 131072);
        ModelConfig m = parse(c);
        assertArrayEquals(new int[3], m.slidingWindows());
        assertTrue(m.qkvBias());
        assertFalse(m.oBias());
        c.put("use_sliding_window", true);
        c.put("max_window_layers", 28);
        assertArrayEquals(new int[3], parse(c).slidingWindows(), "no layer at or above max_window_layers: no window in 4.46 or 5.x");
        c.put("max_window_layers", 1);
        DataFormatException e = assertThrows(DataFormatException.class, () -> parse(c));
        assertTrue(e.getMessage().contains("use_sliding_window"), e.getMessage());
    }

    @Test
    void mistralWindowEveryLayerAndLlama3Rope() throws Exception {
        assertArrayEquals(new int[]{40, 40}, parse(config("mistral-seqcls")).slidingWindows());
        ModelConfig l = parse(config("llama-seqcls-3obj"));
        assertEquals("llama3", l.ropeScaling().type());
        assertEquals(3, l.numLabels());
    }

    @Test
    void clearErrorsNamingTheField() throws Exception {
        ObjectNode c = config("llama-seqcls");
        c.put("model_type", "gpt2");
        assertTrue(assertThrows(DataFormatException.class, () -> parse(c)).getMessage().contains("model_type"));
        ObjectNode d = config("llama-seqcls");
        d.put("num_key_value_heads", 3);
        assertTrue(assertThrows(DataFormatException.class, () -> parse(d)).getMessage().contains("num_key_value_heads"));
        ObjectNode e = config("llama-seqcls");
        e.put("hidden_size", "64");
        assertTrue(assertThrows(DataFormatException.class, () -> parse(e)).getMessage().contains("'hidden_size'"));
        ObjectNode f = config("llama-seqcls");
        ((ObjectNode) f.get("rope_scaling")).put("rope_type", "yarn");
        assertTrue(assertThrows(DataFormatException.class, () -> parse(f)).getMessage().contains("yarn"));
    }

    @Test
    void weightsCheckedAgainstConfig() throws Exception {
        Path src = Fixtures.root().resolve("llama-seqcls");
        Files.copy(src.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        ObjectNode c = config("llama-seqcls");
        c.put("intermediate_size", 96);
        Files.writeString(tmp.resolve("config.json"), c.toString());
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> ModelLoader.load(tmp));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.gate_proj.weight") && e.getMessage().contains("[128, 64]"), e.getMessage());
        c.put("intermediate_size", 128);
        c.put("num_hidden_layers", 3);
        Files.writeString(tmp.resolve("config.json"), c.toString());
        e = assertThrows(SafetensorsException.class, () -> ModelLoader.load(tmp));
        assertTrue(e.getMessage().contains("model.layers.3.") && e.getMessage().contains("num_hidden_layers = 3"), e.getMessage());
        c.put("num_hidden_layers", 4);
        c.put("num_labels", 2);
        c.remove("id2label");
        Files.writeString(tmp.resolve("config.json"), c.toString());
        e = assertThrows(SafetensorsException.class, () -> ModelLoader.load(tmp));
        assertTrue(e.getMessage().contains("score.weight"), e.getMessage());
    }
}
