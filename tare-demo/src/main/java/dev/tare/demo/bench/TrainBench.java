package dev.tare.demo.bench;

import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.train.AdamW;
import dev.tare.train.BradleyTerry;
import dev.tare.train.GradClip;
import dev.tare.train.LoraInit;
import dev.tare.train.LoraSpec;
import dev.tare.train.PairStep;
import dev.tare.train.grad.GradDecoder;
import dev.tare.train.grad.Param;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Times one training step (forward + backward + clipping + AdamW) against the forward alone, on one checkpoint and one batch of pairs. */
public final class TrainBench {
    private TrainBench() {}

    /**
     * Seconds per run (best of the timed runs after one warm-up), the peak resident bytes of the phase (which includes
     * garbage the collector had not yet reclaimed: the heap grows to its -Xmx before a full collection) and the Java
     * heap still live after a collection at its end (the phase's state; packed kernels are off-heap, in the RSS).
     */
    public record Phase(String name, double seconds, long tokens, long peakRss, long liveHeap) {
        public double tokensPerSecond() { return tokens / seconds; }
    }

    /** The inference runtime's forward (the `tare bench runtime` path) over the same sequences. */
    public static Phase inferenceForward(Path dir, int[][] ids, int repeats) {
        resetPeak();
        try (RewardModel m = ModelLoader.loadRewardModel(dir)) {
            return timed("inference forward", () -> m.score(ids), tokens(ids), repeats);
        }
    }

    /** GradDecoder's forward without a tape (what a training step's forward costs before the backward). */
    public static Phase trainingForward(GradDecoder d, int[][] ids, int repeats) {
        return timed("training-path forward", () -> d.forward(ids, 1, false), tokens(ids), repeats);
    }

    /** One optimizer step of {@code pairs} on {@code d} (its trainable parameters already set). */
    public static Phase step(String name, GradDecoder d, List<int[][]> pairs, int repeats) {
        AdamW adam = AdamW.withWeightDecay(0);
        List<Param> params = d.trainable();
        long tokens = 0;
        for (int[][] p : pairs) tokens += p[0].length + p[1].length;
        return timed(name, () -> {
            params.forEach(Param::zeroGrad);
            PairStep.accumulate(d, new BradleyTerry(0, false), pairs, pairs.size(), 7, true);
            GradClip.clip(params, 1.0);
            adam.step(params, 1e-5);
        }, tokens, repeats);
    }

    public static GradDecoder lora(Path dir) {
        GradDecoder d = GradDecoder.open(dir);
        LoraInit.peftDefault(d, new LoraSpec(List.of("q_proj", "k_proj", "v_proj", "o_proj"), 8, 16, 0.05, false), 1);
        return d;
    }

    public static GradDecoder full(Path dir) {
        GradDecoder d = GradDecoder.open(dir);
        d.trainAll();
        return d;
    }

    private static Phase timed(String name, Runnable r, long tokens, int repeats) {
        r.run(); // warm-up (JIT, packing)
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        long peak = ProcStatus.kib("VmHWM") * 1024;
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return new Phase(name, best, tokens, peak, rt.totalMemory() - rt.freeMemory());
    }

    /** Resets the kernel's peak-RSS mark (VmHWM) so that the next phase's peak is its own; false where not supported. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public static long tokens(int[][] ids) {
        long t = 0;
        for (int[] s : ids) t += s.length;
        return t;
    }

    /** The pairs as one packed batch of sequences (chosen ones, then rejected ones). */
    public static int[][] sequences(List<int[][]> pairs) {
        List<int[]> out = new ArrayList<>();
        for (int[][] p : pairs) out.add(p[0]);
        for (int[][] p : pairs) out.add(p[1]);
        return out.toArray(int[][]::new);
    }
}
