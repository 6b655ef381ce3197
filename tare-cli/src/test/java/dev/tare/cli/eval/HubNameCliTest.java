package dev.tare.cli.eval;

import dev.tare.cli.TareCli;
import dev.tare.results.ResultsReader;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.testkit.HubLoopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tare score --scorer local:ORG/NAME --data ORG/DATASET}: a real tiny checkpoint served by the loopback hub
 * double, downloaded into the HF_HOME cache by a real {@code tare} process with HF_ENDPOINT pointing at the double,
 * scores exactly as the same folder opened locally; a second process with HF_HUB_OFFLINE=1 and the hub gone scores from
 * the cache; one with an empty cache says what is missing.
 */
class HubNameCliTest {
    static final String COMMIT = "a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0";
    @TempDir Path tmp;

    record Run(int rc, String log) {}

    Run tare(Map<String, String> env, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, TareCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile());
        for (String k : List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_ENDPOINT"))
            pb.environment().remove(k);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "tare did not finish");
        return new Run(p.exitValue(), Files.readString(tmp.resolve("child.log")));
    }

    @Test void aHubModelAndDatasetScoreAsTheLocalFolderDoes() throws Exception {
        Path rm = tmp.resolve("src/tiny-rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 11);
        Path ds = tmp.resolve("src/pairs");
        Files.createDirectories(ds.resolve("data"));
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            rows.append("{\"id\": \"p").append(i).append("\", \"prompt\": \"question ").append(i).append("?\", \"chosen\": \"a careful answer number ")
                .append(i).append("\", \"rejected\": \"no").append(" idea".repeat(i)).append("\"}\n");
        }
        Files.writeString(ds.resolve("data/train.jsonl"), rows.toString());

        Path ref = tmp.resolve("ref.jsonl");
        assertEquals(0, TareCli.commandLine().execute("score", "--scorer", "local:" + rm, "--benchmark", "pairs",
                "--data", ds.resolve("data/train.jsonl").toString(), "--out", ref.toString()));
        List<ScoredItem> want = ResultsReader.read(ref);
        assertEquals(6, want.size());

        Path home = tmp.resolve("hf-home");
        Path viaHub = tmp.resolve("hub.jsonl");
        try (HubLoopback hub = new HubLoopback()) {
            hub.serve("model", "org/tiny-rm", COMMIT, rm, null);
            hub.serve("dataset", "org/pairs", COMMIT, ds, null);
            Run r = tare(Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HOME", home.toString()),
                    "score", "--scorer", "local:org/tiny-rm", "--benchmark", "pairs", "--data", "org/pairs", "--out", viaHub.toString());
            assertEquals(0, r.rc(), r.log());
            assertTrue(r.log().contains("download org/tiny-rm model.safetensors"), r.log());
            assertEquals(1, hub.requests("cdn", "GET").size(), "one LFS file fetched from the CDN: " + hub.requests);
        }
        assertScoresEqual(want, ResultsReader.read(viaHub));
        Path snap = home.resolve("hub/models--org--tiny-rm/snapshots").resolve(COMMIT);
        assertTrue(Files.isSymbolicLink(snap.resolve("model.safetensors")));
        assertEquals(COMMIT, Files.readString(home.resolve("hub/models--org--tiny-rm/refs/main")));

        // the hub is gone: offline, the cache alone serves model and dataset
        Path offline = tmp.resolve("offline.jsonl");
        Run off = tare(Map.of("HF_HOME", home.toString(), "HF_HUB_OFFLINE", "1", "HF_ENDPOINT", "http://127.0.0.1:9"),
                "score", "--scorer", "local:org/tiny-rm", "--benchmark", "pairs", "--data", "org/pairs", "--out", offline.toString());
        assertEquals(0, off.rc(), off.log());
        assertScoresEqual(want, ResultsReader.read(offline));

        Run empty = tare(Map.of("HF_HOME", tmp.resolve("empty-home").toString(), "HF_HUB_OFFLINE", "1"),
                "score", "--scorer", "local:org/tiny-rm", "--benchmark", "pairs", "--data", ds.resolve("data/train.jsonl").toString(),
                "--out", tmp.resolve("never.jsonl").toString());
        assertTrue(empty.rc() != 0, empty.log());
        assertTrue(empty.log().contains("'org/tiny-rm' is no folder here") && empty.log().contains("HF_HUB_OFFLINE")
                && empty.log().contains("models--org--tiny-rm"), empty.log());
    }

    static void assertScoresEqual(List<ScoredItem> want, List<ScoredItem> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).id(), got.get(i).id());
            assertEquals(want.get(i).scoresChosen(), got.get(i).scoresChosen(), want.get(i).id());
            assertEquals(want.get(i).scoresRejected(), got.get(i).scoresRejected(), want.get(i).id());
            assertEquals(want.get(i).model(), got.get(i).model());
        }
    }
}
