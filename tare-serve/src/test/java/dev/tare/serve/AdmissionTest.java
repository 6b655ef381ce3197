package dev.tare.serve;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Queue admission: a full queue holds requests first come first served up to the bound, then rejects with 429. */
class AdmissionTest {
    @Test
    void aFullQueueHoldsRequestsInArrivalOrderAndRejectsOnlyAfterTheBound() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        var b = new DynamicBatcher<Integer, Integer>(items -> {
            try { go.await(); } catch (InterruptedException e) { throw new IllegalStateException(e); }
            order.addAll(items);
            return items;
        }, 1, 1, Duration.ZERO, 1, new ServerMetrics(), Duration.ofMillis(400));
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<List<Integer>> first = b.submit(List.of(0)); // taken by the worker, which blocks
            while (b.queuedItems() != 0) Thread.sleep(5);
            CompletableFuture<List<Integer>> second = b.submit(List.of(1)); // fills the 1-item queue
            List<Future<CompletableFuture<List<Integer>>>> held = new ArrayList<>();
            for (int i = 2; i < 5; i++) {
                int v = i;
                held.add(ex.submit(() -> b.submit(List.of(v))));
                Thread.sleep(30); // arrival order 2, 3, 4
            }
            long t0 = System.nanoTime();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> held.getFirst().get(5, TimeUnit.SECONDS));
            double waited = (System.nanoTime() - t0) / 1e9;
            var r = assertInstanceOf(DynamicBatcher.Rejected.class, e.getCause());
            assertFalse(r.unavailable(), "a 429, not a 503");
            assertTrue(r.getMessage().contains("whole admission wait of 0.4 s"), r.getMessage());
            assertTrue(waited > 0.25 && waited < 2, "held about the bound: " + waited);
            for (var h : held) assertThrows(java.util.concurrent.ExecutionException.class, () -> h.get(5, TimeUnit.SECONDS));

            // room appears within the bound: held requests enter in arrival order
            List<Future<CompletableFuture<List<Integer>>>> again = new ArrayList<>();
            for (int i = 5; i < 8; i++) {
                int v = i;
                again.add(ex.submit(() -> b.submit(List.of(v))));
                Thread.sleep(30);
            }
            go.countDown();
            assertEquals(List.of(0), first.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(1), second.get(5, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) assertEquals(List.of(5 + i), again.get(i).get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS));
            assertEquals(List.of(0, 1, 5, 6, 7), order);
        } finally {
            b.close();
        }
    }
}
