package dev.tare.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.kernel.NativeLinear;
import dev.tare.runtime.kernel.OneDnn;
import dev.tare.runtime.kernel.SgemmLinear;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A whole model on the native oneDNN bf16 kernel scores like the Java kernels on the same bf16-rounded weights; on the
 * native f32 kernel it scores like them to f32 rounding (both are held to transformers by the parity tests).
 */
class NativeKernelModelTest {
    /** The weight's elements rounded to bf16, as a BF16 segment (what a bf16 checkpoint would hold). */
    private static MemorySegment bf16Of(LinearWeight w) {
        int out = w.outFeatures(), in = w.inFeatures();
        MemorySegment s = Arena.ofAuto().allocate((long) out * in * 2);
        for (int o = 0; o < out; o++)
            for (int k = 0; k < in; k++) s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, (long) o * in + k, DType.toBf16(w.get(o, k)));
        return s;
    }

    /** The weight's elements as an F32 segment. */
    private static MemorySegment f32Of(LinearWeight w) {
        int out = w.outFeatures(), in = w.inFeatures();
        MemorySegment s = Arena.ofAuto().allocate((long) out * in * 4);
        for (int o = 0; o < out; o++)
            for (int k = 0; k < in; k++) s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) o * in + k, w.get(o, k));
        return s;
    }

    @Test
    void bf16ModelScoresMatchTheJavaKernelsWithinBf16Rounding() {
        // native bf16 products and bf16 attention (Gemma 2: soft-capping and sliding windows; Mistral: a window) against
        // the Java kernels on the same bf16-rounded weights, f32 activations and attention
        OneDnn dnn = OneDnn.get().orElse(null);
        assumeTrue(dnn != null, "oneDNN not usable, native kernel tests skipped: " + OneDnn.unavailableReason().orElse("?"));
        assumeTrue(dnn.hasBf16(), "CPU without bf16 instructions (oneDNN runs " + dnn.isaName() + "), native kernel tests skipped");
        Random r = new Random(21);
        int[][] ids = {r.ints(37, 3, 512).toArray(), r.ints(5, 3, 512).toArray(), r.ints(80, 3, 512).toArray()};
        for (String name : new String[] {"qwen2-seqcls", "llama-seqcls", "gemma2-seqcls", "mistral-seqcls"}) {
            Path dir = Fixtures.root().resolve(name);
            try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
                RewardModel java = rm.withLinears((m, w) -> Kernels.linear(bf16Of(w), DType.BF16, w.outFeatures(), w.inFeatures(), Kernels.Choice.JAVA));
                RewardModel nat = rm.withLinears((m, w) -> Kernels.linear(bf16Of(w), DType.BF16, w.outFeatures(), w.inFeatures(), Kernels.Choice.NATIVE));
                int[] natives = {0};
                rm.withLinears((m, w) -> {
                    if (Kernels.linear(bf16Of(w), DType.BF16, w.outFeatures(), w.inFeatures(), Kernels.Choice.AUTO) instanceof NativeLinear) natives[0]++;
                    return w;
                });
                assertEquals(7 * rm.config().numLayers(), natives[0], name + ": auto takes the native kernel for every bf16 decoder linear");
                float[][] a = java.score(ids), b = nat.score(ids);
                for (int i = 0; i < ids.length; i++)
                    for (int j = 0; j < a[i].length; j++) {
                        float tol = 2e-2f * Math.max(1f, Math.abs(a[i][j]));
                        assertEquals(a[i][j], b[i][j], tol, name + " sequence " + i + " label " + j + " (java " + a[i][j] + ", native " + b[i][j] + ")");
                    }
            }
        }
    }

    /**
     * A native weight behind a plain {@link LinearWeight}: the model then runs each product on its own (no fused
     * epilogues); {@code bf16Out} rounds its products to bf16, as the fused bf16 gated MLP keeps gate and up;
     * {@code bf16Attention} is what it reports as {@link LinearWeight#bf16Activations} (the layer's attention precision).
     */
    private record Opaque(LinearWeight w, boolean bf16Out, boolean bf16Attention) implements LinearWeight {
        Opaque(LinearWeight w, boolean bf16Out) { this(w, bf16Out, w.bf16Activations()); }
        @Override public int outFeatures() { return w.outFeatures(); }
        @Override public int inFeatures() { return w.inFeatures(); }
        @Override public void forward(float[] x, int rows, float[] y) {
            w.forward(x, rows, y);
            if (bf16Out) for (int i = 0; i < rows * outFeatures(); i++) y[i] = Float.intBitsToFloat((DType.toBf16(y[i]) & 0xFFFF) << 16);
        }
        @Override public float get(int o, int k) { return w.get(o, k); }
        @Override public boolean bf16Activations() { return bf16Attention; }
    }

    @Test
    void attentionIsBf16OnNativeBf16WeightsUnlessThePropertySaysF32() {
        // -Dtare.attention=f32 gives exactly the model whose layers report f32 activations (Java f32 attention); the
        // default differs from it (bf16 attention); any other value is refused naming the property
        OneDnn dnn = OneDnn.get().orElse(null);
        assumeTrue(dnn != null && dnn.hasBf16(), "oneDNN with bf16 instructions not usable, bf16 attention not tested: "
                + OneDnn.unavailableReason().orElse("CPU without bf16 instructions"));
        Random r = new Random(24);
        int[][] ids = {r.ints(37, 3, 512).toArray(), r.ints(5, 3, 512).toArray(), r.ints(90, 3, 512).toArray()};
        String before = System.getProperty(Kernels.ATTENTION_PROPERTY);
        try (RewardModel loaded = ModelLoader.loadRewardModel(Fixtures.root().resolve("qwen2-seqcls"))) {
            RewardModel rm = loaded.withLinears((m, w) -> Kernels.linear(bf16Of(w), DType.BF16, w.outFeatures(), w.inFeatures(), Kernels.Choice.NATIVE));
            RewardModel f32Attention = rm.withLinears((m, w) -> new Opaque(w, m.endsWith("gate_proj") || m.endsWith("up_proj"), false));
            float[][] bf16 = rm.score(ids), reference = f32Attention.score(ids);
            System.setProperty(Kernels.ATTENTION_PROPERTY, "f32");
            float[][] forced = rm.score(ids);
            boolean differs = false;
            for (int i = 0; i < ids.length; i++)
                for (int j = 0; j < bf16[i].length; j++) {
                    assertEquals(Float.floatToIntBits(reference[i][j]), Float.floatToIntBits(forced[i][j]), "sequence " + i + ": f32 attention");
                    differs |= bf16[i][j] != forced[i][j];
                    assertEquals(forced[i][j], bf16[i][j], 2e-2f * Math.max(1f, Math.abs(forced[i][j])), "sequence " + i + ": bf16 vs f32 attention");
                }
            assertTrue(differs, "the default attends in bf16: its scores are not the f32 attention's bits");
            System.setProperty(Kernels.ATTENTION_PROPERTY, "fp16");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rm.score(ids));
            assertTrue(e.getMessage().contains("-Dtare.attention=fp16") && e.getMessage().contains("auto"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty(Kernels.ATTENTION_PROPERTY);
            else System.setProperty(Kernels.ATTENTION_PROPERTY, before);
        }
    }

    @Test
    void fusedNativeProductsScoreWithTheBitsOfOneProductAtATime() {
        // q/k/v on x converted once, o and down added to the residual stream and SiLU(gate)·up taken while the native
        // results are copied out: the same floating-point operations as product, copy, then the model's own passes (with
        // bf16 weights, gate and up rounded to bf16 first)
        OneDnn dnn = OneDnn.get().orElse(null);
        assumeTrue(dnn != null, "oneDNN not usable, native kernel tests skipped: " + OneDnn.unavailableReason().orElse("?"));
        Random r = new Random(23);
        int[][] ids = {r.ints(37, 3, 512).toArray(), r.ints(5, 3, 512).toArray(), r.ints(250, 3, 512).toArray(), r.ints(240, 3, 512).toArray()};
        java.util.List<Kernels.Choice> choices = new java.util.ArrayList<>(java.util.List.of(Kernels.Choice.NATIVE_F32));
        if (dnn.hasBf16()) choices.add(Kernels.Choice.NATIVE);
        for (String name : new String[] {"qwen2-seqcls", "llama-seqcls"})
            for (Kernels.Choice choice : choices) {
                Path dir = Fixtures.root().resolve(name);
                // native-f32 multiplies f32 weights in a NativeLinear (BF16 ones would take SgemmLinear); native bf16 ones
                boolean f32 = choice == Kernels.Choice.NATIVE_F32;
                try (RewardModel loaded = ModelLoader.loadRewardModel(dir)) {
                    RewardModel rm = loaded.withLinears((m, w) -> Kernels.linear(f32 ? f32Of(w) : bf16Of(w), f32 ? DType.F32 : DType.BF16,
                            w.outFeatures(), w.inFeatures(), choice));
                    int[] natives = {0};
                    RewardModel opaque = rm.withLinears((m, w) -> {
                        if (w instanceof NativeLinear) natives[0]++;
                        return new Opaque(w, !f32 && (m.endsWith("gate_proj") || m.endsWith("up_proj")));
                    });
                    assertEquals(7 * rm.config().numLayers(), natives[0], name + " " + choice + ": every decoder linear is native");
                    float[][] fused = rm.score(ids), single = opaque.score(ids);
                    for (int i = 0; i < ids.length; i++)
                        for (int j = 0; j < fused[i].length; j++)
                            assertEquals(Float.floatToIntBits(single[i][j]), Float.floatToIntBits(fused[i][j]),
                                    name + " " + choice + " sequence " + i + " label " + j + ": fused " + fused[i][j] + " one at a time " + single[i][j]);
                }
            }
    }

    @Test
    void f32ModelScoresMatchTheJavaKernelsToF32Rounding() throws Exception {
        OneDnn dnn = OneDnn.get().orElse(null);
        assumeTrue(dnn != null, "oneDNN not usable, native f32 kernel tests skipped: " + OneDnn.unavailableReason().orElse("?"));
        Random r = new Random(22);
        int[][] ids = {r.ints(37, 3, 512).toArray(), r.ints(5, 3, 512).toArray(), r.ints(80, 3, 512).toArray()};
        for (String name : new String[] {"qwen2-seqcls", "llama-seqcls", "gemma2-seqcls"}) {
            Path dir = Fixtures.root().resolve(name);
            try (RewardModel java = Kernels.with(Kernels.Choice.JAVA, () -> ModelLoader.loadRewardModel(dir));
                 RewardModel nat = Kernels.with(Kernels.Choice.NATIVE_F32, () -> ModelLoader.loadRewardModel(dir))) {
                float[][] a = java.score(ids), b = nat.score(ids);
                for (int i = 0; i < ids.length; i++)
                    for (int j = 0; j < a[i].length; j++)
                        assertEquals(a[i][j], b[i][j], 1e-4f * Math.max(1f, Math.abs(a[i][j])),
                                name + " sequence " + i + " label " + j + " (java " + a[i][j] + ", native-f32 " + b[i][j] + ")");
            }
        }
    }
    @Test
    void bf16ModelOnTheF32SgemmKernelScoresLikeTheJavaKernelsToF32Rounding() {
        OneDnn dnn = OneDnn.get().orElse(null);
        assumeTrue(dnn != null, "oneDNN not usable, native f32 kernel tests skipped: " + OneDnn.unavailableReason().orElse("?"));
        Path dir = Fixtures.root().resolve("qwen2-seqcls");
        Random r = new Random(23);
        // 250 + 240 tokens in one batch: the projections see hundreds of rows (sgemm), the last layer's kept rows the Java kernels
        int[][] ids = {r.ints(250, 3, 512).toArray(), r.ints(240, 3, 512).toArray(), r.ints(9, 3, 512).toArray()};
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            RewardModel java = rm.withLinears((m, w) -> Kernels.linear(bf16Of(w), DType.BF16, w.outFeatures(), w.inFeatures(), Kernels.Choice.JAVA));
            int[] sgemm = {0};
            RewardModel nat = rm.withLinears((m, w) -> {
                LinearWeight l = Kernels.linear(bf16Of(w), DType.BF16, w.outFeatures(), w.inFeatures(), Kernels.Choice.NATIVE_F32);
                if (l instanceof SgemmLinear) sgemm[0]++;
                return l;
            });
            assertEquals(7 * rm.config().numLayers(), sgemm[0], "native-f32 keeps every bf16 decoder linear BF16 (sgemm on widened panels)");
            float[][] a = java.score(ids), b = nat.score(ids);
            for (int i = 0; i < ids.length; i++)
                for (int j = 0; j < a[i].length; j++)
                    assertEquals(a[i][j], b[i][j], 1e-4f * Math.max(1f, Math.abs(a[i][j])),
                            "sequence " + i + " label " + j + " (java " + a[i][j] + ", native-f32 " + b[i][j] + ")");
        }
    }
}
