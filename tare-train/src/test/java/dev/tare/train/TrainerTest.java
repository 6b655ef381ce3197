package dev.tare.train;

import dev.tare.data.DataFormatException;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.train.grad.GradDecoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The training loop on a tiny random Llama reward model: resume after a crash, accumulation, direction, learning, outputs. */
class TrainerTest {
    @TempDir static Path tmp;
    static Path model;
    static final LoraSpec LORA = new LoraSpec(List.of("q_proj", "v_proj"), 4, 8, 0.1, false);

    @BeforeAll
    static void tiny() {
        model = tmp.resolve("rm");
        TinyCheckpoint.write(model, TinyCheckpoint.Spec.defaults(), 7);
    }

    /** Pairs where the chosen side ends with token 17 and the rejected one with token 42 (a signal a model can learn). */
    static List<TokenPair> pairs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TokenPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 5 + r.nextInt(10);
            int[] c = new int[len], j = new int[len + r.nextInt(3)];
            for (int t = 0; t < c.length; t++) c[t] = r.nextInt(256);
            for (int t = 0; t < j.length; t++) j[t] = r.nextInt(256);
            c[c.length - 1] = 17;
            j[j.length - 1] = 42;
            out.add(new TokenPair("p" + i, c, j));
        }
        return out;
    }

    static TrainSettings settings(int batch, int micro, double lr, boolean undesired, int every) {
        return new TrainSettings(LORA, 2, lr, Schedule.LINEAR, 0.1, 0.01, 1.0, batch, micro, new BradleyTerry(0, undesired), 5, every);
    }

    static GradDecoder lora(long seed) {
        GradDecoder d = GradDecoder.open(model);
        LoraInit.peftDefault(d, LORA, seed);
        return d;
    }

    @Test
    void aKilledRunResumesToTheSameWeightsBitForBit() {
        List<TokenPair> train = pairs(14, 1), held = pairs(4, 2);
        TrainSettings s = settings(4, 2, 1e-2, false, 1);
        Map<String, float[]> straight;
        Trainer.Result a;
        try (GradDecoder d = lora(3)) {
            a = Trainer.run(d, train, held, s, "run", null, new Trainer.Listener() {});
            straight = Trainer.values(d);
        }
        Path ck = tmp.resolve("ck-resume");
        class Kill extends RuntimeException {}
        try (GradDecoder d = lora(3)) {
            assertThrows(Kill.class, () -> Trainer.run(d, train, held, s, "run", ck, new Trainer.Listener() {
                @Override public void step(Trainer.Step st) { if (st.step() == 6) throw new Kill(); }
            }));
        }
        long[] resumedAt = {-1};
        Trainer.Result b;
        Map<String, float[]> resumed;
        try (GradDecoder d = lora(99)) { // a different init: everything must come from the checkpoint
            b = Trainer.run(d, train, held, s, "run", ck, new Trainer.Listener() {
                @Override public void resumed(long step, long total) { resumedAt[0] = step; }
            });
            resumed = Trainer.values(d);
        }
        assertEquals(5, resumedAt[0], "the checkpoint of step 5 is the newest one written before the kill at step 6");
        assertEquals(5, b.resumedFrom());
        assertEquals(a.steps(), b.steps());
        assertEquals(a.epochs(), b.epochs(), "per-epoch losses, accuracies and held-out results survive the kill");
        assertEquals(straight.keySet(), resumed.keySet());
        straight.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), k));
        assertEquals(a.tokens(), b.tokens());
    }

    @Test
    void aCheckpointOfOtherSettingsIsRefused() {
        List<TokenPair> train = pairs(8, 1);
        Path ck = tmp.resolve("ck-other");
        try (GradDecoder d = lora(3)) {
            Trainer.run(d, train, List.of(), new TrainSettings(LORA, 3, 1e-3, Schedule.CONSTANT, 0, 0, 0, 4, 4, new BradleyTerry(0, false), 5, 1), "run", ck,
                    new Trainer.Listener() {
                        @Override public void step(Trainer.Step st) { if (st.step() == 3) throw new IllegalStateException("stop"); }
                    });
        } catch (IllegalStateException expected) {
            assertEquals("stop", expected.getMessage());
        }
        try (GradDecoder d = lora(3)) {
            var e = assertThrows(DataFormatException.class, () -> Trainer.run(d, train, List.of(),
                    new TrainSettings(LORA, 3, 2e-3, Schedule.CONSTANT, 0, 0, 0, 4, 4, new BradleyTerry(0, false), 5, 1), "run", ck, new Trainer.Listener() {}));
            assertTrue(e.getMessage().contains("other settings"), e.getMessage());
        }
    }

    @Test
    void accumulatingMicroBatchesEqualsOneBatch() {
        List<TokenPair> train = pairs(8, 4);
        Map<String, float[]> whole, parts;
        TrainSettings noDrop = new TrainSettings(new LoraSpec(LORA.targets(), 4, 8, 0, false), 1, 1e-2, Schedule.CONSTANT, 0, 0, 1.0, 4, 4, new BradleyTerry(0, false), 5, 0);
        TrainSettings micro = new TrainSettings(noDrop.lora(), 1, 1e-2, Schedule.CONSTANT, 0, 0, 1.0, 4, 1, new BradleyTerry(0, false), 5, 0);
        try (GradDecoder d = GradDecoder.open(model)) {
            LoraInit.peftDefault(d, noDrop.lora(), 3);
            Trainer.run(d, train, List.of(), noDrop, "x", null, new Trainer.Listener() {});
            whole = Trainer.values(d);
        }
        try (GradDecoder d = GradDecoder.open(model)) {
            LoraInit.peftDefault(d, micro.lora(), 3);
            Trainer.run(d, train, List.of(), micro, "x", null, new Trainer.Listener() {});
            parts = Trainer.values(d);
        }
        whole.forEach((k, v) -> {
            float[] p = parts.get(k);
            double max = 0, diff = 0;
            for (int i = 0; i < v.length; i++) {
                max = Math.max(max, Math.abs(v[i]));
                diff = Math.max(diff, Math.abs(v[i] - p[i]));
            }
            assertTrue(diff <= 1e-4 * max, k + ": micro-batches of 1 differ from one batch of 4 by " + diff + " (max " + max + ")");
        });
    }

    @Test
    void learnsTheSignalAndTheUndesiredDirectionLearnsItsOpposite() {
        List<TokenPair> train = pairs(32, 11), held = pairs(16, 12);
        List<Trainer.Epoch> want, unwanted;
        TrainSettings s = new TrainSettings(LORA, 3, 3e-2, Schedule.LINEAR, 0, 0, 1.0, 8, 8, new BradleyTerry(0, false), 5, 0);
        try (GradDecoder d = lora(3)) {
            Trainer.HeldOut before = Trainer.evaluate(d, held, s);
            want = Trainer.run(d, train, held, s, "x", null, new Trainer.Listener() {}).epochs();
            assertTrue(want.getLast().heldOut().dataAccuracy() >= 0.9, "held-out accuracy after training: " + want.getLast().heldOut() + " (before " + before + ")");
            assertTrue(want.getLast().trainLoss() < want.getFirst().trainLoss());
        }
        TrainSettings u = new TrainSettings(LORA, 3, 3e-2, Schedule.LINEAR, 0, 0, 1.0, 8, 8, new BradleyTerry(0, true), 5, 0);
        try (GradDecoder d = lora(3)) {
            unwanted = Trainer.run(d, train, held, u, "x", null, new Trainer.Listener() {}).epochs();
        }
        Trainer.HeldOut h = unwanted.getLast().heldOut();
        assertTrue(h.dataAccuracy() <= 0.1, "the forget direction prefers the rejected side: " + h);
        assertEquals(1 - h.dataAccuracy(), h.objectiveAccuracy(), 1e-12);
        assertTrue(h.meanMargin() < 0);
    }

    @Test
    void theAdapterFolderLoadsInTheRuntimeAndScoresAsTrained() throws Exception {
        List<TokenPair> train = pairs(8, 21);
        Path out = tmp.resolve("adapter");
        float[][] trained;
        int[][] probe = {train.get(0).chosen(), train.get(1).rejected()};
        try (GradDecoder d = lora(3)) {
            Trainer.run(d, train, List.of(), settings(4, 4, 1e-2, true, 0), "x", null, new Trainer.Listener() {});
            trained = d.forward(probe, 0, false).scores();
            PeftAdapterWriter.write(out, d, LORA, model.getFileName().toString(), Map.of("test", true));
        }
        assertTrue(Files.isRegularFile(out.resolve("tare_train.json")));
        LoraAdapter a = LoraAdapter.load(out);
        assertEquals("SEQ_CLS", a.config().taskType());
        assertEquals(2 * 4, a.modules().size(), "q_proj and v_proj of 4 layers");
        assertTrue(a.hasHead());
        try (LoraModel lm = LoraModel.open(model, List.of(a))) {
            float[][] s = lm.withStrengths(Map.of(a.name(), 1.0)).rewardModel(HeadChoice.ADAPTER).score(probe);
            for (int i = 0; i < probe.length; i++) assertEquals(trained[i][0], s[i][0], 1e-4 * Math.max(1, Math.abs(trained[i][0])));
        }
        var e = assertThrows(IllegalArgumentException.class, () -> {
            try (GradDecoder d = lora(3)) { PeftAdapterWriter.write(out, d, LORA, "x", Map.of()); }
        });
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void aFullFineTuneIsAnHfCheckpointTheRuntimeScores() {
        List<TokenPair> train = pairs(8, 31);
        Path out = tmp.resolve("full");
        float[][] trained;
        int[][] probe = {train.get(0).chosen(), train.get(1).rejected()};
        try (GradDecoder d = GradDecoder.open(model)) {
            d.trainAll();
            Trainer.run(d, train, List.of(), new TrainSettings(null, 1, 1e-3, Schedule.CONSTANT, 0, 0, 1.0, 4, 4, new BradleyTerry(0, false), 5, 0),
                    "x", null, new Trainer.Listener() {});
            trained = d.forward(probe, 0, false).scores();
            FullCheckpointWriter.write(out, d, model, Map.of("tare_train.json", "{}\n"));
        }
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        try (RewardModel rm = ModelLoader.loadRewardModel(out)) {
            float[][] s = rm.score(probe);
            for (int i = 0; i < probe.length; i++) assertEquals(trained[i][0], s[i][0], 1e-4 * Math.max(1, Math.abs(trained[i][0])));
        }
    }

    @Test
    void scheduleAndClippingFollowTransformersAndTorch() {
        // get_linear_schedule_with_warmup(num_warmup_steps=2, num_training_steps=10) at lr 1.0
        double[] want = {0, 0.5, 1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125};
        for (int s = 0; s < 10; s++) assertEquals(want[s], Schedule.LINEAR.lr(1.0, s, 10, 2), 1e-12);
        assertEquals(0.5, Schedule.CONSTANT.lr(1.0, 1, 10, 2), 1e-12);
        assertEquals(1.0, Schedule.CONSTANT.lr(1.0, 7, 10, 2), 1e-12);
        var p = dev.tare.train.grad.Param.of("w", new float[]{0, 0}, 2).train();
        p.grad()[0] = 3;
        p.grad()[1] = 4;
        assertEquals(5.0, GradClip.clip(List.of(p), 1.0), 1e-12);
        assertEquals(3 / (5 + 1e-6), p.grad()[0], 1e-6);
        assertEquals(4 / (5 + 1e-6), p.grad()[1], 1e-6);
        p.grad()[0] = Float.NaN;
        assertThrows(ArithmeticException.class, () -> GradClip.clip(List.of(p), 1.0));
    }
}
