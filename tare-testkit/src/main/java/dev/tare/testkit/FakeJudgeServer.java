package dev.tare.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An OpenAI-compatible chat endpoint on loopback whose replies come from a function of the last user message. */
public final class FakeJudgeServer implements AutoCloseable {
    /** The mapper it reads and writes JSON with. */
    public static final ObjectMapper OM = new ObjectMapper();
    /** Answer A (group 1) in an arena-hard judge prompt. */
    public static final Pattern ARENA_A = Pattern.compile("(?s)<\\|The Start of Assistant A's Answer\\|>\\n(.*?)\\n<\\|The End of Assistant A's Answer\\|>");
    /** Answer B (group 1) in an arena-hard judge prompt. */
    public static final Pattern ARENA_B = Pattern.compile("(?s)<\\|The Start of Assistant B's Answer\\|>\\n(.*?)\\n<\\|The End of Assistant B's Answer\\|>");
    private static final Pattern GRAM_A = Pattern.compile("(?s)\\[The Start of Assistant A's Response\\]\\n(.*?)\\n\\[The End of Assistant A's Response\\]");
    private static final Pattern GRAM_B = Pattern.compile("(?s)\\[The Start of Assistant B's Response\\]\\n(.*?)\\n\\[The End of Assistant B's Response\\]");

    private final HttpServer server;
    /** Requests received so far. */
    public final AtomicInteger calls = new AtomicInteger();
    /** The sampling seed of each request (null when the request sent none), in arrival order. */
    public final java.util.List<Long> seeds = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    public FakeJudgeServer(Function<String, String> reply) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", ex -> {
            JsonNode req = OM.readTree(ex.getRequestBody());
            JsonNode msgs = req.get("messages");
            String user = msgs.get(msgs.size() - 1).get("content").asText();
            calls.incrementAndGet();
            seeds.add(req.hasNonNull("seed") ? req.get("seed").asLong() : null);
            String text = reply.apply(user);
            ObjectNode resp = OM.createObjectNode();
            resp.putArray("choices").addObject().put("finish_reason", "stop").putObject("message").put("role", "assistant").put("content", text);
            resp.putObject("usage").put("prompt_tokens", user.length() / 4).put("completion_tokens", text.length() / 4);
            byte[] b = OM.writeValueAsBytes(resp);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    /** The endpoint's base URL. */
    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    /** A judge that prefers the longer response, answering in the template's own format (arena-hard or gram-r2). */
    public static String prefersLonger(String user) {
        Matcher a = ARENA_A.matcher(user), b = ARENA_B.matcher(user);
        if (a.find() && b.find()) return "Assistant A is " + a.group(1).length() + " chars.\nMy final verdict is: "
                + (a.group(1).length() >= b.group(1).length() ? "[[A>B]]" : "[[B>A]]");
        Matcher ga = GRAM_A.matcher(user), gb = GRAM_B.matcher(user);
        if (ga.find() && gb.find()) return "<think>comparing lengths</think>\n<answer>"
                + (ga.group(1).length() >= gb.group(1).length() ? "A" : "B") + "</answer>";
        return "I cannot tell.";
    }

    @Override public void close() { server.stop(0); }
}
