package dev.tare.scorers.remote;

import dev.tare.data.Message;
import dev.tare.scorers.ScorerException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.tare.testkit.LoopbackServer;
import dev.tare.testkit.LoopbackServer.Reply;
import static org.junit.jupiter.api.Assertions.*;

/** The chat-completions client and scorer specs against loopback servers. */
class OpenAiChatClientTest {
    static final String COMPLETION = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"judge",
             "choices":[{"index":0,"message":{"role":"assistant","content":"<think>ok</think><answer>A</answer>"},
               "logprobs":{"content":[{"token":"<","logprob":-0.01,"bytes":[60],"top_logprobs":[]},
                                      {"token":"A","logprob":-0.25,"bytes":[65],"top_logprobs":[]}]},
               "finish_reason":"stop"}],
             "usage":{"prompt_tokens":42,"completion_tokens":9,"total_tokens":51}}""";

    @Test void sendsTheDocumentedBodyAndReadsTheFirstChoice() throws Exception {
        try (var srv = new LoopbackServer(s -> s.number() == 1
                ? Reply.status(503, "busy").header("Retry-After", "2") : Reply.json(COMPLETION))) {
            var rec = new HttpRewardScorerTest.Recorder();
            try (var c = new OpenAiChatClient(srv.base(), "judge",
                    new JsonHttpClient(HttpOptions.defaults().withBearerToken("k"), rec))) {
                var out = c.complete(List.of(new Message("system", "judge well"), Message.user("A or B?")),
                        new OpenAiChatClient.Params(0.75, 2048, 42L, true));
                assertEquals("<think>ok</think><answer>A</answer>", out.content());
                assertEquals("stop", out.finishReason());
                assertEquals(2, out.logprobs().size());
                assertEquals(-0.25, out.logprobs().get(1).logprob());
                assertEquals("A", out.logprobs().get(1).token());
                assertEquals(42, out.promptTokens());
                assertEquals(9, out.completionTokens());
            }
            assertEquals(List.of(Duration.ofSeconds(2)), rec.sleeps);
            var req = srv.seen.getLast();
            assertEquals("/v1/chat/completions", req.path());
            assertEquals("Bearer k", req.authorization());
            assertEquals("judge", req.body().get("model").asText());
            assertEquals(0.75, req.body().get("temperature").asDouble());
            assertEquals(2048, req.body().get("max_tokens").asInt());
            assertEquals(42, req.body().get("seed").asLong());
            assertTrue(req.body().get("logprobs").asBoolean());
            assertEquals("system", req.body().get("messages").get(0).get("role").asText());
            assertEquals("A or B?", req.body().get("messages").get(1).get("content").asText());
        }
    }

    @Test void malformedCompletionsAreSchemaErrors() throws Exception {
        String[][] cases = {
                {"{\"choices\":[]}", "non-empty 'choices'"},
                {"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null}}]}", "content is missing"},
                {"{\"choices\":[{\"message\":{\"content\":\"A\"}}]}", "logprobs were requested"},
        };
        for (String[] c : cases) {
            try (var srv = new LoopbackServer(s -> Reply.json(c[0]));
                 var cl = new OpenAiChatClient(srv.base(), "j", new JsonHttpClient(HttpOptions.defaults()))) {
                var e = assertThrows(ScorerException.class,
                        () -> cl.complete(List.of(Message.user("q")), new OpenAiChatClient.Params(0.0, null, null, true)));
                assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            }
        }
    }

    @Test void endpointForms() {
        assertEquals("http://h:8/v1/chat/completions", OpenAiChatClient.resolve(URI.create("http://h:8")).toString());
        assertEquals("http://h:8/v1/chat/completions", OpenAiChatClient.resolve(URI.create("http://h:8/v1/")).toString());
        assertEquals("https://api.x/v1/chat/completions", OpenAiChatClient.resolve(URI.create("https://api.x/v1/chat/completions")).toString());
    }

    @Test void remoteSpecParsesOptionsAndRejectsBadOnes() {
        var s = RemoteSpec.parse("http://127.0.0.1:9000,protocol=vllm-pooling,model=rm,timeout=2.5,retries=3,concurrency=2,batch=4,token=env:MY_TOKEN");
        assertEquals(RewardProtocol.VLLM_POOLING, s.protocol());
        assertEquals(4, s.batch());
        var o = s.httpOptions(Map.of("MY_TOKEN", "abc")::get);
        assertEquals(Duration.ofMillis(2500), o.timeout());
        assertEquals(4, o.maxAttempts());
        assertEquals(2, o.concurrency());
        assertEquals("abc", o.bearerToken());
        assertFalse(o.toString().contains("abc"), "token must not be printed");
        assertEquals("fromenv", RemoteSpec.parse("http://h:1").httpOptions(Map.of("TARE_API_TOKEN", "fromenv")::get).bearerToken());
        assertEquals(RewardProtocol.TARE, RemoteSpec.parse("http://h:1").protocol());

        assertTrue(assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,colour=red"))
                .getMessage().contains("unknown scorer option 'colour'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,protocol=grpc").protocol())
                .getMessage().contains("unknown protocol 'grpc'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,timeout=-1").httpOptions(k -> null))
                .getMessage().contains("timeout=-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,token=env:NOPE").httpOptions(k -> null))
                .getMessage().contains("$NOPE is not set"));
        assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("localhost:8000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1").chatClient(k -> null))
                .getMessage().contains("model=NAME"));
    }

    @Test void chatGeneratorKeepsPromptOrder() throws Exception {
        try (var srv = new LoopbackServer(s -> {
            String q = s.body().get("messages").get(0).get("content").asText();
            return Reply.json("{\"choices\":[{\"message\":{\"content\":\"echo " + q + "\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":" + q.length() + ",\"completion_tokens\":2}}").after(q.length() % 2 == 0 ? 50 : 0);
        })) {
            try (var g = new OpenAiChatGenerator(new OpenAiChatClient(srv.base(), "j", new JsonHttpClient(HttpOptions.defaults().withConcurrency(3))))) {
                var prompts = new java.util.ArrayList<List<Message>>();
                for (int i = 0; i < 7; i++) prompts.add(List.of(Message.user("q" + "x".repeat(i))));
                var out = g.generate(prompts, new dev.tare.scorers.judge.SamplingParams(64, 0.7, 1, 42));
                for (int i = 0; i < 7; i++) {
                    assertEquals("echo q" + "x".repeat(i), out.get(i).text());
                    assertEquals(1 + i, out.get(i).promptTokens());
                }
            }
            assertTrue(srv.maxInFlight.get() <= 3);
            assertEquals(42, srv.seen.getFirst().body().get("seed").asLong());
            assertEquals(64, srv.seen.getFirst().body().get("max_tokens").asInt());
        }
    }
}
