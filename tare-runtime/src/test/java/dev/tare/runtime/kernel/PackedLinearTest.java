package dev.tare.runtime.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackedLinearTest {

    /** Random weights of {@code dtype} (values ~N(0,1), stored rounded to the dtype). */
    static MemorySegment randomWeights(Arena arena, DType dtype, int out, int in, Random rnd) {
        MemorySegment s = arena.allocate((long) out * in * dtype.bytes(), 8);
        for (long i = 0; i < (long) out * in; i++) {
            float v = (float) rnd.nextGaussian();
            switch (dtype) {
                case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                case BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
            }
        }
        return s;
    }

    static float[] randomX(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** Asserts fast vs reference agree to 1e-5 relative to the magnitude Σ|x·w| of each output. */
    static void assertClose(LinearWeight ref, LinearWeight fast, float[] x, int rows, String what) {
        assertClose(ref, fast, x, rows, 1e-5, what);
    }

    /** Asserts fast vs reference agree to {@code tol} relative to the magnitude Σ|x·w| of each output. */
    static void assertClose(LinearWeight ref, LinearWeight fast, float[] x, int rows, double tol, String what) {
        int out = ref.outFeatures(), in = ref.inFeatures();
        float[] y1 = new float[rows * out], y2 = new float[rows * out];
        java.util.Arrays.fill(y2, Float.NaN);   // the kernel must overwrite every output
        ref.forward(x, rows, y1);
        fast.forward(x, rows, y2);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < out; o++) {
                double mag = 0;
                for (int k = 0; k < in; k++) mag += Math.abs(x[r * in + k] * ref.get(o, k));
                double err = Math.abs(y1[r * out + o] - y2[r * out + o]);
                if (!(err <= tol * mag + 1e-30))
                    fail(what + ": row " + r + " out " + o + ": reference " + y1[r * out + o] + " fast " + y2[r * out + o]
                            + " (|x||w| " + mag + ")");
            }
    }

    @Test
    void matchesReferenceOnRaggedShapesForEveryDtype() {
        Random rnd = new Random(42);
        int[][] shapes = {{1, 1}, {31, 17}, {32, 16}, {33, 15}, {70, 129}, {100, 513}, {45, 1031}, {64, 1100}, {5, 2}};
        try (Arena arena = Arena.ofConfined()) {
            for (boolean wide : new boolean[] {true, false})   // 512-bit and 256-bit (AVX2) kernels, whatever this CPU has
                for (DType dt : DType.values())
                    for (int[] s : shapes) {
                        int out = s[0], in = s[1];
                        MemorySegment w = randomWeights(arena, dt, out, in, rnd);
                        ReferenceLinear ref = new ReferenceLinear(w, dt, out, in);
                        PackedLinear fast = PackedLinear.pack(w, dt, out, in, wide);
                        assertEquals(dt == DType.BF16, fast.isBf16());
                        assertEquals(wide ? 512 : 256, fast.vectorBits());
                        for (int rows : new int[] {1, 2, 7, 8, 9, 16, 23, 67}) {
                            float[] x = randomX(rows * in, rnd);
                            assertClose(ref, fast, x, rows, dt + " [" + out + "," + in + "] rows " + rows + " " + fast.vectorBits() + "-bit");
                        }
                    }
        }
    }

    @Test
    void everyRowCountFrom1To67() {
        Random rnd = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                int out = 61, in = 77;
                MemorySegment w = randomWeights(arena, dt, out, in, rnd);
                ReferenceLinear ref = new ReferenceLinear(w, dt, out, in);
                LinearWeight fast = Kernels.linear(w, dt, out, in);
                for (int rows = 1; rows <= 67; rows++)
                    assertClose(ref, fast, randomX(rows * in, rnd), rows, dt + " rows " + rows);
            }
        }
    }

    @Test
    void bothVectorWidthsGiveIdenticalSumsOnTheSamePanels() {
        // same packed layout, same k order per output: the 256-bit kernels split a tile's columns, not its sums
        Random rnd = new Random(9);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                int out = 70, in = 1100, rows = 19;
                MemorySegment w = randomWeights(arena, dt, out, in, rnd);
                float[] x = randomX(rows * in, rnd);
                float[] a = new float[rows * out], b = new float[rows * out];
                PackedLinear.pack(w, dt, out, in, true).forward(x, rows, a);
                PackedLinear.pack(w, dt, out, in, false).forward(x, rows, b);
                assertArrayEquals(a, b, dt.toString());
            }
        }
    }

    @Test
    void panelGroupsOfAnySizeGiveTheSameBits() {
        // the tiles' order (panel groups held in L2, then row blocks, then K blocks) never changes a tile's sums:
        // groups of 1 panel, of 2, of 3 (the last one short) and of all give the same bits and match the reference.
        // [200, 33] × 9 rows is one work item holding all 7 panels; [1000, 1100] × 37 rows has several K blocks, a row
        // tail and items of several panels wherever the kernel pool has under 8 threads
        Random rnd = new Random(21);
        try (Arena arena = Arena.ofConfined()) {
            for (int[] shape : new int[][] {{200, 33, 9}, {1000, 1100, 37}})
                for (DType dt : new DType[] {DType.F32, DType.BF16})
                    for (boolean wide : new boolean[] {true, false}) {
                        int out = shape[0], in = shape[1], rows = shape[2];
                        MemorySegment w = randomWeights(arena, dt, out, in, rnd);
                        float[] x = randomX(rows * in, rnd);
                        float[] whole = new float[rows * out];
                        PackedLinear all = PackedLinear.pack(w, dt, out, in, wide, Long.MAX_VALUE);
                        all.forward(x, rows, whole);
                        assertClose(new ReferenceLinear(w, dt, out, in), all, x, rows, dt + " all panels in one group");
                        long panelBytes = dt == DType.BF16 ? ((in + 1) / 2) * 2L * 32 * 2 : (long) in * 32 * 4;
                        for (long bytes : new long[] {1, 2 * panelBytes, 3 * panelBytes + 1}) {
                            String what = dt + " " + out + "x" + in + (wide ? " 512-bit" : " 256-bit") + ", groups of " + bytes + " bytes";
                            float[] y = new float[rows * out];
                            PackedLinear.pack(w, dt, out, in, wide, bytes).forward(x, rows, y);
                            assertArrayEquals(whole, y, what);
                        }
                    }
        }
    }

    @Test
    void oneRowGetsTheSameBitsAsInAMatrixProduct() {
        // the matrix-vector path sums in the tile's order, so a row's result does not depend on how many rows share
        // the call (a sequence's logits alone or in a decoding batch); odd `in` and several K blocks of either type
        Random rnd = new Random(12);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16})
                for (int[] shape : new int[][] {{70, 1100}, {33, 513}, {5, 7}, {96, 1}})
                    for (boolean wide : new boolean[] {true, false}) {
                        int out = shape[0], in = shape[1], rows = 11;
                        PackedLinear w = PackedLinear.pack(randomWeights(arena, dt, out, in, rnd), dt, out, in, wide);
                        float[] x = randomX(rows * in, rnd);
                        float[] all = new float[rows * out];
                        w.forward(x, rows, all);
                        for (int r = 0; r < rows; r++) {
                            float[] one = new float[out];
                            w.forward(java.util.Arrays.copyOfRange(x, r * in, (r + 1) * in), 1, one);
                            assertArrayEquals(java.util.Arrays.copyOfRange(all, r * out, (r + 1) * out), one,
                                    dt + " " + out + "x" + in + (wide ? " 512-bit" : " 256-bit") + " row " + r);
                        }
                    }
        }
    }

    @Test
    void getReturnsStoredElementsExactly() {
        Random rnd = new Random(3);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : DType.values()) {
                int out = 37, in = 19;
                MemorySegment w = randomWeights(arena, dt, out, in, rnd);
                PackedLinear fast = PackedLinear.pack(w, dt, out, in);
                for (int o = 0; o < out; o++)
                    for (int k = 0; k < in; k++)
                        assertEquals(dt.get(w, (long) o * in + k), fast.get(o, k), dt + " [" + o + "," + k + "]");
                assertThrows(IndexOutOfBoundsException.class, () -> fast.get(out, 0));
                assertEquals(PackedLinear.packedBytes(dt, out, in), fast.bytes());
            }
        }
    }

    @Test
    void packedWeightsLiveOutsideTheDirectMemoryLimit() {
        // arena memory counts against -XX:MaxDirectMemorySize (default: the heap limit); multi-GB models must not
        if (System.getProperty("os.name").toLowerCase().contains("linux")) assertTrue(NativeMemory.usesMalloc());
        long before = java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)
                .stream().filter(b -> b.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed).sum();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = randomWeights(arena, DType.BF16, 512, 512, new Random(1));
            PackedLinear p = PackedLinear.pack(w, DType.BF16, 512, 512);
            long after = java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)
                    .stream().filter(b -> b.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed).sum();
            if (NativeMemory.usesMalloc()) assertTrue(after - before < p.bytes(), "packed weights counted as direct memory");
            assertEquals(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * 513), (short) (Float.floatToRawIntBits(p.get(1, 1)) >>> 16));
        }
    }

    @Test
    void bf16PackingKeepsTwoBytesPerWeight() {
        assertEquals(2L * 4864 * 896, PackedLinear.packedBytes(DType.BF16, 4864, 896));
        assertEquals(4L * 4864 * 896, PackedLinear.packedBytes(DType.F32, 4864, 896));
        assertEquals(4L * 4864 * 896, PackedLinear.packedBytes(DType.F16, 4864, 896));
    }

    @Test
    void sequentialAndParallelGiveIdenticalResults() {
        Random rnd = new Random(11);
        try (Arena arena = Arena.ofConfined()) {
            int out = 300, in = 600, rows = 19;
            MemorySegment w = randomWeights(arena, DType.BF16, out, in, rnd);
            LinearWeight fast = Kernels.linear(w, DType.BF16, out, in);
            float[] x = randomX(rows * in, rnd);
            float[] a = new float[rows * out], b = new float[rows * out];
            fast.forward(x, rows, a);
            KernelPool.sequential(() -> fast.forward(x, rows, b));
            assertArrayEquals(a, b);   // each output is computed by one thread in a fixed order
            assertFalse(KernelPool.isSequential() && KernelPool.threads() > 1);
            assertTrue(KernelPool.sequential(KernelPool::isSequential));
            // inside a parallel stream (an outer parallel loop) kernel calls stay on the worker's thread
            java.util.List<Boolean> inner = java.util.stream.IntStream.range(0, 64).parallel()
                    .mapToObj(i -> Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread ? KernelPool.isSequential() : Boolean.TRUE)
                    .toList();
            assertFalse(inner.contains(Boolean.FALSE));
        }
    }

    @Test
    void workSplitCoversEveryPanelAndRowBlockOnceInNearEqualGroups() {
        for (int panels : new int[] {1, 2, 3, 7, 28, 152})
            for (int blocks : new int[] {1, 2, 9, 64}) {
                PackedLinear.Split s = PackedLinear.Split.of(panels, blocks, Long.MAX_VALUE / 4);
                String what = panels + " panels x " + blocks + " blocks -> " + s;
                int[][] seen = new int[panels][blocks];
                java.util.Set<Integer> panelSizes = new java.util.TreeSet<>(), blockSizes = new java.util.TreeSet<>();
                for (int item = 0; item < s.items(); item++) {
                    panelSizes.add(s.panelEnd(item) - s.panelStart(item));
                    blockSizes.add(s.blockEnd(item) - s.blockStart(item));
                    for (int p = s.panelStart(item); p < s.panelEnd(item); p++)
                        for (int b = s.blockStart(item); b < s.blockEnd(item); b++) seen[p][b]++;
                }
                for (int[] row : seen) for (int c : row) assertEquals(1, c, what);
                assertTrue(java.util.Collections.max(panelSizes) - java.util.Collections.min(panelSizes) <= 1, what + " " + panelSizes);
                assertTrue(java.util.Collections.max(blockSizes) - java.util.Collections.min(blockSizes) <= 1, what + " " + blockSizes);
                assertTrue(java.util.Collections.min(panelSizes) >= 1 && java.util.Collections.min(blockSizes) >= 1, what);
                int want = KernelPool.threads() * 4;
                assertTrue(s.items() <= Math.max(want, 1) + Math.max(panels, 1), what);   // about 4 items per thread
                // rows are cut only where the panels alone cannot give every thread its share
                if (panels >= want) assertEquals(1, s.blockGroups(), what);
                else assertEquals(Math.min(blocks, (want + panels - 1) / panels), s.blockGroups(), what);
            }
        PackedLinear.Split small = PackedLinear.Split.of(152, 64, PackedLinear.PARALLEL_MIN_MACS - 1);
        assertEquals(1, small.items(), "small work stays on the caller's thread");
    }

    @Test
    void fewOutputPanelsWithManyRowsCutTheRowsAndStillMatch() {
        Random rnd = new Random(5);
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16}) {
                int out = 40, in = 301, rows = 67;   // 2 panels, 9 row blocks (the last one 3 rows)
                MemorySegment w = randomWeights(arena, dt, out, in, rnd);
                ReferenceLinear ref = new ReferenceLinear(w, dt, out, in);
                assertTrue(PackedLinear.Split.of(2, 9, 9L * PackedLinear.MR * in * 2 * PackedLinear.NR).blockGroups() > 1);
                for (boolean wide : new boolean[] {true, false}) {
                    PackedLinear fast = PackedLinear.pack(w, dt, out, in, wide);
                    float[] x = randomX(rows * in, rnd);
                    assertClose(ref, fast, x, rows, dt + " " + fast.vectorBits() + "-bit, rows cut");
                    float[] a = new float[rows * out], b = new float[rows * out];
                    fast.forward(x, rows, a);
                    KernelPool.sequential(() -> fast.forward(x, rows, b));
                    assertArrayEquals(a, b);
                }
            }
        }
    }

    @Test
    void parallelForRunsEveryIndexOnceAndPropagatesFailures() {
        AtomicInteger sum = new AtomicInteger();
        KernelPool.parallelFor(100, i -> sum.addAndGet(i + 1));
        assertEquals(5050, sum.get());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelPool.parallelFor(10, i -> { if (i == 6) throw new IllegalStateException("boom " + i); }));
        assertEquals("boom 6", e.getMessage());
    }

    @Test
    void rejectsShortSegmentsAndArrays() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(10 * 10 * 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PackedLinear.pack(w, DType.F32, 10, 10));
            assertTrue(e.getMessage().contains("need 400"), e.getMessage());
            PackedLinear ok = PackedLinear.pack(w, DType.BF16, 10, 10);
            assertThrows(IllegalArgumentException.class, () -> ok.forward(new float[19], 2, new float[20]));
            assertThrows(IllegalArgumentException.class, () -> ok.forward(new float[20], 2, new float[19]));
        }
    }

    @Test
    void mappedWeightsStayReadableAfterPacking(@TempDir Path dir) throws IOException {
        Random rnd = new Random(5);
        int out = 90, in = 130;
        Path file = dir.resolve("w.bin");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = randomWeights(arena, DType.BF16, out, in, rnd);
            Files.write(file, src.toArray(ValueLayout.JAVA_BYTE));
        }
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            LinearWeight fast = Kernels.linear(mapped, DType.BF16, out, in);
            ReferenceLinear ref = new ReferenceLinear(mapped, DType.BF16, out, in);   // reads the unloaded pages back
            for (int rows : new int[] {1, 13})
                assertClose(ref, fast, randomX(rows * in, rnd), rows, "mapped rows " + rows);
        }
    }

    @Test
    void theTileAloneIsTimedForBf16AndF32AndBadArgumentsAreRefused() {
        double bf16 = PackedLinear.tileGflops(DType.BF16, 0.05), f32 = PackedLinear.tileGflops(DType.F32, 0.05);
        assertTrue(bf16 > 0 && Double.isFinite(bf16), "bf16 " + bf16);
        assertTrue(f32 > 0 && Double.isFinite(f32), "f32 " + f32);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedLinear.tileGflops(DType.F16, 0.05)).getMessage().contains("F16"));
        for (double bad : new double[] {0, -1, Double.NaN, 61})
            assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedLinear.tileGflops(DType.BF16, bad)).getMessage().contains("seconds"));
    }
}
