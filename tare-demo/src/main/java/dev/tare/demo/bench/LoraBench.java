package dev.tare.demo.bench;

import dev.tare.demo.generate.RandomQwen2Checkpoint;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraMerger;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.tiny.TinyCheckpoint;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measurement of {@code tare bench lora}: an unmerged LoRA (base + λ·LoRA at λ = −0.5) against the plain base
 * forward on a random Qwen2.5-0.5B-shaped BF16 checkpoint, the time and memory of merging it, and the merged scores'
 * distance from the run-time LoRA's.
 */
public final class LoraBench {
    private LoraBench() {}

    /** What to measure: model depth, input size, adapter rank and targets, timed runs, and whether to time the merge. */
    public record Settings(int layers, int seqLen, int sequences, int rank, List<String> targets, int repeats, boolean merge) {
        public Settings {
            if (layers < 1 || seqLen < 1 || sequences < 1 || repeats < 1 || rank < 1) throw new IllegalArgumentException("sizes must be >= 1");
            if (targets.isEmpty()) throw new IllegalArgumentException("no adapted modules");
            targets = List.copyOf(targets);
        }
    }

    /** Writes the checkpoints to a temporary folder (removed afterwards), measures, prints the results to {@code out}, runs to {@code err}. */
    public static void run(Settings s, PrintWriter out, PrintStream err) throws IOException {
        var q = RandomQwen2Checkpoint.QWEN25_05B;
        var shape = new RandomQwen2Checkpoint.Shape(s.layers(), q.hidden(), q.heads(), q.kvHeads(), q.intermediate(), q.vocab());
        Path dir = Files.createTempDirectory("tare-bench-lora");
        try {
            Path base = dir.resolve("base"), adapter = dir.resolve("adapter"), merged = dir.resolve("merged");
            Files.createDirectories(base);
            RandomQwen2Checkpoint.write(base, shape, RuntimeBench.CHECKPOINT_SEED, err);
            int kvDim = shape.kvHeads() * (shape.hidden() / shape.heads());
            TinyCheckpoint.writeLora(adapter, "base", s.layers(), shape.hidden(), kvDim, shape.intermediate(), true, s.targets(), s.rank(), 2.0 * s.rank(), 5);
            int[][] ids = RuntimeBench.randomIds(s.sequences(), s.seqLen(), RuntimeBench.IDS_SEED);
            long tokens = (long) s.sequences() * s.seqLen();
            out.printf(Locale.ROOT, "model: random Qwen2 seq-cls, %d layers, hidden %d, BF16 %.1f MiB; adapter: rank %d on %s (%d LoRA layers)%n",
                    s.layers(), shape.hidden(), RandomQwen2Checkpoint.weightBytes(shape) / 1048576.0, s.rank(), s.targets(), s.layers() * s.targets().size());
            out.printf(Locale.ROOT, "input: %d x %d tokens; runs interleave base and LoRA to share the machine's load%n", s.sequences(), s.seqLen());
            if (s.merge()) {   // first, before any model is loaded, so VmHWM shows the merge's own footprint
                long hwm0 = ProcStatus.kib("VmHWM"), rss0 = ProcStatus.kib("VmRSS");
                long t0 = System.nanoTime();
                LoraMerger.merge(base, List.of(LoraAdapter.load(adapter)), Map.of(), new LoraMerger.Options(HeadChoice.BASE, DType.BF16,
                        LoraMerger.DEFAULT_MAX_SHARD_BYTES), merged);
                double mergeS = (System.nanoTime() - t0) / 1e9;
                long hwm1 = ProcStatus.kib("VmHWM"), rss1 = ProcStatus.kib("VmRSS");
                out.printf(Locale.ROOT, "merge at lambda 1 (BF16 out, streaming tensor by tensor): %.1f s; VmRSS %d -> %d MiB, VmHWM %d -> %d MiB (weights %.0f MiB)%n",
                        mergeS, rss0 / 1024, rss1 / 1024, hwm0 / 1024, hwm1 / 1024, RandomQwen2Checkpoint.weightBytes(shape) / 1048576.0);
            }
            double[] baseT = new double[s.repeats()], loraT = new double[s.repeats()];
            float[][] loraScores;
            try (RewardModel plain = ModelLoader.loadRewardModel(base)) {
                LoraAdapter a = LoraAdapter.load(adapter);
                try (LoraModel lm = LoraModel.open(base, List.of(a))) {
                    for (String w : lm.warnings()) err.println("warning: " + w);
                    RewardModel withLora = lm.withStrengths(Map.of(a.name(), -0.5)).rewardModel(HeadChoice.BASE);
                    plain.score(ids);
                    withLora.score(ids);   // warm-up
                    for (int r = 0; r < s.repeats(); r++) {
                        baseT[r] = time(() -> plain.score(ids));
                        loraT[r] = time(() -> withLora.score(ids));
                        err.printf(Locale.ROOT, "run %d/%d: base %.2f s, lora %.2f s%n", r + 1, s.repeats(), baseT[r], loraT[r]);
                    }
                    loraScores = withLora.score(ids);
                }
            }
            // best-of-N is the usual estimate on a shared machine (noise only adds time); the median is shown beside it
            double b = Arrays.stream(baseT).min().orElseThrow(), l = Arrays.stream(loraT).min().orElseThrow();
            out.printf(Locale.ROOT, "base forward %.2f s (%.1f tokens/s), with LoRA at lambda -0.5 %.2f s (%.1f tokens/s): overhead %+.1f %% "
                            + "(best of %d; median %+.1f %%; runs %s vs %s)%n",
                    b, tokens / b, l, tokens / l, 100 * (l / b - 1), s.repeats(), 100 * (median(loraT) / median(baseT) - 1), fmt(baseT), fmt(loraT));
            if (s.merge()) {
                Path mergedNeg = dir.resolve("merged-neg");
                LoraAdapter neg = LoraAdapter.load(adapter);
                LoraMerger.merge(base, List.of(neg), Map.of(neg.name(), -0.5), new LoraMerger.Options(HeadChoice.BASE, DType.F32, LoraMerger.DEFAULT_MAX_SHARD_BYTES), mergedNeg);
                try (RewardModel m = ModelLoader.loadRewardModel(mergedNeg)) {
                    float[][] ms = m.score(ids);
                    double d = 0;
                    for (int i = 0; i < ms.length; i++) d = Math.max(d, Math.abs(ms[i][0] - loraScores[i][0]));
                    out.printf(Locale.ROOT, "merged (F32) at lambda -0.5 vs unmerged run-time LoRA: max |score diff| %.2e%n", d);
                }
            }
            out.flush();
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", v[i]));
        return sb.append(']').toString();
    }
}
