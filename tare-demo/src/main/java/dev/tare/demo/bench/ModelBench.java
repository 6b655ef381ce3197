package dev.tare.demo.bench;

import dev.tare.core.Progress;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;

/** Loads a checkpoint with the tare runtime and times scoring of fixed token-id sequences. */
public final class ModelBench {
    /** Resident memory (bytes): total, anonymous (heap + off-heap), file-backed (mapped weights); Java heap used and committed. */
    public record Memory(long rss, long anon, long file, long heapUsed, long heapCommitted) {
        static Memory now() {
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return new Memory(ProcStatus.kib("VmRSS") * 1024, ProcStatus.kib("RssAnon") * 1024, ProcStatus.kib("RssFile") * 1024,
                    heap.getUsed(), heap.getCommitted());
        }
    }

    /**
     * Timings (tokens/s sorted ascending, and in the order they ran), the untimed warm-up forwards' seconds, memory after
     * load and after scoring, peak RSS, and the last run's scores.
     */
    public record Result(double loadSeconds, double[] tokensPerSecond, double[] inRunOrder, double tokensPerCpuSecond, double[] warmupSeconds,
                         float[] scores, Memory afterLoad, Memory afterRun, long rssPeak) {}

    /**
     * When the untimed warm-up forwards end: after at least {@code minRuns}, once the last two were both no more than
     * {@code tolerance} faster than the fastest before them (the JIT has settled: C2 compiles the attention, norm and
     * tile code over several forwards), or at {@code maxRuns} / after {@code maxSeconds} (at least one forward).
     */
    public record Warmup(int minRuns, int maxRuns, double tolerance, double maxSeconds) {
        public static final Warmup DEFAULT = new Warmup(5, 15, 0.05, 120);

        public Warmup {
            if (minRuns < 3 || maxRuns < minRuns || !(tolerance >= 0 && tolerance < 1) || !(maxSeconds > 0))
                throw new IllegalArgumentException("warm-up needs 3 <= minRuns <= maxRuns, 0 <= tolerance < 1, maxSeconds > 0");
        }

        /** Whether another warm-up forward should run after these (seconds each, in order; {@code elapsed} in total). */
        public boolean more(double[] seconds, double elapsed) {
            int n = seconds.length;
            if (n == 0) return true;
            if (n >= maxRuns || elapsed >= maxSeconds) return false;   // the time bound holds before minRuns too
            if (n < minRuns) return true;
            double before = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n - 2; i++) before = Math.min(before, seconds[i]);
            return Math.min(seconds[n - 2], seconds[n - 1]) < before * (1 - tolerance);
        }
    }

    private ModelBench() {}

    public static Result run(Path dir, int[][] ids, int repeats, PrintStream err) {
        return run(dir, ids, repeats, err, () -> {});
    }

    /**
     * As {@link #run(Path, int[][], int, PrintStream)}, calling {@code between} after each timed forward (outside its
     * time and CPU-time): baselines interleaved with tare's runs.
     */
    public static Result run(Path dir, int[][] ids, int repeats, PrintStream err, Runnable between) {
        if (repeats < 1) throw new IllegalArgumentException("timed repeats must be >= 1, got " + repeats);
        long t0 = System.nanoTime();
        err.println("loading " + dir + " (packing weights) ...");
        try (RewardModel model = ModelLoader.loadRewardModel(dir)) {
            double load = (System.nanoTime() - t0) / 1e9;
            Memory afterLoad = Memory.now();
            long tokens = 0;
            for (int[] s : ids) tokens += s.length;
            double[] warm = new double[0];
            double warmTotal = 0;
            while (Warmup.DEFAULT.more(warm, warmTotal)) {   // untimed: until the JIT has settled
                long s0 = System.nanoTime();
                model.score(ids);
                double sec = (System.nanoTime() - s0) / 1e9;
                warm = Arrays.copyOf(warm, warm.length + 1);
                warm[warm.length - 1] = sec;
                warmTotal += sec;
                err.printf("tare warm-up forward %d: %.2f s%n", warm.length, sec);
            }
            double[] rates = new double[repeats];
            float[][] scores = null;
            Progress p = Progress.on(err, "tare forward runs", repeats);
            long cpuNanos = 0;
            for (int r = 0; r < repeats; r++) {
                long c0 = dev.tare.runtime.kernel.PeakFlops.processCpuNanos(), s0 = System.nanoTime();
                scores = model.score(ids);
                double sec = (System.nanoTime() - s0) / 1e9;
                cpuNanos += dev.tare.runtime.kernel.PeakFlops.processCpuNanos() - c0;
                rates[r] = tokens / sec;
                p.update(r + 1);
                between.run();
            }
            p.close();
            double cpu = cpuNanos / 1e9;
            Memory afterRun = Memory.now();
            float[] first = new float[scores.length];
            for (int i = 0; i < scores.length; i++) first[i] = scores[i][0];
            double[] inOrder = rates.clone();
            Arrays.sort(rates);
            return new Result(load, rates, inOrder, cpu > 0 ? tokens * (double) repeats / cpu : Double.NaN, warm, first, afterLoad, afterRun, ProcStatus.kib("VmHWM") * 1024);
        }
    }
}
