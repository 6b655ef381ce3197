package dev.tare.runtime.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Row ranges cover every row exactly once, split over the pool only when the work is large enough. */
class KernelPoolTest {
    @Test void rangesCoverEveryRowOnce() {
        for (int rows : new int[] {1, 2, 7, 100, 1000}) {
            for (long perRow : new long[] {1, 896, 1L << 16}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(rows);
                AtomicInteger calls = new AtomicInteger();
                KernelPool.forRanges(rows, perRow, (from, to) -> {
                    assertTrue(0 <= from && from <= to && to <= rows, from + ".." + to);
                    calls.incrementAndGet();
                    for (int r = from; r < to; r++) seen.incrementAndGet(r);
                });
                for (int r = 0; r < rows; r++) assertEquals(1, seen.get(r), "row " + r + " of " + rows + ", perRow " + perRow);
                boolean small = rows < 2 || (long) rows * perRow < KernelPool.PARALLEL_ROW_WORK;
                if (small) assertEquals(1, calls.get(), "small work stays one call");
                else assertEquals(Math.min(rows, KernelPool.threads() * 4), calls.get());
            }
        }
    }
}
