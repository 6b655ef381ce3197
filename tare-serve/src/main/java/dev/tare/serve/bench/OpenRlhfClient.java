package dev.tare.serve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.serve.api.Protocols;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A remote-RM client that behaves as OpenRLHF v0.11's (openrlhf/utils/agent.py, SingleTurnAgentExecutor.execute and
 * _fetch_rewards_via_http; before v0.10 the same loop was request_api_wrapper in openrlhf/utils/remote_rm_utils.py):
 * one POST per sample with {"query":[q],"prompts":[p],"labels":[l]}, a 180 s total timeout per try, any failure
 * (connection error, timeout, HTTP status >= 400 through raise_for_status, unreadable JSON) retried after a fixed
 * 1 s sleep, 5 tries in all, Retry-After never read; after the 5th failure the sample's reward stays None. On success
 * reward = response["rewards"], scores = response["scores"] or the rewards, extra_logs = response["extra_logs"] or {}.
 */
public final class OpenRlhfClient {
    /** OpenRLHF's try_max_times. */
    public static final int TRIES = 5;
    /** OpenRLHF's asyncio.sleep(1) between tries. */
    public static final Duration PAUSE = Duration.ofSeconds(1);
    /** OpenRLHF's aiohttp.ClientTimeout(total=180). */
    public static final Duration TIMEOUT = Duration.ofSeconds(180);

    /**
     * One sample's outcome: {@code rewards}/{@code scores} as received (null = None), {@code extraLogs} ({} when absent),
     * the HTTP status of each try (-1: connection failure or timeout), and the seconds from first send to the outcome.
     */
    public record Outcome(JsonNode rewards, JsonNode scores, JsonNode extraLogs, List<Integer> statuses, double seconds) {
        /** True when the sample's reward ended as None (every try failed). */
        public boolean none() { return rewards == null; }
        /** The first reward as a number (the sample's scalar reward). */
        public double reward() { return rewards.get(0).asDouble(); }
    }

    private final HttpClient http;
    private final URI uri;
    private final int tries;
    private final Duration pause;
    private final Duration timeout;

    /** OpenRLHF's settings: 5 tries, 1 s apart, 180 s each. */
    public OpenRlhfClient(URI uri) { this(uri, TRIES, PAUSE, TIMEOUT); }

    public OpenRlhfClient(URI uri, int tries, Duration pause, Duration timeout) {
        this.uri = uri;
        this.tries = tries;
        this.pause = pause;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** The request body OpenRLHF v0.11 sends for one sample. */
    public static byte[] body(String query, String prompt, JsonNode label) {
        ObjectNode b = Protocols.JSON.createObjectNode();
        b.putArray("query").add(query);
        b.putArray("prompts").add(prompt);
        b.putArray("labels").add(label);
        try {
            return Protocols.JSON.writeValueAsBytes(b);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rewards one sample as OpenRLHF does, retries included. */
    public Outcome reward(String query, String prompt, JsonNode label) throws InterruptedException {
        byte[] body = body(query, prompt, label);
        long t0 = System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        for (int t = 0; t < tries; t++) {
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                statuses.add(r.statusCode());
                if (r.statusCode() < 400) {
                    JsonNode j = Protocols.JSON.readTree(r.body());
                    JsonNode rewards = j.get("rewards");
                    JsonNode scores = j.hasNonNull("scores") ? j.get("scores") : rewards;
                    JsonNode logs = j.hasNonNull("extra_logs") ? j.get("extra_logs") : Protocols.JSON.createObjectNode();
                    return new Outcome(rewards, scores, logs, statuses, (System.nanoTime() - t0) / 1e9);
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) { // connection errors, timeouts, bad JSON: logged and retried by OpenRLHF
                statuses.add(-1);
            }
            Thread.sleep(pause);
        }
        return new Outcome(null, null, Protocols.JSON.createObjectNode(), statuses, (System.nanoTime() - t0) / 1e9);
    }
}
