package dev.tare.data.hub;

import dev.tare.testkit.HubLoopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HubResolver} against a loopback double of the hub's file API and caches laid out as huggingface_hub lays them. */
class HubResolverTest {
    static final String COMMIT = "3f0c6a1d2e4b5a69788796a5b4c3d2e1f0a1b2c3";
    @TempDir Path tmp;
    HubLoopback hub;
    Path repoDir;
    byte[] weights;
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach void serve() throws IOException {
        hub = new HubLoopback();
        repoDir = tmp.resolve("repo");
        Files.createDirectories(repoDir.resolve("adapter"));
        weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        Files.write(repoDir.resolve("model.safetensors"), weights);
        Files.writeString(repoDir.resolve("config.json"), "{\"architectures\": [\"Qwen2ForSequenceClassification\"], \"num_labels\": 1}\n");
        Files.writeString(repoDir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}\n");
        Files.writeString(repoDir.resolve("chat_template.jinja"), "{% for m in messages %}{{ m['content'] }}{% endfor %}");
        Files.writeString(repoDir.resolve("adapter/adapter_config.json"), "{\"r\": 8}\n");
        Files.write(repoDir.resolve("pytorch_model.bin"), new byte[1000]);
        Files.writeString(repoDir.resolve("README.md"), "# a model card\n");
        hub.serve("model", "org/tiny-rm", COMMIT, repoDir, null);
    }

    @AfterEach void stop() { hub.close(); }

    HubConfig config(boolean offline, String token) {
        return new HubConfig(hub.endpoint(), tmp.resolve("hf/hub"), offline, token, Duration.ofSeconds(5), 2,
                new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    HubResolver resolver() { return new HubResolver(config(false, null)); }

    Path repoFolder() { return tmp.resolve("hf/hub/models--org--tiny-rm"); }

    @Test void checksumsOfTheDoubleAreGitsAndLfss() {
        // `printf 'hello\n' | git hash-object --stdin` and `printf 'hello\n' | sha256sum`
        byte[] hello = "hello\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals("ce013625030ba8dba906f756967f9e9ca394464a", HubLoopback.gitSha1(hello));
        assertEquals("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", HubLoopback.sha256(hello));
    }

    @Test void downloadsTheFilesTareReadsIntoTheHubCacheLayout() throws IOException {
        Path snap = resolver().resolveModel("org/tiny-rm");
        assertEquals(repoFolder().resolve("snapshots").resolve(COMMIT), snap);
        assertEquals(COMMIT, Files.readString(repoFolder().resolve("refs/main"))); // no newline, as huggingface_hub writes it
        for (String f : List.of("model.safetensors", "config.json", "tokenizer_config.json", "chat_template.jinja", "adapter/adapter_config.json")) {
            byte[] want = Files.readAllBytes(repoDir.resolve(f));
            Path p = snap.resolve(f);
            assertTrue(Files.isSymbolicLink(p), f + " is a symlink into blobs");
            String etag = HubLoopback.isLfs(f) ? HubLoopback.sha256(want) : HubLoopback.gitSha1(want);
            Path rel = p.getParent().relativize(repoFolder().resolve("blobs").resolve(etag));
            assertEquals(rel, Files.readSymbolicLink(p), f);
            assertEquals((f.contains("/") ? "../" : "") + "../../blobs/" + etag, Files.readSymbolicLink(p).toString().replace('\\', '/'));
            assertArrayEquals(want, Files.readAllBytes(p), f);
        }
        assertFalse(Files.exists(snap.resolve("pytorch_model.bin")));
        assertFalse(Files.exists(snap.resolve("README.md")));
        assertTrue(hub.requests.stream().noneMatch(r -> r.path().endsWith(".bin") || r.path().endsWith("README.md")), "no .bin or README requested");
        try (Stream<Path> s = Files.list(repoFolder().resolve("blobs"))) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        // the LFS file came from the CDN (another origin), after a 302 from the resolve endpoint
        assertEquals(1, hub.requests("cdn", "GET").size());
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("download org/tiny-rm model.safetensors"), progress.toString());
    }

    @Test void aCachedSnapshotIsReusedOnlineAfterOneRepoInfoRequest() {
        Path first = resolver().resolveModel("org/tiny-rm");
        hub.requests.clear();
        assertEquals(first, resolver().resolveModel("org/tiny-rm"));
        assertEquals(1, hub.requests.size(), "only the revision lookup: " + hub.requests);
        assertEquals("/api/models/org/tiny-rm/revision/main", hub.requests.getFirst().path());
        hub.requests.clear();
        assertEquals(first, resolver().resolveModel("org/tiny-rm@" + COMMIT));
        assertEquals(List.of(), hub.requests, "a cached commit needs no request");
    }

    @Test void resumesATruncatedIncompleteBlobWithARangeRequest() throws IOException {
        String sha = HubLoopback.sha256(weights);
        Path part = repoFolder().resolve("blobs").resolve(sha + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(weights, 123_456));
        Path snap = resolver().resolveModel("org/tiny-rm");
        assertArrayEquals(weights, Files.readAllBytes(snap.resolve("model.safetensors")));
        var gets = hub.requests("cdn", "GET");
        assertEquals(1, gets.size());
        assertEquals("bytes=123456-", gets.getFirst().range());
        assertFalse(Files.exists(part));
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("resumed at"), progress.toString());
    }

    @Test void aDroppedConnectionIsRetriedFromWhereItStopped() throws IOException {
        hub.dropOnce(HubLoopback.sha256(weights), 100_000);
        Path snap = resolver().resolveModel("org/tiny-rm");
        assertArrayEquals(weights, Files.readAllBytes(snap.resolve("model.safetensors")));
        var gets = hub.requests("cdn", "GET");
        assertEquals(2, gets.size(), gets.toString());
        assertEquals(null, gets.get(0).range());
        assertEquals("bytes=100000-", gets.get(1).range());
    }

    @Test void aChecksumMismatchIsRefusedAndNothingIsKept() throws IOException {
        String sha = HubLoopback.sha256(weights);
        hub.corrupt.add(sha);
        HubException e = assertThrows(HubException.class, () -> resolver().resolveModel("org/tiny-rm"));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(sha) && e.getMessage().contains("model.safetensors"), e.getMessage());
        assertFalse(Files.exists(repoFolder().resolve("snapshots")), "no snapshot entry for a refused download");
        assertFalse(Files.exists(repoFolder().resolve("refs/main")));
        assertFalse(Files.exists(repoFolder().resolve("blobs").resolve(sha)));
        assertFalse(Files.exists(repoFolder().resolve("blobs").resolve(sha + ".incomplete")));
        hub.corrupt.clear();
        assertArrayEquals(weights, Files.readAllBytes(resolver().resolveModel("org/tiny-rm").resolve("model.safetensors")));
    }

    @Test void offlineWithoutTheRepoCachedNamesWhatIsMissingAndSendsNothing() {
        HubException e = assertThrows(HubException.class, () -> new HubResolver(config(true, null)).resolveModel("org/tiny-rm"));
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE") && e.getMessage().contains("models--org--tiny-rm")
                && e.getMessage().contains(tmp.resolve("hf/hub").toString()), e.getMessage());
        assertEquals(List.of(), hub.requests);
        resolver().resolveModel("org/tiny-rm");
        HubException rev = assertThrows(HubException.class, () -> new HubResolver(config(true, null)).resolveModel("org/tiny-rm@v2"));
        assertTrue(rev.getMessage().contains("refs/v2"), rev.getMessage());
    }

    @Test void offlineWithTheRepoCachedUsesItWithoutARequest() throws IOException {
        Path online = resolver().resolveModel("org/tiny-rm");
        hub.requests.clear();
        Path offline = new HubResolver(config(true, null)).resolveModel("org/tiny-rm");
        assertEquals(online, offline);
        assertEquals(List.of(), hub.requests);
        // a blob deleted behind the cache's back is named, not read as a missing model file later
        Files.delete(repoFolder().resolve("blobs").resolve(HubLoopback.sha256(weights)));
        HubException e = assertThrows(HubException.class, () -> new HubResolver(config(true, null)).resolveModel("org/tiny-rm"));
        assertTrue(e.getMessage().contains("missing blobs") && e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    /** The cache exactly as huggingface_hub's snapshot_download leaves it: blobs by ETag, relative symlinks, refs/main. */
    @Test void aCacheLaidOutByHuggingfaceHubIsUsedWithoutAnyRequest() throws IOException {
        Path folder = tmp.resolve("hf/hub/models--org--tiny-rm");
        Files.createDirectories(folder.resolve("blobs"));
        Files.createDirectories(folder.resolve("refs"));
        Files.createDirectories(folder.resolve("snapshots").resolve(COMMIT).resolve("adapter"));
        Files.writeString(folder.resolve("refs/main"), COMMIT);
        for (String f : List.of("model.safetensors", "config.json", "adapter/adapter_config.json")) {
            byte[] b = Files.readAllBytes(repoDir.resolve(f));
            String etag = HubLoopback.isLfs(f) ? HubLoopback.sha256(b) : HubLoopback.gitSha1(b);
            Files.write(folder.resolve("blobs").resolve(etag), b);
            Files.createSymbolicLink(folder.resolve("snapshots").resolve(COMMIT).resolve(f),
                    Path.of((f.contains("/") ? "../" : "") + "../../blobs/" + etag));
        }
        Path offline = new HubResolver(config(true, null)).resolveModel("org/tiny-rm");
        Path pinned = resolver().resolveModel("org/tiny-rm@" + COMMIT);
        assertEquals(folder.resolve("snapshots").resolve(COMMIT), offline);
        assertEquals(offline, pinned);
        assertEquals(List.of(), hub.requests);
        assertArrayEquals(weights, Files.readAllBytes(offline.resolve("model.safetensors")));
        // online, main is looked up once and the files it lacks (and only those) are fetched into the same snapshot
        resolver().resolveModel("org/tiny-rm");
        assertEquals(1, hub.requests.stream().filter(q -> q.path().startsWith("/api/")).count(), hub.requests.toString());
        assertEquals(List.of(), hub.requests("cdn", "GET"), "the cached weights are not fetched again");
        assertTrue(hub.requests.stream().filter(q -> q.path().contains("/resolve/"))
                .allMatch(q -> q.path().endsWith("/tokenizer_config.json") || q.path().endsWith("/chat_template.jinja")), hub.requests.toString());
        assertTrue(Files.isSymbolicLink(offline.resolve("tokenizer_config.json")));
    }

    @Test void theTokenIsSentToTheHubAsABearerAndNotToTheCdn() throws IOException {
        hub.serve("model", "org/gated-rm", COMMIT, repoDir, "hf_secret");
        Path snap = new HubResolver(config(false, "hf_secret")).resolveModel("org/gated-rm");
        assertArrayEquals(weights, Files.readAllBytes(snap.resolve("model.safetensors")));
        assertTrue(hub.requests.stream().filter(r -> r.server().equals("hub")).allMatch(r -> "Bearer hf_secret".equals(r.authorization())));
        assertTrue(hub.requests.stream().filter(r -> r.server().equals("cdn")).allMatch(r -> r.authorization() == null), hub.requests.toString());
    }

    @Test void aGatedRepoWithoutAccessSaysWhereToAcceptTheLicense() {
        hub.serve("model", "org/gated-rm", COMMIT, repoDir, "hf_secret");
        HubException none = assertThrows(HubException.class, () -> resolver().resolveModel("org/gated-rm"));
        assertTrue(none.getMessage().contains("org/gated-rm is a gated repo: accept its license at " + hub.endpoint() + "/org/gated-rm")
                && none.getMessage().contains("set HF_TOKEN"), none.getMessage());
        HubException wrong = assertThrows(HubException.class, () -> new HubResolver(config(false, "hf_other")).resolveModel("org/gated-rm"));
        assertTrue(wrong.getMessage().contains("gated repo") && wrong.getMessage().contains("has no access"), wrong.getMessage());
        assertFalse(Files.exists(tmp.resolve("hf/hub/models--org--gated-rm/snapshots")));
    }

    @Test void anUnknownRepoOrRevisionIsNamed() {
        HubException repo = assertThrows(HubException.class, () -> resolver().resolveModel("org/no-such-rm"));
        assertTrue(repo.getMessage().startsWith("no such model repo on " + hub.endpoint() + ": org/no-such-rm"), repo.getMessage());
        HubException rev = assertThrows(HubException.class, () -> resolver().resolveModel("org/tiny-rm@v9"));
        assertTrue(rev.getMessage().contains("org/tiny-rm has no revision 'v9'"), rev.getMessage());
    }

    @Test void anUnreachableHubFallsBackToTheCacheOrSaysBoth() {
        Path snap = resolver().resolveModel("org/tiny-rm");
        int port = hub.endpoint().getPort();
        hub.close();
        HubConfig down = new HubConfig(java.net.URI.create("http://127.0.0.1:" + port), tmp.resolve("hf/hub"), false, null,
                Duration.ofSeconds(2), 0, new PrintStream(progress, true, StandardCharsets.UTF_8));
        assertEquals(snap, new HubResolver(down).resolveModel("org/tiny-rm"));
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("using the cached snapshot " + COMMIT));
        HubException e = assertThrows(HubException.class, () -> new HubResolver(down).resolveModel("org/other-rm"));
        assertTrue(e.getMessage().contains("cannot list org/other-rm") && e.getMessage().contains("not in the cache"), e.getMessage());
    }

    @Test void aDatasetNameResolvesToItsOneDataFileAndOnlyThatIsFetched() throws IOException {
        Path ds = tmp.resolve("ds");
        Files.createDirectories(ds.resolve("data"));
        Files.write(ds.resolve("data/filtered-00000-of-00001.parquet"), new byte[]{1, 2, 3});
        Files.write(ds.resolve("data/raw-00000-of-00001.parquet"), new byte[]{4, 5, 6, 7});
        Files.writeString(ds.resolve("README.md"), "card");
        hub.serve("dataset", "allenai/reward-bench", COMMIT, ds, null);
        HubResolver r = resolver();
        Path f = r.resolveDataFile(HubRepo.parse(HubRepo.Type.DATASET, "allenai/reward-bench"), null, "filtered");
        assertEquals(tmp.resolve("hf/hub/datasets--allenai--reward-bench/snapshots").resolve(COMMIT).resolve("data/filtered-00000-of-00001.parquet"), f);
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(f));
        assertTrue(hub.requests.stream().noneMatch(q -> q.path().contains("raw-")), hub.requests.toString());
        assertEquals("/api/datasets/allenai/reward-bench/revision/main", hub.requests.getFirst().path());
        HubException two = assertThrows(HubException.class, () -> r.resolveDataFile(HubRepo.parse(HubRepo.Type.DATASET, "allenai/reward-bench"), null, null));
        assertTrue(two.getMessage().contains("allenai/reward-bench:FILE"), two.getMessage());
        Path offline = new HubResolver(config(true, null)).resolveDataFile(HubRepo.parse(HubRepo.Type.DATASET, "allenai/reward-bench"), null, "filtered");
        assertEquals(f, offline);
    }

    @Test void theEnvironmentIsReadAsHuggingfaceHubReadsIt() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HF_HOME", tmp.resolve("home").toString());
        HubConfig c = HubConfig.fromEnv(env::get, null);
        assertEquals(tmp.resolve("home/hub"), c.cache());
        assertEquals("https://huggingface.co", c.endpoint().toString());
        assertFalse(c.offline());
        assertEquals(null, c.token());
        Files.createDirectories(tmp.resolve("home"));
        Files.writeString(tmp.resolve("home/token"), "hf_fromfile\n");
        assertEquals("hf_fromfile", HubConfig.fromEnv(env::get, null).token());
        env.put("HF_TOKEN", "hf_fromenv");
        env.put("HF_HUB_OFFLINE", "true");
        env.put("HF_HUB_CACHE", tmp.resolve("elsewhere").toString());
        env.put("HF_ENDPOINT", "http://mirror.example:8080/");
        c = HubConfig.fromEnv(env::get, null);
        assertEquals("hf_fromenv", c.token());
        assertTrue(c.offline());
        assertEquals(tmp.resolve("elsewhere"), c.cache());
        assertEquals("http://mirror.example:8080", c.endpoint().toString());
        env.put("HF_HUB_OFFLINE", "0");
        assertFalse(HubConfig.fromEnv(env::get, null).offline());
    }

    @Test void namesAreOrgSlashNameWithAnOptionalRevision() {
        assertTrue(HubRepo.looksLikeName("Skywork/Skywork-Reward-V2-Qwen3-0.6B"));
        assertTrue(HubRepo.looksLikeName("org/name@" + COMMIT));
        assertFalse(HubRepo.looksLikeName("gpt2"));
        assertFalse(HubRepo.looksLikeName("../shared/x"));
        assertFalse(HubRepo.looksLikeName("a/b/c"));
        assertFalse(HubRepo.looksLikeName("org--x/name"));
        assertEquals("models--Skywork--Skywork-Reward-V2-Qwen3-0.6B", HubRepo.parse(HubRepo.Type.MODEL, "Skywork/Skywork-Reward-V2-Qwen3-0.6B").folderName());
        assertEquals("datasets--allenai--reward-bench", HubRepo.parse(HubRepo.Type.DATASET, "allenai/reward-bench@v1").folderName());
    }
}
