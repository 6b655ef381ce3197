package dev.tare.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** Counters, a latency histogram and gauges of the reward server, rendered in the Prometheus text format. */
public final class ServerMetrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder items = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder batchItems = new LongAdder();
    private final DoubleAdder batchSeconds = new DoubleAdder();
    private final LongAdder[] latencyBuckets = new LongAdder[BUCKETS.length + 1];
    private final DoubleAdder latencySum = new DoubleAdder();
    private final LongAdder latencyCount = new LongAdder();
    private final AtomicLong queueDepth = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong admissionWaiting = new AtomicLong();

    public ServerMetrics() {
        for (int i = 0; i < latencyBuckets.length; i++) latencyBuckets[i] = new LongAdder();
    }

    public void request(String endpoint, int status, double seconds) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
        int b = 0;
        while (b < BUCKETS.length && seconds > BUCKETS[b]) b++;
        latencyBuckets[b].increment();
        latencySum.add(seconds);
        latencyCount.increment();
    }

    public void items(int n) { items.add(n); }

    public void batch(int size, double seconds) {
        batches.increment();
        batchItems.add(size);
        batchSeconds.add(seconds);
    }

    public void queueDepth(long n) { queueDepth.set(n); }

    public void inFlight(int delta) { inFlight.addAndGet(delta); }

    /** Requests held by queue admission, waiting for room in the full queue. */
    public void admissionWaiting(long n) { admissionWaiting.set(n); }

    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP tare_requests_total HTTP requests by endpoint and status code.\n# TYPE tare_requests_total counter\n");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] k = e.getKey().split("\u0000");
            sb.append("tare_requests_total{endpoint=\"").append(k[0]).append("\",code=\"").append(k[1]).append("\"} ")
                    .append(e.getValue().sum()).append('\n');
        });
        counter(sb, "tare_items_total", "Items rewarded.", items.sum());
        counter(sb, "tare_batches_total", "Runtime batches evaluated.", batches.sum());
        counter(sb, "tare_batch_items_total", "Items in evaluated batches (mean batch size = this / batches).", batchItems.sum());
        sb.append("# HELP tare_batch_seconds_total Time spent evaluating batches.\n# TYPE tare_batch_seconds_total counter\n")
                .append("tare_batch_seconds_total ").append(batchSeconds.sum()).append('\n');
        sb.append("# HELP tare_request_duration_seconds Request latency.\n# TYPE tare_request_duration_seconds histogram\n");
        long cum = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cum += latencyBuckets[i].sum();
            sb.append("tare_request_duration_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ").append(cum).append('\n');
        }
        cum += latencyBuckets[BUCKETS.length].sum();
        sb.append("tare_request_duration_seconds_bucket{le=\"+Inf\"} ").append(cum).append('\n');
        sb.append("tare_request_duration_seconds_sum ").append(latencySum.sum()).append('\n');
        sb.append("tare_request_duration_seconds_count ").append(latencyCount.sum()).append('\n');
        gauge(sb, "tare_queue_items", "Items waiting for a batch.", queueDepth.get());
        gauge(sb, "tare_in_flight_requests", "Requests being handled.", inFlight.get());
        gauge(sb, "tare_admission_waiting_requests", "Requests held by queue admission until the full queue has room.", admissionWaiting.get());
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(v).append('\n');
    }
}
