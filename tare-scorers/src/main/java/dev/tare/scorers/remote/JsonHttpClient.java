package dev.tare.scorers.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tare.scorers.ScorerException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POSTs JSON and reads JSON back, with at most {@code concurrency} requests in flight, a per-request timeout, and
 * retries with exponential backoff and jitter on timeouts, connection errors, 408, 429 and 5xx (honouring
 * Retry-After). 401/403 and other 4xx fail at once with the server's message; a 2xx body that is not JSON is a
 * schema error. Thread-safe.
 */
public final class JsonHttpClient implements AutoCloseable {
    /** Mapper used for request and response bodies. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // so a bare NaN is reported as "not finite", not as bad JSON
            .build();

    /** Sleeps between attempts (tests may record instead). */
    @FunctionalInterface
    public interface Sleeper { void sleep(Duration d) throws InterruptedException; }

    private final HttpClient client;
    private final HttpOptions options;
    private final Semaphore permits;
    private final Sleeper sleeper;
    private final AtomicLong retries = new AtomicLong();

    public JsonHttpClient(HttpOptions options) {
        this(options, d -> Thread.sleep(d));
    }

    public JsonHttpClient(HttpOptions options, Sleeper sleeper) {
        this.options = options;
        this.sleeper = sleeper;
        this.permits = new Semaphore(options.concurrency(), true);
        this.client = HttpClient.newBuilder()
                .connectTimeout(options.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public HttpOptions options() { return options; }

    /** How many retries (attempts after the first) this client has made so far. */
    public long retries() { return retries.get(); }

    /** POSTs {@code body} to {@code uri} and returns the parsed JSON response, retrying transient failures. */
    public JsonNode post(URI uri, JsonNode body) {
        byte[] payload;
        try {
            payload = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new ScorerException("cannot encode request for " + uri + ": " + e.getOriginalMessage(), false, e);
        }
        return exchange(uri, payload);
    }

    /** GETs {@code uri} and returns the parsed JSON response, retrying transient failures as {@link #post} does. */
    public JsonNode get(URI uri) { return exchange(uri, null); }

    /** A POST of {@code payload}, or a GET when it is null. */
    private JsonNode exchange(URI uri, byte[] payload) {
        String lastProblem = null;
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            try {
                HttpResponse<String> resp = send(uri, payload);
                int code = resp.statusCode();
                if (code >= 200 && code < 300) return parse(uri, resp.body());
                String msg = "HTTP " + code + " from " + uri + snippet(resp.body());
                if (code == 401 || code == 403) {
                    throw ScorerException.upstreamRefused(code, "authentication failed: " + msg
                            + " (pass a bearer token with token=... or set TARE_API_TOKEN)");
                }
                if (!(code == 408 || code == 429 || code >= 500)) throw ScorerException.upstreamRefused(code, msg);
                lastProblem = msg;
                wait = backoff(attempt);
                Duration ra = retryAfter(resp.headers().firstValue("Retry-After").orElse(null));
                if (ra != null) wait = ra.compareTo(options.maxRetryAfter()) > 0 ? options.maxRetryAfter() : ra;
            } catch (HttpTimeoutException e) {
                lastProblem = "timed out after " + options.timeout().toMillis() + " ms waiting for " + uri;
                wait = backoff(attempt);
            } catch (IOException e) {
                lastProblem = "connection to " + uri + " failed: " + e;
                wait = backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ScorerException("interrupted while calling " + uri, false, e);
            }
            if (attempt >= options.maxAttempts()) {
                throw new ScorerException("giving up after " + attempt + " attempt(s): " + lastProblem, true, null);
            }
            retries.incrementAndGet();
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ScorerException("interrupted while backing off from " + uri, false, e);
            }
        }
    }

    private HttpResponse<String> send(URI uri, byte[] payload) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(options.timeout())
                .header("Accept", "application/json");
        if (payload == null) b.GET();
        else b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        if (options.bearerToken() != null) b.header("Authorization", "Bearer " + options.bearerToken());
        permits.acquire();
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } finally {
            permits.release();
        }
    }

    private static JsonNode parse(URI uri, String body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || n.isMissingNode()) throw new ScorerException("schema: empty response body from " + uri);
            return n;
        } catch (JsonProcessingException e) {
            throw new ScorerException("schema: response from " + uri + " is not valid JSON ("
                    + e.getOriginalMessage() + ")" + snippet(body), false, e);
        }
    }

    /** Exponential backoff with jitter: base·2^(attempt−1), capped, scaled by a random factor in [0.5, 1). */
    Duration backoff(int attempt) {
        long base = options.baseBackoff().toMillis();
        long cap = options.maxBackoff().toMillis();
        long exp = attempt >= 31 ? cap : Math.min(cap, base << (attempt - 1));
        double f = 0.5 + 0.5 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.round(exp * f));
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String v) {
        if (v == null || v.isBlank()) return null;
        String s = v.trim();
        try {
            long secs = Long.parseLong(s);
            return secs < 0 ? null : Duration.ofSeconds(secs);
        } catch (NumberFormatException ignored) {
            // fall through to the date form
        }
        try {
            ZonedDateTime t = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(ZonedDateTime.now(t.getZone()), t);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String snippet(String body) {
        if (body == null || body.isBlank()) return "";
        String s = body.strip().replaceAll("\\s+", " ");
        return ": " + (s.length() > 300 ? s.substring(0, 300) + "..." : s);
    }

    @Override public void close() {
        client.close();
    }
}
