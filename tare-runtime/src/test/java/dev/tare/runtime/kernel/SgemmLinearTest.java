package dev.tare.runtime.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SgemmLinearTest {
    private static final int[][] SHAPES = {{96, 80}, {257, 129}, {1, 1}, {64, 896}, {33, 7}};

    private static OneDnn dnn() { return NativeLinearTest.dnnAnyIsa(); }

    // ---- these run without oneDNN

    @Test
    void widenedPanelsHoldEveryWeightExactlyAndZerosPastTheLastOutput() {
        Random rnd = new Random(21);
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int out = s[0], in = s[1];
                PackedLinear w = PackedLinear.pack(PackedLinearTest.randomWeights(arena, DType.BF16, out, in, rnd), DType.BF16, out, in);
                int panels = w.panels();
                assertEquals((out + 31) / 32, panels);
                for (int[] range : new int[][] {{0, panels}, {panels - 1, panels}, {panels / 2, panels}}) {
                    int p0 = range[0], p1 = range[1], ld = (p1 - p0) * 32;
                    MemorySegment dst = arena.allocate((long) in * ld * 4 + 64);
                    dst.fill((byte) 0x7F);   // every element of the [in][ld] block must be written; the rest left alone
                    w.widenBf16(p0, p1, dst);
                    for (int k = 0; k < in; k++)
                        for (int c = 0; c < ld; c++) {
                            int o = p0 * 32 + c;
                            float got = dst.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) k * ld + c);
                            float want = o < out ? w.get(o, k) : 0f;
                            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                                    "[" + out + "," + in + "] panels " + p0 + ".." + p1 + " k " + k + " col " + c);
                        }
                    assertEquals(0x7F7F7F7F, dst.get(ValueLayout.JAVA_INT_UNALIGNED, (long) in * ld * 4), "written past [in][ld]");
                }
            }
            PackedLinear f32 = PackedLinear.pack(PackedLinearTest.randomWeights(arena, DType.F32, 8, 8, rnd), DType.F32, 8, 8);
            assertThrows(IllegalStateException.class, () -> f32.widenBf16(0, 1, arena.allocate(8 * 32 * 4)));
        }
    }

    @Test
    void thePlanCoversEveryPanelAndRowOnceWithinTheBuffer() {
        for (int panels : new int[] {1, 2, 3, 7, 28, 152})
            for (int rows : new int[] {128, 129, 1024, 5000})
                for (int in : new int[] {1, 896, 4864, 200_000})
                    for (int threads : new int[] {1, 2, 3, 16}) {
                        PackedLinear.Split plan = SgemmLinear.plan(panels, rows, in, threads);
                        String what = panels + " panels, " + rows + " rows, in " + in + ", " + threads + " threads: " + plan;
                        int[][] seen = new int[panels][rows];
                        for (int item = 0; item < plan.items(); item++) {
                            int p0 = plan.panelStart(item), p1 = plan.panelEnd(item);
                            assertTrue(p0 < p1 && plan.blockStart(item) < plan.blockEnd(item), what + ": empty item " + item);
                            assertTrue(p1 - p0 == 1 || (long) in * (p1 - p0) * 32 * 4 <= SgemmLinear.BUFFER_BYTES,
                                    what + ": item " + item + " widens " + (p1 - p0) + " panels");
                            for (int p = p0; p < p1; p++)
                                for (int r = plan.blockStart(item); r < plan.blockEnd(item); r++) seen[p][r]++;
                        }
                        for (int p = 0; p < panels; p++)
                            for (int r = 0; r < rows; r++) assertEquals(1, seen[p][r], what + ": panel " + p + " row " + r);
                        if (plan.blockGroups() == 1 && plan.panelGroups() < panels)
                            assertEquals(0, plan.panelGroups() % threads, what + ": groups not a multiple of the threads");
                        assertTrue(plan.items() >= Math.min(threads, panels), what + ": fewer items than threads");
                    }
    }

    // ---- these need oneDNN (any ISA)

    @Test
    void matchesTheExactSumToF32RoundingAndBelowTheThresholdIsTheJavaKernel() {
        OneDnn dnn = dnn();
        Random rnd = new Random(22);
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : SHAPES) {
                int out = s[0], in = s[1];
                MemorySegment data = PackedLinearTest.randomWeights(arena, DType.BF16, out, in, rnd);
                SgemmLinear g = SgemmLinear.create(dnn, data, DType.BF16, out, in);
                LinearWeight ref = new ReferenceLinear(data, DType.BF16, out, in);
                PackedLinear java = PackedLinear.pack(data, DType.BF16, out, in);
                assertEquals(out, g.outFeatures());
                assertEquals(in, g.inFeatures());
                assertEquals(PackedLinear.packedBytes(DType.BF16, out, in), g.bytes(), "BF16 weights stay 2 bytes each");
                for (int o = 0; o < out; o += Math.max(1, out / 5))
                    for (int k = 0; k < in; k += Math.max(1, in / 5)) assertEquals(ref.get(o, k), g.get(o, k));
                for (int rows : new int[] {SgemmLinear.MIN_ROWS, SgemmLinear.MIN_ROWS + 3, 515})
                    PackedLinearTest.assertClose(ref, g, PackedLinearTest.randomX(rows * in, rnd), rows,
                            "sgemm [" + out + "," + in + "] rows " + rows);
                for (int rows : new int[] {1, 5, SgemmLinear.MIN_ROWS - 1}) {   // the Java kernels: their bits
                    float[] x = PackedLinearTest.randomX(rows * in, rnd), a = new float[rows * out], b = new float[rows * out];
                    java.forward(x, rows, a);
                    g.forward(x, rows, b);
                    assertArrayEquals(a, b, "rows " + rows + " below the threshold");
                }
            }
        }
    }

    @Test
    void writesOnlyItsRowsOfLargerArraysAndRejectsShortOnes() {
        OneDnn dnn = dnn();
        Random rnd = new Random(23);
        int out = 100, in = 70, rows = 300;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = PackedLinearTest.randomWeights(arena, DType.BF16, out, in, rnd);
            SgemmLinear g = SgemmLinear.create(dnn, data, DType.BF16, out, in);
            float[] x = PackedLinearTest.randomX(rows * in + 5, rnd);
            float[] y = new float[rows * out + 7];
            java.util.Arrays.fill(y, rows * out, y.length, 42f);
            g.forward(x, rows, y);
            for (int i = rows * out; i < y.length; i++) assertEquals(42f, y[i], "y[" + i + "] past rows*out");
            float[] want = new float[rows * out];
            new ReferenceLinear(data, DType.BF16, out, in).forward(x, rows, want);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], y[i], 1e-4 * (1 + Math.abs(want[i])), "y[" + i + "]");
            var e = assertThrows(IllegalArgumentException.class, () -> g.forward(new float[rows * in - 1], rows, new float[rows * out]));
            assertTrue(e.getMessage().contains("rows*in = " + rows * in), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.forward(new float[rows * in], rows, new float[rows * out - 1]));
            assertThrows(IllegalArgumentException.class, () -> SgemmLinear.create(dnn, data, DType.F32, out, in / 2));
        }
    }

    @Test
    void concurrentCallersAndSequentialSectionsAgree() throws Exception {
        OneDnn dnn = dnn();
        Random rnd = new Random(24);
        int out = 200, in = 300, rows = 260;
        try (Arena arena = Arena.ofShared()) {
            SgemmLinear g = SgemmLinear.create(dnn, PackedLinearTest.randomWeights(arena, DType.BF16, out, in, rnd), DType.BF16, out, in);
            float[] x = PackedLinearTest.randomX(rows * in, rnd);
            float[] expect = new float[rows * out], seq = new float[rows * out];
            g.forward(x, rows, expect);
            KernelPool.sequential(() -> g.forward(x, rows, seq));   // one item on this thread
            assertArrayEquals(expect, seq, 1e-3f);
            NativeLinearTest.assertConcurrentCallsAgree(g, x, rows, expect, 1e-3f);
        }
    }
}
