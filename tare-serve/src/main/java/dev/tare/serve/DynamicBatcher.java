package dev.tare.serve;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Merges concurrent requests into runtime batches: a bounded queue (in items) that, when full, rejects at once
 * ({@code admissionWait} zero: shed) or holds new requests first come first served up to {@code admissionWait} for room
 * and then rejects (queue admission), worker threads that take up to {@code maxBatchItems} items or whatever arrived within {@code maxWait}
 * of the oldest request, and a clean drain on close. A failing merged batch is retried request by request so one
 * bad request cannot fail the others.
 */
public final class DynamicBatcher<I, R> implements AutoCloseable {
    /**
     * Thrown by {@link #submit} when the queue is full, the batcher is closing or no worker is left; also fails the
     * queued requests when the last worker dies.
     */
    public static final class Rejected extends RuntimeException {
        private final int retryAfterSeconds;
        private final boolean unavailable;

        Rejected(String msg, int retryAfterSeconds, boolean unavailable) {
            super(msg);
            this.retryAfterSeconds = retryAfterSeconds;
            this.unavailable = unavailable;
        }

        public int retryAfterSeconds() { return retryAfterSeconds; }
        /** True when the batcher cannot serve at all (closing, no live worker): a 503, not a 429. */
        public boolean unavailable() { return unavailable; }
    }

    private record Pending<I, R>(List<I> items, CompletableFuture<List<R>> future, long enqueued) {}

    private final Function<List<I>, List<R>> evaluator;
    private final int capacityItems;
    private final int maxBatchItems;
    private final long maxWaitNanos;
    private final ArrayDeque<Pending<I, R>> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    /** Signalled when queued items leave the queue or the batcher stops: waiting admissions look again. */
    private final Condition room = lock.newCondition();
    /** Requests waiting for room (queue admission), oldest first: only the head may enter, so none is overtaken. */
    private final ArrayDeque<Object> admissionLine = new ArrayDeque<>();
    private final long admissionWaitNanos;
    private final List<Thread> workers = new ArrayList<>();
    private final ServerMetrics metrics;
    private int queuedItems;
    private boolean closing;
    private int liveWorkers;
    private volatile Throwable lastDeath;
    private final java.util.concurrent.atomic.AtomicReference<Error> injectedFault = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile double itemsPerSecond = 0;

    /** A shedding batcher (a full queue rejects at once). */
    public DynamicBatcher(Function<List<I>, List<R>> evaluator, int capacityItems, int maxBatchItems, Duration maxWait,
                          int workerCount, ServerMetrics metrics) {
        this(evaluator, capacityItems, maxBatchItems, maxWait, workerCount, metrics, Duration.ZERO);
    }

    /** {@code admissionWait}: how long a request may wait for room in a full queue (zero: reject at once). */
    public DynamicBatcher(Function<List<I>, List<R>> evaluator, int capacityItems, int maxBatchItems, Duration maxWait,
                          int workerCount, ServerMetrics metrics, Duration admissionWait) {
        if (admissionWait.isNegative()) throw new IllegalArgumentException("admission wait must be >= 0");
        this.admissionWaitNanos = admissionWait.toNanos();
        if (capacityItems < 1 || maxBatchItems < 1 || workerCount < 1) throw new IllegalArgumentException("batcher sizes must be >= 1");
        this.evaluator = evaluator;
        this.capacityItems = capacityItems;
        this.maxBatchItems = maxBatchItems;
        this.maxWaitNanos = maxWait.toNanos();
        this.metrics = metrics;
        liveWorkers = workerCount;
        for (int i = 0; i < workerCount; i++) {
            Thread t = Thread.ofPlatform().name("tare-batcher-" + i).daemon(true).start(this::work);
            workers.add(t);
        }
    }

    /**
     * Queues a request's items; the future completes with one result per item, in order. With queue admission this
     * blocks while the queue is full (or older requests wait for room), at most the admission wait.
     */
    public CompletableFuture<List<R>> submit(List<I> items) {
        lock.lock();
        try {
            checkOpen();
            if (!fits(items.size()) || !admissionLine.isEmpty()) {
                if (admissionWaitNanos == 0)
                    throw new Rejected("queue full (" + queuedItems + "/" + capacityItems + " items waiting)", retryAfter(), false);
                awaitRoom(items.size());
            }
            Pending<I, R> p = new Pending<>(List.copyOf(items), new CompletableFuture<>(), System.nanoTime());
            queue.addLast(p);
            queuedItems += items.size();
            metrics.queueDepth(queuedItems);
            nonEmpty.signal();
            return p.future();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closing) throw new Rejected("server is shutting down", 5, true);
        if (liveWorkers == 0) throw new Rejected(noWorkerMessage(), 5, true);
    }

    /** An empty queue takes any request (even one over capacity); otherwise the items must fit. */
    private boolean fits(int n) {
        return queuedItems == 0 || queuedItems + n <= capacityItems;
    }

    /** Waits in line (lock held) until this request is first and fits, or rejects once the admission wait is spent. */
    private void awaitRoom(int n) {
        Object ticket = new Object();
        admissionLine.addLast(ticket);
        metrics.admissionWaiting(admissionLine.size());
        long left = admissionWaitNanos;
        try {
            while (true) {
                checkOpen();
                if (admissionLine.peekFirst() == ticket && fits(n)) return;
                if (left <= 0)
                    throw new Rejected("queue full (" + queuedItems + "/" + capacityItems + " items waiting) for the whole admission wait of "
                            + Duration.ofNanos(admissionWaitNanos).toMillis() / 1000.0 + " s", retryAfter(), false);
                try {
                    left = room.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Rejected("interrupted while waiting for room in the queue", 5, true);
                }
            }
        } finally {
            admissionLine.remove(ticket);
            metrics.admissionWaiting(admissionLine.size());
            room.signalAll(); // the next in line may fit now
        }
    }

    private int retryAfter() {
        double rate = itemsPerSecond;
        if (rate <= 0) return 1;
        return (int) Math.max(1, Math.min(30, Math.ceil(queuedItems / rate)));
    }

    public int queuedItems() {
        lock.lock();
        try { return queuedItems; } finally { lock.unlock(); }
    }

    /** Worker threads that died while the batcher is still open (0 when healthy). */
    public int deadWorkers() {
        lock.lock();
        try {
            return closing ? 0 : workers.size() - liveWorkers;
        } finally {
            lock.unlock();
        }
    }

    /** What killed the last worker that died, or null. */
    public Throwable lastDeath() { return lastDeath; }

    private String noWorkerMessage() {
        Throwable d = lastDeath;
        return "no batch worker left (the last one died of " + (d == null ? "an unknown error" : d) + "); restart the server";
    }

    /**
     * Test hook: the next worker to look for work (an idle one, or a busy one once its batch is done) throws
     * {@code fault} outside its per-batch guard and dies, as a worker would if an Error escaped while it was failing
     * a batch's futures.
     */
    void injectWorkerFault(Error fault) {
        lock.lock();
        try {
            injectedFault.set(fault);
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A worker's life: on an abnormal end it is counted dead, and when none is left the queued requests fail at once. */
    private void work() {
        try {
            workLoop();
        } catch (Throwable t) {   // only outside a batch: workLoop fails a batch's futures itself and goes on
            lastDeath = t;
            List<Pending<I, R>> orphans = new ArrayList<>();
            lock.lock();
            try {
                liveWorkers--;
                if (liveWorkers == 0) {
                    orphans.addAll(queue);
                    queue.clear();
                    queuedItems = 0;
                    metrics.queueDepth(0);
                    room.signalAll(); // waiting admissions fail at once too
                }
            } finally {
                lock.unlock();
            }
            Rejected r = new Rejected(noWorkerMessage(), 5, true);
            for (Pending<I, R> p : orphans) p.future().completeExceptionally(r);
            System.err.println("tare serve: batch worker " + Thread.currentThread().getName() + " died: " + t);
        }
    }

    private void workLoop() {
        while (true) {
            List<Pending<I, R>> batch = new ArrayList<>();
            lock.lock();
            try {
                while (true) {
                    Error fault = injectedFault.getAndSet(null);
                    if (fault != null) throw fault;
                    if (!queue.isEmpty()) break;
                    if (closing) return;
                    nonEmpty.awaitUninterruptibly();
                }
                long deadline = queue.peekFirst().enqueued() + maxWaitNanos;
                int items = 0;
                while (true) {
                    while (!queue.isEmpty() && (items == 0 || items + queue.peekFirst().items().size() <= maxBatchItems)) {
                        Pending<I, R> p = queue.pollFirst();
                        items += p.items().size();
                        batch.add(p);
                    }
                    long left = deadline - System.nanoTime();
                    if (items >= maxBatchItems || !queue.isEmpty() || left <= 0 || closing) break;
                    try { nonEmpty.awaitNanos(left); } catch (InterruptedException e) { Thread.currentThread().interrupt(); break; }
                }
                queuedItems -= items;
                metrics.queueDepth(queuedItems);
                room.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                run(batch);
            } catch (Throwable t) { // never lose a worker: fail what is left of the batch and go on
                for (Pending<I, R> p : batch) p.future().completeExceptionally(t);
            }
        }
    }

    private void run(List<Pending<I, R>> batch) {
        List<I> all = new ArrayList<>();
        for (Pending<I, R> p : batch) all.addAll(p.items());
        long t0 = System.nanoTime();
        try {
            List<R> results = evaluator.apply(all);
            if (results.size() != all.size()) throw new IllegalStateException("evaluator returned " + results.size() + " results for " + all.size() + " items");
            int off = 0;
            for (Pending<I, R> p : batch) {
                p.future().complete(List.copyOf(results.subList(off, off + p.items().size())));
                off += p.items().size();
            }
        } catch (Throwable e) { // Errors too (StackOverflowError, AssertionError...): they fail requests, not the worker
            if (batch.size() == 1) {
                batch.getFirst().future().completeExceptionally(e);
            } else {
                for (Pending<I, R> p : batch) run(List.of(p));
                return;
            }
        }
        double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        double rate = all.size() / secs;
        itemsPerSecond = itemsPerSecond == 0 ? rate : 0.8 * itemsPerSecond + 0.2 * rate;
        metrics.batch(all.size(), secs);
    }

    /** Stops accepting, lets the workers finish everything already queued, and waits for them. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            nonEmpty.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread t : workers) {
            try { t.join(TimeUnit.MINUTES.toMillis(5)); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
    }
}
