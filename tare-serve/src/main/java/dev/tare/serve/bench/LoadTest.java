package dev.tare.serve.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load generator for a reward endpoint on loopback: a closed loop to find capacity, then open-loop
 * phases at multiples of it. Every phase stops at its request cap or its duration, whichever comes first.
 */
public final class LoadTest {
    /** What one phase measured. Latencies are of 200 responses, in milliseconds. */
    public record Phase(String name, double offeredPerSec, int sent, int ok, int rejected, int errors,
                        double okPerSec, double p50ms, double p99ms, double seconds) {
        public String line() {
            String offered = Double.isNaN(offeredPerSec) ? String.format("%7s", "closed") : String.format("%7.1f", offeredPerSec);
            return String.format("%-10s offered %s req/s  sent %5d  ok %5d  429/503 %5d  err %3d  goodput %7.1f req/s  p50 %7.1f ms  p99 %7.1f ms",
                    name, offered, sent, ok, rejected, errors, okPerSec, p50ms, p99ms);
        }
    }

    private final HttpClient client;
    private final URI uri;
    private final byte[] body;

    public LoadTest(URI uri, byte[] body) {
        if (!isLoopback(uri)) throw new IllegalArgumentException("load tests only target loopback addresses, not " + uri.getHost());
        this.uri = uri;
        this.body = body;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    static boolean isLoopback(URI u) {
        String h = u.getHost();
        return h != null && (h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1"));
    }

    /** Saturates the server with {@code concurrency} clients; the goodput is the capacity. */
    public Phase closedLoop(int concurrency, Duration duration, int maxRequests) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        AtomicInteger budget = new AtomicInteger(maxRequests);
        Stats s = new Stats();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < concurrency; c++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end && budget.getAndDecrement() > 0) s.record(send());
                });
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return s.phase("capacity", Double.NaN, secs);
    }

    /** Sends at a fixed rate regardless of responses (open loop), like independent RL workers. */
    public Phase openLoop(String name, double perSecond, Duration duration, int maxRequests) throws Exception {
        Stats s = new Stats();
        long intervalNanos = (long) (1e9 / perSecond);
        int n = (int) Math.min(maxRequests, Math.ceil(duration.toNanos() / (double) intervalNanos));
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>(n);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                long due = t0 + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                fs.add(pool.submit(() -> s.record(send())));
            }
            for (Future<?> f : fs) f.get(5, TimeUnit.MINUTES);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return s.phase(name, perSecond, secs);
    }

    private long[] send() {
        long t = System.nanoTime();
        try {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            return new long[]{r.statusCode(), System.nanoTime() - t};
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return new long[]{-1, System.nanoTime() - t};
        }
    }

    private static final class Stats {
        final AtomicInteger sent = new AtomicInteger(), ok = new AtomicInteger(), rejected = new AtomicInteger(), errors = new AtomicInteger();
        final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong unused = new AtomicLong();

        void record(long[] r) {
            sent.incrementAndGet();
            int code = (int) r[0];
            if (code == 200) { ok.incrementAndGet(); latencies.add(r[1]); }
            else if (code == 429 || code == 503) rejected.incrementAndGet();
            else errors.incrementAndGet();
        }

        Phase phase(String name, double offered, double secs) {
            long[] l;
            synchronized (latencies) { l = latencies.stream().mapToLong(Long::longValue).toArray(); }
            Arrays.sort(l);
            return new Phase(name, offered, sent.get(), ok.get(), rejected.get(), errors.get(), ok.get() / secs,
                    pct(l, 0.50), pct(l, 0.99), secs);
        }

        static double pct(long[] sorted, double q) {
            if (sorted.length == 0) return Double.NaN;
            int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
            return sorted[Math.max(0, i)] / 1e6;
        }
    }
}
