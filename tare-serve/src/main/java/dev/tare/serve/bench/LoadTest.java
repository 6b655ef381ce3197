package dev.tare.serve.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load generator for a reward endpoint on loopback: a closed loop to find capacity, then open-loop
 * phases at multiples of it. Every phase stops sending at its request cap or its duration, whichever comes first,
 * then waits at most {@link #drainLimit()} (max(2 s, the request timeout)) for the requests still in flight; those
 * left at that cutoff are abandoned and counted as timeouts, so a phase never runs far past its duration.
 */
public final class LoadTest {
    /** What one phase measured. Latencies are of 200 responses, in milliseconds. sent = ok + rejected + errors + timeouts. */
    public record Phase(String name, double offeredPerSec, int sent, int ok, int rejected, int errors, int timeouts,
                        double okPerSec, double p50ms, double p99ms, double seconds) {
        public String line() {
            String offered = Double.isNaN(offeredPerSec) ? String.format("%7s", "closed") : String.format("%7.1f", offeredPerSec);
            return String.format("%-10s offered %s req/s  sent %5d  ok %5d  429/503 %5d  err %3d  timeout %3d  goodput %7.1f req/s  p50 %7.1f ms  p99 %7.1f ms",
                    name, offered, sent, ok, rejected, errors, timeouts, okPerSec, p50ms, p99ms);
        }
    }

    private static final int TIMED_OUT = -2;

    private final HttpClient client;
    private final URI uri;
    private final byte[] body;
    private final Duration requestTimeout;
    private final Duration drain;

    public LoadTest(URI uri, byte[] body) {
        this(uri, body, Duration.ofSeconds(60));
    }

    /** {@code requestTimeout}: the client's timeout for each request's response headers. */
    public LoadTest(URI uri, byte[] body, Duration requestTimeout) {
        if (!isLoopback(uri)) throw new IllegalArgumentException("load tests only target loopback addresses, not " + uri.getHost());
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("request timeout must be > 0");
        this.uri = uri;
        this.body = body;
        this.requestTimeout = requestTimeout;
        this.drain = requestTimeout.compareTo(Duration.ofSeconds(2)) > 0 ? requestTimeout : Duration.ofSeconds(2);
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** How long a phase waits, after it stops sending, for requests still in flight: max(2 s, the request timeout). */
    public Duration drainLimit() { return drain; }

    static boolean isLoopback(URI u) {
        String h = u.getHost();
        return h != null && (h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1"));
    }

    /** Saturates the server with {@code concurrency} clients; the goodput is the capacity. */
    public Phase closedLoop(int concurrency, Duration duration, int maxRequests) throws InterruptedException {
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        AtomicInteger budget = new AtomicInteger(maxRequests);
        Stats s = new Stats();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < concurrency; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < end && budget.getAndDecrement() > 0 && s.start()) s.record(send());
            });
        }
        drain(pool, s, end + drain.toNanos());
        return s.phase("capacity", Double.NaN, (System.nanoTime() - t0) / 1e9);
    }

    /** Sends at a fixed rate regardless of responses (open loop), like independent RL workers. */
    public Phase openLoop(String name, double perSecond, Duration duration, int maxRequests) throws InterruptedException {
        Stats s = new Stats();
        long intervalNanos = (long) (1e9 / perSecond);
        int n = (int) Math.min(maxRequests, Math.ceil(duration.toNanos() / (double) intervalNanos));
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < n; i++) {
            long due = t0 + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            if (!s.start()) break;
            pool.submit(() -> s.record(send()));
        }
        drain(pool, s, Math.max(System.nanoTime(), t0 + duration.toNanos()) + drain.toNanos());
        return s.phase(name, perSecond, (System.nanoTime() - t0) / 1e9);
    }

    /** Waits for the phase's requests until {@code cutoffNanos}; what is still in flight then counts as timed out. */
    private static void drain(ExecutorService pool, Stats s, long cutoffNanos) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(Math.max(0, cutoffNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            s.cutOff();
            pool.shutdownNow(); // interrupts the senders; not waited for
        }
    }

    private long[] send() {
        long t = System.nanoTime();
        try {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            return new long[]{r.statusCode(), System.nanoTime() - t};
        } catch (HttpTimeoutException e) {
            return new long[]{TIMED_OUT, System.nanoTime() - t};
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return new long[]{-1, System.nanoTime() - t};
        }
    }

    /** A phase's counts; frozen at the cutoff, when what is still in flight becomes timeouts. */
    private static final class Stats {
        private int sent, ok, rejected, errors, timeouts, inFlight;
        private boolean frozen;
        private final List<Long> latencies = new ArrayList<>();

        /** Counts a request about to be sent; false once the phase is cut off. */
        synchronized boolean start() {
            if (frozen) return false;
            sent++;
            inFlight++;
            return true;
        }

        synchronized void record(long[] r) {
            if (frozen) return; // already counted as a timeout
            inFlight--;
            int code = (int) r[0];
            if (code == 200) { ok++; latencies.add(r[1]); }
            else if (code == 429 || code == 503) rejected++;
            else if (code == TIMED_OUT) timeouts++;
            else errors++;
        }

        synchronized void cutOff() {
            frozen = true;
            timeouts += inFlight;
            inFlight = 0;
        }

        synchronized Phase phase(String name, double offered, double secs) {
            cutOff();
            long[] l = latencies.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(l);
            return new Phase(name, offered, sent, ok, rejected, errors, timeouts, ok / secs, pct(l, 0.50), pct(l, 0.99), secs);
        }

        static double pct(long[] sorted, double q) {
            if (sorted.length == 0) return Double.NaN;
            int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
            return sorted[Math.max(0, i)] / 1e6;
        }
    }
}
