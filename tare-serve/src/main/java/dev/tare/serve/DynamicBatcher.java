package dev.tare.serve;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Merges concurrent requests into runtime batches: a bounded queue (in items) that, when full, rejects at once
 * ({@code admissionWait} zero: shed) or holds new requests first come first served up to {@code admissionWait} for room
 * and then rejects (queue admission), worker threads that take up to {@code maxBatchItems} items or whatever arrived within {@code maxWait}
 * of the oldest request (and at most {@code maxBatchWeight} of work, a lone request excepted), and a drain on close
 * bounded by a grace period, after which the requests still waiting fail. A failing merged batch is retried request
 * by request so one bad request cannot fail the others. {@link #longestBusy} tells a worker stuck on one batch.
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

    private record Pending<I, R>(List<I> items, CompletableFuture<List<R>> future, long enqueued, long weight) {}

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
    private final java.util.function.ToLongFunction<I> weigher;
    private final long maxBatchWeight;
    /** Per worker: System.nanoTime() when its current batch started, 0 while idle. */
    private final java.util.concurrent.atomic.AtomicLongArray busySince;
    /** The requests of the batches being evaluated now (failed on a close that outlasts its grace). */
    private final java.util.Set<Pending<I, R>> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A shedding batcher (a full queue rejects at once). */
    public DynamicBatcher(Function<List<I>, List<R>> evaluator, int capacityItems, int maxBatchItems, Duration maxWait,
                          int workerCount, ServerMetrics metrics) {
        this(evaluator, capacityItems, maxBatchItems, maxWait, workerCount, metrics, Duration.ZERO);
    }

    /** {@code admissionWait}: how long a request may wait for room in a full queue (zero: reject at once). */
    public DynamicBatcher(Function<List<I>, List<R>> evaluator, int capacityItems, int maxBatchItems, Duration maxWait,
                          int workerCount, ServerMetrics metrics, Duration admissionWait) {
        this(evaluator, capacityItems, maxBatchItems, maxWait, workerCount, metrics, admissionWait, i -> 1, Long.MAX_VALUE);
    }

    /**
     * {@code weigher}/{@code maxBatchWeight}: the work a batch may merge (e.g. characters of text); a request heavier
     * than the bound still runs, alone.
     */
    public DynamicBatcher(Function<List<I>, List<R>> evaluator, int capacityItems, int maxBatchItems, Duration maxWait,
                          int workerCount, ServerMetrics metrics, Duration admissionWait,
                          java.util.function.ToLongFunction<I> weigher, long maxBatchWeight) {
        if (maxBatchWeight < 1) throw new IllegalArgumentException("max batch weight must be >= 1");
        this.weigher = weigher;
        this.maxBatchWeight = maxBatchWeight;
        this.busySince = new java.util.concurrent.atomic.AtomicLongArray(Math.max(workerCount, 0));
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
            int index = i;
            Thread t = Thread.ofPlatform().name("tare-batcher-" + i).daemon(true).start(() -> work(index));
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
            long weight = 0;
            for (I item : items) weight += weigher.applyAsLong(item);
            Pending<I, R> p = new Pending<>(List.copyOf(items), new CompletableFuture<>(), System.nanoTime(), weight);
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
    private void work(int index) {
        try {
            workLoop(index);
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

    private void workLoop(int index) {
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
                long weight = 0;
                while (true) {
                    while (!queue.isEmpty() && (items == 0 || (items + queue.peekFirst().items().size() <= maxBatchItems
                            && weight + queue.peekFirst().weight() <= maxBatchWeight))) {
                        Pending<I, R> p = queue.pollFirst();
                        items += p.items().size();
                        weight += p.weight();
                        batch.add(p);
                    }
                    long left = deadline - System.nanoTime();
                    if (items >= maxBatchItems || weight >= maxBatchWeight || !queue.isEmpty() || left <= 0 || closing) break;
                    try { nonEmpty.awaitNanos(left); } catch (InterruptedException e) { Thread.currentThread().interrupt(); break; }
                }
                queuedItems -= items;
                metrics.queueDepth(queuedItems);
                room.signalAll();
            } finally {
                lock.unlock();
            }
            running.addAll(batch);
            busySince.set(index, Math.max(1, System.nanoTime()));
            try {
                run(batch);
            } catch (Throwable t) { // never lose a worker: fail what is left of the batch and go on
                for (Pending<I, R> p : batch) p.future().completeExceptionally(t);
            } finally {
                busySince.set(index, 0);
                batch.forEach(running::remove);
                Thread.interrupted(); // an interrupt from a close that gave up on this batch ends with it
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

    /** How long the longest-running current batch has been running (zero when every worker is idle). */
    public Duration longestBusy() {
        long now = System.nanoTime();
        long longest = 0;
        for (int i = 0; i < busySince.length(); i++) {
            long since = busySince.get(i);
            if (since != 0) longest = Math.max(longest, now - since);
        }
        return Duration.ofNanos(longest);
    }

    /** {@link #close(Duration)} with a grace of 3 s. */
    @Override
    public void close() { close(Duration.ofSeconds(3)); }

    /**
     * Stops accepting and lets the workers finish what is queued for up to {@code grace}; then interrupts them and
     * fails every request still queued or in a running batch (503: shut down), so a batch that will not end (a huge
     * input, a hung remote scorer) cannot hold the shutdown. The workers are daemon threads: one stuck in a
     * computation that ignores interrupts does not keep the JVM alive.
     */
    public void close(Duration grace) {
        lock.lock();
        try {
            closing = true;
            nonEmpty.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : workers) {
            long left = deadline - System.nanoTime();
            try { if (left > 0) t.join(Duration.ofNanos(left)); } catch (InterruptedException e) { Thread.currentThread().interrupt(); break; }
        }
        if (workers.stream().noneMatch(Thread::isAlive)) return;
        List<Pending<I, R>> abandoned = new ArrayList<>();
        lock.lock();
        try {
            abandoned.addAll(queue);
            queue.clear();
            queuedItems = 0;
            metrics.queueDepth(0);
        } finally {
            lock.unlock();
        }
        abandoned.addAll(running);
        for (Thread t : workers) t.interrupt();
        Rejected r = new Rejected("server shut down before the batch finished (the reward model was still busy after the "
                + grace.toMillis() / 1000.0 + " s shutdown grace)", 5, true);
        for (Pending<I, R> p : abandoned) p.future().completeExceptionally(r);
    }
}
