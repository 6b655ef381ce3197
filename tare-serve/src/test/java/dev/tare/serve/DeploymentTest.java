package dev.tare.serve;

import dev.tare.data.DataFormatException;
import dev.tare.serve.source.BbqLetterSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Deployment configs are read strictly: wrong types, unknown keys and out-of-range values name the file and field. */
class DeploymentTest {
    @TempDir Path tmp;

    private static final Deployment.Factories NO_MODELS = new Deployment.Factories(
            spec -> { throw new IllegalArgumentException("unknown scorer spec '" + spec + "'"); },
            p -> { throw new IllegalArgumentException("no calibrators here"); });

    private Deployment load(String json) throws Exception {
        Path f = tmp.resolve("deploy.json");
        Files.writeString(f, json);
        return Deployment.load(f, NO_MODELS);
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
                 "batch": {"max_items": 16, "max_wait_ms": 0, "queue_items": 100, "workers": 2},
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
        assertEquals(new BbqLetterSource(0.5, -0.2), d.pipeline().sources().get(0).source());
        assertEquals(2.0, d.pipeline().sources().get(0).weight());
        assertEquals(1.0, d.pipeline().sources().get(1).weight());
        // absent sections take the defaults
        var dd = load("{\"sources\": [{\"type\": \"gsm8k\"}]}").options();
        assertEquals(RewardServer.Options.defaults(), dd);
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
        rejects("{\"sources\": [{\"type\": \"bbq_letter\", \"stereotype_penalty\": -1}]}", "sources[0].stereotype_penalty", "must be a finite number in");
        rejects("{\"sources\": [{\"type\": \"gsm8k\", \"weight\": 1e400}]}", "sources[0].weight", "must be a finite number");
        rejects("{\"sources\": []}", "sources", "non-empty");
        rejects("{\"sources\": [{\"type\": \"model\", \"scorer\": \"nope:x\"}]}", "sources[0].scorer", "unknown scorer spec");
    }

    @Test
    void relativeLocalPathsResolveAgainstTheConfigFolder() {
        String s = Deployment.resolveLocal("local:models/rm,adapter=ad,lambda=-0.5", Path.of("/cfg"));
        assertEquals("local:/cfg/models/rm,adapter=/cfg/ad,lambda=-0.5", s);
        assertEquals("http:http://x/y", Deployment.resolveLocal("http:http://x/y", Path.of("/cfg")));
    }
}
