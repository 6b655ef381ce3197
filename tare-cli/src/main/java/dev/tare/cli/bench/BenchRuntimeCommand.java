package dev.tare.cli.bench;

import dev.tare.demo.bench.MatmulBench;
import dev.tare.demo.bench.ModelBench;
import dev.tare.demo.bench.RuntimeBench;
import dev.tare.demo.bench.TorchBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

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

    @Override
    public Integer call() throws Exception {
        RuntimeBench.Options d = RuntimeBench.Options.defaults(quick);
        var o = new RuntimeBench.Options(quick, or(repeats, d.repeats()), or(modelRepeats, d.modelRepeats()), or(layers, d.layers()),
                or(seqLen, d.seqLen()), or(sequences, d.sequences()), keepModel, compareTorch, torchScript, python, skipMatmul, skipModel);
        render(RuntimeBench.run(o, System.err), spec.commandLine().getOut());
        return 0;
    }

    private static int or(Integer given, int otherwise) { return given != null ? given : otherwise; }

    static void render(RuntimeBench.Result r, PrintWriter out) {
        var m = r.machine();
        out.printf("kernel: %s (-D%s=java|native|auto; `tare bench kernel` compares java and native)%n",
                dev.tare.runtime.kernel.Kernels.describe(), dev.tare.runtime.kernel.Kernels.PROPERTY);
        out.printf("machine: %d kernel threads (available processors %d), JDK %s, %d-bit matrix kernels (preferred vector %d bits)%n",
                m.threads(), m.processors(), m.jdk(), m.matrixBits(), m.preferredBits());
        out.printf("f32 FMA peak (Vector API, best of runs): %.1f GFLOP/s on %d threads, %.1f on 1 thread; %.1f per CPU-second%n",
                r.peak().wall(), m.threads(), r.peakOneThread(), r.peak().perCpuSecond());
        out.printf("load average %.1f on %d processors%s%n", m.loadAverage(), m.processors(),
                m.busy() ? " (busy machine: wall-clock figures are low; the per-CPU-second ones are steadier)" : "");
        if (r.model() != null) model(r, out);
        if (!r.matmul().isEmpty()) matmul(r, out);
        out.printf("f32 FMA peak re-measured at the end: %.1f GFLOP/s; against the higher peak %.1f:%s%s%n", r.peakAgain(), r.bestPeak(),
                r.forwardGflops() > 0 ? String.format(" forward %.0f%%", 100 * r.forwardGflops() / r.bestPeak()) : "",
                r.matmulBestShape() > 0 ? String.format(", best matmul median %.0f%%", 100 * r.matmulBestShape() / r.bestPeak()) : "");
    }

    private static void model(RuntimeBench.Result res, PrintWriter out) {
        RuntimeBench.Model md = res.model();
        var shape = md.shape();
        int n = md.sequences(), len = md.seqLen();
        out.printf("model: random Qwen2 seq-cls, %d layers, hidden %d, heads %d/%d, intermediate %d, vocab %d; BF16 weights %.1f MiB%n",
                shape.layers(), shape.hidden(), shape.heads(), shape.kvHeads(), shape.intermediate(), shape.vocab(), md.weightBytes() / 1048576.0);
        out.printf("input: %d sequences x %d tokens; %.1f GFLOP per run (2 x %.1fM linear params per token + causal attention)%n",
                n, len, md.flops() / 1e9, shape.linearParams() / 1e6);
        ModelBench.Result r = md.tare();
        if (r != null) {
            double[] tps = r.tokensPerSecond();
            double med = md.tareMedian(), gf = md.gflops(med);
            out.printf("tare: load+pack %.1f s; %.1f tokens/s median (%.1f–%.1f over %d runs); %.1f GFLOP/s = %.0f%% of measured peak%n",
                    r.loadSeconds(), med, tps[0], tps[tps.length - 1], tps.length, gf, 100 * gf / res.peak().wall());
            double gfCpu = md.gflops(r.tokensPerCpuSecond());
            out.printf("tare per CPU-second: %.1f tokens, %.1f GFLOP = %.0f%% of the per-CPU-second peak%n",
                    r.tokensPerCpuSecond(), gfCpu, 100 * gfCpu / res.peak().perCpuSecond());
            mem(out, "after load", r.afterLoad(), md.weightBytes());
            mem(out, "after runs", r.afterRun(), md.weightBytes());
            out.printf("tare peak VmHWM %.0f MiB%n", r.rssPeak() / 1048576.0);
        }
        switch (md.torch()) {
            case null -> { }
            case TorchBench.Failed f -> out.println("torch: " + f.reason());
            case TorchBench.Ran t -> {
                double[] tps = t.tokensPerSecond();
                double med = t.median(), tareMed = md.tareMedian(), tareCpu = r == null ? 0 : r.tokensPerCpuSecond();
                out.printf("torch %s (%d threads, f32 compute, BLAS: %s): %.1f tokens/s median (%.1f–%.1f over %d runs)%n",
                        t.torchVersion(), t.threads(), t.blas(), med, tps[0], tps[tps.length - 1], tps.length);
                if (tareMed > 0) out.printf("tare / torch tokens/s: %.2f%n", tareMed / med);
                if (t.tokensPerCpuSecond() > 0) out.printf("torch per CPU-second: %.1f tokens%s%n", t.tokensPerCpuSecond(),
                        tareCpu > 0 ? String.format("; tare / torch per CPU-second: %.2f", tareCpu / t.tokensPerCpuSecond()) : "");
                double[] diff = md.scoreDiff();
                if (diff != null) out.printf("tare vs torch scores: max |diff| %.2e (max |score| %.3f)%n", diff[0], diff[1]);
            }
        }
    }

    private static void matmul(RuntimeBench.Result res, PrintWriter out) {
        double peak = res.peak().wall(), perCpu = res.peak().perCpuSecond();
        out.println("matmul y = x·Wᵀ, rows x in x out, f32 accumulation, " + res.options().repeats() + " repeats:");
        for (MatmulBench.Result r : res.matmul())
            out.printf("  %4d x %4d x %4d  %-4s  median %6.1f  (best %6.1f, worst %6.1f) GFLOP/s  %3.0f%% of peak%s%n",
                    r.rows(), r.in(), r.out(), r.dtype(), r.median(), r.best(), r.worst(), 100 * r.median() / peak,
                    Double.isNaN(r.perCpuSecond()) ? "" : String.format("; per CPU-second %.1f = %.0f%%",
                            r.perCpuSecond(), 100 * r.perCpuSecond() / perCpu));
    }

    private static void mem(PrintWriter out, String when, ModelBench.Memory m, long weightBytes) {
        double mib = 1048576.0;
        out.printf("tare memory %s: VmRSS %.0f MiB = %.2f x weights (%.0f MiB); anon %.0f + file-mapped %.0f MiB; "
                        + "Java heap used %.0f of %.0f MiB committed%n",
                when, m.rss() / mib, (double) m.rss() / weightBytes, weightBytes / mib, m.anon() / mib, m.file() / mib,
                m.heapUsed() / mib, m.heapCommitted() / mib);
    }
}
