package dev.tare.serve;

import dev.tare.serve.api.Limits;
import dev.tare.serve.source.BbqLetterSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input catalogue's server layer (the other layers are in tare-eval's dev.tare.eval.catalogue): one row per
 * hostile request, sent as raw bytes (so no client normalises the path or the body), each asserting the exact status
 * and a fragment of the error message. Add a row with every new refusal. Connection-level cases (half-open
 * connections, a stuck worker, shutdown) are in {@link ServerHardeningTest}.
 */
class ServerCatalogueTest {
    private static RewardServer server;

    /** One hostile request: method, raw request target, body (null = none) → status and a fragment of the reply. */
    record Row(String name, String method, String target, String body, int status, String fragment) {}

    private static final String OK_GET = "{\"query\": [\"A\"], \"prompts\": [\"\"], \"labels\": [\"A\"]}";

    static final List<Row> ROWS = List.of(
            // exact routes: the JDK's contexts match by prefix; tare answers only its four paths
            new Row("/healthz is not /health", "GET", "/healthz", null, 404, "no such endpoint: /healthz"),
            new Row("/health/ is not /health", "GET", "/health/", null, 404, "no such endpoint"),
            new Row("/metricsx is not /metrics", "GET", "/metricsx", null, 404, "no such endpoint"),
            new Row("dot-dot path under /v1/reward is not scored", "POST", "/v1/reward/../../etc/passwd",
                    "{\"items\": [{\"response\": \"x\"}]}", 404, "no such endpoint"),
            new Row("a sub-path of /get_reward is not scored", "POST", "/get_reward/x", OK_GET, 404, "no such endpoint"),
            new Row("encoded slash is not a route", "POST", "/get_reward%2F", OK_GET, 404, "no such endpoint"),
            new Row("unknown path", "POST", "/nope", "{}", 404, "try POST /get_reward"),
            new Row("wrong method", "GET", "/get_reward", null, 405, "/get_reward takes POST"),
            new Row("query string on an exact route is fine", "GET", "/health?x=1", null, 200, "\"status\":\"ok\""),
            // bodies
            new Row("two concatenated JSON objects", "POST", "/get_reward", OK_GET + OK_GET, 400, "trailing content after the JSON object"),
            new Row("an object then a number", "POST", "/v1/reward", "{\"items\": [{\"response\": \"x\"}]} 5", 400, "trailing content"),
            new Row("an object then garbage", "POST", "/get_reward", OK_GET + " }", 400, "malformed JSON"),
            new Row("trailing whitespace is fine", "POST", "/get_reward", OK_GET + " \n\t", 200, "\"rewards\""),
            new Row("not JSON", "POST", "/get_reward", "{not json", 400, "malformed JSON"),
            new Row("a JSON array", "POST", "/get_reward", "[1,2]", 400, "must be a JSON object"),
            new Row("an empty body", "POST", "/get_reward", "", 400, "must be a JSON object"),
            new Row("NaN literal", "POST", "/get_reward", "{\"query\": [\"A\"], \"labels\": [NaN]}", 400, "malformed JSON"),
            new Row("duplicate key", "POST", "/get_reward", "{\"query\": [\"A\"], \"query\": [\"B\"]}", 400, "Duplicate field 'query'"),
            new Row("query not a list", "POST", "/get_reward", "{\"query\": \"A\"}", 400, "'query' must be a list"),
            new Row("query entry not a string", "POST", "/get_reward", "{\"query\": [1]}", 400, "query[0]"),
            new Row("prompts of another length", "POST", "/get_reward", "{\"query\": [\"A\"], \"prompts\": [\"a\", \"b\"]}", 400, "'prompts' has 2 entries but 'query' has 1"),
            new Row("no items", "POST", "/get_reward", "{\"query\": [], \"labels\": []}", 400, "no items"),
            new Row("native item prompt not a string", "POST", "/v1/reward", "{\"items\": [{\"prompt\": 3}]}", 400, "items[0].prompt"),
            new Row("native conversation not ending with the assistant", "POST", "/v1/reward",
                    "{\"items\": [{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}]}", 400, "end with the assistant"),
            // request limits (4096 bytes, 4 items, 1000 characters per item)
            new Row("too many items", "POST", "/get_reward", "{\"query\": [\"A\",\"A\",\"A\",\"A\",\"A\"]}", 413, "limit is 4"),
            new Row("body over the byte limit", "POST", "/get_reward", "{\"query\": [\"" + "x".repeat(5000) + "\"]}", 413, "exceeds the limit of 4096"),
            new Row("item over the character limit", "POST", "/get_reward", "{\"query\": [\"" + "x".repeat(2000) + "\"]}", 413, "characters"),
            // items the source refuses
            new Row("label not a letter", "POST", "/get_reward", "{\"query\": [\"A\"], \"prompts\": [\"\"], \"labels\": [\"Z\"]}", 422, "must be A, B or C"),
            new Row("missing label", "POST", "/get_reward", "{\"query\": [\"A\"], \"prompts\": [\"\"]}", 422, "needs a label"),
            new Row("response not found in the query", "POST", "/get_reward", "{\"query\": [\"A\"], \"labels\": [\"A\"]}", 422, "cannot find the response"),
            // and a good request still works after all of the above
            new Row("a good request", "POST", "/get_reward", OK_GET, 200, "\"rewards\":[1.0]"));

    @BeforeAll
    static void start() throws Exception {
        var pipeline = new RewardPipeline(List.of(new RewardPipeline.Weighted(new BbqLetterSource(0, -0.1), 1.0)), List.of());
        server = RewardServer.start(pipeline, RewardServer.Options.defaults().withPort(0).withLimits(new Limits(4096, 4, 1000)));
    }

    @AfterAll
    static void stop() { if (server != null) server.close(); }

    @TestFactory
    Stream<DynamicTest> serverCatalogue() {
        assertTrue(ROWS.size() >= 30, "the server catalogue has " + ROWS.size() + " rows");
        return ROWS.stream().map(r -> DynamicTest.dynamicTest(r.name() + " -> " + r.status() + " '" + r.fragment() + "'", () -> {
            String[] reply = exchange(server.port(), r.method(), r.target(), r.body());
            assertEquals(Integer.toString(r.status()), reply[0], r.method() + " " + r.target() + " -> " + reply[1]);
            assertTrue(reply[1].contains(r.fragment()), r.method() + " " + r.target() + " -> " + reply[1]);
        }));
    }

    /** Sends one raw HTTP/1.1 request (Connection: close) and returns {status, body}. */
    static String[] exchange(int port, String method, String target, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n") + "\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int sp = text.indexOf(' ');
            int bodyAt = text.indexOf("\r\n\r\n");
            return new String[] {text.substring(sp + 1, sp + 4), bodyAt < 0 ? text : text.substring(bodyAt + 4)};
        }
    }
}
