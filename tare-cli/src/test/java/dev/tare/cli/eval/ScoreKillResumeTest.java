package dev.tare.cli.eval;

import dev.tare.testkit.RewardLoopback;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.TareCli;
import dev.tare.data.SharedData;
import dev.tare.results.ResultsReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Kills a real `tare score` process (kill -9 via destroyForcibly) while it scores RewardBench against a slow
 * loopback reward endpoint, resumes it, and requires the result to equal an uninterrupted run byte for byte.
 */
class ScoreKillResumeTest {
    static final ObjectMapper M = new ObjectMapper();
    @TempDir Path tmp;
    RewardLoopback server;

    /** tare's native reward API; reward = response length in code points + a thousandth of the prompt length. */
    @BeforeEach void start() throws IOException {
        server = new RewardLoopback(msgs -> {
            String resp = msgs.get(msgs.size() - 1).get("content").asText();
            String prompt = msgs.get(0).get("content").asText();
            return resp.codePointCount(0, resp.length()) + 0.001 * prompt.length();
        });
    }

    @AfterEach void stop() { server.close(); }

    String url() { return server.url() + ",protocol=tare,batch=4"; }

    static Path data() {
        var p = SharedData.data("rewardbench/filtered.jsonl");
        assumeTrue(p.isPresent(), "../shared/data/rewardbench/filtered.jsonl not found (set TARE_SHARED)");
        return p.get();
    }

    List<String> args(Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of("score", "--scorer", url(), "--benchmark", "rewardbench",
                "--data", data().toString(), "--limit", "160", "--batch-size", "4", "--parallel", "2", "--out", out.toString()));
        if (resume) a.add("--resume");
        return a;
    }

    static int inProcess(List<String> args) {
        var err = new ByteArrayOutputStream();
        var cl = TareCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args.toArray(String[]::new));
        assertEquals(0, rc, err.toString());
        return rc;
    }

    static long lines(Path p) throws IOException {
        if (!Files.exists(p)) return 0;
        byte[] b = Files.readAllBytes(p);
        long n = 0;
        for (byte x : b) if (x == '\n') n++;
        return n;
    }

    @Test void killNineMidRunThenResumeEqualsUninterruptedRun() throws Exception {
        Path ref = tmp.resolve("ref.jsonl"), killed = tmp.resolve("killed.jsonl");
        inProcess(args(ref, false));
        assertEquals(160, ResultsReader.read(ref).size());

        server.delayMs.set(40); // 80 requests of 2 pairs at 40 ms, 2 in flight: about 1.6 s of scoring
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, "-Dtare.shared=" + SharedData.root().orElseThrow(),
                TareCli.class.getName()));
        cmd.addAll(args(killed, false));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (lines(killed) < 40 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(child.isAlive(), "child ended before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        long kept = lines(killed);
        assertTrue(kept >= 40 && kept < 160, "killed mid-run, " + kept + " complete lines");

        server.delayMs.set(0);
        int before = server.requests.get();
        inProcess(args(killed, true));
        int resumedRequests = server.requests.get() - before;
        assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(killed), "resumed file differs from the uninterrupted run");
        long lastKept = ResultsReader.readForResume(killed).items().size();
        assertEquals(160, lastKept);
        assertTrue(resumedRequests <= (160 - kept + 1) / 2 + 1, "resume rescored only the missing items: "
                + resumedRequests + " requests for " + (160 - kept) + " items");
    }

    @Test void scoreWithoutResumeRefusesToOverwriteAndBadSpecsAreNamed() throws Exception {
        Path out = tmp.resolve("o.jsonl");
        Files.writeString(out, "{}\n");
        var err = new ByteArrayOutputStream();
        var cl = TareCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute(args(out, false).toArray(String[]::new)));
        assertTrue(err.toString().contains("already exists; pass --resume"), err.toString());

        err.reset();
        assertEquals(2, cl.execute("score", "--scorer", "grpc://x", "--data", data().toString(), "--out", tmp.resolve("x").toString()));
        assertTrue(err.toString().contains("--scorer 'grpc://x'"), err.toString());
    }
}
