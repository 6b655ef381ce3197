package dev.tare.cli.eval;

import dev.tare.testkit.RewardLoopback;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.TareCli;
import dev.tare.results.ResultsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Kills a real `tare eval` process (SIGKILL via destroyForcibly: no shutdown hooks, no close) while it scores a
 * synthetic RM-Bench file against a slowed loopback reward endpoint, resumes it with --resume, and requires
 * results.jsonl to equal an uninterrupted run byte for byte and summary.json to carry the same numbers. No ../shared.
 */
class EvalKillResumeTest {
    static final ObjectMapper M = new ObjectMapper();
    static final int ITEMS = 160;
    @TempDir Path tmp;

    static List<String> args(RewardLoopback srv, Path data, Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of("eval", "--scorer", srv.spec(6), "--benchmark", "rm-bench",
                "--data", data.toString(), "--batch-size", "12", "--parallel", "2", "--bootstrap", "200", "--out", out.toString()));
        if (resume) a.add("--resume");
        return a;
    }

    static void inProcess(List<String> args) {
        var r = EvalBenchmarksCliTest.eval(args.toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
    }

    static long lines(Path p) throws IOException {
        if (!Files.exists(p)) return 0;
        long n = 0;
        for (byte x : Files.readAllBytes(p)) if (x == '\n') n++;
        return n;
    }

    /** summary.json without the one field that names this run's own folder. */
    static JsonNode numbers(Path dir) throws IOException {
        ObjectNode s = (ObjectNode) M.readTree(dir.resolve("summary.json").toFile());
        assertEquals(dir.resolve("results.jsonl").toString(), s.remove("results").asText());
        return s;
    }

    @Test void killNineMidEvalThenResumeEqualsUninterruptedRun() throws Exception {
        Path data = SyntheticBenchmarks.rmBench(tmp.resolve("rm.jsonl"), ITEMS / 5, 3);
        try (var srv = new RewardLoopback()) {
            Path ref = tmp.resolve("ref"), killed = tmp.resolve("killed");
            inProcess(args(srv, data, ref, false));
            assertEquals(ITEMS, ResultsReader.read(ref.resolve("results.jsonl")).size());

            srv.delayMs.set(50); // 160 requests of 6 conversations, 2 items per batch, 2 batches in flight: ~4 s of scoring
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                    TareCli.class.getName()));
            cmd.addAll(args(srv, data, killed, false));
            Path log = tmp.resolve("child.log");
            Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Path results = killed.resolve("results.jsonl");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (lines(results) < 30 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(child.isAlive(), "child ended before it could be killed: " + Files.readString(log));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            long kept = lines(results);
            assertTrue(kept >= 30 && kept < ITEMS, "killed mid-run, " + kept + " complete lines");
            assertFalse(Files.exists(killed.resolve("summary.json")), "no summary from a killed run");

            srv.delayMs.set(0);
            int before = srv.requests.get();
            inProcess(args(srv, data, killed, true));
            int resumed = srv.requests.get() - before;
            assertArrayEquals(Files.readAllBytes(ref.resolve("results.jsonl")), Files.readAllBytes(results),
                    "resumed results differ from the uninterrupted run");
            // one item = 6 conversations = one request of batch=6: about one request per missing item
            assertTrue(resumed <= ITEMS - kept + 2, "resume rescored only the missing items: " + resumed
                    + " requests for " + (ITEMS - kept) + " items");
            JsonNode a = numbers(ref), b = numbers(killed);
            assertEquals(a, b, "summary.json of the resumed run differs");
            assertTrue(a.get("scores").get("parts").has("Hard") && a.get("bias").get("longer_wins").get("pairs").asInt() == ITEMS * 9);

            var again = EvalBenchmarksCliTest.eval(args(srv, data, killed, false).toArray(String[]::new));
            assertEquals(2, again.rc(), "without --resume an existing results file is not overwritten");
            assertTrue(again.err().contains("already exists; pass --resume"), again.err());
        }
    }
}
