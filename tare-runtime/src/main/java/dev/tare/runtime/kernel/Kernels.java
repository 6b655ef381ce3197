package dev.tare.runtime.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Chooses the matrix kernel for a weight: the single entry point the model code uses.
 *
 * <p>System property {@code tare.kernel}: {@code java} (default: {@link PackedLinear}, pure Java, f32 accumulation,
 * exact for f32 checkpoints), {@code native} ({@link NativeLinear}: oneDNN bf16 matmul; fails when oneDNN or a bf16
 * CPU is missing), {@code native-f32} (oneDNN f32 math, as exact as java, on any CPU oneDNN supports: BF16 weights stay
 * BF16 in the Java panels and are widened per call for oneDNN's sgemm ({@link SgemmLinear}); F32/F16 weights become an
 * f32 {@link NativeLinear}), {@code auto} (for BF16 weights where oneDNN loads: native where the CPU has bf16
 * instructions, native-f32 where it has not, both faster than java there; java for other weights or without oneDNN) or {@code reference} ({@link ReferenceLinear}, slow, for debugging). The default stays {@code java}: an f32
 * checkpoint must score exactly as transformers does, and bf16 rounding of the activations moves scores by about 1e-2.
 * oneDNN is found through {@code -Dtare.onednn.lib} or the loader path and runs on {@code -Dtare.kernel.threads}
 * OpenMP threads (see {@link OneDnn}); {@link #describe()} says which kernel runs.
 */
public final class Kernels {
    /** The system property that selects the kernel. */
    public static final String PROPERTY = "tare.kernel";

    /** Kernel families {@link #linear} can build. */
    public enum Choice {
        JAVA, NATIVE, NATIVE_F32, AUTO, REFERENCE;

        /** The value as written in {@code -Dtare.kernel=}: java, native, native-f32, auto, reference. */
        public String property() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        /** Every spelling, as an error message lists them: "java, native, native-f32, auto or reference". */
        public static String spellings() {
            List<String> p = java.util.Arrays.stream(values()).map(Choice::property).toList();
            return String.join(", ", p.subList(0, p.size() - 1)) + " or " + p.getLast();
        }

        /** The choice spelled {@code v} (case and surrounding blanks ignored, as {@code -Dtare.kernel=} reads it), or empty. */
        public static java.util.Optional<Choice> of(String v) {
            String t = v == null ? "" : v.trim().toLowerCase(Locale.ROOT);
            return java.util.Arrays.stream(values()).filter(c -> c.property().equals(t)).findFirst();
        }

        /** Whether this choice can build oneDNN weights (run after the Java ones in a benchmark that loads both). */
        public boolean mayBeNative() { return this == NATIVE || this == NATIVE_F32 || this == AUTO; }
    }

    private Kernels() {}

    private static final ScopedValue<Choice> SCOPED = ScopedValue.newInstance();

    /**
     * The choice in force: the one bound by {@link #with} around the current call, else the one {@code -Dtare.kernel}
     * makes (default {@link Choice#JAVA}); an unknown property value is an error naming the property.
     */
    public static Choice configured() { return SCOPED.isBound() ? SCOPED.get() : parse(System.getProperty(PROPERTY)); }

    /**
     * Runs {@code body} with {@code choice} in force for every weight it builds through {@link #linear(MemorySegment,
     * DType, int, int)} on this thread (a model loaded inside keeps those kernels for its life), e.g. one benchmark
     * loading the same checkpoint once with each kernel.
     */
    public static <T, X extends Throwable> T with(Choice choice, ScopedValue.CallableOp<T, X> body) throws X {
        return ScopedValue.where(SCOPED, java.util.Objects.requireNonNull(choice, "choice")).call(body);
    }

    static Choice parse(String v) {
        if (v == null || v.isBlank()) return Choice.JAVA;
        return Choice.of(v).orElseThrow(() -> new IllegalArgumentException("-D" + PROPERTY + "=" + v + ": expected " + Choice.spellings()));
    }

    /**
     * A LinearWeight over {@code data} holding [out, in] elements of {@code dtype}, little-endian, row-major, built by
     * the kernel {@code -Dtare.kernel} selects (see the class comment).
     * The weights are copied once (packed off-heap panels for {@link PackedLinear}: BF16 stays BF16, F32/F16 become
     * F32; bf16 in oneDNN's layout for {@link NativeLinear}); when {@code data} is a memory-mapped file region its
     * pages are then released from this process's resident set (the mapping stays valid: a later read faults them
     * back in from the file).
     */
    public static LinearWeight linear(MemorySegment data, DType dtype, int out, int in) {
        return linear(data, dtype, out, in, configured());
    }

    /** As {@link #linear(MemorySegment, DType, int, int)} with the kernel given instead of read from the property. */
    public static LinearWeight linear(MemorySegment data, DType dtype, int out, int in, Choice choice) {
        return linear(data, dtype, out, in, choice, OneDnn::availability);
    }

    /** As above with the oneDNN library supplied (asked for only by native and auto, so java never loads it). */
    static LinearWeight linear(MemorySegment data, DType dtype, int out, int in, Choice choice, Supplier<OneDnn.Availability> dnn) {
        if (choice == Choice.AUTO) {   // oneDNN is asked for only for BF16 weights
            OneDnn.Availability a = dtype == DType.BF16 ? dnn.get() : null;
            choice = autoFor(dtype, a != null && a.lib() != null, a != null && nativeUsable(a));
        }
        LinearWeight w = switch (choice) {
            case REFERENCE -> new ReferenceLinear(data, dtype, out, in);
            case JAVA -> PackedLinear.pack(data, dtype, out, in);
            case NATIVE -> NativeLinear.create(requireNative(dnn.get()), data, dtype, out, in);
            case NATIVE_F32 -> {
                OneDnn lib = dnn.get().require("-D" + PROPERTY + "=native-f32");
                yield dtype == DType.BF16 ? SgemmLinear.create(lib, data, dtype, out, in)
                        : NativeLinear.create(lib, NativeLinear.Precision.F32, data, dtype, out, in);
            }
            case AUTO -> throw new AssertionError("resolved above");
        };
        if (choice != Choice.REFERENCE && data.isMapped()) {
            try {
                data.asSlice(0, (long) out * in * dtype.bytes()).unload();
            } catch (UnsupportedOperationException | IllegalStateException ignored) {
                // read-only or closed mappings that cannot be advised: keeping the pages resident is only a memory cost
            }
        }
        return w;
    }

    /**
     * ys[i] ← x·W_iᵀ for weights that read the same x (a layer's q, k and v): native weights of one precision and
     * input width convert x once ({@link NativeLinear#forwardShared}); others run one by one. Same bits either way.
     */
    public static void forwardAll(float[] x, int rows, LinearWeight[] ws, float[][] ys) {
        if (ws.length != ys.length) throw new IllegalArgumentException(ws.length + " weights but " + ys.length + " outputs");
        for (int i = 0; i < ws.length; i++)
            if (ys[i].length < (long) rows * ws[i].outFeatures())
                throw new IllegalArgumentException("output " + i + " holds " + ys[i].length + " floats, need rows*out = " + (long) rows * ws[i].outFeatures());
        boolean shared = forwardNative(x, rows, ws, (products, first, from, to) -> {
            for (int i = 0; i < ys.length; i++) {
                int out = ws[i].outFeatures();
                MemorySegment.copy(products[i], ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * (from - first) * out, ys[i], from * out, (to - from) * out);
            }
        });
        if (!shared) for (int i = 0; i < ws.length; i++) ws[i].forward(x, rows, ys[i]);
    }

    /**
     * y ← y + x·Wᵀ, added while a native kernel copies its product out (the bits of computing x·Wᵀ and then adding);
     * false, with y untouched, for kernels that write into Java arrays directly, whose callers add in their own pass.
     */
    public static boolean forwardAdd(LinearWeight w, float[] x, int rows, float[] y) {
        int out = w.outFeatures();
        if (y.length < (long) rows * out) throw new IllegalArgumentException("y holds " + y.length + " floats, need rows*out = " + (long) rows * out);
        return forwardNative(x, rows, new LinearWeight[] {w}, (products, first, from, to) -> NativeLinear.addInto(products[0], y, from * out, to * out, first * out));
    }

    /**
     * x ← x + down(act(gate(h))·up(h)) in one native pass ({@link NativeLinear#gatedMlpAdd}: the activated rows go
     * straight into the down product's input, the down product is added as it is copied out) where the three weights
     * are {@link NativeLinear}s of one precision; false, nothing done, otherwise. Same bits as one step at a time.
     */
    public static boolean gatedMlpAdd(LinearWeight gate, LinearWeight up, LinearWeight down, float[] h, int rows, float[] x,
                                      NativeLinear.GatedRow act) {
        if (!(gate instanceof NativeLinear g) || !(up instanceof NativeLinear u) || !(down instanceof NativeLinear d)
                || u.precision() != g.precision() || d.precision() != g.precision() || u.inFeatures() != g.inFeatures()
                || u.outFeatures() != g.outFeatures() || d.inFeatures() != g.outFeatures()) return false;
        NativeLinear.gatedMlpAdd(g, u, d, h, rows, x, act);
        return true;
    }

    /**
     * Where every weight is a {@link NativeLinear} of one precision and input width: runs them on x converted once and
     * hands their f32 products to {@code epilogue} ({@link NativeLinear#forwardShared}); false, nothing done, otherwise.
     */
    public static boolean forwardNative(float[] x, int rows, LinearWeight[] ws, NativeLinear.Epilogue epilogue) {
        if (ws.length == 0 || !(ws[0] instanceof NativeLinear first)) return false;
        NativeLinear[] natives = new NativeLinear[ws.length];
        for (int i = 0; i < ws.length; i++) {
            if (!(ws[i] instanceof NativeLinear n) || n.precision() != first.precision() || n.inFeatures() != first.inFeatures()) return false;
            natives[i] = n;
        }
        NativeLinear.forwardShared(natives, x, rows, epilogue);
        return true;
    }

    /**
     * The kernel {@code auto} builds for a weight of {@code dtype} given whether oneDNN loads and whether it runs bf16
     * instructions: native for BF16 weights with bf16 instructions, native-f32 for BF16 weights without (oneDNN's f32
     * sgemm on widened panels: 1.3–1.4× the Java kernels on AVX2), java otherwise.
     */
    static Choice autoFor(DType dtype, boolean oneDnnLoads, boolean bf16Instructions) {
        if (dtype != DType.BF16 || !oneDnnLoads) return Choice.JAVA;
        return bf16Instructions ? Choice.NATIVE : Choice.NATIVE_F32;
    }

    private static boolean nativeUsable(OneDnn.Availability dnn) { return dnn.lib() != null && dnn.lib().hasBf16(); }

    /** The oneDNN library for {@code -Dtare.kernel=native}, or an error saying what is missing. */
    static OneDnn requireNative(OneDnn.Availability dnn) {
        OneDnn lib = dnn.require("-D" + PROPERTY + "=native");
        if (!lib.hasBf16())
            throw new IllegalStateException("-D" + PROPERTY + "=native needs a CPU with bf16 instructions (AVX-512-BF16 or AMX); oneDNN "
                    + lib.version() + " runs " + lib.isaName() + " here" + (OneDnn.cpuBf16Flags().isEmpty() ? ""
                    : " although /proc/cpuinfo lists " + OneDnn.cpuBf16Flags()) + "; use -D" + PROPERTY + "=java");
        return lib;
    }

    /**
     * One line naming the kernel {@code -Dtare.kernel} selects on this machine, e.g.
     * "native bf16 (oneDNN 3.13.0, avx512_core_bf16)" or "java f32 (Vector API, 512-bit)".
     */
    public static String describe() {
        try {
            return describe(configured());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** One line naming the kernel {@code c} gives on this machine (see {@link #describe()}). */
    public static String describe(Choice c) {
        String java = "java f32 (Vector API, " + PackedLinear.defaultVectorBits() + "-bit)";
        if (c == Choice.JAVA) return java;
        if (c == Choice.REFERENCE) return "reference (scalar, -D" + PROPERTY + "=reference)";
        OneDnn.Availability dnn = OneDnn.availability();
        return switch (c) {
            case JAVA, REFERENCE -> throw new AssertionError(c);
            case NATIVE -> dnn.lib() == null ? "native unavailable: " + dnn.reason() : describeNative(dnn.lib());
            case NATIVE_F32 -> dnn.lib() == null ? "native-f32 unavailable: " + dnn.reason()
                    : "native f32 (oneDNN " + dnn.lib().version() + ", " + dnn.lib().isaName() + "; BF16 weights kept BF16, widened per call)";
            case AUTO -> nativeUsable(dnn) ? "auto: " + describeNative(dnn.lib()) + " for BF16 weights, " + java + " for others"
                    : dnn.lib() != null ? "auto: " + describe(Choice.NATIVE_F32) + " for BF16 weights (no bf16 instructions), " + java + " for others"
                    : "auto: " + java + " (native off: " + dnn.reason() + ")";
        };
    }

    /**
     * System property: {@code auto} (default: a layer whose q, k and v are native bf16 weights attends in bf16 on
     * oneDNN's products, as transformers' bf16 sdpa does) or {@code f32} (attention always in f32 on the Java kernels).
     */
    public static final String ATTENTION_PROPERTY = "tare.attention";

    /**
     * Whether layers on native bf16 weights may attend in bf16: {@code -Dtare.attention} unset or {@code auto};
     * false for {@code f32}; any other value is an error naming the property.
     */
    public static boolean bf16AttentionAllowed() {
        String p = System.getProperty(ATTENTION_PROPERTY, "auto").trim();
        if (p.equals("auto")) return true;
        if (p.equals("f32")) return false;
        throw new IllegalArgumentException("-D" + ATTENTION_PROPERTY + "=" + p + ": expected auto (bf16 where the layer's q/k/v are native bf16) or f32");
    }

    private static String describeNative(OneDnn lib) {
        String attention;
        try {
            attention = bf16AttentionAllowed() ? "attention bf16 on oneDNN" : "attention f32 (-D" + ATTENTION_PROPERTY + "=f32)";
        } catch (IllegalArgumentException e) {
            attention = e.getMessage();
        }
        return "native bf16 (oneDNN " + lib.version() + ", " + lib.isaName() + (lib.hasBf16() ? "; " + attention : ", NO bf16 instructions") + ")";
    }
}
