package dev.tare.runtime.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NativeLinearTest {
    private static final int[] ROWS = {1, 3, 17, 64};
    private static final int[][] SHAPES = {{96, 80}, {257, 129}, {1, 1}, {64, 896}};

    /** The library, or a skip naming why it is not usable (not installed, or a CPU without bf16 instructions). */
    private static OneDnn dnn() {
        OneDnn.Availability a = OneDnn.availability();
        assumeTrue(a.lib() != null, "oneDNN not usable, native kernel tests skipped: " + a.reason());
        assumeTrue(a.lib().hasBf16(), "CPU without bf16 instructions (oneDNN runs " + a.lib().isaName() + "), native kernel tests skipped");
        return a.lib();
    }

    private static float bf16(float v) { return Float.intBitsToFloat((DType.toBf16(v) & 0xFFFF) << 16); }

    /**
     * Asserts y = bf16(x)·bf16(W)ᵀ to {@code tol} relative to Σ|x·w| per output, the exact sum taken in double;
     * with {@code roundX} false the reference keeps x in f32 (as the Java kernels do).
     */
    private static void assertBf16Exact(MemorySegment w, DType dt, int out, int in, LinearWeight fast, float[] x, int rows, String what) {
        float[] y = new float[rows * out];
        java.util.Arrays.fill(y, Float.NaN);   // every output must be overwritten
        fast.forward(x, rows, y);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < out; o++) {
                double sum = 0, mag = 0;
                for (int k = 0; k < in; k++) {
                    double p = (double) bf16(x[r * in + k]) * bf16(dt.get(w, (long) o * in + k));
                    sum += p;
                    mag += Math.abs(p);
                }
                double err = Math.abs(sum - y[r * out + o]);
                if (!(err <= 1e-4 * mag + 1e-30))
                    fail(what + ": row " + r + " out " + o + ": exact bf16 " + sum + " native " + y[r * out + o] + " (Σ|x·w| " + mag + ")");
            }
    }


    @Test
    void matchesExactBf16MathForEveryDtypeShapeAndRowCount() {
        OneDnn dnn = dnn();
        Random rnd = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : DType.values())
                for (int[] s : SHAPES) {
                    int out = s[0], in = s[1];
                    MemorySegment w = PackedLinearTest.randomWeights(arena, dt, out, in, rnd);
                    NativeLinear fast = NativeLinear.create(dnn, w, dt, out, in);
                    assertEquals(out, fast.outFeatures());
                    assertEquals(in, fast.inFeatures());
                    for (int o = 0; o < out; o += Math.max(1, out / 7))
                        for (int k = 0; k < in; k++)
                            assertEquals(bf16(dt.get(w, (long) o * in + k)), fast.get(o, k), dt + " W[" + o + "," + k + "]");
                    assertThrows(IndexOutOfBoundsException.class, () -> fast.get(out, 0));
                    for (int rows : ROWS)
                        assertBf16Exact(w, dt, out, in, fast, PackedLinearTest.randomX(rows * in, rnd), rows,
                                dt + " [" + out + "," + in + "] rows " + rows + " (" + fast.implementation() + ")");
                }
        }
    }

    @Test
    void staysWithinBf16RoundingOfTheJavaKernels() {
        OneDnn dnn = dnn();
        Random rnd = new Random(12);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16})
                for (int[] s : new int[][] {{96, 80}, {257, 129}}) {
                    int out = s[0], in = s[1];
                    MemorySegment w = PackedLinearTest.randomWeights(arena, dt, out, in, rnd);
                    LinearWeight java = Kernels.linear(w, dt, out, in, Kernels.Choice.JAVA);
                    LinearWeight fast = Kernels.linear(w, dt, out, in, Kernels.Choice.NATIVE);
                    assertInstanceOf(PackedLinear.class, java);
                    assertInstanceOf(NativeLinear.class, fast);
                    for (int rows : ROWS)
                        PackedLinearTest.assertClose(java, fast, PackedLinearTest.randomX(rows * in, rnd), rows, 1e-2, dt + " [" + out + "," + in + "] rows " + rows);
                }
        }
    }

    @Test
    void manyRowCountsSequentialCallsAndThreadsAgree() throws Exception {
        OneDnn dnn = dnn();
        Random rnd = new Random(13);
        int out = 70, in = 45;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = PackedLinearTest.randomWeights(arena, DType.BF16, out, in, rnd);
            NativeLinear fast = NativeLinear.create(dnn, w, DType.BF16, out, in);
            // more distinct row counts than the per-weight primitive cache holds
            for (int rows = 1; rows <= NativeLinear.MAX_CACHED + 8; rows++)
                assertBf16Exact(w, DType.BF16, out, in, fast, PackedLinearTest.randomX(rows * in, rnd), rows, "rows " + rows);
            float[] x = PackedLinearTest.randomX(33 * in, rnd);
            float[] expect = new float[33 * out], seq = new float[33 * out];
            fast.forward(x, 33, expect);
            KernelPool.sequential(() -> fast.forward(x, 33, seq));   // one OpenMP thread: same primitive math, same sums
            assertArrayEquals(expect, seq, 1e-4f);
            assertConcurrentCallsAgree(fast, x, 33, expect, 1e-4f);
        }
    }

    /** 16 tasks on 4 threads each call {@code w} 10 times on x: every result equals {@code expect} to {@code tol}. */
    static void assertConcurrentCallsAgree(LinearWeight w, float[] x, int rows, float[] expect, float tol) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (int t = 0; t < 16; t++)
                fs.add(pool.submit(() -> {
                    float[] y = new float[rows * w.outFeatures()];
                    for (int i = 0; i < 10; i++) w.forward(x, rows, y);
                    return y;
                }));
            for (Future<float[]> f : fs) assertArrayEquals(expect, f.get(), tol);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCallLargerThanTheKeptPerThreadBufferIsExactToo() {
        OneDnn dnn = dnn();
        Random rnd = new Random(16);
        int out = 8192, in = 8, rows = 2100;   // dst alone is 69 MB, over the 64 MiB a thread keeps
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = PackedLinearTest.randomWeights(arena, DType.F32, out, in, rnd);
            NativeLinear fast = NativeLinear.create(dnn, w, DType.F32, out, in);
            assertBf16Exact(w, DType.F32, out, in, fast, PackedLinearTest.randomX(rows * in, rnd), rows, "rows " + rows);
        }
        // the same over the parallel threshold (rows x in >= 2^16): the kernel threads convert and copy in that buffer
        int wideIn = 32;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = PackedLinearTest.randomWeights(arena, DType.F32, out, wideIn, rnd);
            NativeLinear fast = NativeLinear.create(dnn, w, DType.F32, out, wideIn);
            assertBf16Exact(w, DType.F32, out, wideIn, fast, PackedLinearTest.randomX(rows * wideIn, rnd), rows, "rows " + rows + ", in " + wideIn);
        }
    }

    @Test
    void productsCutIntoPerThreadBlocksAreExact() {
        // auto cuts a product into one block of rows per pool thread where each gets >= MIN_SPLIT_ROWS rows
        assertTrue(NativeLinear.splitRows(NativeLinear.Split.AUTO, 512, 2));
        assertTrue(NativeLinear.splitRows(NativeLinear.Split.AUTO, 256, 2));
        assertFalse(NativeLinear.splitRows(NativeLinear.Split.AUTO, 255, 2));
        assertFalse(NativeLinear.splitRows(NativeLinear.Split.AUTO, 512, 16));   // 32 rows a thread: oneDNN's own threads
        assertFalse(NativeLinear.splitRows(NativeLinear.Split.AUTO, 4096, 1));
        assertTrue(NativeLinear.splitRows(NativeLinear.Split.JAVA, 40, 2));
        assertFalse(NativeLinear.splitRows(NativeLinear.Split.OMP, 4096, 2));
        OneDnn dnn = dnn();
        int threads = KernelPool.threads();
        Random rnd = new Random(19);
        try (Arena arena = Arena.ofShared()) {
            int out = 200, in = 96;
            MemorySegment w = PackedLinearTest.randomWeights(arena, DType.BF16, out, in, rnd);
            NativeLinear fast = NativeLinear.create(dnn, w, DType.BF16, out, in);
            // odd row counts (on 2+ threads, under the default auto, the first is cut into per-thread blocks): blocks of
            // whole 16-row tiles and a shorter last one, and a long batch's 512-row blocks and tail
            for (int rows : new int[] {NativeLinear.MIN_SPLIT_ROWS * threads + 5, 517, NativeLinear.BLOCK_ROWS + 300}) {
                assertBf16Exact(w, DType.BF16, out, in, fast, PackedLinearTest.randomX(rows * in, rnd), rows, "rows " + rows + " on " + threads + " threads");
            }
        }
    }

    @Test
    void autoTakesNativeOnlyForBf16Weights() {
        OneDnn dnn = dnn();
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(14);
            MemorySegment bf = PackedLinearTest.randomWeights(arena, DType.BF16, 40, 24, rnd);
            MemorySegment f32 = PackedLinearTest.randomWeights(arena, DType.F32, 40, 24, rnd);
            assertInstanceOf(NativeLinear.class, Kernels.linear(bf, DType.BF16, 40, 24, Kernels.Choice.AUTO));
            assertInstanceOf(PackedLinear.class, Kernels.linear(f32, DType.F32, 40, 24, Kernels.Choice.AUTO));
            assertTrue(dnn.version().startsWith("3."), dnn.version());
        }
    }

    @Test
    void badInputIsRejectedWithTheShapes() {
        OneDnn dnn = dnn();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(10L * 8 * 2 - 2);
            var e = assertThrows(IllegalArgumentException.class, () -> NativeLinear.create(dnn, w, DType.BF16, 10, 8));
            assertTrue(e.getMessage().contains("need 160") && e.getMessage().contains("[10, 8] BF16"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> NativeLinear.create(dnn, w, DType.BF16, 0, 8));
            NativeLinear ok = NativeLinear.create(dnn, arena.allocate(160), DType.BF16, 10, 8);
            var x = assertThrows(IllegalArgumentException.class, () -> ok.forward(new float[15], 2, new float[20]));
            assertTrue(x.getMessage().contains("rows*in = 16"), x.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ok.forward(new float[16], 2, new float[19]));
        }
    }

    // ---- these run without oneDNN

    @Test
    void vectorBf16RoundingMatchesDTypeToBf16() {
        Random rnd = new Random(15);
        float[] x = new float[4099];
        float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.MIN_VALUE, Float.MIN_NORMAL, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000),
                Float.intBitsToFloat(0x3F807FFF), Float.intBitsToFloat(0xFF800001), Float.intBitsToFloat(0x7F7FFFFF)};
        for (int i = 0; i < x.length; i++)
            x[i] = i < special.length ? special[i] : Float.intBitsToFloat(rnd.nextInt());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(2L * x.length);
            NativeLinear.toBf16(x, x.length, dst);
            for (int i = 0; i < x.length; i++)
                assertEquals(DType.toBf16(x[i]), dst.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i),
                        "x[" + i + "] = " + x[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x[i])) + ")");
        }
    }

    @Test
    void vectorBf16WideningMatchesDTypeBf16AtEveryTailLength() {
        Random rnd = new Random(17);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(2L * 64);
            for (int i = 0; i < 64; i++) src.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) rnd.nextInt());
            for (int at = 0; at < 3; at++)
                for (int n = 0; n <= 40; n++) {   // whole 8-lane steps and every scalar tail, from an unaligned start
                    float[] dst = new float[n + 1];
                    dst[n] = 7f;   // past n: untouched
                    NativeLinear.fromBf16(src, at, dst, n);
                    for (int i = 0; i < n; i++)
                        assertEquals(Float.floatToRawIntBits(DType.BF16.get(src, at + i)), Float.floatToRawIntBits(dst[i]), "at " + at + " n " + n + " i " + i);
                    assertEquals(7f, dst[n]);
                }
        }
    }

    @Test
    void forcedNativeWithoutTheLibraryNamesThePropertyAndTheLibrary() {
        OneDnn.Availability missing = OneDnn.open("/nonexistent/libdnnl.so.2");
        assertNull(missing.lib());
        assertTrue(missing.reason().contains("tare.onednn.lib") && missing.reason().contains("/nonexistent/libdnnl.so.2"), missing.reason());
        java.nio.file.Path notDnnl = java.nio.file.Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        if (java.nio.file.Files.isRegularFile(notDnnl)) {   // a library that is not oneDNN: said so, no crash
            OneDnn.Availability wrong = OneDnn.open(notDnnl.toString());
            assertNull(wrong.lib());
            assertTrue(wrong.reason().contains("dnnl_version") && wrong.reason().contains("tare.onednn.lib"), wrong.reason());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = PackedLinearTest.randomWeights(arena, DType.BF16, 8, 4, new Random(1));
            var e = assertThrows(IllegalStateException.class, () -> Kernels.linear(w, DType.BF16, 8, 4, Kernels.Choice.NATIVE, () -> missing));
            assertTrue(e.getMessage().contains("-Dtare.kernel=native") && e.getMessage().contains("tare.onednn.lib")
                    && e.getMessage().contains("/nonexistent/libdnnl.so.2"), e.getMessage());
            // auto falls back to the Java kernels
            assertInstanceOf(PackedLinear.class, Kernels.linear(w, DType.BF16, 8, 4, Kernels.Choice.AUTO, () -> missing));
        }
    }

    @Test
    void autoTakesNativeWithBf16InstructionsNativeF32WithoutAndJavaForOtherWeights() {
        assertEquals(Kernels.Choice.NATIVE, Kernels.autoFor(DType.BF16, true, true));
        assertEquals(Kernels.Choice.NATIVE_F32, Kernels.autoFor(DType.BF16, true, false));   // e.g. an AVX2-only CPU
        assertEquals(Kernels.Choice.JAVA, Kernels.autoFor(DType.BF16, false, false));
        for (DType dt : new DType[] {DType.F32, DType.F16})
            for (boolean loads : new boolean[] {false, true})
                for (boolean bf16 : new boolean[] {false, true})
                    assertEquals(Kernels.Choice.JAVA, Kernels.autoFor(dt, loads, bf16), dt + " loads " + loads + " bf16 " + bf16);
        String d = Kernels.describe(Kernels.Choice.AUTO);
        OneDnn.Availability a = OneDnn.availability();
        if (a.lib() == null) assertTrue(d.startsWith("auto: java") && d.contains(a.reason()), d);
        else if (a.lib().hasBf16()) assertTrue(d.startsWith("auto: native bf16"), d);
        else assertTrue(d.startsWith("auto: native f32") && d.contains("no bf16 instructions"), d);
    }

    @Test
    void kernelPropertyValuesParse() {
        assertEquals(Kernels.Choice.JAVA, Kernels.parse(null));
        assertEquals(Kernels.Choice.JAVA, Kernels.parse("java"));
        assertEquals(Kernels.Choice.NATIVE, Kernels.parse("Native"));
        assertEquals(Kernels.Choice.AUTO, Kernels.parse(" auto "));
        assertEquals(Kernels.Choice.REFERENCE, Kernels.parse("reference"));
        assertEquals(Kernels.Choice.NATIVE_F32, Kernels.parse("native-f32"));
        assertEquals("native-f32", Kernels.Choice.NATIVE_F32.property());
        var e = assertThrows(IllegalArgumentException.class, () -> Kernels.parse("fast"));
        assertTrue(e.getMessage().contains("-Dtare.kernel=fast"), e.getMessage());
        assertFalse(Kernels.describe().isBlank());
    }

    @Test
    void sharedInputProductsHaveTheBitsOfSeparateCalls() {
        OneDnn dnn = dnnAnyIsa();
        Random rnd = new Random(14);
        java.util.List<NativeLinear.Precision> precisions = new ArrayList<>(List.of(NativeLinear.Precision.F32));
        if (dnn.hasBf16()) precisions.add(NativeLinear.Precision.BF16);
        int in = 72;
        int[] outs = {96, 16, 40};
        try (Arena arena = Arena.ofShared()) {
            for (NativeLinear.Precision p : precisions) {
                LinearWeight[] ws = new LinearWeight[outs.length];
                for (int i = 0; i < outs.length; i++)
                    ws[i] = NativeLinear.create(dnn, p, PackedLinearTest.randomWeights(arena, DType.BF16, outs[i], in, rnd), DType.BF16, outs[i], in);
                for (int rows : new int[] {1, 17, 300, NativeLinear.BLOCK_ROWS + 44}) {   // 300: the conversion and the epilogue split over the pool; the last: a block and a tail
                    float[] x = PackedLinearTest.randomX(rows * in, rnd);
                    float[][] ys = new float[outs.length][];
                    for (int i = 0; i < outs.length; i++) {
                        ys[i] = new float[rows * outs[i]];
                        java.util.Arrays.fill(ys[i], Float.NaN);   // every output overwritten
                    }
                    Kernels.forwardAll(x, rows, ws, ys);
                    for (int i = 0; i < outs.length; i++) {
                        float[] one = new float[rows * outs[i]];
                        ws[i].forward(x, rows, one);
                        assertBitsEqual(one, ys[i], p + " rows " + rows + " weight " + i);
                        // y + x·Wᵀ, added while copying: the bits of the product plus y
                        float[] y = PackedLinearTest.randomX(rows * outs[i], rnd), expect = y.clone();
                        for (int j = 0; j < expect.length; j++) expect[j] += one[j];
                        assertTrue(Kernels.forwardAdd(ws[i], x, rows, y));
                        assertBitsEqual(expect, y, p + " rows " + rows + " weight " + i + " added");
                    }
                }
                // a weight of another input width or kind: no shared product, nothing written; forwardAll runs them one by one
                LinearWeight other = NativeLinear.create(dnn, p, PackedLinearTest.randomWeights(arena, DType.BF16, 8, in + 1, rnd), DType.BF16, 8, in + 1);
                LinearWeight packed = PackedLinear.pack(PackedLinearTest.randomWeights(arena, DType.BF16, 8, in, rnd), DType.BF16, 8, in);
                float[] x = PackedLinearTest.randomX(5 * (in + 1), rnd), untouched = new float[5 * 8];
                assertFalse(Kernels.forwardNative(x, 5, new LinearWeight[] {ws[0], other}, (prods, first, from, to) -> fail("epilogue ran")));
                assertFalse(Kernels.forwardNative(x, 5, new LinearWeight[] {ws[0], packed}, (prods, first, from, to) -> fail("epilogue ran")));
                assertFalse(Kernels.forwardAdd(packed, x, 5, untouched));
                assertArrayEquals(new float[5 * 8], untouched);
                float[] a = new float[5 * outs[0]], b = new float[5 * 8], ea = new float[a.length], eb = new float[b.length];
                Kernels.forwardAll(x, 5, new LinearWeight[] {ws[0], packed}, new float[][] {a, b});
                ws[0].forward(x, 5, ea);
                packed.forward(x, 5, eb);
                assertBitsEqual(ea, a, p + " mixed kinds, native");
                assertBitsEqual(eb, b, p + " mixed kinds, Java");
                var e = assertThrows(IllegalArgumentException.class,
                        () -> NativeLinear.forwardShared(new NativeLinear[] {(NativeLinear) ws[0], (NativeLinear) other}, x, 5, (prods, first, from, to) -> {}));
                assertTrue(e.getMessage().contains("[" + outs[0] + ", " + in + "]") && e.getMessage().contains("[8, " + (in + 1) + "]"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> Kernels.forwardAll(x, 5, new LinearWeight[] {ws[0]}, new float[][] {new float[3]}));
            }
        }
    }

    @Test
    void longBatchesRunInBlocksOfRowsThatEachHaveTheBitsOfAShortCall() {
        OneDnn dnn = dnnAnyIsa();
        Random rnd = new Random(16);
        int in = 40, out = 24, B = NativeLinear.BLOCK_ROWS, rows = 2 * B + 37;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = PackedLinearTest.randomWeights(arena, DType.BF16, out, in, rnd);
            NativeLinear w = NativeLinear.create(dnn, NativeLinear.Precision.F32, data, DType.BF16, out, in);
            float[] x = PackedLinearTest.randomX(rows * in, rnd), y = new float[rows * out];
            w.forward(x, rows, y);
            for (int first = 0; first < rows; first += B) {
                int n = Math.min(B, rows - first);
                float[] part = new float[n * out];
                w.forward(java.util.Arrays.copyOfRange(x, first * in, (first + n) * in), n, part);
                assertBitsEqual(part, java.util.Arrays.copyOfRange(y, first * out, (first + n) * out), "block at row " + first);
            }
            // and the blocks are the product: every row against a double-precision dot product
            for (int r = 0; r < rows; r += 37)
                for (int o = 0; o < out; o++) {
                    double d = 0;
                    for (int k = 0; k < in; k++) d += (double) x[r * in + k] * w.get(o, k);
                    assertEquals(d, y[r * out + o], 1e-4 * (1 + Math.abs(d)), "row " + r + " col " + o);
                }
            // the epilogue sees each row once, in ranges inside one block, with the block's first row
            int[] seen = new int[rows];
            NativeLinear.forwardShared(new NativeLinear[] {w}, x, rows, (products, first, from, to) -> {
                assertEquals(0, first % B, "a block starts at a multiple of " + B);
                assertTrue(from >= first && to <= Math.min(first + B, rows) && from < to, first + ": [" + from + ", " + to + ")");
                assertTrue(products[0].byteSize() >= 4L * (to - first) * out);
                for (int r = from; r < to; r++) {
                    synchronized (seen) { seen[r]++; }
                    assertEquals(Float.floatToRawIntBits(y[r * out]), Float.floatToRawIntBits(products[0].getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) (r - first) * out)));
                }
            });
            for (int r = 0; r < rows; r++) assertEquals(1, seen[r], "row " + r);
        }
    }

    @Test
    void gatedMlpAddHasTheBitsOfItsStepsOneAtATime() {
        OneDnn dnn = dnnAnyIsa();
        Random rnd = new Random(15);
        List<NativeLinear.Precision> precisions = new ArrayList<>(List.of(NativeLinear.Precision.F32));
        if (dnn.hasBf16()) precisions.add(NativeLinear.Precision.BF16);
        // an activation no kernel could guess: g ← (g·g − 0.5)·u, row by row
        NativeLinear.GatedRow act = (g, gFrom, u, uFrom, n) -> {
            for (int i = 0; i < n; i++) g[gFrom + i] = (g[gFrom + i] * g[gFrom + i] - 0.5f) * u[uFrom + i];
        };
        try (Arena arena = Arena.ofShared()) {
            for (NativeLinear.Precision p : precisions)
                for (int[] s : new int[][] {{48, 136}, {200, 24}}) {   // hidden, intermediate (also the down product wider than the middle)
                    int hid = s[0], mid = s[1];
                    NativeLinear gate = NativeLinear.create(dnn, p, PackedLinearTest.randomWeights(arena, DType.BF16, mid, hid, rnd), DType.BF16, mid, hid);
                    NativeLinear up = NativeLinear.create(dnn, p, PackedLinearTest.randomWeights(arena, DType.BF16, mid, hid, rnd), DType.BF16, mid, hid);
                    NativeLinear down = NativeLinear.create(dnn, p, PackedLinearTest.randomWeights(arena, DType.BF16, hid, mid, rnd), DType.BF16, hid, mid);
                    for (int rows : new int[] {1, 9, 300, NativeLinear.BLOCK_ROWS + 37}) {   // the last: a block and a tail
                        float[] h = PackedLinearTest.randomX(rows * hid, rnd), x = PackedLinearTest.randomX(rows * hid, rnd), expect = x.clone();
                        float[] g = new float[rows * mid], u = new float[rows * mid], o = new float[rows * hid];
                        gate.forward(h, rows, g);
                        up.forward(h, rows, u);
                        if (p == NativeLinear.Precision.BF16)   // bf16 gate and up products: oneDNN's rounding of the f32 sums
                            for (int i = 0; i < g.length; i++) {
                                g[i] = bf16(g[i]);
                                u[i] = bf16(u[i]);
                            }
                        act.apply(g, 0, u, 0, rows * mid);
                        down.forward(g, rows, o);
                        for (int i = 0; i < expect.length; i++) expect[i] += o[i];
                        assertTrue(Kernels.gatedMlpAdd(gate, up, down, h, rows, x, act));
                        assertBitsEqual(expect, x, p + " " + hid + "/" + mid + " rows " + rows);
                    }
                    float[] h = new float[hid], x = new float[hid];
                    assertFalse(Kernels.gatedMlpAdd(gate, up, gate, h, 1, x, act), "down must read the middle width");
                    LinearWeight packedDown = PackedLinear.pack(PackedLinearTest.randomWeights(arena, DType.BF16, hid, mid, rnd), DType.BF16, hid, mid);
                    assertFalse(Kernels.gatedMlpAdd(gate, up, packedDown, h, 1, x, act));
                    assertArrayEquals(new float[hid], x, "nothing written when the weights do not chain");
                    var e = assertThrows(IllegalArgumentException.class, () -> NativeLinear.gatedMlpAdd(gate, up, gate, h, 1, x, act));
                    assertTrue(e.getMessage().contains("do not chain"), e.getMessage());
                }
        }
    }

    private static void assertBitsEqual(float[] expect, float[] actual, String what) {
        assertEquals(expect.length, actual.length, what);
        for (int i = 0; i < expect.length; i++)
            if (Float.floatToIntBits(expect[i]) != Float.floatToIntBits(actual[i]))
                fail(what + ": element " + i + " is " + actual[i] + ", one call alone gives " + expect[i]);
    }

    /** The library on any ISA (the f32 kernels need no bf16 instructions), or a skip naming why it is not usable. */
    static OneDnn dnnAnyIsa() {
        OneDnn.Availability a = OneDnn.availability();
        assumeTrue(a.lib() != null, "oneDNN not usable, native f32 / sgemm kernel tests skipped: " + a.reason());
        return a.lib();
    }

    @Test
    void f32MatchesTheExactSumToF32RoundingForEveryDtypeShapeAndRowCount() {
        // f32 weights and activations, f32 accumulation: the same tolerance as the Java kernels against the sum in double
        OneDnn dnn = dnnAnyIsa();
        Random rnd = new Random(8);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : DType.values())
                for (int[] shape : SHAPES) {
                    int out = shape[0], in = shape[1];
                    MemorySegment w = PackedLinearTest.randomWeights(arena, dt, out, in, rnd);
                    LinearWeight ref = new ReferenceLinear(w, dt, out, in);
                    LinearWeight nat = Kernels.linear(w, dt, out, in, Kernels.Choice.NATIVE_F32, OneDnn::availability);
                    if (dt == DType.BF16) {   // BF16 weights stay BF16 (SgemmLinearTest covers the widening path)
                        SgemmLinear g = assertInstanceOf(SgemmLinear.class, nat);
                        assertEquals(PackedLinear.packedBytes(dt, out, in), g.bytes());
                    } else {
                        NativeLinear n = assertInstanceOf(NativeLinear.class, nat);
                        assertEquals(NativeLinear.Precision.F32, n.precision());
                        assertTrue(n.bytes() >= (long) out * in * 4, "f32 weights: 4 bytes each (blocks padded): " + n.bytes());
                    }
                    for (int o = 0; o < out; o += Math.max(1, out / 7))
                        for (int k = 0; k < in; k += Math.max(1, in / 5))
                            assertEquals(Float.floatToIntBits(ref.get(o, k)), Float.floatToIntBits(nat.get(o, k)), dt + " get(" + o + ", " + k + ")");
                    for (int rows : ROWS)
                        PackedLinearTest.assertClose(ref, nat, PackedLinearTest.randomX(rows * in, rnd), rows,
                                "native-f32 " + dt + " " + out + "x" + in + " rows " + rows);
                }
        }
        assertTrue(Kernels.describe(Kernels.Choice.NATIVE_F32).startsWith("native f32 (oneDNN " + dnn.version()), Kernels.describe(Kernels.Choice.NATIVE_F32));
    }

    @Test
    void forcedNativeF32WithoutTheLibraryNamesTheProperty() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = PackedLinearTest.randomWeights(arena, DType.F32, 8, 4, new Random(1));
            OneDnn.Availability missing = OneDnn.open("/nonexistent/libdnnl.so.2");
            var e = assertThrows(IllegalStateException.class, () -> Kernels.linear(w, DType.F32, 8, 4, Kernels.Choice.NATIVE_F32, () -> missing));
            assertTrue(e.getMessage().contains("-Dtare.kernel=native-f32") && e.getMessage().contains("/nonexistent/libdnnl.so.2"), e.getMessage());
        }
    }
}
