package dev.tare.runtime.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Row ranges cover every row exactly once, split over the pool only when the work is large enough; parallel calls from
 * several threads at once, calls after the workers have parked, and failing bodies all complete and report correctly.
 */
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

    /** Several callers at once, each call's indices visited exactly once; some calls after the workers have parked. */
    @Test void concurrentCallersAndParkedWorkersEachSeeEveryIndexOnce() throws Exception {
        int callers = 4, rounds = 200;
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        for (int c = 0; c < callers; c++) {
            int seed = c;
            Thread t = new Thread(() -> {
                try {
                    java.util.Random r = new java.util.Random(seed);
                    for (int round = 0; round < rounds; round++) {
                        int n = 1 + r.nextInt(64);
                        AtomicIntegerArray seen = new AtomicIntegerArray(n);
                        KernelPool.parallelFor(n, i -> seen.incrementAndGet(i));
                        for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " of " + n);
                        if (round % 50 == 0) Thread.sleep(3);   // longer than the spin: the workers park
                    }
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join(60_000);
        for (Thread t : threads) assertFalse(t.isAlive(), "a caller hung");
        if (failed.get() != null) throw new AssertionError(failed.get());
    }

    /** A body that throws: the call waits for the other items, then rethrows the first failure; the pool still works. */
    @Test void aFailingBodyIsRethrownAndThePoolStaysUsable() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelPool.parallelFor(50, i -> { if (i == 7) throw new IllegalStateException("item 7"); }));
        assertEquals("item 7", e.getMessage());
        AtomicInteger sum = new AtomicInteger();
        KernelPool.parallelFor(100, sum::addAndGet);
        assertEquals(4950, sum.get());
    }
}
