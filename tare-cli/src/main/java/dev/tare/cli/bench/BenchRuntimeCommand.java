package dev.tare.cli.bench;

import dev.tare.demo.bench.MatmulBench;
import dev.tare.demo.bench.ModelBench;
import dev.tare.demo.bench.RuntimeBench;
import dev.tare.demo.bench.TorchBench;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.PackedLinear;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--model-repeats", description = "Timed model forward runs after the warm-up: untimed forwards until the JIT has settled (5 to 15, at most 120 s: the last two no more than 5 %% faster than the best before them) (default: 3, quick: 1).")
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

    @Option(names = "--compare-torch", description = "Also run tools/bench/torch_bench.py's plain-torch Qwen2 forward (needs python3-torch) "
            + "on the same checkpoint, ids and threads, in f32 and in bf16 (oneDNN, AMX where the CPU has it).")
    boolean compareTorch;

    @Option(names = "--compare-hf", description = "As --compare-torch, plus transformers' own Qwen2ForSequenceClassification forward "
            + "in f32 and bf16 (needs a Python with transformers: --python).")
    boolean compareHf;

    @Option(names = "--baseline-dtypes", split = ",", paramLabel = "DTYPE",
            description = "Which torch/transformers baselines to run: f32, bf16 or both (default: f32,bf16; f32 alone on a CPU without bf16 "
                    + "instructions, where torch's bf16 forward is emulated and takes minutes).")
    List<String> baselineDtypes;

    @Option(names = "--kernels", split = ",", paramLabel = "KERNEL", converter = KernelConverter.class,
            description = "tare kernels to run the model with, each loading the checkpoint anew, e.g. java,native (Java-kernel runs go first) (default: the one -Dtare.kernel selects).")
    List<Kernels.Choice> kernels;

    @Option(names = "--torch-script", paramLabel = "FILE", description = "Path of torch_bench.py (default: found from the working directory or the jar).")
    Path torchScript;

    @Option(names = "--python", description = "Python interpreter with torch (default: /usr/bin/python3 if it exists, else python3).")
    String python;

    @Option(names = "--skip-matmul", description = "Skip the kernel-only matmul shapes.")
    boolean skipMatmul;

    @Option(names = "--skip-model", description = "Skip the model forward.")
    boolean skipModel;

    @Option(names = "--interleave", description = "Time tare's forwards and the baselines' in turn, one forward each (the baselines "
            + "stay loaded and wait between their forwards), so both sides see the same load on a shared machine; needs one --kernels "
            + "value and --compare-torch or --compare-hf.")
    boolean interleave;

    @Override
    public Integer call() throws Exception {
        RuntimeBench.Options d = RuntimeBench.Options.defaults(quick);
        List<TorchBench.Variant> baselines = baselines(compareTorch, compareHf, baselineDtypes);
        var o = new RuntimeBench.Options(quick, or(repeats, d.repeats()), or(modelRepeats, d.modelRepeats()), or(layers, d.layers()),
                or(seqLen, d.seqLen()), or(sequences, d.sequences()), keepModel, kernels == null ? d.kernels() : kernels, baselines,
                torchScript, python, skipMatmul, skipModel, interleave);
        render(RuntimeBench.run(o, System.err), spec.commandLine().getOut());
        return 0;
    }

    /** java, native, native-f32, auto or reference, as -Dtare.kernel spells them. */
    static final class KernelConverter implements CommandLine.ITypeConverter<Kernels.Choice> {
        @Override public Kernels.Choice convert(String v) {
            return Kernels.Choice.of(v).orElseThrow(() ->
                    new CommandLine.TypeConversionException("expected " + Kernels.Choice.spellings() + ", got '" + v + "'"));
        }
    }

    private static int or(Integer given, int otherwise) { return given != null ? given : otherwise; }

    /** The torch baselines --compare-torch / --compare-hf ask for, kept to {@code dtypes} (f32, bf16; null: both). */
    static List<TorchBench.Variant> baselines(boolean torch, boolean hf, List<String> dtypes) {
        java.util.Set<String> keep = new java.util.LinkedHashSet<>();
        for (String d : dtypes == null ? List.of("f32", "bf16") : dtypes) {
            String v = d.strip().toLowerCase(java.util.Locale.ROOT);
            if (!v.equals("f32") && !v.equals("bf16"))
                throw new CommandLine.ParameterException(new CommandLine(new BenchRuntimeCommand()), "--baseline-dtypes: expected f32 or bf16, got '" + d + "'");
            keep.add(v);
        }
        List<TorchBench.Variant> out = new ArrayList<>();
        if (torch || hf) out.addAll(List.of(TorchBench.Variant.PLAIN_F32, TorchBench.Variant.PLAIN_BF16));
        if (hf) out.addAll(List.of(TorchBench.Variant.HF_F32, TorchBench.Variant.HF_BF16));
        out.removeIf(v -> !keep.contains(v.dtype()));
        return out;
    }

    static void render(RuntimeBench.Result r, PrintWriter out) {
        var m = r.machine();
        out.printf("kernel: %s (-D%s=%s; `tare bench kernel` compares java and native)%n",
                Kernels.describe(), Kernels.PROPERTY, Kernels.Choice.spellings());
        out.printf("machine: %d kernel threads (available processors %d), JDK %s, %d-bit matrix kernels (preferred vector %d bits),"
                        + " Java kernel tiles in panel groups of <= %d KiB of weights (-Dtare.kernel.groupBytes)%n",
                m.threads(), m.processors(), m.jdk(), m.matrixBits(), m.preferredBits(), PackedLinear.groupBytes() >> 10);
        out.printf("f32 FMA peak (Vector API, best of runs): %.1f GFLOP/s on %d threads, %.1f on 1 thread; %.1f per CPU-second%n",
                r.peak().wall(), m.threads(), r.peakOneThread(), r.peak().perCpuSecond());
        out.printf("load average %.1f on %d processors%s%n", m.loadAverage(), m.processors(),
                m.busy() ? " (busy machine: wall-clock figures are low; the per-CPU-second ones are steadier)" : "");
        if (r.model() != null) model(r, out);
        if (!r.matmul().isEmpty()) matmul(r, out);
        out.printf("f32 FMA peak re-measured at the end: %.1f GFLOP/s; against the higher peak %.1f:%s%s%n", r.peakAgain(), r.bestPeak(),
                r.model() == null ? "" : r.model().tare().stream()
                        .map(t -> String.format(" forward [%s] %.0f%%", t.kernel().property(), 100 * r.model().gflops(t.median()) / r.bestPeak()))
                        .collect(java.util.stream.Collectors.joining(",")),
                r.matmulBestShape() > 0 ? String.format(", best matmul median %.0f%%", 100 * r.matmulBestShape() / r.bestPeak()) : "");
    }

    private static void model(RuntimeBench.Result res, PrintWriter out) {
        RuntimeBench.Model md = res.model();
        var shape = md.shape();
        int n = md.sequences(), len = md.seqLen();
        out.printf("model: random Qwen2 seq-cls, %d layers, hidden %d, heads %d/%d, intermediate %d, vocab %d; BF16 weights %.1f MiB%n",
                shape.layers(), shape.hidden(), shape.heads(), shape.kvHeads(), shape.intermediate(), shape.vocab(), md.weightBytes() / 1048576.0);
        out.printf("input: %d sequences x %d tokens; %.1f GFLOP per run (2 x %.1fM linear params per token + causal attention;"
                        + " the last layer's queries, attention and MLP only for the score token: %.1f GFLOP for a full forward)%n",
                n, len, md.flops() / 1e9, shape.linearParams() / 1e6, n * shape.forwardFlops(len) / 1e9);
        for (RuntimeBench.TareRun t : md.tare()) {
            ModelBench.Result r = t.result();
            double[] tps = r.tokensPerSecond();
            double med = t.median(), gf = md.gflops(med);
            String name = "tare [" + t.kernel().property() + "]";
            out.printf("%s kernel: %s%n", name, t.description());
            double[] w = r.warmupSeconds();
            out.printf("%s warm-up: %d untimed forwards (%s s) until the JIT settled%n", name, w.length,
                    java.util.Arrays.stream(w).mapToObj(x -> String.format("%.2f", x)).collect(java.util.stream.Collectors.joining(", ")));
            out.printf("%s: load+pack %.1f s; %.1f tokens/s median (%.1f–%.1f over %d runs); %.1f GFLOP/s = %.0f%% of measured f32 peak%n",
                    name, r.loadSeconds(), med, tps[0], tps[tps.length - 1], tps.length, gf, 100 * gf / res.peak().wall());
            double gfCpu = md.gflops(r.tokensPerCpuSecond());
            out.printf("%s per CPU-second: %.1f tokens, %.1f GFLOP = %.0f%% of the per-CPU-second f32 peak%n",
                    name, r.tokensPerCpuSecond(), gfCpu, 100 * gfCpu / res.peak().perCpuSecond());
            mem(out, name + " memory after load", r.afterLoad(), md.weightBytes());
            mem(out, name + " memory after runs", r.afterRun(), md.weightBytes());
            out.printf("%s peak VmHWM %.0f MiB (the process's, since it started)%n", name, r.rssPeak() / 1048576.0);
        }
        for (TorchBench.Outcome o : md.torch()) {
            switch (o) {
                case TorchBench.Failed f -> out.println("baseline unavailable: " + f.reason());
                case TorchBench.Ran t -> {
                    double[] tps = t.tokensPerSecond();
                    out.printf("%s (torch %s%s, %d threads%s): %.1f tokens/s median (%.1f–%.1f over %d runs)%s%n",
                            t.variant().label(), t.torchVersion(),
                            t.transformersVersion() == null ? "" : ", transformers " + t.transformersVersion()
                                    + (t.attention() == null ? "" : ", attention " + t.attention()),
                            t.threads(), t.variant().equals(TorchBench.Variant.PLAIN_F32) ? ", BLAS: " + t.blas() : "",
                            t.median(), tps[0], tps[tps.length - 1], tps.length,
                            t.tokensPerCpuSecond() > 0 ? String.format("; %.1f per CPU-second", t.tokensPerCpuSecond()) : "");
                }
            }
        }
        var ran = md.torch().stream().filter(TorchBench.Ran.class::isInstance).map(TorchBench.Ran.class::cast).toList();
        if (!md.tare().isEmpty() && !ran.isEmpty()) {
            out.println("ratios in this run (tokens/s median; per CPU-second; largest score difference):");
            for (RuntimeBench.TareRun t : md.tare())
                for (TorchBench.Ran b : ran) {
                    double[] diff = RuntimeBench.Model.scoreDiff(t, b);
                    double tc = t.result().tokensPerCpuSecond();
                    out.printf("  tare [%s] / %-20s %5.2f x%s; max |diff| %.2e (max |score| %.3f)%n", t.kernel().property(),
                            b.variant().label(), t.median() / b.median(),
                            tc > 0 && b.tokensPerCpuSecond() > 0 ? String.format("; %5.2f x per CPU-second", tc / b.tokensPerCpuSecond()) : "",
                            diff[0], diff[1]);
                    double[] paired = res.options().interleave() ? RuntimeBench.pairedRatios(t.result(), b) : new double[0];
                    if (paired.length > 0)
                        out.printf("    forward by forward, side by side (--interleave): median %.2f x (%.2f–%.2f over %d pairs)%n",
                                paired[paired.length / 2], paired[0], paired[paired.length - 1], paired.length);
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
        out.printf("%s: VmRSS %.0f MiB = %.2f x weights (%.0f MiB); anon %.0f + file-mapped %.0f MiB; "
                        + "Java heap used %.0f of %.0f MiB committed%n",
                when, m.rss() / mib, (double) m.rss() / weightBytes, weightBytes / mib, m.anon() / mib, m.file() / mib,
                m.heapUsed() / mib, m.heapCommitted() / mib);
    }
}
