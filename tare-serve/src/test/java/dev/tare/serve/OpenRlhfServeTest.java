package dev.tare.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tare.serve.api.Protocols;
import dev.tare.serve.bench.OpenRlhfBurst;
import dev.tare.serve.bench.OpenRlhfClient;
import dev.tare.testkit.VllmLoopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A real `tare serve` (a deployment file, an http: vLLM model source in front of the vLLM double) called as OpenRLHF
 * v0.11 calls a remote RM ({@link OpenRlhfClient}: openrlhf/utils/agent.py, SingleTurnAgentExecutor): one POST per
 * sample, {"query":[q],"prompts":[p],"labels":[l]}, 5 tries 1 s apart whatever the status, then None; label "" unless
 * --data.label_key is set (openrlhf/datasets/prompts_dataset.py). The response is read as OpenRLHF reads it (rewards,
 * scores, extra_logs), and extra_logs must batch as openrlhf/trainer/ppo_utils/experience.py make_experience_batch
 * does: every sample has the first sample's keys, each value one finite number.
 */
class OpenRlhfServeTest {
    @TempDir Path tmp;
    private RewardServer server;
    private VllmLoopback vllm;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (vllm != null) vllm.close();
    }

    static double logit(String text) { return 0.01 * text.length() - 3; }

    /** Starts a deployment whose sources are {@code sources} ("MODEL" stands for the vLLM-backed model source). */
    private OpenRlhfClient serve(String sources, String extra) throws Exception {
        if (vllm == null) vllm = new VllmLoopback("rm", 1 << 16, OpenRlhfServeTest::logit);
        Path f = tmp.resolve("deploy.json");
        Files.writeString(f, "{\"sources\": " + sources.replace("MODEL",
                "{\"type\": \"model\", \"scorer\": \"http:" + vllm.url() + ",protocol=vllm-pooling,model=rm\"}") + extra + "}");
        Deployment d = Deployment.load(f, Map.<String, String>of()::get);
        server = RewardServer.start(d.pipeline(), d.options().withPort(0));
        return new OpenRlhfClient(URI.create("http://127.0.0.1:" + server.port() + "/get_reward"));
    }

    private static String prompt(String q) { return "<|im_start|>user\n" + q + "<|im_end|>\n<|im_start|>assistant\n"; }

    /** make_experience_batch over per-sample extra_logs: same keys as the first, one finite number each. */
    private static void batchesInOpenRlhf(List<OpenRlhfClient.Outcome> samples) {
        var keys = new TreeSet<String>();
        samples.getFirst().extraLogs().fieldNames().forEachRemaining(keys::add);
        for (var s : samples) {
            var k = new TreeSet<String>();
            s.extraLogs().fieldNames().forEachRemaining(k::add);
            assertEquals(keys, k, "every sample carries the first sample's extra_logs keys (else KeyError in make_experience_batch)");
            for (String key : k) {
                JsonNode v = s.extraLogs().get(key);
                assertTrue(v.isArray() && v.size() == 1 && v.get(0).isNumber() && Double.isFinite(v.get(0).asDouble()), key + ": " + v);
            }
        }
    }

    @Test
    void openRlhfDefaultEmptyLabelGetsTheModelRewardAndExtraLogsSayTheLabelWasMissing() throws Exception {
        OpenRlhfClient c = serve("[MODEL, {\"type\": \"gsm8k\", \"weight\": 2}]", "");
        String p = prompt("What is 6*7?");
        String right = p + "6*7 = 42<|im_end|>\n", wrong = p + "It is 41.<|im_end|>\n";
        var labelled = c.reward(right, p, TextNode.valueOf("#### 42"));
        var labelledWrong = c.reward(wrong, p, TextNode.valueOf("42"));
        var unlabelled = c.reward(right, p, TextNode.valueOf(""));   // OpenRLHF without --data.label_key
        for (var o : List.of(labelled, labelledWrong, unlabelled)) assertEquals(List.of(200), o.statuses(), "first try");
        assertEquals(logit(right) + 2, labelled.reward(), 1e-9);
        assertEquals(logit(wrong), labelledWrong.reward(), 1e-9);
        assertEquals(logit(right), unlabelled.reward(), 1e-9, "gsm8k skipped, the model's reward stands");
        assertEquals(unlabelled.rewards(), unlabelled.scores());
        assertEquals(0.0, labelled.extraLogs().get("gsm8k_label_missing").get(0).asDouble());
        assertEquals(1.0, unlabelled.extraLogs().get("gsm8k_label_missing").get(0).asDouble());
        assertEquals(logit(right), unlabelled.extraLogs().get("raw_score").get(0).asDouble(), 1e-9);
        assertEquals(0.0, unlabelled.extraLogs().get("gsm8k").get(0).asDouble());
        assertEquals(2.0, labelled.extraLogs().get("gsm8k").get(0).asDouble());
        batchesInOpenRlhf(List.of(labelled, labelledWrong, unlabelled));
        batchesInOpenRlhf(List.of(unlabelled, labelled));
    }

    @Test
    void eachMissingLabelPolicyOnAVerifiableOnlyDeployment() throws Exception {
        String p = prompt("6*7?");
        String q = p + "42<|im_end|>\n";
        // zero: the unlabelled sample scores 0, flagged
        OpenRlhfClient c = serve("[{\"type\": \"gsm8k\", \"on_missing_label\": \"zero\"}]", "");
        var zero = c.reward(q, p, TextNode.valueOf(""));
        var good = c.reward(q, p, TextNode.valueOf("42"));
        assertEquals(0.0, zero.reward());
        assertEquals(1.0, good.reward());
        assertEquals(1.0, zero.extraLogs().get("gsm8k_label_missing").get(0).asDouble());
        batchesInOpenRlhf(List.of(good, zero));
        server.close();
        // skip (the default) with no other source: nothing can score the sample, so it is a 422, never a made-up 0
        c = serve("[{\"type\": \"gsm8k\"}]", "");
        var r = post("/get_reward", new String(OpenRlhfClient.body(q, p, TextNode.valueOf(""))));
        assertEquals(422, r.statusCode());
        assertTrue(r.body().contains("needs a label") && r.body().contains("--data.label_key") && r.body().contains("on_missing_label"), r.body());
        server.close();
        // error: the unlabelled sample fails (OpenRLHF: 5 tries, then None); a concurrent labelled one is unaffected
        c = serve("[{\"type\": \"gsm8k\", \"on_missing_label\": \"error\"}]", "");
        OpenRlhfClient cc = c;
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<OpenRlhfClient.Outcome> bad = ex.submit(() -> cc.reward(q, p, TextNode.valueOf("")));
            Future<OpenRlhfClient.Outcome> ok = ex.submit(() -> cc.reward(q, p, TextNode.valueOf("#### 42")));
            assertTrue(bad.get().none(), "5 refusals become None in OpenRLHF");
            assertEquals(List.of(422, 422, 422, 422, 422), bad.get().statuses());
            assertTrue(bad.get().seconds() >= 4.0, "4 pauses of 1 s: " + bad.get().seconds());
            assertEquals(1.0, ok.get().reward());
            assertEquals(List.of(200), ok.get().statuses());
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBadLabelFailsOnlyItsOwnItem() throws Exception {
        serve("[{\"type\": \"gsm8k\", \"on_missing_label\": \"zero\"}]", "");
        // native API: the other items are answered; the bad one is null with its reason
        var r = post("/v1/reward", """
                {"items": [{"prompt": "6*7?", "response": "42", "label": "42"},
                           {"prompt": "6*7?", "response": "42", "label": "forty-two"},
                           {"prompt": "6*7?", "response": "42", "label": ""},
                           {"prompt": "6*7?", "response": "41", "label": 42}]}""");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = Protocols.JSON.readTree(r.body());
        assertEquals("[1.0,null,0.0,0.0]", j.get("rewards").toString());
        assertTrue(j.get("results").get(1).get("error").asText().contains("'forty-two' has no numeric gold answer"), r.body());
        assertEquals("[\"gsm8k\"]", j.get("results").get(2).get("label_missing").toString());
        assertEquals("[]", j.get("results").get(0).get("label_missing").toString());
        // every item bad: 422
        r = post("/v1/reward", "{\"items\": [{\"response\": \"42\", \"label\": \"x\"}]}");
        assertEquals(422, r.statusCode(), r.body());
        // OpenRLHF's endpoint has no per-item error slot (a null reward would crash its tensor conversion): 422 naming only the bad item
        String p = prompt("6*7?");
        r = post("/get_reward", "{\"query\": [" + Protocols.JSON.writeValueAsString(p + "42") + "," + Protocols.JSON.writeValueAsString(p + "42")
                + "], \"prompts\": [" + Protocols.JSON.writeValueAsString(p) + "," + Protocols.JSON.writeValueAsString(p) + "], \"labels\": [\"42\", \"x\"]}");
        assertEquals(422, r.statusCode(), r.body());
        assertTrue(r.body().contains("item 1: gsm8k label 'x'") && !r.body().contains("item 0"), r.body());
    }

    /**
     * 4x the queue at once (64 samples against a 16-item queue, a model serving 5 requests/s): shed turns the samples
     * that find no room within OpenRLHF's 5 tries into None; queue admission holds them and rewards every one.
     */
    @Test
    void queueAdmissionRewardsEverySampleAtFourTimesTheQueueWhereShedLeavesNone() throws Exception {
        List<OpenRlhfBurst.Sample> pool = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String p = prompt("question " + i);
            pool.add(new OpenRlhfBurst.Sample(p + "answer " + "x".repeat(i) + "<|im_end|>\n", p, TextNode.valueOf("")));
        }
        String batch = ", \"batch\": {\"max_items\": 8, \"max_wait_ms\": 5, \"queue_items\": 16}";
        OpenRlhfClient c = serve("[MODEL]", batch);
        vllm.msPerRequest.set(200);
        OpenRlhfBurst.Result shed = OpenRlhfBurst.run(c, pool, 4, 16);
        assertEquals(64, shed.samples());
        assertTrue(shed.none() > 0 && shed.rejections() > 0, "shed: " + shed.line());
        assertEquals(64, shed.firstTry() + shed.afterRetries() + shed.none(), shed.line());
        server.close();

        c = serve("[MODEL]", batch + ", \"admission\": {\"mode\": \"queue\", \"max_wait_s\": 60}");
        int before = vllm.requests.size();
        OpenRlhfBurst.Result queued = OpenRlhfBurst.run(c, pool, 4, 16);
        assertEquals(0, queued.none(), "queue: " + queued.line());
        assertEquals(0, queued.rejections(), queued.line());
        assertEquals(64, queued.firstTry(), "held, not refused: " + queued.line());
        assertEquals(64, vllm.requests.size() - before, "each sample scored once");
    }
}
