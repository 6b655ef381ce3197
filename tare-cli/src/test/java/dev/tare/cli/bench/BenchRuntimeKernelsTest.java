package dev.tare.cli.bench;

import static org.junit.jupiter.api.Assertions.*;

import dev.tare.runtime.kernel.Kernels;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * `tare bench runtime --kernels` takes the -Dtare.kernel spellings, native-f32 included, as that property reads them
 * (case and blanks ignored), and names them on a typo.
 */
class BenchRuntimeKernelsTest {
    @Test
    void everyKernelSpellingConvertsAndATypoListsThem() {
        var c = new BenchRuntimeCommand.KernelConverter();
        for (Kernels.Choice k : Kernels.Choice.values()) assertEquals(k, c.convert(k.property()));
        assertEquals(Kernels.Choice.NATIVE_F32, c.convert("native-f32"));
        assertEquals(Kernels.Choice.NATIVE_F32, c.convert(" Native-F32 "));
        assertEquals(Kernels.Choice.AUTO, c.convert("AUTO"));
        for (String v : new String[] {"JAVA", " native ", "Native-F32", "auto"})   // the property reads the same spellings
            assertEquals(c.convert(v), Kernels.Choice.of(v).orElseThrow(), v);
        var e = assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("native_f32"));
        assertTrue(e.getMessage().contains("native-f32") && e.getMessage().contains("'native_f32'"), e.getMessage());
    }

    @Test
    void baselineDtypesKeepOnlyTheNamedTorchRuns() {
        assertEquals(java.util.List.of(dev.tare.demo.bench.TorchBench.Variant.PLAIN_F32, dev.tare.demo.bench.TorchBench.Variant.HF_F32),
                BenchRuntimeCommand.baselines(false, true, java.util.List.of("F32 ")));
        assertEquals(4, BenchRuntimeCommand.baselines(false, true, null).size());
        assertEquals(java.util.List.of(dev.tare.demo.bench.TorchBench.Variant.PLAIN_BF16), BenchRuntimeCommand.baselines(true, false, java.util.List.of("bf16")));
        assertTrue(BenchRuntimeCommand.baselines(false, false, java.util.List.of("f32")).isEmpty(), "no --compare-*: no baselines");
        var e = assertThrows(CommandLine.ParameterException.class, () -> BenchRuntimeCommand.baselines(true, false, java.util.List.of("fp16")));
        assertTrue(e.getMessage().contains("'fp16'") && e.getMessage().contains("--baseline-dtypes"), e.getMessage());
    }

    @Test
    void interleavingNeedsOneKernelABaselineAndTheModel() {
        var hf = java.util.List.of(dev.tare.demo.bench.TorchBench.Variant.HF_BF16);
        java.util.function.Function<java.util.List<Kernels.Choice>, dev.tare.demo.bench.RuntimeBench.Options> with = ks ->
                new dev.tare.demo.bench.RuntimeBench.Options(false, 1, 1, 1, 16, 1, null, ks, hf, null, null, true, false, true);
        assertTrue(with.apply(java.util.List.of(Kernels.Choice.NATIVE)).interleave());
        for (var bad : java.util.List.<Runnable>of(
                () -> with.apply(java.util.List.of(Kernels.Choice.JAVA, Kernels.Choice.NATIVE)),
                () -> new dev.tare.demo.bench.RuntimeBench.Options(false, 1, 1, 1, 16, 1, null, java.util.List.of(Kernels.Choice.JAVA),
                        java.util.List.of(), null, null, true, false, true),
                () -> new dev.tare.demo.bench.RuntimeBench.Options(false, 1, 1, 1, 16, 1, null, java.util.List.of(Kernels.Choice.JAVA),
                        hf, null, null, true, true, true))) {
            var e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().startsWith("--interleave needs one kernel"), e.getMessage());
        }
    }
}
