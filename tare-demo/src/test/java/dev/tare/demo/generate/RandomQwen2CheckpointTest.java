package dev.tare.demo.generate;

import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.safetensors.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark's random checkpoint goes through the one safetensors writer and loads as a Qwen2 reward model. */
class RandomQwen2CheckpointTest {
    @TempDir Path tmp;

    @Test
    void writesALoadableSeededBf16Checkpoint() throws Exception {
        var shape = new RandomQwen2Checkpoint.Shape(2, 64, 4, 2, 128, 300);
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        RandomQwen2Checkpoint.write(a, shape, 7, new PrintStream(new ByteArrayOutputStream()));
        RandomQwen2Checkpoint.write(b, shape, 7, new PrintStream(new ByteArrayOutputStream()));
        assertArrayEquals(java.nio.file.Files.readAllBytes(a.resolve("model.safetensors")), java.nio.file.Files.readAllBytes(b.resolve("model.safetensors")), "seeded");
        try (WeightStore f = WeightStore.open(a)) {
            var q = f.require("model.layers.0.self_attn.q_proj.weight");
            assertEquals(dev.tare.runtime.kernel.DType.BF16, q.dtype());
            float[] v = q.toFloats();
            double ss = 0;
            for (float x : v) ss += x * x;
            assertEquals(0.02, Math.sqrt(ss / v.length), 0.004, "weights ~ U(±0.02·√3): std 0.02");
            for (float x : f.require("model.norm.weight").toFloats()) assertEquals(1f, x);
            for (float x : f.require("model.layers.1.self_attn.k_proj.bias").toFloats()) assertEquals(0f, x);
        }
        try (RewardModel rm = ModelLoader.loadRewardModel(a)) {
            float r = rm.score(new int[][]{{5, 6, 7, 8}})[0][0];
            assertTrue(Float.isFinite(r));
        }
    }

    /** The bench's FLOP count for a score: every layer in full but the last, which keeps keys/values for all tokens. */
    @Test
    void scoreFlopsCountTheLastLayerForTheScoreRowOnly() {
        var sh = RandomQwen2Checkpoint.QWEN25_05B;
        int len = 512;
        double H = sh.hidden(), I = sh.intermediate(), kv = sh.kvHeads() * sh.headDim(), layers = sh.layers();
        double fullLayerLinear = 2 * len * (2 * H * H + 2 * kv * H + 3 * H * I);
        double fullLayerAttention = 4 * H * len * (len + 1) / 2.0;
        double last = 2 * len * (2 * kv * H) + 2 * (2 * H * H + 3 * H * I) + 4 * H * len;
        double want = (layers - 1) * (fullLayerLinear + fullLayerAttention) + last + 2 * H;
        assertEquals(want, sh.scoreFlops(len), 1e-9 * want);
        assertEquals(layers * (fullLayerLinear + fullLayerAttention) + 2 * H, sh.forwardFlops(len), 1e-9 * want);
        assertTrue(sh.scoreFlops(len) < sh.forwardFlops(len));
    }
}
