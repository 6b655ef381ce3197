package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * transformers v5 config.json (rope_parameters, dtype, layer_types) read exactly as v4's keys, class defaults for
 * removed keys, and every value that would change the numbers without being implemented refused with file and field.
 */
class ModelConfigV5Test {
    @TempDir Path tmp;
    static final ObjectMapper JSON = new ObjectMapper();

    private ObjectNode config(String folder) throws Exception {
        return (ObjectNode) JSON.readTree(Hf5ParityTest.dir(folder).resolve("config.json").toFile());
    }

    private ModelConfig parse(ObjectNode c) {
        return ModelConfig.parse(tmp.resolve("config.json"), c);
    }

    @Test
    void v5RopeParametersAreReadNotDefaulted() throws Exception {
        ModelConfig q = parse(config("qwen3-seqcls"));
        assertEquals(1_000_000.0, q.ropeTheta());
        assertNull(q.ropeScaling());
        assertEquals("bfloat16", q.dtype());
        assertEquals("5.17.0", q.transformersVersion());
        ModelConfig l = parse(config("llama-seqcls-v5"));
        assertEquals(500_000.0, l.ropeTheta());
        assertEquals(new ModelConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 64), l.ropeScaling());
        assertEquals("bfloat16", l.dtype());
        ModelConfig g = parse(config("gemma2-seqcls-v5"));
        assertArrayEquals(new int[]{24, 0}, g.slidingWindows(), "layer_types: sliding, full");
        assertEquals(List.of("LABEL_0"), g.labels());
        assertEquals(2, parse(config("qwen3-seqcls-2obj")).numLabels());
    }

    /** The same values under v4's keys give the same config (the v4.46 suite covers v4 files themselves). */
    @Test
    void v4AndV5KeysAgree() throws Exception {
        for (String f : List.of("qwen3-seqcls", "llama-seqcls-v5", "qwen2-seqcls-v5", "gemma2-seqcls-v5", "qwen3-causal")) {
            ObjectNode v5 = config(f);
            ObjectNode v4 = v5.deepCopy();
            ObjectNode rp = (ObjectNode) v4.remove("rope_parameters");
            v4.set("rope_theta", rp.remove("rope_theta"));
            if (!rp.get("rope_type").asText().equals("default")) v4.set("rope_scaling", rp);
            v4.set("torch_dtype", v4.remove("dtype"));
            v4.remove("layer_types");
            ModelConfig a = parse(v5), b = parse(v4);
            assertArrayEquals(a.ropeByLayer(), b.ropeByLayer(), f);
            assertArrayEquals(a.slidingWindows(), b.slidingWindows(), f);
            assertEquals(a.dtype(), b.dtype(), f);
        }
    }

    /**
     * A config with every optional key removed (as a save that drops class defaults would write it) reads the
     * defaults transformers uses for the family, and the checkpoint still matches transformers' goldens.
     */
    @Test
    void optionalKeysRemovedGetTheFamilyDefaults() throws Exception {
        ObjectNode c = config("gemma2-seqcls-v5");
        ModelConfig full = parse(c);
        // each of these equals Gemma2Config's default here
        for (String k : List.of("rope_parameters", "layer_types", "hidden_activation", "tie_word_embeddings", "attention_bias",
                "rms_norm_eps", "dtype", "use_bidirectional_attention", "attention_dropout", "use_cache", "transformers_version",
                "pad_token_id", "max_position_embeddings", "initializer_range"))
            assertNotNull(c.remove(k), "fixture premise: " + k + " is in the file");
        ModelConfig bare = parse(c);
        assertArrayEquals(full.ropeByLayer(), bare.ropeByLayer());
        assertArrayEquals(full.slidingWindows(), bare.slidingWindows(), "Gemma2's default alternation = the file's layer_types");
        assertEquals(full.tieWordEmbeddings(), bare.tieWordEmbeddings());
        assertEquals(full.activation(), bare.activation());
        assertEquals(full.rmsNormEps(), bare.rmsNormEps());
        assertEquals(full.padTokenId(), bare.padTokenId());
        // and the numbers: the stripped checkpoint scores every golden case
        Path dir = tmp.resolve("gemma2-bare");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(c));
        Files.createSymbolicLink(dir.resolve("model.safetensors"), Hf5ParityTest.dir("gemma2-seqcls-v5").resolve("model.safetensors"));
        JsonNode g = Hf5ParityTest.goldens(Hf5ParityTest.dir("gemma2-seqcls-v5"));
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            for (JsonNode k : g.get("cases")) Hf5ParityTest.checkCase(rm, k, "gemma2-bare");
        }
        // Qwen3: the class defaults for head_dim (128) and rope theta (10000) differ from the file's, so removing
        // them must change the config (and the weights then no longer fit): defaults come from the family, not the file
        ObjectNode q = config("qwen3-seqcls");
        q.remove("head_dim");
        q.remove("rope_parameters");
        ModelConfig qd = parse(q);
        assertEquals(128, qd.headDim());
        assertEquals(10000.0, qd.ropeTheta());
    }

    @Test
    void perLayerTypeRopeParameters() throws Exception {
        ObjectNode c = config("gemma2-seqcls-v5");
        ObjectNode per = JSON.createObjectNode();
        per.set("sliding_attention", JSON.readTree("{\"rope_type\":\"default\",\"rope_theta\":10000.0}"));
        per.set("full_attention", JSON.readTree("{\"rope_type\":\"linear\",\"factor\":4.0,\"rope_theta\":1000000.0}"));
        c.set("rope_parameters", per);
        ModelConfig m = parse(c);
        assertEquals(new ModelConfig.RopeParams(10000.0, null), m.ropeByLayer()[0]);
        assertEquals(new ModelConfig.RopeParams(1_000_000.0, new ModelConfig.RopeScaling("linear", 4.0, 0, 0, 0)), m.ropeByLayer()[1]);
        per.remove("full_attention");
        refused(c, "rope_parameters", "full_attention");
    }

    @Test
    void valuesThatChangeTheNumbersAreRefusedWithFileAndField() throws Exception {
        refusedAfter("qwen3-seqcls", c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", "yarn"), "rope_parameters.rope_type", "yarn");
        refusedAfter("qwen3-seqcls", c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", "dynamic"), "rope_parameters.rope_type", "dynamic");
        refusedAfter("qwen3-seqcls", c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", "longrope"), "rope_parameters.rope_type", "longrope");
        refusedAfter("qwen3-seqcls", c -> ((ObjectNode) c.get("rope_parameters")).put("partial_rotary_factor", 0.5), "rope_parameters.partial_rotary_factor", "0.5");
        refusedAfter("qwen3-seqcls", c -> c.put("partial_rotary_factor", 0.25), "partial_rotary_factor", "0.25");
        refusedAfter("qwen3-seqcls", c -> ((ObjectNode) c.get("rope_parameters")).put("mrope_section", 3), "rope_parameters.mrope_section", "not used");
        refusedAfter("qwen3-seqcls", c -> c.put("rope_theta", 10000.0), "rope_theta", "disagrees");
        refusedAfter("qwen3-seqcls", c -> c.put("mlp_bias", true), "mlp_bias", "no bias");
        refusedAfter("qwen3-seqcls", c -> c.set("quantization_config", JSON.createObjectNode().put("quant_method", "bitsandbytes")), "quantization_config", "quantized");
        refusedAfter("qwen3-seqcls", c -> ((ArrayNode) c.get("architectures")).set(0, "LlamaForRewardModelWithGating"), "architectures", "LlamaForRewardModelWithGating");
        refusedAfter("qwen3-seqcls", c -> ((ArrayNode) c.get("layer_types")).set(0, "chunked_attention"), "layer_types[0]", "chunked_attention");
        refusedAfter("qwen3-seqcls", c -> ((ArrayNode) c.get("layer_types")).remove(0), "layer_types", "entries");
        refusedAfter("qwen3-seqcls", c -> ((ArrayNode) c.get("layer_types")).set(1, "sliding_attention"), "layer_types[1]", "use_sliding_window");
        refusedAfter("qwen3-seqcls", c -> c.put("dtype", "int8"), "dtype", "int8");
        refusedAfter("qwen3-seqcls", c -> c.put("torch_dtype", "float32"), "dtype", "disagrees");
        refusedAfter("qwen3-seqcls", c -> c.put("use_bidirectional_attention", true), "use_bidirectional_attention", "causal");
        refusedAfter("llama-seqcls-v5", c -> ((ObjectNode) c.get("rope_parameters")).remove("low_freq_factor"), "rope_parameters.low_freq_factor", "missing");
        refusedAfter("llama-seqcls-v5", c -> c.set("layer_types", JSON.createArrayNode().add("full_attention").add("sliding_attention").add("full_attention")), "layer_types[1]", "llama");
        refusedAfter("qwen3-seqcls-2obj", c -> c.set("id2label", JSON.createObjectNode().put("0", "a").put("2", "b")), "id2label", "ids");
    }

    @Test
    void qwen2SlidingLayersFollowLayerTypes() throws Exception {
        ObjectNode c = config("qwen2-seqcls-v5");
        c.put("use_sliding_window", true);
        c.put("sliding_window", 16);
        ((ArrayNode) c.get("layer_types")).set(1, "sliding_attention");
        assertArrayEquals(new int[]{0, 16}, parse(c).slidingWindows());
    }

    private void refusedAfter(String folder, Consumer<ObjectNode> edit, String field, String says) throws Exception {
        ObjectNode c = config(folder);
        edit.accept(c);
        refused(c, field, says);
    }

    private void refused(ObjectNode c, String field, String says) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> parse(c), field);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("config.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(says), "'" + says + "' in: " + e.getMessage());
    }
}
