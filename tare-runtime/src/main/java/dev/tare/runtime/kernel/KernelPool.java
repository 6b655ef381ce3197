package dev.tare.runtime.kernel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The kernels' fixed worker pool (one thread per available processor, the caller counting as one); idle workers and
 * waiting callers spin briefly before they park, so that the short parallel calls of a forward do not pay a thread
 * wake-up each. Code that already parallelises over the cores runs its kernel calls inside {@link #sequential} to avoid
 * oversubscription; calls made from a pool worker or a ForkJoinPool worker (parallel streams) are always sequential.
 */
public final class KernelPool {
    private static final int THREADS = Math.max(1, Integer.getInteger("tare.kernel.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> SEQUENTIAL = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /**
     * How long an idle worker, and a caller waiting for its helpers, spin before they park (nanoseconds; system
     * property {@code tare.kernel.spinMicros}, default 100 µs). A forward makes dozens of parallel calls a layer with
     * a little serial work between them; waking a parked thread took 20–100 µs on the 2-core VMs measured here,
     * which made a 2342 × 64 × 64 product slower on two threads (0.182 ms) than on one (0.156 ms).
     */
    private static final long SPIN_NS = 1000L * Math.max(0, Integer.getInteger("tare.kernel.spinMicros", 100));
    /** Work handed to the workers: copies of a call's loop, taken by whichever worker polls first. */
    private static final ConcurrentLinkedQueue<Runnable> QUEUE = new ConcurrentLinkedQueue<>();
    private static final Worker[] WORKERS = new Worker[THREADS - 1];
    private static final AtomicInteger WORKER_IDS = new AtomicInteger();

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker();
            WORKERS[i].start();
        }
    }

    /** A pool thread: runs queued loops; when the queue is empty it spins for {@link #SPIN_NS}, then parks. */
    private static final class Worker extends Thread {
        volatile boolean parked;

        Worker() {
            super("tare-kernel-" + WORKER_IDS.incrementAndGet());
            setDaemon(true);
        }

        @Override public void run() {
            while (true) {
                Runnable r = QUEUE.poll();
                if (r == null) {
                    long t0 = System.nanoTime();
                    while ((r = QUEUE.poll()) == null && System.nanoTime() - t0 < SPIN_NS) Thread.onSpinWait();
                }
                if (r == null) {
                    parked = true;   // announce, then look once more: a caller that queued before this sees no parked flag
                    if ((r = QUEUE.poll()) == null) {
                        LockSupport.park(this);
                        parked = false;
                        continue;
                    }
                    parked = false;
                }
                r.run();
            }
        }
    }

    /** Queues {@code copies} copies of {@code loop} and wakes as many parked workers. */
    private static void hand(Runnable loop, int copies) {
        for (int i = 0; i < copies; i++) QUEUE.add(loop);
        int woken = 0;
        for (Worker w : WORKERS) {
            if (woken == copies) break;
            if (w.parked) {
                LockSupport.unpark(w);
                woken++;
            }
        }
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
        AtomicInteger left = new AtomicInteger(n);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.currentThread();
        AtomicBoolean callerParked = new AtomicBoolean();
        Runnable loop = () -> {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                try {
                    if (failure.get() == null) body.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (left.decrementAndGet() == 0 && callerParked.get()) LockSupport.unpark(caller);
                }
            }
        };
        hand(loop, Math.min(THREADS - 1, n - 1));
        loop.run();
        if (left.get() > 0) {   // helpers still on their last items: spin, then park until the last one unparks us
            long t0 = System.nanoTime();
            while (left.get() > 0 && System.nanoTime() - t0 < SPIN_NS) Thread.onSpinWait();
            if (left.get() > 0) {
                callerParked.set(true);
                while (left.get() > 0) {
                    LockSupport.park(next);
                    if (Thread.interrupted()) {
                        caller.interrupt();
                        throw new IllegalStateException("interrupted while waiting for kernel workers");
                    }
                }
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException(t);
    }

    /** Whether the pool's workers may read {@code s}: a shared, global or automatic segment, not one confined to the caller. */
    static boolean workersCanRead(java.lang.foreign.MemorySegment s) { return s.isAccessibleBy(new Thread(() -> {})); }

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
