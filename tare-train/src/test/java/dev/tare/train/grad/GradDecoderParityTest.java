package dev.tare.train.grad;

import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.train.LoraInit;
import dev.tare.train.grad.TinyDecoders.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GradDecoder's forward (eval mode) against the runtime's inference path on the same tiny checkpoints of every family:
 * {@link RewardModel} scores of the base, and {@link LoraModel} scores with a PEFT adapter at several signed strengths;
 * and the seeding of LoRA dropout in training mode.
 */
class GradDecoderParityTest {
    static final double TOL = 1e-5;
    static final List<String> ALL = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    /** max |a − b| over all scores / max(1, max |b|). */
    static double relDiff(float[][] a, float[][] b) {
        assertEquals(b.length, a.length);
        double diff = 0, scale = 1;
        for (int i = 0; i < b.length; i++) {
            assertEquals(b[i].length, a[i].length);
            for (int j = 0; j < b[i].length; j++) {
                diff = Math.max(diff, Math.abs(a[i][j] - b[i][j]));
                scale = Math.max(scale, Math.abs(b[i][j]));
            }
        }
        return diff / scale;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void baseScoresEqualRewardModel(Kind kind, @TempDir Path tmp) {
        Path base = TinyDecoders.write(tmp, kind, 21);
        int[][] ids = TinyDecoders.ids();
        try (RewardModel rm = ModelLoader.loadRewardModel(base); GradDecoder d = GradDecoder.open(base)) {
            float[][] want = rm.score(ids), got = d.forward(ids, 0L, false).scores();
            double e = relDiff(got, want);
            System.out.printf("%s base: scores %s, parity error %.1e%n", kind, java.util.Arrays.deepToString(want), e);
            assertTrue(e < TOL, kind + ": GradDecoder " + java.util.Arrays.deepToString(got) + " vs RewardModel " + java.util.Arrays.deepToString(want));
            // and each sequence alone (no packing) gives the same scores as packed
            for (int s = 0; s < ids.length; s++)
                assertTrue(relDiff(d.forward(new int[][]{ids[s]}, 0L, false).scores(), new float[][]{want[s]}) < TOL, kind + ": sequence " + s + " alone");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loraScoresEqualLoraModel(Kind kind, @TempDir Path tmp) {
        Path base = TinyDecoders.write(tmp.resolve("base"), kind, 22);
        int[][] ids = TinyDecoders.ids();
        Path adapterDir;
        try (GradDecoder d = GradDecoder.open(base)) {
            adapterDir = TinyDecoders.writeAdapter(tmp.resolve("adapter"), d, ALL, 4, 8.0, 23);
        }
        LoraAdapter adapter = LoraAdapter.load(adapterDir);
        assertEquals(ALL.size() * TinyDecoders.LAYERS, adapter.modules().size());
        try (LoraModel lm = LoraModel.open(base, List.of(adapter))) {
            // strength 1 (PEFT's forward) through LoraInit.fromAdapter, the way training continues from an adapter
            try (GradDecoder d = GradDecoder.open(base)) {
                LoraInit.fromAdapter(d, adapter, 0.0);
                float[][] want = lm.rewardModel(HeadChoice.ADAPTER).score(ids);
                double e = relDiff(d.forward(ids, 0L, false).scores(), want);
                System.out.printf("%s LoRA λ=1: parity error %.1e%n", kind, e);
                assertTrue(e < TOL, kind + " λ=1: off by " + e);
                try (RewardModel plain = ModelLoader.loadRewardModel(base)) {
                    assertTrue(relDiff(want, plain.score(ids)) > 1e-2, "the adapter must change the scores, else parity proves nothing");
                }
            }
            for (double lambda : new double[]{-0.7, 2.5}) {
                float[][] want = lm.withStrengths(Map.of(adapter.name(), lambda)).rewardModel(HeadChoice.BASE).score(ids);
                try (GradDecoder d = GradDecoder.open(base)) {
                    for (LoraAdapter.Module m : adapter.modules().values())
                        d.addLora(m.name(), m.a().clone(), m.b().clone(), m.rank(), lambda * m.scaling(), 0.1);
                    double e = relDiff(d.forward(ids, 0L, false).scores(), want);
                    System.out.printf("%s LoRA λ=%.1f (base head, dropout 0.1 in eval mode): parity error %.1e%n", kind, lambda, e);
                    assertTrue(e < TOL, kind + " λ=" + lambda + ": off by " + e);
                }
            }
        }
    }

    @Test
    void dropoutIsSeeded(@TempDir Path tmp) {
        Path base = TinyDecoders.write(tmp, Kind.QWEN2, 31);
        int[][] ids = TinyDecoders.ids();
        try (GradDecoder d = GradDecoder.open(base); GradDecoder noDrop = GradDecoder.open(base)) {
            GradDecoderFiniteDifferenceTest.addRandomLora(d, 0.3, 32);
            GradDecoderFiniteDifferenceTest.addRandomLora(noDrop, 0.0, 32);
            float[][] a = d.forward(ids, 5L, true).scores(), b = d.forward(ids, 5L, true).scores(), c = d.forward(ids, 6L, true).scores();
            for (int s = 0; s < ids.length; s++) assertArrayEquals(a[s], b[s], 0f, "same seed, same scores (sequence " + s + ")");
            assertTrue(relDiff(a, c) > 1e-3, "another seed must draw other masks: " + java.util.Arrays.deepToString(a) + " vs " + java.util.Arrays.deepToString(c));
            float[][] eval5 = d.forward(ids, 5L, false).scores(), eval6 = d.forward(ids, 6L, false).scores();
            for (int s = 0; s < ids.length; s++) assertArrayEquals(eval5[s], eval6[s], 0f, "eval mode ignores the seed");
            assertTrue(relDiff(a, eval5) > 1e-3, "training mode with dropout differs from eval mode");
            float[][] plain = noDrop.forward(ids, 5L, false).scores(), plainTrain = noDrop.forward(ids, 9L, true).scores();
            for (int s = 0; s < ids.length; s++) {
                assertArrayEquals(plain[s], eval5[s], 0f, "eval mode = no dropout");
                assertArrayEquals(plain[s], plainTrain[s], 0f, "dropout 0 in training mode = eval mode");
            }
            // the backward of a pass replays that pass's masks: equal gradients for a repeated seed, others for another
            float[][] ds = {{1f}, {-0.5f}, {0.25f}};
            float[] g5 = grads(d, ids, 5L, ds), g5b = grads(d, ids, 5L, ds), g6 = grads(d, ids, 6L, ds);
            assertArrayEquals(g5, g5b, 0f, "same seed, same gradients");
            assertFalse(java.util.Arrays.equals(g5, g6), "another seed, other gradients");
        }
    }

    /** All trainable gradients of one forward/backward, concatenated. */
    static float[] grads(GradDecoder d, int[][] ids, long seed, float[][] ds) {
        d.trainable().forEach(Param::zeroGrad);
        d.backward(d.forward(ids, seed, true), ds);
        return d.trainable().stream().map(Param::grad).reduce(new float[0], (x, y) -> {
            float[] r = java.util.Arrays.copyOf(x, x.length + y.length);
            System.arraycopy(y, 0, r, x.length, y.length);
            return r;
        });
    }
}
