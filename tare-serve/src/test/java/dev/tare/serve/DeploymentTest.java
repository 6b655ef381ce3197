package dev.tare.serve;

import dev.tare.data.DataFormatException;
import dev.tare.data.Message;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;
import dev.tare.serve.api.Protocols;
import dev.tare.serve.source.ModelSource;
import dev.tare.serve.source.BbqLetterSource;
import dev.tare.serve.source.Gsm8kSource;
import dev.tare.serve.source.MissingLabel;
import dev.tare.testkit.HubLoopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Deployment configs are read strictly: wrong types, unknown keys and out-of-range values name the file and field;
 * a model source's scorer is a {@link ScorerSpec}, accepted or refused exactly as {@code tare eval --scorer} does.
 */
class DeploymentTest {
    @TempDir Path tmp;

    private Deployment load(String json) throws Exception {
        Path f = tmp.resolve("deploy.json");
        Files.writeString(f, json);
        return Deployment.load(f, Map.<String, String>of()::get);
    }

    private void rejects(String json, String field, String needle) throws Exception {
        var e = assertThrows(DataFormatException.class, () -> load(json), json);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains("deploy.json") && e.getMessage().contains(needle), e.getMessage());
    }

    @Test
    void aFullValidConfigIsReadAsWritten() throws Exception {
        Deployment d = load("""
                {"host": "0.0.0.0", "port": 9001,
                 "sources": [{"type": "bbq_letter", "stereotype_penalty": 0.5, "unparseable": -0.2, "weight": 2},
                             {"type": "gsm8k"}],
                 "batch": {"max_items": 16, "max_wait_ms": 0, "queue_items": 100, "workers": 2, "max_chars": 9000, "stuck_after_s": 60},
                 "connections": {"read_timeout_s": 5, "max_connections": 64},
                 "limits": {"max_body_bytes": 1073741824, "max_items": 10, "max_item_chars": 500}}""");
        var o = d.options();
        assertEquals("0.0.0.0", o.host());
        assertEquals(9001, o.port());
        assertEquals(16, o.maxBatchItems());
        assertEquals(0, o.maxWait().toMillis());
        assertEquals(100, o.queueCapacityItems());
        assertEquals(2, o.workers());
        assertEquals(Deployment.MAX_BODY_BYTES, o.limits().maxBodyBytes());
        assertEquals(10, o.limits().maxItems());
        assertEquals(500, o.limits().maxItemChars());
        assertEquals(9000, o.maxBatchChars());
        assertEquals(60, o.stuckAfter().toSeconds());
        assertEquals(5, o.readTimeout().toSeconds());
        assertEquals(64, o.maxConnections());
        assertEquals(new BbqLetterSource(0.5, -0.2), d.pipeline().sources().get(0).source());
        assertEquals(2.0, d.pipeline().sources().get(0).weight());
        assertEquals(1.0, d.pipeline().sources().get(1).weight());
        // absent sections take the defaults
        var dd = load("{\"sources\": [{\"type\": \"gsm8k\"}]}").options();
        assertEquals(RewardServer.Options.defaults(), dd);
    }

    @Test
    void missingLabelPolicyAndAdmissionAreReadStrictlyWithDocumentedDefaults() throws Exception {
        Deployment d = load("""
                {"sources": [{"type": "bbq_letter", "on_missing_label": "error"}, {"type": "gsm8k", "on_missing_label": "zero"}],
                 "admission": {"mode": "queue", "max_wait_s": 120}}""");
        assertEquals(new BbqLetterSource(0, -0.1, MissingLabel.ERROR), d.pipeline().sources().get(0).source());
        assertEquals(new Gsm8kSource(MissingLabel.ZERO), d.pipeline().sources().get(1).source());
        assertEquals(Admission.queue(java.time.Duration.ofSeconds(120)), d.options().admission());
        // defaults: skip (OpenRLHF's "" without --data.label_key gets the other sources' reward), shed admission
        Deployment dd = load("{\"sources\": [{\"type\": \"gsm8k\"}, {\"type\": \"bbq_letter\"}]}");
        assertEquals(new Gsm8kSource(MissingLabel.SKIP), dd.pipeline().sources().get(0).source());
        assertEquals(new BbqLetterSource(0, -0.1, MissingLabel.SKIP), dd.pipeline().sources().get(1).source());
        assertEquals(Admission.shed(), dd.options().admission());
        assertEquals(Admission.shed(), load("{\"sources\": [{\"type\": \"gsm8k\"}], \"admission\": {\"mode\": \"shed\"}}").options().admission());

        String src = "\"sources\": [{\"type\": \"gsm8k\"}]";
        rejects("{\"sources\": [{\"type\": \"gsm8k\", \"on_missing_label\": \"ignore\"}]}", "sources[0].on_missing_label", "must be \"error\", \"zero\" or \"skip\"");
        rejects("{\"sources\": [{\"type\": \"gsm8k\", \"on_missing_label\": 0}]}", "sources[0].on_missing_label", "must be a non-empty string");
        rejects("{\"sources\": [{\"type\": \"model\", \"scorer\": \"http:http://127.0.0.1:1\", \"on_missing_label\": \"zero\"}]}",
                "sources[0].on_missing_label", "unknown setting");
        rejects("{" + src + ", \"admission\": {\"mode\": \"wait\"}}", "admission.mode", "must be \"shed\"");
        rejects("{" + src + ", \"admission\": {\"mode\": \"queue\"}}", "admission.max_wait_s", "missing");
        rejects("{" + src + ", \"admission\": {\"mode\": \"queue\", \"max_wait_s\": 0}}", "admission.max_wait_s", "must be in 1..169");
        rejects("{" + src + ", \"admission\": {\"mode\": \"queue\", \"max_wait_s\": 170}}", "admission.max_wait_s", "must be in 1..169");
        rejects("{" + src + ", \"admission\": {\"mode\": \"queue\", \"max_wait_s\": 1.5}}", "admission.max_wait_s", "must be an integer");
        rejects("{" + src + ", \"admission\": {\"mode\": \"shed\", \"max_wait_s\": 10}}", "admission.max_wait_s", "only applies to");
        rejects("{" + src + ", \"admission\": {\"mode\": \"queue\", \"max_wait_s\": 10, \"bound\": 1}}", "admission.bound", "unknown setting");
    }

    @Test
    void wrongTypesAreErrorsNotDefaults() throws Exception {
        String src = "\"sources\": [{\"type\": \"gsm8k\"}]";
        rejects("{\"port\": \"abc\", " + src + "}", "port", "must be an integer, got string");
        rejects("{\"port\": 80.5, " + src + "}", "port", "must be an integer");
        rejects("{\"host\": 7, " + src + "}", "host", "must be a non-empty string");
        rejects("{\"batch\": [], " + src + "}", "batch", "must be an object");
        rejects("{\"batch\": {\"max_items\": \"32\"}, " + src + "}", "batch.max_items", "must be an integer");
        rejects("{\"limits\": {\"max_items\": null}, " + src + "}", "limits.max_items", "must be an integer");
        rejects("{\"sources\": [{\"type\": \"gsm8k\", \"weight\": \"1\"}]}", "sources[0].weight", "must be a number");
        rejects("{\"sources\": [{\"type\": \"bbq_letter\", \"stereotype_penalty\": true}]}", "sources[0].stereotype_penalty", "must be a number");
        rejects("{\"sources\": [{\"type\": 3}]}", "sources[0].type", "must be model, bbq_letter or gsm8k");
        rejects("{\"sources\": [\"gsm8k\"]}", "sources[0]", "must be an object");
        rejects("{\"sources\": [{\"type\": \"model\", \"scorer\": 5}]}", "sources[0].scorer", "must be a non-empty string");
    }

    @Test
    void unknownKeysInEverySectionAreErrors() throws Exception {
        String src = "\"sources\": [{\"type\": \"gsm8k\"}]";
        rejects("{\"prot\": 8000, " + src + "}", "prot", "unknown setting");
        rejects("{\"batch\": {\"max_item\": 8}, " + src + "}", "batch.max_item", "unknown setting");
        rejects("{\"limits\": {\"max_body\": 8}, " + src + "}", "limits.max_body", "unknown setting");
        rejects("{\"sources\": [{\"type\": \"gsm8k\", \"stereotype_penalty\": 1}]}", "sources[0].stereotype_penalty", "unknown setting");
        rejects("{\"sources\": [{\"type\": \"bbq_letter\", \"calibrator\": \"c.json\"}]}", "sources[0].calibrator", "unknown setting");
    }

    @Test
    void outOfRangeValuesAreErrors() throws Exception {
        String src = "\"sources\": [{\"type\": \"gsm8k\"}]";
        rejects("{\"port\": 70000, " + src + "}", "port", "0..65535");
        rejects("{\"port\": -1, " + src + "}", "port", "0..65535");
        rejects("{\"limits\": {\"max_body_bytes\": 2147483647}, " + src + "}", "limits.max_body_bytes", "1.." + Deployment.MAX_BODY_BYTES);
        rejects("{\"limits\": {\"max_body_bytes\": 99999999999}, " + src + "}", "limits.max_body_bytes", "must be in");
        rejects("{\"limits\": {\"max_items\": 0}, " + src + "}", "limits.max_items", "must be in");
        rejects("{\"batch\": {\"workers\": 0}, " + src + "}", "batch.workers", "must be in");
        rejects("{\"batch\": {\"max_wait_ms\": -5}, " + src + "}", "batch.max_wait_ms", "must be in");
        rejects("{\"batch\": {\"queue_items\": 0}, " + src + "}", "batch.queue_items", "must be in");
        rejects("{\"batch\": {\"max_chars\": 0}, " + src + "}", "batch.max_chars", "must be in 1..1000000000");
        rejects("{\"batch\": {\"stuck_after_s\": 0}, " + src + "}", "batch.stuck_after_s", "must be in 1..86400");
        rejects("{\"connections\": {\"read_timeout_s\": 0}, " + src + "}", "connections.read_timeout_s", "must be in 1..3600");
        rejects("{\"connections\": {\"max_connections\": 0}, " + src + "}", "connections.max_connections", "must be in");
        rejects("{\"connections\": {\"keep_alive\": 1}, " + src + "}", "connections.keep_alive", "unknown setting");
        rejects("{\"sources\": [{\"type\": \"bbq_letter\", \"stereotype_penalty\": -1}]}", "sources[0].stereotype_penalty", "must be a finite number in");
        rejects("{\"sources\": [{\"type\": \"gsm8k\", \"weight\": 1e400}]}", "sources[0].weight", "must be a finite number");
        rejects("{\"sources\": []}", "sources", "non-empty");
        rejects("{\"sources\": [{\"type\": \"model\", \"scorer\": \"nope:x\"}]}", "sources[0].scorer", "expected local:DIR");
    }

    /** A tiny seeded reward model and a LoRA adapter for it, in {@code tmp}. */
    private Path[] tinyModelAndAdapter() {
        Path rm = tmp.resolve("rm"), lora = tmp.resolve("bias-lora");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 11);
        TinyCheckpoint.writeLora(lora, rm, TinyCheckpoint.Spec.defaults(), List.of("q_proj", "v_proj"), 4, 8, 12);
        return new Path[]{rm, lora};
    }

    private static final List<List<Message>> CONVERSATIONS = List.of(
            List.of(Message.user("What is 6*7?"), Message.assistant("42")),
            List.of(Message.user("What is 6*7?"), Message.assistant("It is 41, I think.")));

    private Deployment withScorer(String spec, Map<String, String> env) throws Exception {
        Path f = tmp.resolve("deploy.json");
        var root = Protocols.JSON.createObjectNode();
        root.putArray("sources").addObject().put("type", "model").put("scorer", spec);
        Files.writeString(f, root.toString());
        return Deployment.load(f, env::get);
    }

    private static RewardScorer model(Deployment d) {
        return assertInstanceOf(ModelSource.class, d.pipeline().sources().getFirst().source()).scorer();
    }

    @Test
    void serveAndTheCliAcceptTheSameSpecStrings() throws Exception {
        Path[] m = tinyModelAndAdapter();
        String rm = m[0].toString(), lora = m[1].toString();
        Map<String, String> env = Map.of("TARE_TEST_TOKEN", "k");
        List<String> specs = List.of(
                "local:" + rm, "local:" + rm + ",adapter=" + lora + ",lambda=-0.5,head=base",
                "local:" + rm + ",adapter=" + lora + ",max-length=64,score-token=first-pad",
                "http://127.0.0.1:9/v1,protocol=vllm-pooling,model=rm,token=env:TARE_TEST_TOKEN", "http:http://127.0.0.1:9",
                // what neither accepts, with the same message
                "nope:x", "local:" + rm + ",lambda=2", "local:" + tmp.resolve("nope"), "local:" + rm + ",adapter=" + lora + ",head=both",
                "http://h:1,colour=red", "http://h:1,token=env:TARE_TEST_UNSET", "openai:http://h:1,model=m", "judge:local:" + rm);
        int accepted = 0;
        for (String spec : specs) {
            RewardScorer cli;
            try {
                cli = ScorerSpec.parse(spec).rewardScorer(env::get);
            } catch (IllegalArgumentException e) {
                var served = assertThrows(DataFormatException.class, () -> withScorer(spec, env), spec);
                assertEquals("sources[0].scorer", served.field(), spec);
                assertTrue(served.getMessage().contains("deploy.json") && served.getMessage().endsWith(e.getMessage()),
                        spec + ": " + served.getMessage() + " vs " + e.getMessage());
                continue;
            }
            accepted++;
            try (cli; RewardScorer served = model(withScorer(spec, env))) {
                assertEquals(cli.getClass(), served.getClass(), spec);
                assertEquals(cli.name(), served.name(), spec);
                assertEquals(cli.provenance(), served.provenance(), spec);
                assertEquals(cli.preferredBatchSize(), served.preferredBatchSize(), spec);
                if (spec.startsWith("local:")) assertArrayEquals(cli.score(CONVERSATIONS), served.score(CONVERSATIONS), 0.0, spec);
            }
        }
        assertEquals(5, accepted);
    }

    /**
     * Objective-level debiasing served: a deployment whose model source masks ArmoRM's verbosity objective serves
     * exactly what {@code tare eval --scorer} scores with that spec, and not the unmasked rewards (armorm-tiny from
     * $TARE_ARMORM, default ../shared/fixtures/armorm-tiny, with the Llama 3 tokenizer).
     */
    @Test
    void aGatedMultiObjectiveModelIsServedWithItsObjectivesReweighted() throws Exception {
        var shared = dev.tare.data.SharedData.root();
        org.junit.jupiter.api.Assumptions.assumeTrue(shared.isPresent(), "../shared absent (user clone): skipping armorm-tiny");
        Path d = dev.tare.testkit.SharedFixtures.armormTiny(shared.get(), tmp);
        String masked = "local:" + d + ",objectives=-helpsteer-verbosity";
        try (RewardScorer cli = ScorerSpec.parse(masked).rewardScorer(k -> null);
             RewardScorer plain = ScorerSpec.parse("local:" + d).rewardScorer(k -> null);
             RewardScorer served = model(withScorer(masked, Map.of()))) {
            double[] s = served.score(CONVERSATIONS), p = plain.score(CONVERSATIONS);
            assertArrayEquals(cli.score(CONVERSATIONS), s, 0.0);
            for (int i = 0; i < s.length; i++) assertNotEquals(p[i], s[i], "masking the verbosity objective moves reward " + i);
        }
        var e = assertThrows(DataFormatException.class, () -> withScorer("local:" + d + ",objectives=-no-such-objective", Map.of()));
        assertEquals("sources[0].scorer", e.field(), e.getMessage());
    }

    @Test
    void hubNamesInADeploymentFileComeFromTheHubUnlessTheFolderIsBesideIt() throws Exception {
        Path[] m = tinyModelAndAdapter();
        Path home = tmp.resolve("hf-home");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        String spec = "local:org/tiny-rm,adapter=org/bias-lora,lambda=-0.5";
        try (HubLoopback hub = new HubLoopback();
             RewardScorer absolute = ScorerSpec.parse("local:" + m[0] + ",adapter=" + m[1] + ",lambda=-0.5").rewardScorer(k -> null)) {
            hub.serve("model", "org/tiny-rm", commit, m[0], null);
            hub.serve("model", "org/bias-lora", commit, m[1], null);
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HOME", home.toString(), "TARE_PROGRESS", "0");
            try (RewardScorer served = model(withScorer(spec, env))) {
                assertEquals("tiny-rm+bias-lora@-0.5", served.name());
                assertArrayEquals(absolute.score(CONVERSATIONS), served.score(CONVERSATIONS), 0.0);
            }
            assertTrue(Files.isDirectory(home.resolve("hub/models--org--tiny-rm/snapshots").resolve(commit)), "downloaded into HF_HOME's cache");
            assertTrue(Files.isDirectory(home.resolve("hub/models--org--bias-lora/snapshots").resolve(commit)));
            int asked = hub.requests.size();
            // a folder org/tiny-rm beside the deployment file wins over the hub name (here: another model)
            TinyCheckpoint.write(tmp.resolve("org/tiny-rm"), TinyCheckpoint.Spec.defaults(), 99);
            try (RewardScorer beside = model(withScorer("local:org/tiny-rm", env));
                 RewardScorer other = ScorerSpec.parse("local:" + tmp.resolve("org/tiny-rm")).rewardScorer(k -> null)) {
                assertArrayEquals(other.score(CONVERSATIONS), beside.score(CONVERSATIONS), 0.0);
            }
            assertEquals(asked, hub.requests.size(), "the folder beside the file is read without asking the hub");
            // a name neither beside the file nor on the hub: both places in the error
            var e = assertThrows(DataFormatException.class, () -> withScorer("local:org/missing-rm", env));
            assertTrue(e.getMessage().contains("'org/missing-rm' is no folder beside the file (" + tmp.resolve("org/missing-rm") + ")"), e.getMessage());
        }
    }

    @Test
    void relativeLocalPathsResolveAgainstTheConfigFolder() throws Exception {
        Path[] m = tinyModelAndAdapter();
        String relative = "local:rm,adapter=bias-lora,lambda=-0.5";
        assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse(relative).rewardScorer(k -> null),
                "the relative folders do not exist from the working directory");
        try (RewardScorer served = model(withScorer(relative, Map.of()));
             RewardScorer absolute = ScorerSpec.parse("local:" + m[0] + ",adapter=" + m[1] + ",lambda=-0.5").rewardScorer(k -> null)) {
            assertEquals("rm+bias-lora@-0.5", served.name());
            assertArrayEquals(absolute.score(CONVERSATIONS), served.score(CONVERSATIONS), 0.0);
        }
    }
}
