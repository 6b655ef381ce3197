package dev.tare.runtime.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plain bf16 products of bf16 attention against the exact products of their bf16 operands (double sums). */
class NativeMatmulTest {
    private static OneDnn dnn() {
        OneDnn.Availability a = OneDnn.availability();
        assumeTrue(a.lib() != null, "oneDNN not usable, native matmul tests skipped: " + a.reason());
        assumeTrue(a.lib().hasBf16(), "CPU without bf16 instructions (oneDNN runs " + a.lib().isaName() + "), native matmul tests skipped");
        return a.lib();
    }

    private static float bf(MemorySegment s, long i) { return DType.BF16.get(s, i); }

    /** n random values rounded to bf16 into a new native segment. */
    private static MemorySegment randomBf16(Arena a, Random r, long n) {
        MemorySegment s = a.allocate(2 * n, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, DType.toBf16((float) r.nextGaussian()));
        return s;
    }

    /** C against Σ_k A[i,k]·B(k,j) in double, within f32 rounding of Σ|terms|; {@code transposed}: B stored [n, k]. */
    private static void check(NativeMatmul mm, Arena a, Random r, int m, int n, int k, boolean transposed) {
        MemorySegment A = randomBf16(a, r, (long) m * k), B = randomBf16(a, r, (long) n * k), C = a.allocate(4L * m * n, 64);
        C.fill((byte) 0x7f);   // NaN-ish garbage: every element must be written
        if (transposed) mm.timesTransposed(m, n, k, A, B, C);
        else mm.times(m, n, k, A, B, C);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double sum = 0, mag = 0;
                for (int kk = 0; kk < k; kk++) {
                    double p = (double) bf(A, (long) i * k + kk) * bf(B, transposed ? (long) j * k + kk : (long) kk * n + j);
                    sum += p;
                    mag += Math.abs(p);
                }
                float c = C.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * n + j);
                assertTrue(Math.abs(sum - c) <= 1e-5 * mag + 1e-30, m + " x " + k + " x " + n + (transposed ? " (B stored [n, k])" : "")
                        + " at [" + i + ", " + j + "]: " + c + " vs exact " + sum);
            }
    }

    @Test
    void productsEqualTheExactProductsOfTheirBf16Operands() {
        NativeMatmul mm = new NativeMatmul(dnn(), NativeMatmul.MAX_CACHED);
        Random r = new Random(5);
        try (Arena a = Arena.ofConfined()) {
            for (int[] s : new int[][] {{1, 1, 1}, {7, 64, 16}, {112, 128, 64}, {48, 192, 80}, {448, 64, 128}}) {
                check(mm, a, r, s[0], s[1], s[2], true);
                check(mm, a, r, s[0], s[2], s[1], false);
            }
        }
    }

    @Test
    void shapesBeyondTheCacheAreBuiltPerCallAndStillRight() {
        NativeMatmul mm = new NativeMatmul(dnn(), 1);
        Random r = new Random(6);
        try (Arena a = Arena.ofConfined()) {
            check(mm, a, r, 16, 64, 32, true);
            check(mm, a, r, 32, 64, 32, true);   // not kept: built, run and freed
            check(mm, a, r, 16, 64, 32, true);   // the kept one again
            check(mm, a, r, 32, 32, 64, false);
        }
        assertEquals(1, mm.cached(), "one shape kept");
    }

    @Test
    void badOperandsAreRefusedWithTheirShapes() {
        NativeMatmul mm = new NativeMatmul(dnn(), 4);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment A = a.allocate(2 * 16 * 8, 64), B = a.allocate(2 * 32 * 8, 64), C = a.allocate(4 * 16 * 32, 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mm.timesTransposed(16, 32, 8, A, B, a.allocate(4 * 16 * 31)));
            assertTrue(e.getMessage().contains("C must be a native segment of at least 2048 bytes"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mm.times(16, 32, 8, MemorySegment.ofArray(new short[16 * 8]), B, C));
            assertTrue(e.getMessage().contains("A must be a native segment") && e.getMessage().contains("heap"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mm.times(0, 32, 8, A, B, C));
            assertTrue(e.getMessage().contains("0 x 8 x 32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mm.timesTransposed(16, 33, 8, A, B, C));
            assertTrue(e.getMessage().contains("B must be a native segment of at least 528 bytes"), e.getMessage());
        }
    }
}
