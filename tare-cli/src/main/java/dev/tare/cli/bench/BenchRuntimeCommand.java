package dev.tare.cli.bench;

import java.io.PrintWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.core.Progress;
import dev.tare.demo.generate.RandomQwen2Checkpoint;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.kernel.PeakFlops;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

// Over 150 lines: the report of one benchmark run (peak, model, matmul, optional PyTorch comparison) printed as measured; the measuring is PeakFlops', ModelBench's and MatmulBench's.
/** `tare bench runtime`: measured f32 peak, matmul kernel GFLOP/s, and a random Qwen2.5-0.5B-shaped model forward. */
@Command(name = "runtime", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark the CPU kernels and the model runtime against this machine's measured f32 peak.",
                "Writes a randomly initialised Qwen2.5-0.5B-shaped BF16 checkpoint to a temporary folder, loads it like a "
                        + "real one and scores fixed random token sequences."})
public final class BenchRuntimeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Small shapes, 4 layers, 2 x 256 tokens, few repeats (about a minute).")
    boolean quick;

    @Option(names = "--repeats", description = "Timed repeats per matmul shape (default: 10, quick: 3).")
    Integer repeats;

    @Option(names = "--model-repeats", description = "Timed model forward runs after one warm-up (default: 3, quick: 1).")
    Integer modelRepeats;

    @Option(names = "--layers", description = "Decoder layers of the random model (default: 24, quick: 4).")
    Integer layers;

    @Option(names = "--seq-len", description = "Tokens per sequence (default: 512, quick: 256).")
    Integer seqLen;

    @Option(names = "--sequences", description = "Sequences scored per run (default: 4, quick: 2).")
    Integer sequences;

    @Option(names = "--keep-model", paramLabel = "DIR",
            description = "Write the random checkpoint and ids.json to DIR and keep them (reused when present).")
    Path keepModel;

    @Option(names = "--compare-torch", description = "Also run tools/bench/torch_bench.py (needs python3-torch) on the same checkpoint and inputs.")
    boolean compareTorch;

    @Option(names = "--torch-script", paramLabel = "FILE", description = "Path of torch_bench.py (default: found from the working directory or the jar).")
    Path torchScript;

    @Option(names = "--python", description = "Python interpreter with torch (default: /usr/bin/python3 if it exists, else python3).")
    String python;

    @Option(names = "--skip-matmul", description = "Skip the kernel-only matmul shapes.")
    boolean skipMatmul;

    @Option(names = "--skip-model", description = "Skip the model forward.")
    boolean skipModel;

    private double forwardGflops, matmulBestShape;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        int reps = repeats != null ? repeats : quick ? 3 : 10;
        int threads = KernelPool.threads();
        out.printf("machine: %d kernel threads (available processors %d), JDK %s, %d-bit matrix kernels (preferred vector %d bits)%n",
                threads, Runtime.getRuntime().availableProcessors(), Runtime.version(),
                dev.tare.runtime.kernel.PackedLinear.defaultVectorBits(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        err.println("measuring f32 FMA peak ...");
        PeakFlops.Result pk = PeakFlops.measureBoth(threads, quick ? 0.3 : 1.0, quick ? 2 : 5);
        double peak = pk.wall(), peak1 = PeakFlops.measure(1, quick ? 0.3 : 1.0, quick ? 2 : 3);
        out.printf("f32 FMA peak (Vector API, best of runs): %.1f GFLOP/s on %d threads, %.1f on 1 thread; %.1f per CPU-second%n",
                peak, threads, peak1, pk.perCpuSecond());
        out.printf("load average %.1f on %d processors%s%n", loadAverage(), Runtime.getRuntime().availableProcessors(),
                loadAverage() > Runtime.getRuntime().availableProcessors() * 0.5 ? " (busy machine: wall-clock figures are low; the per-CPU-second ones are steadier)" : "");
        // the model runs first so that its memory figures are not inflated by the matmul phase's garbage
        if (!skipModel || compareTorch) model(out, err, pk);
        if (!skipMatmul) matmul(out, err, reps, pk);
        // the machine's load may have changed while the phases ran: re-measure and restate the ratios against the
        // higher of the two peaks (the conservative reading)
        err.println("re-measuring f32 FMA peak ...");
        double again = PeakFlops.measure(threads, quick ? 0.3 : 1.0, quick ? 2 : 5), best = Math.max(peak, again);
        out.printf("f32 FMA peak re-measured at the end: %.1f GFLOP/s; against the higher peak %.1f:%s%s%n", again, best,
                forwardGflops > 0 ? String.format(" forward %.0f%%", 100 * forwardGflops / best) : "",
                matmulBestShape > 0 ? String.format(", best matmul median %.0f%%", 100 * matmulBestShape / best) : "");
        return 0;
    }

    private void matmul(PrintWriter out, PrintStream err, int reps, PeakFlops.Result pk) {
        double peak = pk.wall();
        int[][] shapes = quick ? new int[][] {{128, 896, 1024}, {1, 896, 4864}}
                : new int[][] {{512, 896, 4864}, {512, 4864, 896}, {512, 4096, 4096}, {1, 896, 4864}, {1, 4096, 4096}};
        Progress p = Progress.on(err, "matmul shapes", shapes.length * 2L);
        int done = 0;
        StringBuilder table = new StringBuilder();
        for (int[] s : shapes)
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                MatmulBench.Result r = MatmulBench.run(s[0], s[1], s[2], dt, reps, 1234);
                if (s[0] > 1) matmulBestShape = Math.max(matmulBestShape, r.median());
                table.append(String.format("  %4d x %4d x %4d  %-4s  median %6.1f  (best %6.1f, worst %6.1f) GFLOP/s  %3.0f%% of peak%s%n",
                        s[0], s[1], s[2], dt, r.median(), r.best(), r.worst(), 100 * r.median() / peak,
                        Double.isNaN(r.perCpuSecond()) ? "" : String.format("; per CPU-second %.1f = %.0f%%",
                                r.perCpuSecond(), 100 * r.perCpuSecond() / pk.perCpuSecond())));
                p.update(++done);
            }
        p.close();
        out.println("matmul y = x·Wᵀ, rows x in x out, f32 accumulation, " + reps + " repeats:");
        out.print(table);
    }

    private void model(PrintWriter out, PrintStream err, PeakFlops.Result pk) throws IOException, InterruptedException {
        RandomQwen2Checkpoint.Shape base = RandomQwen2Checkpoint.QWEN25_05B;
        RandomQwen2Checkpoint.Shape shape = new RandomQwen2Checkpoint.Shape(layers != null ? layers : quick ? 4 : base.layers(),
                base.hidden(), base.heads(), base.kvHeads(), base.intermediate(), base.vocab());
        int len = seqLen != null ? seqLen : quick ? 256 : 512;
        int n = sequences != null ? sequences : quick ? 2 : 4;
        int runs = modelRepeats != null ? modelRepeats : quick ? 1 : 3;
        if (shape.layers() < 1 || len < 1 || n < 1 || runs < 1) throw new IllegalArgumentException("--layers, --seq-len, --sequences and --model-repeats must be ≥ 1");
        Path dir = keepModel != null ? keepModel : Files.createTempDirectory("tare-bench-model");
        try {
            double peak = pk.wall();
            long weightBytes = RandomQwen2Checkpoint.weightBytes(shape);
            Path st = dir.resolve("model.safetensors");
            if (keepModel != null && Files.exists(st) && Files.size(st) > weightBytes && sameConfig(dir, shape))
                err.println("reusing the checkpoint in " + dir);
            else
                RandomQwen2Checkpoint.write(dir, shape, 20251123L, err);
            int[][] ids = randomIds(n, len, 7);
            Path idsFile = dir.resolve("ids.json");
            Files.writeString(idsFile, new ObjectMapper().writeValueAsString(ids), StandardCharsets.UTF_8);
            double flops = n * shape.forwardFlops(len);
            out.printf("model: random Qwen2 seq-cls, %d layers, hidden %d, heads %d/%d, intermediate %d, vocab %d; BF16 weights %.1f MiB%n",
                    shape.layers(), shape.hidden(), shape.heads(), shape.kvHeads(), shape.intermediate(), shape.vocab(), weightBytes / 1048576.0);
            out.printf("input: %d sequences x %d tokens; %.1f GFLOP per run (2 x %.1fM linear params per token + causal attention)%n",
                    n, len, flops / 1e9, shape.linearParams() / 1e6);
            float[] tareScores = null;
            double tareTps = 0, tareTpsCpu = 0;
            if (!skipModel) {
                ModelBench.Result r = ModelBench.run(dir, ids, runs, err);
                double[] tps = r.tokensPerSecond();
                double med = tps[tps.length / 2];
                double gf = med * flops / ((double) n * len) / 1e9;
                forwardGflops = gf;
                out.printf("tare: load+pack %.1f s; %.1f tokens/s median (%.1f–%.1f over %d runs); %.1f GFLOP/s = %.0f%% of measured peak%n",
                        r.loadSeconds(), med, tps[0], tps[tps.length - 1], tps.length, gf, 100 * gf / peak);
                double gfCpu = r.tokensPerCpuSecond() * flops / ((double) n * len) / 1e9;
                out.printf("tare per CPU-second: %.1f tokens, %.1f GFLOP = %.0f%% of the per-CPU-second peak%n",
                        r.tokensPerCpuSecond(), gfCpu, 100 * gfCpu / pk.perCpuSecond());
                mem(out, "after load", r.afterLoad(), weightBytes);
                mem(out, "after runs", r.afterRun(), weightBytes);
                out.printf("tare peak VmHWM %.0f MiB%n", r.rssPeak() / 1048576.0);
                tareScores = r.scores();
                tareTps = med;
                tareTpsCpu = r.tokensPerCpuSecond();
            }
            if (compareTorch) torch(out, err, dir, idsFile, tareTps, tareTpsCpu, tareScores);
        } finally {
            if (keepModel == null) deleteTree(dir);
        }
    }

    private static void mem(PrintWriter out, String when, ModelBench.Memory m, long weightBytes) {
        double mib = 1048576.0;
        out.printf("tare memory %s: VmRSS %.0f MiB = %.2f x weights (%.0f MiB); anon %.0f + file-mapped %.0f MiB; "
                        + "Java heap used %.0f of %.0f MiB committed%n",
                when, m.rss() / mib, (double) m.rss() / weightBytes, weightBytes / mib, m.anon() / mib, m.file() / mib,
                m.heapUsed() / mib, m.heapCommitted() / mib);
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
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

    /** Seeded random token ids below the pad id (so the score is read at each sequence's last token). */
    static int[][] randomIds(int n, int len, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] ids = new int[n][len];
        for (int[] row : ids) for (int i = 0; i < len; i++) row[i] = rnd.nextInt(RandomQwen2Checkpoint.PAD_ID);
        return ids;
    }

    private void torch(PrintWriter out, PrintStream err, Path dir, Path idsFile, double tareTokensPerSecond,
                       double tareTokensPerCpuSecond, float[] tareScores)
            throws IOException, InterruptedException {
        Path script = torchScript != null ? torchScript : findTorchScript();
        if (script == null || !Files.isRegularFile(script)) {
            out.println("torch: tools/bench/torch_bench.py not found (pass --torch-script FILE)");
            return;
        }
        String py = python != null ? python : Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        List<String> cmd = List.of(py, script.toString(), "--model", dir.toString(), "--ids", idsFile.toString(),
                "--threads", Integer.toString(Runtime.getRuntime().availableProcessors()),
                "--repeats", Integer.toString(modelRepeats != null ? modelRepeats : quick ? 1 : 3));
        err.println("running " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        // Debian's torch links the reference libblas unless the alternative points elsewhere; prefer OpenBLAS when present
        Path openblas = Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread");
        String blas = "system libblas.so.3";
        if (System.getenv("LD_LIBRARY_PATH") == null && Files.isRegularFile(openblas.resolve("libblas.so.3"))) {
            pb.environment().put("LD_LIBRARY_PATH", openblas.toString());
            blas = "OpenBLAS (" + openblas + ")";
        }
        Process proc = pb.start();
        String stdout = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!proc.waitFor(1, TimeUnit.HOURS)) proc.destroy();
        if (proc.exitValue() != 0 || stdout.isEmpty()) {
            out.println("torch: " + py + " " + script + " failed (exit " + proc.exitValue() + "); is python3-torch installed?");
            return;
        }
        String last = stdout.lines().reduce((a, b) -> b).orElse("");
        JsonNode j = new ObjectMapper().readTree(last);
        double[] tps = new double[j.path("tokens_per_s").size()];
        for (int i = 0; i < tps.length; i++) tps[i] = j.path("tokens_per_s").get(i).asDouble();
        Arrays.sort(tps);
        double med = tps[tps.length / 2];
        out.printf("torch %s (%d threads, f32 compute, BLAS: %s): %.1f tokens/s median (%.1f–%.1f over %d runs)%n",
                j.path("torch").asText(), j.path("threads").asInt(), blas, med, tps[0], tps[tps.length - 1], tps.length);
        if (tareTokensPerSecond > 0) out.printf("tare / torch tokens/s: %.2f%n", tareTokensPerSecond / med);
        double torchCpu = j.path("tokens_per_cpu_s").asDouble(0);
        if (torchCpu > 0) out.printf("torch per CPU-second: %.1f tokens%s%n", torchCpu,
                tareTokensPerCpuSecond > 0 ? String.format("; tare / torch per CPU-second: %.2f", tareTokensPerCpuSecond / torchCpu) : "");
        if (tareScores != null) {
            JsonNode s = j.path("scores");
            double maxAbs = 0, maxRef = 0;
            for (int i = 0; i < tareScores.length && i < s.size(); i++) {
                maxAbs = Math.max(maxAbs, Math.abs(tareScores[i] - s.get(i).asDouble()));
                maxRef = Math.max(maxRef, Math.abs(s.get(i).asDouble()));
            }
            out.printf("tare vs torch scores: max |diff| %.2e (max |score| %.3f)%n", maxAbs, maxRef);
        }
    }

    private static Path findTorchScript() {
        Path rel = Path.of("tools", "bench", "torch_bench.py");
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("").toAbsolutePath().resolve(rel));
        try {
            Path jar = Path.of(BenchRuntimeCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) candidates.add(p.resolve(rel));
        } catch (Exception ignored) {
            // no code source: only the working directory is searched
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try { Files.deleteIfExists(p); } catch (IOException e) { throw new UncheckedIOException(e); }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("tare: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
