package dev.tare.demo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.core.Progress;
import dev.tare.demo.generate.RandomQwen2Checkpoint;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.PackedLinear;
import dev.tare.runtime.kernel.PeakFlops;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The measurements of `tare bench runtime`: the machine's f32 FMA peak, a random Qwen2.5-0.5B-shaped BF16 model's forward
 * (optionally beside PyTorch on the same checkpoint and ids), the matmul kernel on fixed shapes, and the peak again at
 * the end. Progress and notes go to {@code err}; the caller renders the {@link Result}.
 */
public final class RuntimeBench {
    /** What to run; {@link #defaults} gives a full or a quick run's sizes. */
    public record Options(boolean quick, int repeats, int modelRepeats, int layers, int seqLen, int sequences, Path keepModel,
                          List<Kernels.Choice> kernels, List<TorchBench.Variant> baselines, Path torchScript, String python,
                          boolean skipMatmul, boolean skipModel, boolean interleave) {
        public Options {
            kernels = List.copyOf(kernels);
            baselines = List.copyOf(baselines);
            if (kernels.isEmpty()) throw new IllegalArgumentException("at least one kernel to run tare with");
            if (interleave && (kernels.size() != 1 || baselines.isEmpty() || skipModel))
                throw new IllegalArgumentException("--interleave needs one kernel (--kernels K), at least one baseline (--compare-torch or "
                        + "--compare-hf) and the model forward");
        }

        /**
         * Full: 10 matmul repeats, 3 model runs, 24 layers, 4 x 512 tokens; quick: 3, 1, 4 layers, 2 x 256; tare with the
         * kernel -Dtare.kernel selects, no PyTorch baselines.
         */
        public static Options defaults(boolean quick) {
            return new Options(quick, quick ? 3 : 10, quick ? 1 : 3, quick ? 4 : RandomQwen2Checkpoint.QWEN25_05B.layers(),
                    quick ? 256 : 512, quick ? 2 : 4, null, List.of(Kernels.configured()), List.of(), null, null, false, false, false);
        }
    }

    /** tare's forward with one kernel: the choice, the line describing it on this machine, and the figures. */
    public record TareRun(Kernels.Choice kernel, String description, ModelBench.Result result) {
        /** Median tokens/s. */
        public double median() { return result.tokensPerSecond()[result.tokensPerSecond().length / 2]; }
    }

    /** Kernel threads, processors, JDK, matrix-kernel and preferred vector widths (bits), and the load average after the peak. */
    public record Machine(int threads, int processors, Runtime.Version jdk, int matrixBits, int preferredBits, double loadAverage) {
        /** More than half the processors busy: wall-clock figures read low. */
        public boolean busy() { return loadAverage > processors * 0.5; }
    }

    /** The model phase: shape and input, tare's forward per kernel (empty with skipModel) and each PyTorch baseline's outcome. */
    public record Model(RandomQwen2Checkpoint.Shape shape, int sequences, int seqLen, long weightBytes, List<TareRun> tare,
                        List<TorchBench.Outcome> torch) {
        public Model {
            tare = List.copyOf(tare);
            torch = List.copyOf(torch);
        }

        /** FLOPs tare does in one run over all sequences (the last layer only for the score rows). */
        public double flops() { return sequences * shape.scoreFlops(seqLen); }

        /** GFLOP/s at {@code tokensPerSecond}. */
        public double gflops(double tokensPerSecond) { return tokensPerSecond * flops() / ((double) sequences * seqLen) / 1e9; }

        /** The largest |tare − baseline| score and the largest |baseline| score, over the sequences both scored. */
        public static double[] scoreDiff(TareRun t, TorchBench.Ran r) {
            double maxAbs = 0, maxRef = 0;
            float[] mine = t.result().scores();
            for (int i = 0; i < mine.length && i < r.scores().length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(mine[i] - r.scores()[i]));
                maxRef = Math.max(maxRef, Math.abs(r.scores()[i]));
            }
            return new double[] {maxAbs, maxRef};
        }
    }

    /**
     * A run: the peak over all threads (wall and per CPU-second) and on one thread, the model phase (null when skipped),
     * the matmul shapes (empty when skipped), and the all-thread peak re-measured at the end.
     */
    public record Result(Options options, Machine machine, PeakFlops.Result peak, double peakOneThread, Model model,
                         List<MatmulBench.Result> matmul, double peakAgain) {
        /** The higher of the two all-thread peaks: the conservative reading for the ratios. */
        public double bestPeak() { return Math.max(peak.wall(), peakAgain); }

        /** The best median GFLOP/s of the matmul shapes with more than one row, 0 without any. */
        public double matmulBestShape() {
            return matmul.stream().filter(m -> m.rows() > 1).mapToDouble(MatmulBench.Result::median).max().orElse(0);
        }
    }

    /** The random checkpoint's seed, and that of the token ids. */
    public static final long CHECKPOINT_SEED = 20251123L, IDS_SEED = 7;

    private RuntimeBench() {}

    public static Result run(Options o, PrintStream err) throws IOException, InterruptedException {
        int threads = KernelPool.threads();
        double seconds = o.quick() ? 0.3 : 1.0;
        err.println("measuring f32 FMA peak ...");
        PeakFlops.Result peak = PeakFlops.measureBoth(threads, seconds, o.quick() ? 2 : 5);
        double peak1 = PeakFlops.measure(1, seconds, o.quick() ? 2 : 3);
        Machine machine = new Machine(threads, Runtime.getRuntime().availableProcessors(), Runtime.version(),
                PackedLinear.defaultVectorBits(), jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        // the model runs first so that its memory figures are not inflated by the matmul phase's garbage
        Model model = !o.skipModel() || !o.baselines().isEmpty() ? model(o, err) : null;
        List<MatmulBench.Result> matmul = o.skipMatmul() ? List.of() : matmul(o, err);
        // the machine's load may have changed while the phases ran: re-measure
        err.println("re-measuring f32 FMA peak ...");
        double again = PeakFlops.measure(threads, seconds, o.quick() ? 2 : 5);
        return new Result(o, machine, peak, peak1, model, matmul, again);
    }

    /** Seeded random token ids below the pad id (so the score is read at each sequence's last token). */
    public static int[][] randomIds(int n, int len, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] ids = new int[n][len];
        for (int[] row : ids) for (int i = 0; i < len; i++) row[i] = rnd.nextInt(RandomQwen2Checkpoint.PAD_ID);
        return ids;
    }

    private static List<MatmulBench.Result> matmul(Options o, PrintStream err) {
        int[][] shapes = o.quick() ? new int[][] {{128, 896, 1024}, {1, 896, 4864}}
                : new int[][] {{512, 896, 4864}, {512, 4864, 896}, {512, 4096, 4096}, {1, 896, 4864}, {1, 4096, 4096}};
        List<MatmulBench.Result> rows = new ArrayList<>();
        try (Progress p = Progress.on(err, "matmul shapes", shapes.length * 2L)) {
            for (int[] s : shapes)
                for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                    rows.add(MatmulBench.run(s[0], s[1], s[2], dt, o.repeats(), 1234));
                    p.update(rows.size());
                }
        }
        return rows;
    }

    private static Model model(Options o, PrintStream err) throws IOException, InterruptedException {
        RandomQwen2Checkpoint.Shape base = RandomQwen2Checkpoint.QWEN25_05B;
        RandomQwen2Checkpoint.Shape shape = new RandomQwen2Checkpoint.Shape(o.layers(), base.hidden(), base.heads(),
                base.kvHeads(), base.intermediate(), base.vocab());
        if (o.layers() < 1 || o.seqLen() < 1 || o.sequences() < 1 || o.modelRepeats() < 1)
            throw new IllegalArgumentException("--layers, --seq-len, --sequences and --model-repeats must be ≥ 1");
        Path dir = o.keepModel() != null ? o.keepModel() : Files.createTempDirectory("tare-bench-model");
        try {
            long weightBytes = RandomQwen2Checkpoint.weightBytes(shape);
            Path st = dir.resolve("model.safetensors");
            if (o.keepModel() != null && Files.exists(st) && Files.size(st) > weightBytes && sameConfig(dir, shape))
                err.println("reusing the checkpoint in " + dir);
            else
                RandomQwen2Checkpoint.write(dir, shape, CHECKPOINT_SEED, err);
            int[][] ids = randomIds(o.sequences(), o.seqLen(), IDS_SEED);
            Path idsFile = dir.resolve("ids.json");
            Files.writeString(idsFile, new ObjectMapper().writeValueAsString(ids), StandardCharsets.UTF_8);
            if (o.interleave()) return interleaved(o, shape, weightBytes, dir, ids, idsFile, err);
            List<TareRun> tare = new ArrayList<>();
            // Java-kernel runs first, so that the Java tiles are compiled before the native run adds C2 work. The cause
            // of the slow tiles seen after a native run (C1 tier 2, then no C2) is handled by -XX:Tier3DelayOn in
            // tare.jvm.flags and the launcher; this order only keeps a run without that flag from hitting it as often.
            List<Kernels.Choice> order = o.kernels().stream()
                    .sorted(java.util.Comparator.comparing(Kernels.Choice::mayBeNative)).toList();
            if (!o.skipModel())
                for (Kernels.Choice k : order) {
                    // the previous kernel's model is closed but its off-heap weights go back to the C allocator only when
                    // the GC finds them unreachable: collect now, so this kernel's memory figures are its own
                    if (!tare.isEmpty()) releaseClosedModels();
                    err.println("tare with kernel " + k.property() + ": " + Kernels.describe(k));
                    tare.add(new TareRun(k, Kernels.describe(k), Kernels.with(k, () -> ModelBench.run(dir, ids, o.modelRepeats(), err))));
                }
            List<TorchBench.Outcome> torch = new ArrayList<>();
            for (TorchBench.Variant v : o.baselines())
                torch.add(TorchBench.run(o.torchScript(), o.python(), dir, idsFile, o.modelRepeats(), v, err));
            return new Model(shape, o.sequences(), o.seqLen(), weightBytes, tare, torch);
        } finally {
            if (o.keepModel() == null) deleteTree(dir, err);
        }
    }

    /**
     * The ratios tare / baseline of the forwards that ran side by side in an interleaved run (the i-th of each; as many as
     * both have), sorted ascending: their median is steadier than the ratio of the medians when the load drifts.
     */
    public static double[] pairedRatios(ModelBench.Result tare, TorchBench.Ran baseline) {
        int n = Math.min(tare.inRunOrder().length, baseline.inRunOrder().length);
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = tare.inRunOrder()[i] / baseline.inRunOrder()[i];
        java.util.Arrays.sort(r);
        return r;
    }

    /** Pause between one engine's forward and the next one's: lets OpenMP workers stop spinning (GNU's up to ~0.3 ms, Intel's 200 ms). */
    static final long SWITCH_PAUSE_MS = 250;

    /**
     * tare's timed forwards with each baseline's between them, one forward each in turn ({@code --interleave}): every
     * baseline is started first and warmed up (one after another), then tare loads and warms up, then each tare forward is
     * followed by one forward of each baseline, so both sides are timed over the same minutes of a shared machine's load.
     */
    private static Model interleaved(Options o, RandomQwen2Checkpoint.Shape shape, long weightBytes, Path dir, int[][] ids, Path idsFile,
                                     PrintStream err) throws IOException, InterruptedException {
        List<TorchBench.Start> started = new ArrayList<>();
        try {
            for (TorchBench.Variant v : o.baselines())
                started.add(TorchBench.start(o.torchScript(), o.python(), dir, idsFile, o.modelRepeats(), v, true, err));
            Kernels.Choice k = o.kernels().getFirst();
            err.println("tare with kernel " + k.property() + ": " + Kernels.describe(k) + " (interleaved with the baselines' forwards)");
            ModelBench.Result r = Kernels.with(k, () -> ModelBench.run(dir, ids, o.modelRepeats(), err, () -> {
                for (TorchBench.Start s : started) {
                    if (!(s instanceof TorchBench.Stepped st)) continue;
                    pause();
                    try {
                        st.step();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                pause();
            }));
            List<TorchBench.Outcome> torch = new ArrayList<>();
            for (TorchBench.Start s : started)
                torch.add(switch (s) {
                    case TorchBench.Stepped st -> st.finish();
                    case TorchBench.Failed f -> f;
                });
            return new Model(shape, o.sequences(), o.seqLen(), weightBytes, List.of(new TareRun(k, Kernels.describe(k) + "; interleaved", r)), torch);
        } finally {
            for (TorchBench.Start s : started) if (s instanceof TorchBench.Stepped st) st.close();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(SWITCH_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A full GC, then a short wait for the cleaner thread that frees the unreachable weights' native memory. */
    private static void releaseClosedModels() {
        System.gc();
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean sameConfig(Path dir, RandomQwen2Checkpoint.Shape s) {
        try {
            JsonNode c = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            return c.path("num_hidden_layers").asInt() == s.layers() && c.path("hidden_size").asInt() == s.hidden()
                    && c.path("intermediate_size").asInt() == s.intermediate() && c.path("vocab_size").asInt() == s.vocab();
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a temporary folder; a failure is reported on {@code err}, not thrown. */
    static void deleteTree(Path dir, PrintStream err) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException e) { throw new UncheckedIOException(e); }
            });
        } catch (IOException | UncheckedIOException e) {
            err.println("tare: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
