package dev.tare.scorers;

import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.model.ScoreTokenRule;
import dev.tare.runtime.text.TokenizationConvention;
import dev.tare.scorers.remote.RewardProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Spec strings: what each kind parses to, the exact message of every malformed one, and what redaction hides. */
class ScorerSpecTest {
    @TempDir Path tmp;

    private static String error(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse(spec), spec).getMessage();
    }

    @Test
    void eachKindParsesToItsRecord() {
        var l = assertInstanceOf(ScorerSpec.Local.class, ScorerSpec.parse(
                "local:/m/rm,adapter=/a/style,lambda=-0.5,head=base,max-length=2048,score-token=first-pad,convention=with,batch=4"));
        assertEquals(Path.of("/m/rm"), l.dir());
        assertEquals(new ScorerSpec.Local.Lora(Path.of("/a/style"), -0.5, HeadChoice.BASE), l.lora());
        assertEquals(2048, l.options().maxLength());
        assertEquals(ScoreTokenRule.FIRST_PAD_MINUS_ONE, l.options().scoreTokenRule());
        assertEquals(TokenizationConvention.WITH_SPECIAL_TOKENS, l.options().convention());
        assertEquals(4, l.options().batchSize());
        var plain = (ScorerSpec.Local) ScorerSpec.parse("local:/m/rm");
        assertNull(plain.lora());
        assertEquals(dev.tare.scorers.local.LocalRewardScorer.Options.defaults(), plain.options());
        assertEquals(new ScorerSpec.Local.Lora(Path.of("ad"), 1.0, HeadChoice.ADAPTER),
                ((ScorerSpec.Local) ScorerSpec.parse("local:m,adapter=ad")).lora(), "λ defaults to 1 (PEFT), head to the adapter's");
        assertEquals(-0.7, ((ScorerSpec.Local) ScorerSpec.parse("local:m,adapter=ad,subtract=0.7")).lora().lambda(),
                "subtract=x is the published scripts' '+x subtracts': λ = −x");
        assertEquals(1.0, ((ScorerSpec.Local) ScorerSpec.parse("local:m,adapter=ad,subtract=-1")).lora().lambda());
        assertEquals(0.0, ((ScorerSpec.Local) ScorerSpec.parse("local:m,adapter=ad,subtract=0")).lora().lambda());

        for (String s : List.of("http://h:1,protocol=vllm-pooling,model=rm,batch=4", "http:http://h:1,protocol=vllm-pooling,model=rm,batch=4")) {
            var h = assertInstanceOf(ScorerSpec.Http.class, ScorerSpec.parse(s));
            assertEquals("http://h:1", h.endpoint().url().toString());
            assertEquals(RewardProtocol.VLLM_POOLING, h.endpoint().protocol());
            assertEquals(4, h.endpoint().batch());
            assertFalse(h.isJudge());
        }
        var o = assertInstanceOf(ScorerSpec.OpenAi.class, ScorerSpec.parse("openai:https://api.example/v1,model=gpt,timeout=30"));
        assertEquals("gpt", o.endpoint().get("model"));
        assertTrue(o.isJudge());

        var j = assertInstanceOf(ScorerSpec.Judge.class, ScorerSpec.parse("judge:local:/m/qwen,template=arena-hard,max_tokens=64,batch=2"));
        assertEquals(Path.of("/m/qwen"), j.model());
        assertNull(j.endpoint());
        assertEquals("arena-hard", j.option("template", "rewardbench"));
        assertEquals(64, j.intOption("max_tokens", 8));
        assertEquals(2, j.intOption("batch", 8));
        assertEquals(42, j.seed(42));
        assertTrue(j.isJudge());
        var jo = (ScorerSpec.Judge) ScorerSpec.parse("judge:openai:http://h:1,model=m,timeout=5,seed=7,temperature=0.5");
        assertNull(jo.model());
        assertEquals("m", jo.endpoint().get("model"));
        assertEquals("5", jo.endpoint().get("timeout"), "endpoint options go to the endpoint, judge options stay with the judge");
        assertEquals(Map.of("seed", "7", "temperature", "0.5"), jo.options());
        assertEquals(7, jo.seed(42));
        // tare judge --judge takes the judge without its judge: prefix
        assertEquals(Path.of("/m/qwen"), ScorerSpec.Judge.parse("local:/m/qwen,batch=8").model());
        assertEquals("local:/m/qwen,batch=8", ScorerSpec.Judge.parse("local:/m/qwen,batch=8").written());
    }

    @Test
    void malformedSpecsNameTheirFault() {
        assertEquals("--scorer 'nope:x': expected local:DIR[,adapter=DIR,lambda=X|subtract=X], http:URL[,protocol=...] or openai:URL,model=NAME", error("nope:x"));
        assertEquals("--scorer 'http:ftp://h': expected local:DIR[,adapter=DIR,lambda=X|subtract=X], http:URL[,protocol=...] or openai:URL,model=NAME", error("http:ftp://h"));
        // local:
        assertEquals("local scorer: lambda/subtract/head need adapter=DIR", error("local:/m,lambda=2"));
        assertEquals("local scorer: lambda/subtract/head need adapter=DIR", error("local:/m,subtract=2"));
        assertTrue(error("local:/m,adapter=/a,lambda=-1,subtract=1").contains("not both"));
        assertEquals("local scorer: subtract=x is not a number", error("local:/m,adapter=/a,subtract=x"));
        assertEquals("local scorer: lambda/subtract/head need adapter=DIR", error("local:/m,head=base"));
        assertEquals("local scorer: lambda=x is not a number", error("local:/m,adapter=/a,lambda=x"));
        assertEquals("local scorer: lambda=NaN is not a finite number", error("local:/m,adapter=/a,lambda=NaN"));
        assertEquals("local scorer: head=both: expected adapter or base", error("local:/m,adapter=/a,head=both"));
        assertEquals("local scorer: expected key=value, got 'max-length'", error("local:/m,max-length"));
        assertEquals("local scorer: option 'batch' given twice", error("local:/m,batch=2,batch=3"));
        assertEquals("unknown local scorer option 'maxlen' (known: convention, max-length, label, weights, chat-template, score-token, batch, objectives, transform, share-prefix)",
                error("local:/m,maxlen=5"));
        assertEquals("convention=odd: expected without-special-tokens or with-special-tokens", error("local:/m,convention=odd"));
        assertEquals("max-length=long: expected an integer", error("local:/m,max-length=long"));
        // http: (checked when parsed, not when the first request goes out)
        assertEquals("unknown scorer option 'colour' (known: activation-field, batch, chat-template, concurrency, label, model, probability, protocol, retries, timeout, token, truncate)",
                error("http://h:1,colour=red"));
        assertEquals("unknown protocol 'grpc' (expected one of tare, vllm-pooling, vllm-classify, tei, tei-rerank)", error("http://h:1,protocol=grpc"));
        assertEquals("scorer option timeout=-1 must be a positive number", error("http://h:1,timeout=-1"));
        assertEquals("scorer option retries=x must be a non-negative integer", error("http://h:1,retries=x"));
        assertEquals("scorer option concurrency must be >= 1", error("http://h:1,concurrency=0"));
        assertEquals("scorer option batch must be >= 1", error("http://h:1,batch=0"));
        assertEquals("expected key=value in scorer spec, got 'model'", error("http://h:1,model"));
        assertEquals("scorer option 'model' given twice", error("http://h:1,model=a,model=b"));
        assertEquals("scorer option chat-template is for protocol=tei only; tare servers apply the model's own chat template",
                error("http://h:1,chat-template=/m"));
        assertTrue(error("http:///v1,model=m").startsWith("endpoint must be an http(s) URL with a host"));
        // openai:
        assertEquals("openai scorer needs model=NAME", error("openai:http://h:1"));
        assertEquals("openai scorer needs model=NAME", error("openai:http://h:1,model="));
        // judge:
        assertEquals("judge 'judge:remote:x': expected local:DIR[,...] or openai:URL,model=NAME[,...]", error("judge:remote:x"));
        assertEquals("judge 'judge:local:,batch=2': no model directory", error("judge:local:,batch=2"));
        assertEquals("judge 'judge:openai:,model=m': no URL", error("judge:openai:,model=m"));
        assertEquals("unknown judge option 'colour' (known: template, votes, temperature, max_tokens, seed, batch, mode)", error("judge:local:/m,colour=red"));
        assertEquals("openai judge needs model=NAME: openai:URL,model=NAME", error("judge:openai:http://h:1,template=arena-hard"));
        assertEquals("judge option 'seed' given twice", error("judge:local:/m,seed=1,seed=2"));
        assertEquals("judge option 'template' needs a value (template=...)", error("judge:local:/m,template"));
        assertEquals("judge option votes=x is not an integer", error("judge:local:/m,votes=x"));
        assertEquals("judge option max_tokens=1.5 is not an integer", error("judge:local:/m,max_tokens=1.5"));
        assertEquals("judge option temperature=hot is not a number", error("judge:local:/m,temperature=hot"));
        assertEquals("judge option seed=0x1 is not an integer", error("judge:local:/m,seed=0x1"));
        assertEquals("unknown scorer option 'colour' (known: activation-field, batch, chat-template, concurrency, label, model, probability, protocol, retries, timeout, token, truncate)",
                error("judge:openai:http://h:1,model=m,colour=red"));
    }

    @Test
    void redactionHidesTokensAndKeepsTheRestAsWritten() {
        assertEquals("http://h:1,model=m,token=***,timeout=5", ScorerSpec.parse("http://h:1,model=m,token=s3cret,timeout=5").redacted());
        assertEquals("http:http://h:1,token=***", ScorerSpec.parse("http:http://h:1,token=env:MY_KEY").redacted());
        assertEquals("openai:http://h:1/v1?token=***,model=gpt", ScorerSpec.parse("openai:http://h:1/v1?token=abc,model=gpt").redacted(),
                "a token in the URL's query is hidden too");
        assertEquals("judge:openai:http://h:1,model=m,token=***,template=arena-hard",
                ScorerSpec.parse("judge:openai:http://h:1,model=m,token=s3cret,template=arena-hard").redacted());
        assertEquals("http://h:1,token=***", ScorerSpec.parse("http://h:1, token = s3cret").redacted().replace(", ", ","),
                "spaces around '=' do not let a token through");
        // everything else is the spec exactly as written (summaries record it)
        for (String s : List.of("local:models/rm/", " local:/m/rm,adapter=/a , lambda=-.5", "judge:local:/m,template=gram-r2"))
            assertEquals(s, ScorerSpec.parse(s).redacted());
        // error messages quote the spec redacted
        assertFalse(error("nope:x,token=s3cret").contains("s3cret"));
        assertFalse(error("judge:remote:x,token=s3cret").contains("s3cret"));
    }

    @Test
    void relativeLocalFoldersResolveAgainstABaseFolder() {
        var l = (ScorerSpec.Local) ScorerSpec.parse("local:models/rm,adapter=ad,lambda=-0.5,max-length=64").resolvedAgainst(Path.of("/cfg"));
        assertEquals(Path.of("/cfg/models/rm"), l.dir());
        assertEquals(new ScorerSpec.Local.Lora(Path.of("/cfg/ad"), -0.5, HeadChoice.ADAPTER), l.lora());
        assertEquals(64, l.options().maxLength());
        var abs = (ScorerSpec.Local) ScorerSpec.parse("local:/models/rm").resolvedAgainst(Path.of("/cfg"));
        assertEquals(Path.of("/models/rm"), abs.dir());
        ScorerSpec http = ScorerSpec.parse("http:http://x/y");
        assertSame(http, http.resolvedAgainst(Path.of("/cfg")));
    }

    @Test
    void eachKindOpensOnlyAsWhatItIs() {
        var e = assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("openai:http://h:1,model=m").rewardScorer(k -> null));
        assertEquals("openai: names a generative judge, not a reward model; use it with tare eval (pairwise judging)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("judge:local:/m").rewardScorer(k -> null));
        assertTrue(e.getMessage().startsWith("judge: names a generative judge, not a reward model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("http://h:1").chatGenerator(k -> null));
        assertEquals("not a judge spec: http:", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("local:" + tmp.resolve("nope")).rewardScorer(k -> null));
        assertEquals("local scorer: model directory " + tmp.resolve("nope") + " does not exist", e.getMessage());
        // the environment is read when the scorer is opened, not when the spec is parsed
        ScorerSpec envToken = ScorerSpec.parse("http://127.0.0.1:9,token=env:TARE_TEST_NOPE");
        e = assertThrows(IllegalArgumentException.class, () -> envToken.rewardScorer(k -> null));
        assertEquals("token=env:TARE_TEST_NOPE but $TARE_TEST_NOPE is not set", e.getMessage());
        try (RewardScorer s = envToken.rewardScorer(Map.of("TARE_TEST_NOPE", "k")::get)) {
            assertInstanceOf(dev.tare.scorers.remote.HttpRewardScorer.class, s);
        }
    }

    @Test
    void aLocalJudgeNamedOnTheHubComesFromTheCacheUnlessAFolderIsBesideTheFile() throws Exception {
        Path src = java.nio.file.Files.createDirectories(tmp.resolve("src/judge"));
        java.nio.file.Files.writeString(src.resolve("config.json"), "{\"model_type\": \"llama\"}");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path home = tmp.resolve("hf-home");
        try (var hub = new dev.tare.testkit.HubLoopback()) {
            hub.serve("model", "org/tiny-judge", commit, src, null);
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HOME", home.toString(), "TARE_PROGRESS", "0");
            var j = ScorerSpec.Judge.parse("judge:local:org/tiny-judge,votes=3");
            Path got = j.modelDir(env::get);
            assertEquals(home.resolve("hub/models--org--tiny-judge/snapshots").resolve(commit), got);
            assertTrue(java.nio.file.Files.isRegularFile(got.resolve("config.json")));
            // in a deployment file: the folder beside it wins, without asking the hub
            Path base = java.nio.file.Files.createDirectories(tmp.resolve("deploy/org/tiny-judge")).getParent().getParent();
            int asked = hub.requests.size();
            assertEquals(base.resolve("org/tiny-judge"), ((ScorerSpec.Judge) j.resolvedAgainst(base)).modelDir(env::get));
            assertEquals(asked, hub.requests.size());
            // ... and a name beside no folder goes to the hub
            assertEquals(got, ((ScorerSpec.Judge) j.resolvedAgainst(tmp.resolve("elsewhere"))).modelDir(env::get));
            var e = assertThrows(dev.tare.data.hub.HubException.class,
                    () -> ScorerSpec.Judge.parse("local:org/missing-judge").modelDir(env::get));
            assertTrue(e.getMessage().startsWith("'org/missing-judge' is no folder here, and as a Hugging Face model name"), e.getMessage());
        }
        assertNull(ScorerSpec.Judge.parse("openai:http://h:1,model=m").modelDir(k -> null), "an endpoint has no folder");
    }
}
