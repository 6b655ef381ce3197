package dev.tare.runtime.kernel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The kernels' fixed worker pool (one thread per available processor, the caller counting as one).
 * Code that already parallelises over the cores runs its kernel calls inside {@link #sequential} to avoid
 * oversubscription; calls made from a pool worker or a ForkJoinPool worker (parallel streams) are always sequential.
 */
public final class KernelPool {
    private static final int THREADS = Math.max(1, Integer.getInteger("tare.kernel.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> SEQUENTIAL = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final ExecutorService POOL = THREADS > 1 ? Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Worker(r);
        t.setDaemon(true);
        return t;
    }) : null;
    private static final AtomicInteger WORKER_IDS = new AtomicInteger();

    private static final class Worker extends Thread {
        Worker(Runnable r) { super(r, "tare-kernel-" + WORKER_IDS.incrementAndGet()); }
    }

    private KernelPool() {}

    /** Threads a kernel call may use (system property {@code tare.kernel.threads}, default: available processors). */
    public static int threads() { return THREADS; }

    /** Whether kernel calls made by the current thread run on the current thread only. */
    public static boolean isSequential() {
        Thread t = Thread.currentThread();
        return THREADS == 1 || t instanceof Worker || t instanceof java.util.concurrent.ForkJoinWorkerThread || SEQUENTIAL.get();
    }

    /** Runs {@code body} with every kernel call it makes on this thread kept single-threaded. */
    public static void sequential(Runnable body) {
        sequential(() -> { body.run(); return null; });
    }

    /** Runs {@code body} with every kernel call it makes on this thread kept single-threaded; returns its value. */
    public static <T> T sequential(Supplier<T> body) {
        boolean before = SEQUENTIAL.get();
        SEQUENTIAL.set(Boolean.TRUE);
        try {
            return body.get();
        } finally {
            SEQUENTIAL.set(before);
        }
    }

    /** Calls body(i) for i in [0, n), spread over the pool and the caller; returns when all are done. */
    public static void parallelFor(int n, IntConsumer body) {
        if (n <= 0) return;
        if (n == 1 || isSequential()) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable loop = () -> {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                try {
                    if (failure.get() == null) body.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }
        };
        int helpers = Math.min(THREADS - 1, n - 1);
        for (int h = 0; h < helpers; h++) POOL.execute(loop);
        loop.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kernel workers", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException(t);
    }

    /** Elements of row-wise work below which {@link #forRanges} stays on the calling thread. */
    public static final long PARALLEL_ROW_WORK = 1L << 16;

    /** A half-open range of rows. */
    @FunctionalInterface
    public interface Range { void run(int from, int to); }

    /**
     * body over [0, rows) cut into near-equal row ranges (about 4 per thread) spread over the pool when rows × perRow
     * reaches {@link #PARALLEL_ROW_WORK}; one call on this thread otherwise.
     */
    public static void forRanges(int rows, long perRow, Range body) {
        if (rows < 2 || (long) rows * perRow < PARALLEL_ROW_WORK) {
            body.run(0, rows);
            return;
        }
        int parts = Math.min(rows, THREADS * 4);
        parallelFor(parts, i -> body.run((int) ((long) rows * i / parts), (int) ((long) rows * (i + 1) / parts)));
    }
}
