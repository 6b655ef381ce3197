package dev.tare.demo.bench;

import dev.tare.demo.generate.RandomQwen2Checkpoint;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.PrefixPlan;
import dev.tare.runtime.model.RewardModel;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The measurement of {@code tare bench prefix}: scoring items of one prompt and several responses (RewardBench's
 * 1 + 1, RM-Bench's 3 + 3) with the shared prompt computed once vs every sequence in full, on a random
 * Qwen2.5-0.5B-shaped BF16 checkpoint, in one run; prints both rates, the speed-up and the largest score difference.
 */
public final class PrefixBench {
    private PrefixBench() {}

    /** What to measure: model depth, items, prompt tokens, responses per item and their tokens, timed runs. */
    public record Settings(int layers, int items, int promptTokens, int responses, int responseTokens, int repeats) {
        public Settings {
            if (layers < 1 || items < 1 || promptTokens < 1 || responses < 2 || responseTokens < 1 || repeats < 1)
                throw new IllegalArgumentException("sizes must be >= 1 (responses >= 2)");
        }
    }

    /** Writes the checkpoint to a temporary folder (removed afterwards), measures, prints to {@code out}. */
    public static void run(Settings s, PrintWriter out, PrintStream err) throws IOException {
        var q = RandomQwen2Checkpoint.QWEN25_05B;
        var shape = new RandomQwen2Checkpoint.Shape(s.layers(), q.hidden(), q.heads(), q.kvHeads(), q.intermediate(), q.vocab());
        Path dir = Files.createTempDirectory("tare-bench-prefix");
        try {
            RandomQwen2Checkpoint.write(dir, shape, RuntimeBench.CHECKPOINT_SEED, err);
            Random r = new Random(RuntimeBench.IDS_SEED);
            int n = s.items() * s.responses();
            int[][] ids = new int[n][];
            for (int it = 0; it < s.items(); it++) {
                int[] prompt = r.ints(s.promptTokens(), 1, shape.vocab()).toArray();
                for (int k = 0; k < s.responses(); k++) {
                    int[] seq = Arrays.copyOf(prompt, s.promptTokens() + s.responseTokens());
                    for (int t = s.promptTokens(); t < seq.length; t++) seq[t] = 1 + r.nextInt(shape.vocab() - 1);
                    ids[it * s.responses() + k] = seq;
                }
            }
            long tokens = (long) n * (s.promptTokens() + s.responseTokens());
            try (RewardModel m = ModelLoader.loadRewardModel(dir)) {
                PrefixPlan plan = m.prefixPlan(ids, 16);
                out.printf(Locale.ROOT, "model: random Qwen2 seq-cls, %d layers, hidden %d; %d items x (%d prompt + %d responses x %d tokens) = %,d tokens; "
                        + "shared once: %,d tokens in %d groups%n", s.layers(), shape.hidden(), s.items(), s.promptTokens(), s.responses(),
                        s.responseTokens(), tokens, plan.tokensSaved(), plan.groups().size());
                m.score(ids);
                m.scoreSharingPrefixes(ids, 16);   // warm-up
                double[] full = new double[s.repeats()], shared = new double[s.repeats()];
                float[][] a = null, b = null;
                for (int k = 0; k < s.repeats(); k++) {
                    long t0 = System.nanoTime();
                    a = m.score(ids);
                    full[k] = (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    b = m.scoreSharingPrefixes(ids, 16);
                    shared[k] = (System.nanoTime() - t0) / 1e9;
                    err.printf(Locale.ROOT, "run %d/%d: full %.2f s, shared prefix %.2f s%n", k + 1, s.repeats(), full[k], shared[k]);
                }
                double d = 0;
                for (int i = 0; i < n; i++) d = Math.max(d, Math.abs(a[i][0] - b[i][0]));
                double f = Arrays.stream(full).min().orElseThrow(), sh = Arrays.stream(shared).min().orElseThrow();
                out.printf(Locale.ROOT, "every sequence in full: %.2f s (%.1f sequences/s); prompt computed once: %.2f s (%.1f sequences/s): "
                        + "%.2fx (best of %d); max |score diff| %.2e%n", f, n / f, sh, n / sh, f / sh, s.repeats(), d);
            }
            out.flush();
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
