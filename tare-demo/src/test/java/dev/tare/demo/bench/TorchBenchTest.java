package dev.tare.demo.bench;

import dev.tare.demo.generate.RandomQwen2Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The PyTorch comparison reports why it has no figures instead of failing the benchmark; the bench's ids are seeded. */
class TorchBenchTest {
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test void aMissingScriptOrInterpreterIsAReasonNotACrash(@TempDir Path dir) throws Exception {
        var missing = TorchBench.run(dir.resolve("nope.py"), "python3", dir, dir.resolve("ids.json"), 1, TorchBench.Variant.PLAIN_F32, QUIET);
        assertEquals(new TorchBench.Failed("tools/bench/torch_bench.py not found (pass --torch-script FILE)"), missing);
        Path script = Files.writeString(dir.resolve("torch_bench.py"), "print('{}')\n");
        var noPython = TorchBench.run(script, dir.resolve("no-python").toString(), dir, dir.resolve("ids.json"), 1, TorchBench.Variant.PLAIN_F32, QUIET);
        assertTrue(noPython instanceof TorchBench.Failed f && f.reason().startsWith("could not start " + dir.resolve("no-python")), noPython.toString());
    }

    /**
     * A stand-in for torch_bench.py run by /bin/sh: prints the JSON line the real script prints, echoing the engine and
     * dtype it was given, or exits 3 as the real script does when transformers cannot be imported.
     */
    private static Path standIn(Path dir, boolean hasTransformers) throws Exception { return standIn(dir, hasTransformers, ""); }

    /** As above with {@code extra} JSON fields (each starting with a comma) appended to the line. */
    private static Path standIn(Path dir, boolean hasTransformers, String extra) throws Exception {
        return Files.writeString(dir.resolve("stand-in.sh"), """
                engine=""; dtype=""
                while [ $# -gt 0 ]; do case "$1" in --engine) engine="$2"; shift;; --dtype) dtype="$2"; shift;; esac; shift; done
                if [ "$engine" = transformers ] && [ "%s" = no ]; then echo "transformers is not importable" >&2; exit 3; fi
                hf=null; [ "$engine" = transformers ] && hf='"5.17.0"'
                echo '{"torch": "2.11.0", "engine": "'$engine'", "dtype": "'$dtype'", "transformers": '$hf', "attn": "sdpa", "threads": 2, "tokens": 8, "tokens_per_s": [30.0, 10.0, 20.0], "tokens_per_cpu_s": 9.5, "scores": [0.25, -1.5], "blas_core": "'${OPENBLAS_CORETYPE:-Prescott}'"%s}'
                """.formatted(hasTransformers ? "yes" : "no", extra));
    }

    @Test void torchWithItsOwnMklNamesMklNotTheOpenBlasOnTheLibraryPath(@TempDir Path dir) throws Exception {
        // PyPI's torch reports BLAS_INFO=mkl: its matrix products never reach the OpenBLAS the bench puts on the path
        Path script = standIn(dir, true, ", \"blas_info\": \"mkl\", \"cpu_capability\": \"AVX2\"");
        var ran = assertInstanceOf(TorchBench.Ran.class, TorchBench.run(script, "/bin/sh", dir, dir.resolve("ids.json"), 3, TorchBench.Variant.PLAIN_F32, QUIET));
        String limit = System.getenv("MKL_ENABLE_INSTRUCTIONS");
        assertEquals("MKL (bundled with torch)" + (limit != null ? ", MKL_ENABLE_INSTRUCTIONS=" + limit : "") + "; ATen AVX2", ran.blas());
        // Debian's torch: BLAS_INFO=generic, the system libblas (OpenBLAS here) and its kernel set
        Path generic = standIn(dir, true, ", \"blas_info\": \"generic\", \"cpu_capability\": \"AVX2\"");
        var deb = assertInstanceOf(TorchBench.Ran.class, TorchBench.run(generic, "/bin/sh", dir, dir.resolve("ids.json"), 3, TorchBench.Variant.PLAIN_F32, QUIET));
        assertTrue(deb.blas().contains(", kernels ") && deb.blas().endsWith("; ATen AVX2") && !deb.blas().contains("MKL"), deb.blas());
    }

    @Test void eachVariantIsPassedToTheScriptAndReadBack(@TempDir Path dir) throws Exception {
        Path script = standIn(dir, true);
        for (var v : java.util.List.of(TorchBench.Variant.PLAIN_F32, TorchBench.Variant.PLAIN_BF16, TorchBench.Variant.HF_BF16)) {
            var out = TorchBench.run(script, "/bin/sh", dir, dir.resolve("ids.json"), 3, v, QUIET);
            var ran = assertInstanceOf(TorchBench.Ran.class, out);
            assertEquals(v, ran.variant());
            assertArrayEquals(new double[] {10, 20, 30}, ran.tokensPerSecond());
            assertEquals(20, ran.median());
            assertArrayEquals(new double[] {0.25, -1.5}, ran.scores());
            assertEquals(v.engine().equals("transformers") ? "5.17.0" : null, ran.transformersVersion());
            // the OpenBLAS kernel set the child ran with: the one the bench named from the CPU flags, or the user's
            String users = System.getenv("OPENBLAS_CORETYPE");
            String named = users == null ? TorchBench.openblasCoreType(dev.tare.runtime.kernel.OneDnn.cpuFlags()) : null;
            String core = users != null ? users : named != null ? named : "Prescott";
            assertTrue(ran.blas().endsWith(", kernels " + core + (named != null ? " (OPENBLAS_CORETYPE=" + named + " set by the bench)" : "")),
                    ran.blas());
        }
    }

    /**
     * --stepped, as torch_bench.py speaks it: "ready" after the warm-up, one timed forward and "done" per line read on
     * stdin, the JSON figures once stdin closes. The stand-in records a rate per step, so the figures show how many ran.
     */
    @Test void steppedRunsOneForwardPerStepAndReportsTheStepsThatRan(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("stepped.sh"), """
                case " $* " in *" --stepped "*) ;; *) echo "not stepped" >&2; exit 2;; esac
                echo "warming up"
                echo ready
                rates=""
                while read line; do rates="$rates${rates:+, }$(( ${#rates} + 10 )).0"; echo "run" >&2; echo done; done
                echo '{"torch": "2.11.0", "engine": "plain", "dtype": "bf16", "transformers": null, "attn": null, "threads": 2, "tokens": 8, "tokens_per_s": ['"$rates"'], "tokens_per_cpu_s": 5.0, "scores": [0.5]}'
                """);
        var start = TorchBench.start(script, "/bin/sh", dir, dir.resolve("ids.json"), 3, TorchBench.Variant.PLAIN_BF16, true, QUIET);
        try (var stepped = assertInstanceOf(TorchBench.Stepped.class, start)) {
            for (int i = 0; i < 3; i++) assertTrue(stepped.step(), "step " + i);
            var ran = assertInstanceOf(TorchBench.Ran.class, stepped.finish());
            assertEquals(3, ran.tokensPerSecond().length, "one timed forward per step");
            assertArrayEquals(new double[] {10, 14, 20}, ran.inRunOrder(), "in the order they ran");
            assertEquals(TorchBench.Variant.PLAIN_BF16, ran.variant());
            assertFalse(stepped.step(), "no steps after finish");
        }
        // a script that dies during its warm-up: steps report it, finish says why
        Path dies = Files.writeString(dir.resolve("dies.sh"), "echo 'no torch' >&2; exit 1\n");
        try (var stepped = assertInstanceOf(TorchBench.Stepped.class,
                TorchBench.start(dies, "/bin/sh", dir, dir.resolve("ids.json"), 3, TorchBench.Variant.PLAIN_BF16, true, QUIET))) {
            assertFalse(stepped.step());
            var failed = assertInstanceOf(TorchBench.Failed.class, stepped.finish());
            assertTrue(failed.reason().contains("failed (exit 1)"), failed.reason());
        }
    }

    @Test void interleavedRunsArePairedForwardByForwardInTheOrderTheyRan() {
        // tare fast then slow, the baseline slow then fast: the ratio of medians hides what each pair says
        var tare = new ModelBench.Result(1, new double[] {100, 200, 400}, new double[] {400, 200, 100}, 1, new double[0], new float[0], null, null, 0);
        var base = new TorchBench.Ran(TorchBench.Variant.HF_BF16, "2.13", "5.17", "sdpa", 2, "MKL", new double[] {100, 200, 400},
                new double[] {100, 200, 400}, 1, new double[0]);
        assertArrayEquals(new double[] {0.25, 1.0, 4.0}, RuntimeBench.pairedRatios(tare, base), 0);
        var shorter = new TorchBench.Ran(TorchBench.Variant.HF_BF16, "2.13", "5.17", "sdpa", 2, "MKL", new double[] {50, 100},
                new double[] {100, 50}, 1, new double[0]);
        assertArrayEquals(new double[] {4.0, 4.0}, RuntimeBench.pairedRatios(tare, shorter), 0, "as many pairs as both ran");
    }

    @Test void openblasKernelsFollowTheCpuFlags() {
        assertEquals("SkylakeX", TorchBench.openblasCoreType(java.util.Set.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "amx_bf16")));
        assertEquals("Haswell", TorchBench.openblasCoreType(java.util.Set.of("sse4_2", "avx", "avx2", "fma")));
        assertEquals("Haswell", TorchBench.openblasCoreType(java.util.Set.of("avx2", "fma", "avx512f")), "AVX-512 F alone (Knights Landing) is not SkylakeX");
        assertNull(TorchBench.openblasCoreType(java.util.Set.of("sse4_2", "avx")));
        assertNull(TorchBench.openblasCoreType(java.util.Set.of()));
    }

    @Test void transformersMissingIsAReasonNamingThePython(@TempDir Path dir) throws Exception {
        var out = TorchBench.run(standIn(dir, false), "/bin/sh", dir, dir.resolve("ids.json"), 1, TorchBench.Variant.HF_F32, QUIET);
        assertEquals(new TorchBench.Failed("transformers, f32: transformers is not importable by /bin/sh (pass --python PATH of a Python that has it)"), out);
        assertInstanceOf(TorchBench.Ran.class, TorchBench.run(standIn(dir, false), "/bin/sh", dir, dir.resolve("ids.json"), 1,
                TorchBench.Variant.PLAIN_BF16, QUIET), "plain torch still runs");
        assertThrows(IllegalArgumentException.class, () -> new TorchBench.Variant("plain", "fp8"));
        assertThrows(IllegalArgumentException.class, () -> new TorchBench.Variant("onnx", "f32"));
    }

    @Test void randomIdsAreSeededAndBelowThePadId() {
        int[][] a = RuntimeBench.randomIds(3, 50, RuntimeBench.IDS_SEED), b = RuntimeBench.randomIds(3, 50, RuntimeBench.IDS_SEED);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.deepEquals(a, RuntimeBench.randomIds(3, 50, RuntimeBench.IDS_SEED + 1)));
        for (int[] row : a) for (int id : row) assertTrue(id >= 0 && id < RandomQwen2Checkpoint.PAD_ID, "id " + id);
    }
}
