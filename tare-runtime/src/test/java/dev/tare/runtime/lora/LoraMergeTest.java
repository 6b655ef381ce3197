package dev.tare.runtime.lora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.model.Fixtures;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Merging against every merged-* fixture (PEFT merge_and_unload): tensors, scores, sharding, dtype and atomic output. */
class LoraMergeTest {
    @TempDir Path tmp;

    @TestFactory
    List<DynamicTest> everyMergedFolder() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : Fixtures.dirs()) {
            JsonNode g = Fixtures.goldens(dir);
            if (!g.has("made_from")) continue;
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir, g)));
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    private void check(Path fixture, JsonNode g) throws Exception {
        JsonNode from = g.get("made_from");
        Path root = fixture.getParent();
        LoraAdapter ad = LoraAdapter.load(root.resolve(from.get("adapter_dir").asText()));
        Path out = tmp.resolve(fixture.getFileName().toString());
        LoraMerger.merge(root.resolve(from.get("base_model_dir").asText()), List.of(ad), java.util.Map.of(ad.name(), from.get("lambda").asDouble()),
                new LoraMerger.Options(HeadChoice.ADAPTER, DType.F32, LoraMerger.DEFAULT_MAX_SHARD_BYTES), out);
        double max = 0;
        try (WeightStore want = WeightStore.open(fixture); WeightStore got = WeightStore.open(out)) {
            assertEquals(want.tensors().keySet(), got.tensors().keySet());
            for (Tensor w : want.tensors().values()) {
                Tensor t = got.require(w.name());
                assertArrayEquals(w.shape(), t.shape(), w.name());
                assertEquals(DType.F32, t.dtype());
                double d = Fixtures.maxDiff(w.toFloats(), t.toFloats());
                assertTrue(d <= 1e-6, w.name() + " |diff| " + d);
                max = Math.max(max, d);
            }
        }
        assertTrue(Files.isRegularFile(out.resolve("config.json")) && Files.isRegularFile(out.resolve("tare_merge.json")));
        try (RewardModel rm = ModelLoader.loadRewardModel(out)) {
            for (JsonNode c : g.get("cases")) LoraParityTest.compare(rm, c, "logits", "merged " + fixture.getFileName());
        }
        System.out.printf("merge %-42s max tensor |diff| vs PEFT %.3g%n", fixture.getFileName(), max);
    }

    @Test
    void f16OverflowIsRefusedNamingATensorAndCountUnlessAllowed() throws Exception {
        Path root = Fixtures.root();
        Path base = root.resolve("qwen2-seqcls");
        LoraAdapter ad = LoraAdapter.load(root.resolve("lora-qwen2-seqcls-qkvo"));
        java.util.Map<String, Double> huge = java.util.Map.of(ad.name(), 1e9);
        Path out = tmp.resolve("f16");
        var e = assertThrows(IllegalArgumentException.class, () -> LoraMerger.merge(base, List.of(ad), huge,
                new LoraMerger.Options(HeadChoice.BASE, DType.F16, LoraMerger.DEFAULT_MAX_SHARD_BYTES), out));
        assertTrue(e.getMessage().matches("(?s).*tensor 'model\\.layers\\.\\d+\\.self_attn\\.[qkvo]_proj\\.weight': \\d+ of \\d+ weights overflow F16.*--allow-overflow.*"),
                e.getMessage());
        assertFalse(Files.exists(out), "nothing written");
        LoraMerger.merge(base, List.of(ad), huge, new LoraMerger.Options(HeadChoice.BASE, DType.F16, LoraMerger.DEFAULT_MAX_SHARD_BYTES)
                .withAllowOverflow(true), out);
        try (WeightStore w = WeightStore.open(out)) {
            float[] q = w.require("model.layers.0.self_attn.q_proj.weight").toFloats();
            assertTrue(java.util.stream.IntStream.range(0, q.length).anyMatch(i -> Float.isInfinite(q[i])), "allowed: written as inf");
        }
        // a merge that fits F16 is written as before
        LoraMerger.merge(base, List.of(ad), java.util.Map.of(ad.name(), 1.0),
                new LoraMerger.Options(HeadChoice.BASE, DType.F16, LoraMerger.DEFAULT_MAX_SHARD_BYTES), tmp.resolve("fits"));
    }

    @Test
    void shardedSameDtypeAndAtomic() throws Exception {
        Path root = Fixtures.root();
        Path base = root.resolve("qwen2-seqcls");
        LoraAdapter ad = LoraAdapter.load(root.resolve("lora-qwen2-seqcls-qkvo"));
        java.util.Map<String, Double> half = java.util.Map.of(ad.name(), 0.5);
        Path single = tmp.resolve("single"), sharded = tmp.resolve("sharded");
        LoraMerger.merge(base, List.of(ad), half, new LoraMerger.Options(HeadChoice.BASE, null, LoraMerger.DEFAULT_MAX_SHARD_BYTES), single);
        LoraMerger.merge(base, List.of(ad), half, new LoraMerger.Options(HeadChoice.BASE, null, 40_000), sharded);
        assertTrue(Files.isRegularFile(sharded.resolve(WeightStore.INDEX)));
        try (var s = Files.list(sharded)) {
            assertTrue(s.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count() > 2);
        }
        try (WeightStore a = WeightStore.open(single); WeightStore b = WeightStore.open(sharded); WeightStore orig = WeightStore.open(base)) {
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            for (Tensor t : a.tensors().values()) {
                assertEquals(orig.require(t.name()).dtype(), t.dtype(), "dtype kept: " + t.name());
                assertArrayEquals(t.toFloats(), b.require(t.name()).toFloats(), 0f, t.name());
            }
            assertArrayEquals(orig.require("score.weight").toFloats(), a.require("score.weight").toFloats(), 0f, "head 'base' keeps the base head");
            // BF16 merge = the f32 merge rounded once to bf16, as PEFT does for a bf16 model
            Tensor q = a.require("model.layers.1.self_attn.q_proj.weight");
            LoraAdapter.Module m = ad.modules().get("model.layers.1.self_attn.q_proj");
            Tensor q0 = orig.require(q.name());
            for (int k : new int[]{0, 5, 63}) {
                float exact = q0.get(k) + LoraLinear.delta(m, 0, k) * (float) (0.5 * m.scaling());
                float bf = Float.intBitsToFloat((Float.floatToRawIntBits(exact) + 0x7FFF + ((Float.floatToRawIntBits(exact) >>> 16) & 1)) >>> 16 << 16);
                assertEquals(bf, q.get(k), 0f);
            }
        }
        try (LoraModel lm = LoraModel.open(base, List.of(ad)); RewardModel merged = ModelLoader.loadRewardModel(sharded)) {
            int[][] ids = {{5, 9, 77, 300, 41, 8, 19}};
            // unmerged f32 vs merged-and-rounded-to-bf16 weights: close, not equal
            assertArrayEquals(lm.withStrengths(half).rewardModel(HeadChoice.BASE).score(ids)[0], merged.score(ids)[0], 5e-2f);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                LoraMerger.merge(base, List.of(ad), half, new LoraMerger.Options(HeadChoice.BASE, null, 1000), single));
        assertTrue(e.getMessage().contains("not empty"));
        assertThrows(IllegalArgumentException.class, () -> LoraMerger.merge(base, List.of(ad), java.util.Map.of(ad.name(), Double.NaN),
                new LoraMerger.Options(HeadChoice.BASE, null, 1000), tmp.resolve("nan")), "a strength must be finite");
        assertThrows(IllegalArgumentException.class, () -> LoraMerger.merge(base, List.of(ad), java.util.Map.of("no-such-adapter", 1.0),
                new LoraMerger.Options(HeadChoice.BASE, null, 1000), tmp.resolve("nan")), "a strength must name an adapter");
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("sharded", "single"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temp dirs left behind");
        }
    }
}
