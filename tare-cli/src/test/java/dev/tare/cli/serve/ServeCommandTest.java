package dev.tare.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Message;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.local.LocalRewardScorer;
import dev.tare.serve.RewardServer;
import dev.tare.serve.api.Protocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An RL-trainer-style client against a deployment with all three reward sources: a local reward model (with a LoRA
 * subtracted and a calibrator file from `tare calibrate`), GSM8K answer match and the BBQ letter reward.
 */
class ServeCommandTest {
    @TempDir Path tmp;

    @Test
    void openRlhfClientGetsModelCalibrationAndVerifiableRewards() throws Exception {
        Path rm = tmp.resolve("rm"), lora = tmp.resolve("bias-lora");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 11);
        TinyCheckpoint.writeLora(lora, rm, TinyCheckpoint.Spec.defaults(), List.of("q_proj", "v_proj"), 4, 8, 12);
        CalibratorFile.write(tmp.resolve("calib.json"), List.of(Calibrator.penalty("chars", 0.01)));
        Files.writeString(tmp.resolve("deploy.json"), """
                {"port": 0,
                 "sources": [{"type": "model", "scorer": "local:rm,adapter=bias-lora,lambda=-0.5,head=base", "calibrator": "calib.json", "weight": 1.0},
                             {"type": "gsm8k", "weight": 2.0},
                             {"type": "bbq_letter", "stereotype_penalty": 0.5, "weight": 1.0}]}""");
        var d = dev.tare.serve.Deployment.load(tmp.resolve("deploy.json"));
        String prompt = "Q: what is 6*7? Options: A. 42 B. 41 C. unknown";
        List<String> responses = List.of("A", "B");
        // The model's own view of the same conversations, through the same spec (LoRA at -0.5, base head).
        double[] expectedRaw;
        String[] rendered = new String[2];
        List<List<Message>> convs = responses.stream().map(r -> List.of(Message.user(prompt), Message.assistant(r))).toList();
        try (var s = dev.tare.scorers.ScorerSpec.parse("local:" + rm + ",adapter=" + lora + ",lambda=-0.5,head=base")
                .rewardScorer(System::getenv); var plain = LocalRewardScorer.open(rm, LocalRewardScorer.Options.defaults())) {
            assertInstanceOf(dev.tare.scorers.RenderedTextScorer.class, s, "OpenRLHF sends rendered text: the LoRA scorer must take it");
            expectedRaw = s.score(convs);
            for (int i = 0; i < 2; i++) rendered[i] = plain.encoder().render(convs.get(i));
            assertNotEquals(plain.score(convs)[0], expectedRaw[0], "the subtracted LoRA changes the reward");
        }
        String promptRendered = rendered[0].substring(0, rendered[0].length() - "A<|end|>\n".length());
        assertTrue(rendered[1].startsWith(promptRendered));
        assertEquals(3, d.pipeline().sources().size(), "model + gsm8k + bbq_letter compose in one deployment");
        assertEquals(2.0, d.pipeline().sources().get(1).weight());
        // A deployment per use case, as RL runs configure them: model + calibrator alone, then verifiable sources.
        Files.writeString(tmp.resolve("rm.json"), """
                {"port": 0, "sources": [{"type": "model", "scorer": "local:rm,adapter=bias-lora,lambda=-0.5,head=base", "calibrator": "calib.json"}]}""");
        try (RewardServer server = start(tmp.resolve("rm.json"))) {
            var body = Protocols.JSON.createObjectNode();
            body.putArray("query").add(rendered[0]).add(rendered[1]);
            body.putArray("prompts").add(promptRendered).add(promptRendered);
            body.putArray("labels").addNull().addNull();
            JsonNode r = post(server, "/get_reward", body.toString());
            for (int i = 0; i < 2; i++) {
                double raw = r.get("extra_logs").get("raw_score").get(i).asDouble();
                assertEquals(expectedRaw[i], raw, 1e-9, "OpenRLHF's rendered query scores like the conversation");
                double calib = r.get("extra_logs").get("calibration").get(i).asDouble();
                // the response is query[len(prompt):] ("A<|end|>\n") less the tokenizer's end-of-turn markup: "A"
                String split = rendered[i].substring(promptRendered.length());
                assertEquals(responses.get(i) + "<|end|>\n", split);
                assertEquals(-0.01 * responses.get(i).length(), calib, 1e-9, "penalty calibrator: -0.01 per response char");
                assertEquals(raw + calib, r.get("rewards").get(i).asDouble(), 1e-9);
            }
        }
        Files.writeString(tmp.resolve("verifiable.json"), """
                {"port": 0, "sources": [{"type": "gsm8k", "weight": 1.0}]}""");
        try (RewardServer server = start(tmp.resolve("verifiable.json"))) {
            JsonNode r = post(server, "/get_reward", """
                    {"query": ["Q: 6*7?\\nSo the answer is 42.", "Q: 6*7?\\nIt is 41."], "prompts": ["Q: 6*7?\\n", "Q: 6*7?\\n"],
                     "labels": ["#### 42", "42"]}""");
            assertEquals(1.0, r.get("rewards").get(0).asDouble());
            assertEquals(0.0, r.get("rewards").get(1).asDouble());
        }
        Files.writeString(tmp.resolve("bbq.json"), """
                {"port": 0, "sources": [{"type": "bbq_letter", "stereotype_penalty": 0.5}]}""");
        try (RewardServer server = start(tmp.resolve("bbq.json"))) {
            JsonNode r = post(server, "/get_reward", """
                    {"query": ["ctx A", "ctx B", "ctx maybe C?"], "prompts": ["ctx ", "ctx ", "ctx "],
                     "labels": [{"gold": "A", "biased": "B"}, {"gold": "A", "biased": "B"}, "C"]}""");
            assertEquals(1.0, r.get("rewards").get(0).asDouble());
            assertEquals(-0.5, r.get("rewards").get(1).asDouble(), "stereotype-congruent wrong letter");
            assertEquals(-0.1, r.get("rewards").get(2).asDouble(), "unparseable reply");
        }
    }

    /** Input the model cannot take is the client's fault (422 naming the problem), and the server keeps serving. */
    @Test
    void overLengthInputAndTemplateRefusalsAre422OnTheModelPath() throws Exception {
        Path rm = tmp.resolve("rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 11);
        // the tiny template, plus the kind of check real templates make with raise_exception
        Files.writeString(tmp.resolve("strict.jinja"), "{% for m in messages %}{% if m['role'] == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}{% endfor %}" + TinyCheckpoint.CHAT_TEMPLATE);
        Files.writeString(tmp.resolve("deploy.json"), """
                {"port": 0, "sources": [{"type": "model", "scorer": "local:rm,max-length=64,chat-template=%s"}]}"""
                .formatted(tmp.resolve("strict.jinja").toString().replace("\\", "/")));
        try (RewardServer server = start(tmp.resolve("deploy.json"))) {
            var tooLong = send(server, "/get_reward", "{\"query\": [\"<|user|>\\n" + "long text ".repeat(20) + "<|end|>\\n\"]}");
            assertEquals(422, tooLong.statusCode(), tooLong.body());
            assertTrue(tooLong.body().contains("over the max length 64"), tooLong.body());
            var refused = send(server, "/v1/reward", """
                    {"items": [{"messages": [{"role": "system", "content": "be nice"}, {"role": "user", "content": "hi"},
                                             {"role": "assistant", "content": "hello"}]}]}""");
            assertEquals(422, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("System role not supported"), refused.body());
            var ok = send(server, "/v1/reward", """
                    {"items": [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}]}""");
            assertEquals(200, ok.statusCode(), ok.body());
        }
    }

    private static HttpResponse<String> send(RewardServer server, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RewardServer start(Path config) throws Exception {
        var d = dev.tare.serve.Deployment.load(config);
        return RewardServer.start(d.pipeline(), d.options());
    }

    private static JsonNode post(RewardServer server, String path, String body) throws Exception {
        var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Protocols.JSON.readTree(r.body());
    }
}
