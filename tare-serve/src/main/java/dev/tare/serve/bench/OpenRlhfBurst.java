package dev.tare.serve.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * OpenRLHF's load on a reward server: {@code clients} rollout workers × {@code samplesPerClient} samples, every sample
 * rewarded at once with its own POST through {@link OpenRlhfClient} (v0.11 rewards each sample as soon as its
 * generation ends, all concurrently), and how many samples would have ended with a None reward.
 */
public final class OpenRlhfBurst {
    /** One sample to reward. */
    public record Sample(String query, String prompt, JsonNode label) {}

    /**
     * What the burst measured: samples sent, rewarded on the first try, rewarded after retries, None; the number of
     * 429/503 answers seen across all tries; p50/p99 seconds from first send to reward (rewarded samples); wall seconds.
     */
    public record Result(int samples, int firstTry, int afterRetries, int none, int rejections, double p50s, double p99s, double seconds) {
        public String line() {
            return String.format("openrlhf   samples %5d  rewarded %5d (first try %5d, after retries %4d)  None %5d  429/503 seen %5d  p50 %6.2f s  p99 %6.2f s  wall %6.1f s",
                    samples, firstTry + afterRetries, firstTry, afterRetries, none, rejections, p50s, p99s, seconds);
        }
    }

    private OpenRlhfBurst() {}

    /** Sends {@code clients} × {@code samplesPerClient} samples at once, cycling through {@code pool}. */
    public static Result run(OpenRlhfClient client, List<Sample> pool, int clients, int samplesPerClient) throws Exception {
        if (pool.isEmpty()) throw new IllegalArgumentException("no samples to send");
        int n = clients * samplesPerClient;
        long t0 = System.nanoTime();
        List<Future<OpenRlhfClient.Outcome>> fs = new ArrayList<>(n);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                Sample s = pool.get(i % pool.size());
                fs.add(ex.submit(() -> client.reward(s.query(), s.prompt(), s.label())));
            }
        }
        int first = 0, later = 0, none = 0, rejections = 0;
        List<Double> lat = new ArrayList<>();
        for (Future<OpenRlhfClient.Outcome> f : fs) {
            OpenRlhfClient.Outcome o = f.get();
            rejections += (int) o.statuses().stream().filter(c -> c == 429 || c == 503).count();
            if (o.none()) { none++; continue; }
            if (o.statuses().size() == 1) first++; else later++;
            lat.add(o.seconds());
        }
        double[] l = lat.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Result(n, first, later, none, rejections, pct(l, 0.5), pct(l, 0.99), (System.nanoTime() - t0) / 1e9);
    }

    private static double pct(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)];
    }

    /** The samples of an OpenRLHF body {"query":[..], "prompts":[..], "labels":[..]} (missing prompts/labels: "" as OpenRLHF sends). */
    public static List<Sample> samples(JsonNode body) {
        JsonNode q = body.get("query");
        if (q == null || !q.isArray() || q.isEmpty()) throw new IllegalArgumentException("the body needs a non-empty \"query\" list");
        JsonNode p = body.get("prompts"), l = body.get("labels");
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < q.size(); i++) {
            String prompt = p != null && p.has(i) && p.get(i).isTextual() ? p.get(i).asText() : "";
            JsonNode label = l != null && l.has(i) ? l.get(i) : com.fasterxml.jackson.databind.node.TextNode.valueOf("");
            out.add(new Sample(q.get(i).asText(), prompt, label));
        }
        return List.copyOf(out);
    }

}
