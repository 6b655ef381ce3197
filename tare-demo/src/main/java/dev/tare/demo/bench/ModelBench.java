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

    /** Timings (tokens/s sorted ascending), memory after load and after scoring, peak RSS, and the last run's scores. */
    public record Result(double loadSeconds, double[] tokensPerSecond, double tokensPerCpuSecond, float[] scores, Memory afterLoad, Memory afterRun, long rssPeak) {}

    private ModelBench() {}

    public static Result run(Path dir, int[][] ids, int repeats, PrintStream err) {
        long t0 = System.nanoTime();
        err.println("loading " + dir + " (packing weights) ...");
        try (RewardModel model = ModelLoader.loadRewardModel(dir)) {
            double load = (System.nanoTime() - t0) / 1e9;
            Memory afterLoad = Memory.now();
            long tokens = 0;
            for (int[] s : ids) tokens += s.length;
            double[] rates = new double[repeats];
            float[][] scores = null;
            Progress p = Progress.on(err, "tare forward runs", repeats + 1L);
            long cpu0 = 0;
            for (int r = 0; r <= repeats; r++) {   // run 0 warms up the JIT
                if (r == 1) cpu0 = dev.tare.runtime.kernel.PeakFlops.processCpuNanos();
                long s0 = System.nanoTime();
                scores = model.score(ids);
                double sec = (System.nanoTime() - s0) / 1e9;
                if (r > 0) rates[r - 1] = tokens / sec;
                p.update(r + 1);
            }
            p.close();
            double cpu = (dev.tare.runtime.kernel.PeakFlops.processCpuNanos() - cpu0) / 1e9;
            Memory afterRun = Memory.now();
            float[] first = new float[scores.length];
            for (int i = 0; i < scores.length; i++) first[i] = scores[i][0];
            Arrays.sort(rates);
            return new Result(load, rates, cpu > 0 ? tokens * (double) repeats / cpu : Double.NaN, first, afterLoad, afterRun, ProcStatus.kib("VmHWM") * 1024);
        }
    }
}
