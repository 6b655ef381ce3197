package dev.tare.cli.bench;

import dev.tare.demo.bench.KernelBench;
import dev.tare.demo.bench.MatmulBench;
import dev.tare.demo.bench.MemoryBench;
import dev.tare.runtime.kernel.Kernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** `tare bench kernel`: the Java kernels against the native oneDNN f32 and bf16 kernels on Qwen2.5-0.5B matmul shapes. */
@Command(name = "kernel", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time y = x·Wᵀ on the Java kernels (BF16 weights widened to f32, f32 accumulation), on the native "
                + "oneDNN f32 kernel (-Dtare.kernel=native-f32: the BF16 weights widened to f32 per call for oneDNN's sgemm; under "
                + "128 rows it runs the Java kernels) and on the native oneDNN bf16 kernel (x and W "
                + "in bf16, f32 accumulation) with the same BF16 weights and inputs, and print GFLOP/s, the native/java ratio "
                + "and the %% of this machine's measured f32 FMA peak.",
                "The native kernels run on the oneDNN 3.x bundled with tare (linux-x86_64; -Dtare.onednn.lib names another), the "
                        + "bf16 one also needs a CPU with bf16 instructions (AVX-512-BF16 or AMX); without them only the columns that can run are printed."})
public final class BenchKernelCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--repeats", description = "Timed calls per shape and kernel after the warm-up (default: 10).")
    int repeats = 10;

    @Option(names = "--shape", paramLabel = "ROWSxINxOUT", split = ",",
            description = "Shapes to time, e.g. 512x896x4864 (default: the Qwen2.5-0.5B shapes 512x896x4864, 512x896x896, 512x4864x896, 1x896x4864).")
    String[] shapes;

    @Option(names = "--memory-mib", paramLabel = "MIB",
            description = "Also time one-row products (generation) cycling through this many MiB of BF16 weights, more than "
                    + "the caches hold, against the measured memory read bandwidth; 0 skips it (default: 1024).")
    long memoryMiB = 1024;

    @Override
    public Integer call() {
        // checked before the kernel timings, which come first and take a while
        if (memoryMiB != 0 && (memoryMiB < MemoryBench.MIN_MIB || memoryMiB > MemoryBench.MAX_MIB))
            throw new CommandLine.ParameterException(spec.commandLine(), "--memory-mib " + memoryMiB + ": expected 0 (skip) or "
                    + MemoryBench.MIN_MIB + ".." + MemoryBench.MAX_MIB);
        if (repeats < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--repeats " + repeats + ": expected at least 1");
        int[][] s = shapes == null ? KernelBench.QWEN25_05B : parse(shapes, spec.commandLine());
        render(KernelBench.run(s, repeats, memoryMiB, System.err), spec.commandLine().getOut());
        return 0;
    }

    private static int[][] parse(String[] shapes, CommandLine cl) {
        int[][] out = new int[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            String[] p = shapes[i].trim().toLowerCase().split("x");
            try {
                if (p.length != 3) throw new NumberFormatException();
                out[i] = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
                if (out[i][0] <= 0 || out[i][1] <= 0 || out[i][2] <= 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(cl,
                        "--shape " + shapes[i] + ": expected ROWSxINxOUT with positive integers, e.g. 512x896x4864");
            }
        }
        return out;
    }

    static void render(KernelBench.Result r, PrintWriter out) {
        out.printf("kernel selected by -D%s: %s%n", Kernels.PROPERTY, Kernels.describe());
        out.printf("native: %s%n", r.nativeOff() == null ? r.nativeDescription() : "off (" + r.nativeOff() + ")");
        double peak = r.peak().wall();
        out.printf("f32 FMA peak (Vector API): %.1f GFLOP/s on %d threads (%.1f per CPU-second)%n", peak, r.threads(), r.peak().perCpuSecond());
        KernelBench.Tile t = r.tile();
        out.printf("Java register tile alone (%d-bit, 8 rows x 32 outputs, cache-resident, 1 thread): BF16 %.1f GFLOP/s = %.0f%%, "
                + "F32 %.1f = %.0f%% of one thread's f32 peak (%.1f)%n", t.vectorBits(), t.bf16(), 100 * t.bf16() / t.peakOneThread(),
                t.f32(), 100 * t.f32() / t.peakOneThread(), t.peakOneThread());
        out.println("y = x·Wᵀ, BF16 weights, rows x in x out; median GFLOP/s (best) and % of the f32 peak:");
        for (KernelBench.Row row : r.rows()) {
            MatmulBench.Result j = row.java(), f = row.nativeF32(), n = row.nativeBf16();
            out.printf("  %4d x %4d x %4d  java %7.1f (%7.1f) %4.0f%%", j.rows(), j.in(), j.out(), j.median(), j.best(), 100 * j.median() / peak);
            if (f != null)
                out.printf("   native-f32 %7.1f (%7.1f) %4.0f%%", f.median(), f.best(), 100 * f.median() / peak);
            if (n != null)
                out.printf("   native %7.1f (%7.1f) %4.0f%%   native/java %.2f  [%s]", n.median(), n.best(), 100 * n.median() / peak,
                        row.ratio(), row.nativeImpl());
            out.println();
        }
        MemoryBench.Result m = r.memory();
        if (m != null) {
            out.printf("memory read bandwidth: %.1f GB/s on %d threads%n", m.readGBs(), r.threads());
            out.printf("rows = 1 through %d x %d x %d BF16 weights (%.0f MiB): java %.1f GB/s of weights = %.0f%% of the read bandwidth",
                    m.matrices(), MemoryBench.IN, MemoryBench.OUT, m.weightBytes() / 1048576.0, m.javaGBs(), 100 * m.javaShare());
            if (!Double.isNaN(m.nativeGBs())) out.printf("; native %.1f GB/s = %.0f%%", m.nativeGBs(), 100 * m.nativeShare());
            out.println();
        }
    }
}
