package dev.tare.cli.bench;

import dev.tare.demo.bench.TrainBench;
import dev.tare.demo.generate.RandomQwen2Checkpoint;
import dev.tare.runtime.kernel.KernelPool;
import dev.tare.train.grad.GradDecoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** `tare bench train`: tokens/s of a LoRA and a full training step on the Qwen2.5-0.5B-shaped model, as a ratio to the forward, with peak memory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark one training step (forward + backward + clipping + AdamW) of Bradley-Terry reward training:",
                "a LoRA step (q/k/v/o, r=8) and a full step, each against the forward alone on the same pairs, on the randomly",
                "initialised Qwen2.5-0.5B-shaped BF16 checkpoint of `tare bench runtime`, with peak resident memory vs the weights."})
public final class BenchTrainCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--layers", defaultValue = "24", description = "Decoder layers of the LoRA model (default: ${DEFAULT-VALUE}, as Qwen2.5-0.5B).")
    int layers;

    @Option(names = "--full-layers", defaultValue = "24", description = "Decoder layers of the model fully fine-tuned; 0 skips the full step (default: ${DEFAULT-VALUE}).")
    int fullLayers;

    @Option(names = "--pairs", defaultValue = "2", description = "Preference pairs per step (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--repeats", defaultValue = "2", description = "Timed runs per phase after one warm-up; the best is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--keep-model", paramLabel = "DIR", description = "Write the random checkpoints under DIR and keep them (reused when present).")
    Path keep;

    @Override
    public Integer call() throws Exception {
        if (layers < 1 || fullLayers < 0 || pairs < 1 || seqLen < 2 || repeats < 1)
            throw new CommandLine.ParameterException(spec.commandLine(), "--layers, --pairs, --repeats ≥ 1, --seq-len ≥ 2, --full-layers ≥ 0");
        PrintWriter out = spec.commandLine().getOut();
        RandomQwen2Checkpoint.Shape q = RandomQwen2Checkpoint.QWEN25_05B;
        out.printf(Locale.ROOT, "machine: %d kernel threads, JDK %s, load average %.1f; %d pairs x 2 x %d tokens per step%n", KernelPool.threads(), Runtime.version(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), pairs, seqLen);
        List<int[][]> batch = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < pairs; i++) batch.add(new int[][]{random(r, seqLen, q.vocab()), random(r, seqLen, q.vocab())});
        int[][] ids = TrainBench.sequences(batch);
        Path root = keep != null ? keep : Files.createTempDirectory("tare-bench-train");
        try {
            Path loraDir = model(root, layers);
            TrainBench.Phase inf = TrainBench.inferenceForward(loraDir, ids, repeats);
            TrainBench.resetPeak();
            TrainBench.Phase fwd, step;
            try (GradDecoder d = TrainBench.lora(loraDir)) {
                fwd = TrainBench.trainingForward(d, ids, repeats);
                step = TrainBench.step("LoRA step", d, batch, repeats);
            }
            long weights = RandomQwen2Checkpoint.weightBytes(shape(layers));
            out.printf(Locale.ROOT, "Qwen2.5-0.5B shape, %d layers, BF16 weights %.2f GB:%n", layers, weights / 1e9);
            line(out, inf, inf);
            line(out, fwd, inf);
            line(out, step, inf);
            out.printf(Locale.ROOT, "  LoRA step = %.2f x the inference forward, %.2f x the training-path forward (target <= 3.5); peak RSS %.2f GB = %.1f x the weights, live heap after GC %.2f GB%n",
                    step.seconds() / inf.seconds(), step.seconds() / fwd.seconds(), step.peakRss() / 1e9, (double) step.peakRss() / weights, step.liveHeap() / 1e9);
            if (fullLayers > 0) {
                Path fullDir = fullLayers == layers ? loraDir : model(root, fullLayers);
                TrainBench.Phase finf = fullLayers == layers ? inf : TrainBench.inferenceForward(fullDir, ids, repeats);
                TrainBench.resetPeak();
                TrainBench.Phase full;
                try (GradDecoder d = TrainBench.full(fullDir)) {
                    full = TrainBench.step("full step", d, batch, repeats);
                }
                long fw = RandomQwen2Checkpoint.weightBytes(shape(fullLayers));
                out.printf(Locale.ROOT, "full fine-tuning, %d layers (every weight trainable, float32 values + gradients + AdamW moments):%n", fullLayers);
                line(out, full, finf);
                out.printf(Locale.ROOT, "  full step = %.2f x the inference forward; peak RSS %.2f GB = %.1f x the BF16 weights (%.1f x their float32 size), live heap after GC %.2f GB%n",
                        full.seconds() / finf.seconds(), full.peakRss() / 1e9, (double) full.peakRss() / fw, (double) full.peakRss() / (2.0 * fw), full.liveHeap() / 1e9);
            }
        } finally {
            if (keep == null) dev.tare.data.AtomicFiles.deleteTree(root);
        }
        return 0;
    }

    private static void line(PrintWriter out, TrainBench.Phase p, TrainBench.Phase ref) {
        out.printf(Locale.ROOT, "  %-22s %8.3f s  %8.1f tokens/s  (%.2f x the inference forward's time)%n", p.name(), p.seconds(), p.tokensPerSecond(), p.seconds() / ref.seconds());
    }

    private static RandomQwen2Checkpoint.Shape shape(int layers) {
        RandomQwen2Checkpoint.Shape q = RandomQwen2Checkpoint.QWEN25_05B;
        return new RandomQwen2Checkpoint.Shape(layers, q.hidden(), q.heads(), q.kvHeads(), q.intermediate(), q.vocab());
    }

    private static Path model(Path root, int layers) {
        Path dir = root.resolve("qwen2.5-0.5b-shape-" + layers + "-layers");
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) RandomQwen2Checkpoint.write(dir, shape(layers), 1234, System.err);
        return dir;
    }

    private static int[] random(SplittableRandom r, int len, int vocab) {
        int[] a = new int[len];
        for (int i = 0; i < len; i++) a[i] = r.nextInt(vocab - 1000);
        return a;
    }
}
