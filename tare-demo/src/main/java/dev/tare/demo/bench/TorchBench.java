package dev.tare.demo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tools/bench/torch_bench.py on a checkpoint and token ids, for the comparisons in `tare bench runtime`: a plain-torch
 * Qwen2 forward or transformers' own model class, in f32 or bf16.
 */
public final class TorchBench {
    /** Which PyTorch forward: {@code plain} torch ops or {@code transformers}' model class, in {@code f32} or {@code bf16}. */
    public record Variant(String engine, String dtype) {
        public static final Variant PLAIN_F32 = new Variant("plain", "f32"), PLAIN_BF16 = new Variant("plain", "bf16"),
                HF_F32 = new Variant("transformers", "f32"), HF_BF16 = new Variant("transformers", "bf16");

        public Variant {
            if (!engine.equals("plain") && !engine.equals("transformers")) throw new IllegalArgumentException("engine: plain or transformers, got " + engine);
            if (!dtype.equals("f32") && !dtype.equals("bf16")) throw new IllegalArgumentException("dtype: f32 or bf16, got " + dtype);
        }

        /** e.g. "plain torch, bf16" or "transformers, f32". */
        public String label() { return (engine.equals("plain") ? "plain torch" : "transformers") + ", " + dtype; }
    }

    /** What the PyTorch run gave: a measurement, or why there is none. */
    public sealed interface Outcome permits Ran, Failed {}

    /**
     * The script's figures: the versions (transformers null for plain torch) and attention implementation transformers
     * chose, tokens/s per run (sorted ascending, and in the order they ran), per CPU-second (0 when not reported), and the
     * scores.
     */
    public record Ran(Variant variant, String torchVersion, String transformersVersion, String attention, int threads, String blas,
                      double[] tokensPerSecond, double[] inRunOrder, double tokensPerCpuSecond, double[] scores) implements Outcome {
        public double median() { return tokensPerSecond[tokensPerSecond.length / 2]; }
    }

    /** No figures: the reason, as one line. */
    public record Failed(String reason) implements Outcome, Start {}

    /** A started script ({@link #start}): a handle, or why it could not start. */
    public sealed interface Start permits Stepped, Failed {}

    private TorchBench() {}

    /**
     * Runs {@code script} (null: found from the working directory or the jar) with {@code python} (null: /usr/bin/python3
     * when it exists, else python3), preferring OpenBLAS when present, for one {@link Variant}; the script's stderr goes
     * to this process's; transformers missing from that Python is a {@link Failed} saying so.
     */
    public static Outcome run(Path script, String python, Path model, Path idsFile, int repeats, Variant variant, java.io.PrintStream err)
            throws IOException, InterruptedException {
        return switch (start(script, python, model, idsFile, repeats, variant, false, err)) {
            case Stepped s -> s.finish();
            case Failed f -> f;
        };
    }

    /**
     * A baseline whose timed forwards run one at a time on request ({@code --stepped}): after {@link #start} has seen
     * its warm-up end, each {@link #step} runs one timed forward and returns when it is done, so a caller can interleave
     * its own runs with them (both then see the same load on a shared machine); {@link #finish} reads the figures.
     */
    public static final class Stepped implements AutoCloseable, Start {
        private final Process proc;
        private final java.io.BufferedReader out;
        private final java.io.Writer in;
        private final Variant variant;
        private final String py, script, blas, coreType;
        private final StringBuilder rest = new StringBuilder();
        private boolean closed;

        private Stepped(Process proc, Variant variant, String py, String script, String blas, String coreType) {
            this.proc = proc;
            this.out = new java.io.BufferedReader(new java.io.InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
            this.in = new java.io.OutputStreamWriter(proc.getOutputStream(), StandardCharsets.UTF_8);
            this.variant = variant;
            this.py = py;
            this.script = script;
            this.blas = blas;
            this.coreType = coreType;
        }

        /** Reads stdout until {@code want}; false when the script ended first (what it printed is kept for {@link #finish}). */
        private boolean await(String want) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals(want)) return true;
                rest.append(line).append('\n');
            }
            return false;
        }

        /** Runs one timed forward; false when the script has ended (an error, or all its repeats done). */
        public boolean step() throws IOException {
            if (closed) return false;
            try {
                in.write("go\n");
                in.flush();
            } catch (IOException e) {   // the script has exited: finish() reports why
                return false;
            }
            return await("done");
        }

        /** Closes the script's stdin (it stops after the forward in progress) and reads its figures. */
        public Outcome finish() throws IOException, InterruptedException {
            close();
            for (String line; (line = out.readLine()) != null; ) rest.append(line).append('\n');
            if (!proc.waitFor(1, TimeUnit.HOURS)) proc.destroy();
            return parse(rest.toString().trim(), proc.exitValue(), variant, py, script, blas, coreType);
        }

        @Override public void close() throws IOException {
            if (closed) return;
            closed = true;
            try {
                in.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /**
     * Starts the script for {@code variant} ({@code stepped}: with {@code --stepped}, waiting until its warm-up has
     * ended): a {@link Stepped} handle, or a {@link Failed} when it cannot run.
     */
    public static Start start(Path script, String python, Path model, Path idsFile, int repeats, Variant variant, boolean stepped,
                              java.io.PrintStream err) throws IOException {
        if (script == null) script = findScript();
        if (script == null || !Files.isRegularFile(script))
            return new Failed("tools/bench/torch_bench.py not found (pass --torch-script FILE)");
        String py = python != null ? python : Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        List<String> cmd = new ArrayList<>(List.of(py, script.toString(), "--model", model.toString(), "--ids", idsFile.toString(),
                "--threads", Integer.toString(dev.tare.runtime.kernel.KernelPool.threads()), "--repeats", Integer.toString(repeats),
                "--engine", variant.engine(), "--dtype", variant.dtype()));
        if (stepped) cmd.add("--stepped");
        err.println("running " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        // Debian's torch links the reference libblas unless the alternative points elsewhere; prefer OpenBLAS when present
        Path openblas = Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread");
        String blas = "system libblas.so.3";
        if (System.getenv("LD_LIBRARY_PATH") == null && Files.isRegularFile(openblas.resolve("libblas.so.3"))) {
            pb.environment().put("LD_LIBRARY_PATH", openblas.toString());
            blas = "OpenBLAS (" + openblas + ")";
        }
        // OpenBLAS releases older than the CPU fall back to their SSE3 kernels ("Prescott": Debian's 0.3.21 does so on
        // Sapphire/Emerald Rapids, 3x slower): name the kernel set the CPU's flags allow, unless the user named one
        String coreType = System.getenv("OPENBLAS_CORETYPE") == null ? openblasCoreType(dev.tare.runtime.kernel.OneDnn.cpuFlags()) : null;
        if (coreType != null) pb.environment().put("OPENBLAS_CORETYPE", coreType);
        Process proc;
        try {
            proc = pb.start();
        } catch (IOException e) {
            return new Failed("could not start " + py + ": " + e.getMessage());
        }
        Stepped s = new Stepped(proc, variant, py, script.toString(), blas, coreType);
        if (!stepped) s.close();   // all runs at once: no steps to wait for
        else s.await("ready");     // false: it ended early, and finish() says why
        return s;
    }

    /** The script's last stdout line (its JSON figures) read into a {@link Ran}, or why there is none. */
    private static Outcome parse(String stdout, int exit, Variant variant, String py, String script, String blas, String coreType)
            throws IOException {
        if (exit == 3 && variant.engine().equals("transformers"))
            return new Failed(variant.label() + ": transformers is not importable by " + py + " (pass --python PATH of a Python that has it)");
        if (exit != 0 || stdout.isEmpty())
            return new Failed(variant.label() + ": " + py + " " + script + " failed (exit " + exit + "); is python3-torch installed?");
        String last = stdout.lines().reduce((a, b) -> b).orElse("");
        JsonNode j = new ObjectMapper().readTree(last);
        double[] tps = new double[j.path("tokens_per_s").size()];
        for (int i = 0; i < tps.length; i++) tps[i] = j.path("tokens_per_s").get(i).asDouble();
        if (tps.length == 0) return new Failed(variant.label() + ": " + script + " ran no timed forward");
        double[] inOrder = tps.clone();
        Arrays.sort(tps);
        double[] scores = new double[j.path("scores").size()];
        for (int i = 0; i < scores.length; i++) scores[i] = j.path("scores").get(i).asDouble();
        String hf = j.path("transformers").isTextual() ? j.path("transformers").asText() : null;
        String attn = j.path("attn").isTextual() ? j.path("attn").asText() : null;
        String blasInfo = j.path("blas_info").isTextual() ? j.path("blas_info").asText() : null;
        if ("mkl".equals(blasInfo)) {   // PyPI's torch multiplies with the MKL it bundles, whatever LD_LIBRARY_PATH holds
            String limit = System.getenv("MKL_ENABLE_INSTRUCTIONS");
            blas = "MKL (bundled with torch)" + (limit != null ? ", MKL_ENABLE_INSTRUCTIONS=" + limit : "");
        } else if (j.path("blas_core").isTextual()) {
            blas += ", kernels " + j.path("blas_core").asText() + (coreType != null ? " (OPENBLAS_CORETYPE=" + coreType + " set by the bench)" : "");
        }
        if (j.path("cpu_capability").isTextual()) blas += "; ATen " + j.path("cpu_capability").asText();
        return new Ran(variant, j.path("torch").asText(), hf, attn, j.path("threads").asInt(), blas, tps, inOrder,
                j.path("tokens_per_cpu_s").asDouble(0), scores);
    }

    /**
     * The OpenBLAS kernel set for CPU flags: SkylakeX where AVX-512 F/BW/VL/DQ are present, Haswell where AVX2 and FMA
     * are, else null (leave OpenBLAS's own detection).
     */
    static String openblasCoreType(java.util.Collection<String> flags) {
        if (flags.containsAll(List.of("avx512f", "avx512bw", "avx512vl", "avx512dq"))) return "SkylakeX";
        if (flags.containsAll(List.of("avx2", "fma"))) return "Haswell";
        return null;
    }

    private static Path findScript() {
        Path rel = Path.of("tools", "bench", "torch_bench.py");
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("").toAbsolutePath().resolve(rel));
        try {
            Path jar = Path.of(TorchBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) candidates.add(p.resolve(rel));
        } catch (Exception ignored) {
            // no code source: only the working directory is searched
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }
}
