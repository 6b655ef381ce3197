package dev.tare.runtime.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.runtime.model.Fixtures;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.safetensors.SafetensorsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Adapter config semantics (patterns, subfolders, refusals) and several adapters with their own strengths. */
class LoraAdapterTest {
    @TempDir Path tmp;
    static final ObjectMapper JSON = new ObjectMapper();

    private Path copyAdapter(String fixture, String to) throws Exception {
        Path src = Fixtures.root().resolve(fixture), dst = tmp.resolve(to);
        Files.createDirectories(dst);
        Files.copy(src.resolve("adapter_config.json"), dst.resolve("adapter_config.json"));
        Files.copy(src.resolve("adapter_model.safetensors"), dst.resolve("adapter_model.safetensors"));
        return dst;
    }

    private void editConfig(Path dir, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("adapter_config.json").toFile());
        edit.accept(c);
        Files.writeString(dir.resolve("adapter_config.json"), c.toString());
    }

    @Test
    void subfolderTargetOrderAndPatterns() throws Exception {
        Path d = copyAdapter("lora-llama-seqcls-qkvo", "outer/my-adapter");
        LoraAdapter a = LoraAdapter.load(tmp.resolve("outer"));
        assertEquals("my-adapter", a.name());
        assertEquals(16, a.modules().size());
        assertEquals(2.0, a.modules().get("model.layers.0.self_attn.q_proj").scaling());
        editConfig(d, c -> {
            c.putArray("target_modules").add("q_proj").add("v_proj").add("o_proj").add("k_proj");
            c.putObject("alpha_pattern").put("v_proj", 4);
        });
        LoraAdapter b = LoraAdapter.load(d);
        assertEquals(0.5, b.modules().get("model.layers.2.self_attn.v_proj").scaling());
        assertEquals(2.0, b.modules().get("model.layers.2.self_attn.k_proj").scaling());
        editConfig(d, c -> c.putObject("rank_pattern").put("layers\\.1\\.self_attn\\.q_proj", 4));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> LoraAdapter.load(d));
        assertTrue(e.getMessage().contains("layers.1.self_attn.q_proj.lora_A") && e.getMessage().contains("rank is 4"), e.getMessage());
        editConfig(d, c -> { c.putObject("rank_pattern"); c.put("use_rslora", true); });
        assertEquals(16 / Math.sqrt(8), LoraAdapter.load(d).modules().get("model.layers.0.self_attn.o_proj").scaling(), 1e-12);
    }

    @Test
    void refusals() throws Exception {
        Path d = copyAdapter("lora-llama-seqcls-qkvo", "a");
        editConfig(d, c -> c.put("use_dora", true));
        assertTrue(assertThrows(DataFormatException.class, () -> LoraAdapter.load(d)).getMessage().contains("DoRA"));
        editConfig(d, c -> { c.put("use_dora", false); c.putArray("target_modules").add("q_proj").add("k_proj"); });
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> LoraAdapter.load(d));
        assertTrue(e.getMessage().contains("o_proj") && e.getMessage().contains("target_modules"), e.getMessage());
        editConfig(d, c -> c.put("target_modules", ".*\\.(q|k|v|o)_proj"));
        assertEquals(16, LoraAdapter.load(d).modules().size(), "regex target_modules use fullmatch");
        // a llama adapter (4 layers) on the 3-layer qwen2 base: module missing in the base
        LoraAdapter llama = LoraAdapter.load(d);
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> LoraModel.open(Fixtures.root().resolve("qwen2-seqcls"), List.of(llama)));
        assertTrue(m.getMessage().contains("model.layers.3.self_attn"), m.getMessage());
    }

    @Test
    void adapterTrainedOnAnotherBaseIsRefusedAndNamesTheMissingLayers() throws Exception {
        // same hidden/kv sizes, but qwen2 has 3 layers: on the 4-layer llama base, PEFT would have adapted layer 3 too
        LoraAdapter qwen = LoraAdapter.load(Fixtures.root().resolve("lora-qwen2-seqcls-qkvo"));
        Path llama = Fixtures.root().resolve("llama-seqcls");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraModel.open(llama, List.of(qwen)));
        assertTrue(e.getMessage().startsWith("adapter/base mismatch") && e.getMessage().contains("PEFT would have created LoRA layers for 4 module(s)")
                && e.getMessage().contains("model.layers.3.self_attn.q_proj") && e.getMessage().contains("but the adapter has none")
                && !e.getMessage().contains("layers.2."), e.getMessage());
        // merging refuses the same way, before writing anything
        Path merged = tmp.resolve("merged");
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> LoraMerger.merge(llama, List.of(qwen), java.util.Map.of(),
                new LoraMerger.Options(HeadChoice.BASE, null, LoraMerger.DEFAULT_MAX_SHARD_BYTES), merged));
        assertEquals(e.getMessage(), m.getMessage(), "one coverage rule for the unmerged model and the merger");
        assertFalse(Files.exists(merged));
        // layers_to_transform [0,1,2] is what PEFT would need to adapt only those layers: then it fits (with a name warning)
        Path d = copyAdapter("lora-qwen2-seqcls-qkvo", "qwen-l012");
        editConfig(d, c -> c.putArray("layers_to_transform").add(0).add(1).add(2));
        try (LoraModel lm = LoraModel.open(llama, List.of(LoraAdapter.load(d)))) {
            assertEquals(1, lm.warnings().size(), lm.warnings().toString());
            assertTrue(lm.warnings().getFirst().contains("base_model_name_or_path is 'qwen2-seqcls'") && lm.warnings().getFirst().contains("llama-seqcls"),
                    lm.warnings().toString());
        }
    }

    @Test
    void realFixturesLoadOnTheirOwnBaseWithoutWarnings() throws Exception {
        for (String f : List.of("lora-llama-seqcls-qkvo", "lora-llama-seqcls-rslora", "lora-llama-seqcls-all-linear", "lora-qwen2-seqcls-qkvo", "lora-qwen2-seqcls-all-linear")) {
            LoraAdapter a = LoraAdapter.load(Fixtures.root().resolve(f));
            try (LoraModel lm = LoraModel.open(Fixtures.root().resolve(a.config().baseModelNameOrPath()), List.of(a))) {
                assertEquals(List.of(), lm.warnings(), f);
            }
        }
        // a renamed copy of the base still matches through config.json's _name_or_path
        Path base = tmp.resolve("renamed-base");
        Files.createDirectories(base);
        for (String n : List.of("config.json", "model.safetensors")) Files.copy(Fixtures.root().resolve("llama-seqcls").resolve(n), base.resolve(n));
        try (LoraModel lm = LoraModel.open(base, List.of(LoraAdapter.load(Fixtures.root().resolve("lora-llama-seqcls-qkvo"))))) {
            assertEquals(List.of(), lm.warnings());
        }
        // an HF hub id: only its last part is compared; a different one warns (and config warnings are passed on)
        Path d = copyAdapter("lora-llama-seqcls-qkvo", "hub");
        editConfig(d, c -> { c.put("base_model_name_or_path", "someorg/llama-seqcls"); c.put("fan_in_fan_out", true); });
        try (LoraModel lm = LoraModel.open(base, List.of(LoraAdapter.load(d)))) {
            assertEquals(1, lm.warnings().size(), lm.warnings().toString());
            assertTrue(lm.warnings().getFirst().contains("fan_in_fan_out"), lm.warnings().toString());
        }
        editConfig(d, c -> c.put("base_model_name_or_path", "someorg/Other-RM-8B"));
        try (LoraModel lm = LoraModel.open(base, List.of(LoraAdapter.load(d)))) {
            assertTrue(lm.warnings().stream().anyMatch(w -> w.contains("'someorg/Other-RM-8B'") && w.contains("renamed-base")), lm.warnings().toString());
        }
    }

    @Test
    void untestedRefusalsNameTheProblem() throws Exception {
        // several adapter subfolders, none named
        copyAdapter("lora-llama-seqcls-qkvo", "repo/style");
        copyAdapter("lora-llama-seqcls-qkvo", "repo/correctness");
        copyAdapter("lora-llama-seqcls-qkvo", "repo/cross");
        DataFormatException several = assertThrows(DataFormatException.class, () -> LoraAdapter.load(tmp.resolve("repo")));
        assertTrue(several.getMessage().contains("several adapters") && several.getMessage().contains("[correctness, cross, style]")
                && several.getMessage().contains("name one"), several.getMessage());
        assertEquals("style", LoraAdapter.load(tmp.resolve("repo/style")).name(), "naming one works");
        // bias other than none
        Path b = copyAdapter("lora-llama-seqcls-qkvo", "bias");
        editConfig(b, c -> c.put("bias", "lora_only"));
        DataFormatException bias = assertThrows(DataFormatException.class, () -> LoraAdapter.load(b));
        assertTrue(bias.getMessage().contains("bias") && bias.getMessage().contains("lora_only"), bias.getMessage());
        // no adapter_model.safetensors (e.g. only the legacy .bin)
        Path n = copyAdapter("lora-llama-seqcls-qkvo", "nofile");
        Files.move(n.resolve("adapter_model.safetensors"), n.resolve("adapter_model.bin"));
        SafetensorsException nofile = assertThrows(SafetensorsException.class, () -> LoraAdapter.load(n));
        assertTrue(nofile.getMessage().contains("no adapter_model.safetensors"), nofile.getMessage());
        // a DoRA magnitude vector in the file even though use_dora is false in the config
        Path dora = copyAdapter("lora-llama-seqcls-qkvo", "dora");
        java.util.Map<String, float[]> t = new java.util.LinkedHashMap<>();
        java.util.Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        try (var w = dev.tare.runtime.safetensors.WeightStore.openFile(dora.resolve("adapter_model.safetensors"))) {
            for (var x : w.tensors().values()) { t.put(x.name(), x.toFloats()); shapes.put(x.name(), x.shape()); }
        }
        t.put("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", new float[64]);
        shapes.put("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", new long[]{64});
        dev.tare.runtime.safetensors.SafetensorsWriter.write(dora.resolve("adapter_model.safetensors"),
                dev.tare.runtime.safetensors.SafetensorsWriter.f32(t, shapes), java.util.Map.of("format", "pt"));
        SafetensorsException de = assertThrows(SafetensorsException.class, () -> LoraAdapter.load(dora));
        assertTrue(de.getMessage().contains("lora_magnitude_vector") && de.getMessage().contains("DoRA"), de.getMessage());
    }

    @Test
    void severalAdaptersEachWithItsOwnStrength() throws Exception {
        Path base = Fixtures.root().resolve("llama-seqcls");
        LoraAdapter x1 = LoraAdapter.load(copyAdapter("lora-llama-seqcls-qkvo", "x1"));
        LoraAdapter x2 = LoraAdapter.load(copyAdapter("lora-llama-seqcls-qkvo", "x2"));
        LoraAdapter all = LoraAdapter.load(Fixtures.root().resolve("lora-llama-seqcls-all-linear"));
        int[][] ids = {{5, 9, 77, 300, 41, 8, 19, 200, 11}};
        float[] whole;
        try (LoraModel one = LoraModel.open(base, List.of(x1))) {
            assertEquals(java.util.Map.of("x1", 1.0), one.strengths(), "PEFT's default strength is 1");
            whole = one.rewardModel(HeadChoice.BASE).score(ids)[0];
        }
        try (LoraModel two = LoraModel.open(base, List.of(x1, x2, all))) {
            LoraModel split = two.withStrengths(java.util.Map.of("x1", 0.25, "x2", 0.75, "lora-llama-seqcls-all-linear", 0.0));
            RewardModel rm = split.rewardModel(HeadChoice.BASE);
            assertArrayEquals(whole, rm.score(ids)[0], 1e-5f, "0.25·ΔW + 0.75·ΔW = ΔW");
            LoraModel minusAll = split.withStrengths(java.util.Map.of("lora-llama-seqcls-all-linear", -1.0));
            assertEquals(List.of(0.25, 0.75, -1.0), List.copyOf(minusAll.strengths().values()), "unnamed adapters keep the view's strengths");
            assertNotEquals(whole[0], minusAll.rewardModel(HeadChoice.BASE).score(ids)[0][0], 1e-3f);
            assertArrayEquals(whole, rm.score(ids)[0], 1e-5f, "a new view leaves the old one as it was");
            assertEquals(1.0, two.strength("x1"), "views leave the opened model at its strengths");
            assertThrows(IllegalArgumentException.class, () -> two.withStrengths(java.util.Map.of("x1", Double.NaN)));
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> two.withStrengths(java.util.Map.of("x3", 1.0)));
            assertTrue(unknown.getMessage().contains("x3") && unknown.getMessage().contains("x2"), unknown.getMessage());
            IllegalArgumentException heads = assertThrows(IllegalArgumentException.class, () -> two.rewardModel(HeadChoice.ADAPTER), "three head copies: PEFT allows one");
            IllegalArgumentException mergeHeads = assertThrows(IllegalArgumentException.class, () -> LoraMerger.merge(base, List.of(x1, x2, all), java.util.Map.of(),
                    new LoraMerger.Options(HeadChoice.ADAPTER, null, LoraMerger.DEFAULT_MAX_SHARD_BYTES), tmp.resolve("three-heads")));
            assertEquals(heads.getMessage(), mergeHeads.getMessage(), "one head rule for the unmerged model and the merger");
            assertTrue(heads.getMessage().contains("[x1, x2, lora-llama-seqcls-all-linear]"), heads.getMessage());
            assertSame(all, two.adapter("lora-llama-seqcls-all-linear"));
        }
    }
}
