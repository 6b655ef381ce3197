package dev.tare.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Temp files and folders of a writer killed mid-write (SIGKILL) are removed by the next write of the same target; a
 * live writer's are kept; one whose pid now runs a process that started at another time is an orphan (pid reused).
 */
class AtomicFilesOrphansTest {
    @TempDir Path tmp;

    /** Child process: starts a write of args[0] (mode args[1]) whose body says "ready" and then waits to be killed. */
    public static void main(String[] args) {
        Path target = Path.of(args[0]);
        AtomicFiles.DirectoryBody hang = d -> {
            Files.writeString(d.resolve("part.txt"), "half of a run");
            ready();
        };
        switch (args[1]) {
            case "dir" -> AtomicFiles.writeDirectory(target, hang);
            case "replace" -> AtomicFiles.replaceDirectory(target, java.util.Set.of("part.txt"), hang);
            case "text" -> AtomicFiles.writeText(target, w -> {
                w.write("half");
                w.flush();
                ready();
            });
            default -> throw new IllegalArgumentException(args[1]);
        }
    }

    private static void ready() {
        System.out.println("ready");
        System.out.flush();
        try {
            Thread.sleep(120_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@link #main} in a new JVM, waits for it to be inside the write, kills it with SIGKILL. */
    private static void killMidWrite(Path target, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AtomicFilesOrphansTest.class.getName(),
                target.toString(), mode).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var line = CompletableFuture.supplyAsync(() -> {
                try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    return r.readLine();
                } catch (IOException e) {
                    return "io error: " + e.getMessage();
                }
            });
            assertEquals("ready", line.get(60, TimeUnit.SECONDS), "child did not reach the write");
        } finally {
            p.destroyForcibly();   // SIGKILL on Unix: no finally blocks, no shutdown hooks
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
    }

    private List<String> hidden() throws IOException {
        try (var s = Files.list(tmp)) {
            return s.map(q -> q.getFileName().toString()).filter(n -> n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void aKilledFolderWriteIsCleanedUpByTheNextWrite() throws Exception {
        Path out = tmp.resolve("run");
        killMidWrite(out, "dir");
        assertFalse(Files.exists(out), "the killed write never published its folder");
        List<String> left = hidden();
        assertEquals(1, left.size(), "the kill left its temp folder: " + left);
        assertTrue(left.getFirst().startsWith(".run.tmp-p"), left.toString());
        AtomicFiles.writeDirectory(out, d -> Files.writeString(d.resolve("part.txt"), "whole"));
        assertEquals("whole", Files.readString(out.resolve("part.txt")));
        assertEquals(List.of(), hidden(), "the orphan is gone");
    }

    @Test
    void aKilledReplaceAndAKilledFileWriteAreCleanedUpToo() throws Exception {
        Path out = tmp.resolve("sweep");
        AtomicFiles.replaceDirectory(out, java.util.Set.of("part.txt"), d -> Files.writeString(d.resolve("part.txt"), "first"));
        killMidWrite(out, "replace");
        assertEquals("first", Files.readString(out.resolve("part.txt")), "the earlier run is untouched");
        Path json = tmp.resolve("summary.json");
        killMidWrite(json, "text");
        assertEquals(2, hidden().size(), hidden().toString());
        AtomicFiles.replaceDirectory(out, java.util.Set.of("part.txt"), d -> Files.writeString(d.resolve("part.txt"), "second"));
        AtomicFiles.writeString(json, "{}");
        assertEquals("second", Files.readString(out.resolve("part.txt")));
        assertEquals("{}", Files.readString(json));
        assertEquals(List.of(), hidden());
    }

    @Test
    void keepsTempsOfLiveProcessesOtherHostsOtherTargetsAndUnmarkedOnes() throws Exception {
        Process done = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long doneStart = done.toHandle().info().startInstant().orElseThrow().getEpochSecond();
        assertTrue(done.waitFor(60, TimeUnit.SECONDS));
        long dead = done.pid(), me = ProcessHandle.current().pid();
        long myStart = ProcessHandle.current().info().startInstant().orElseThrow().getEpochSecond();
        String deadOwner = AtomicFiles.owner(dead, doneStart), liveOwner = AtomicFiles.owner(ProcessHandle.current());
        assertEquals(AtomicFiles.owner(me, myStart), liveOwner, "a writer's name carries its pid and start second");
        // names written before start times were part of them, and a killed writer whose pid this test now holds
        String legacyDead = AtomicFiles.owner(dead, null), legacyLive = AtomicFiles.owner(me, null);
        String reused = AtomicFiles.owner(me, myStart - 3600);
        String otherHost = deadOwner.substring(0, deadOwner.indexOf('h') + 1)
                + (deadOwner.endsWith("00000000") ? "11111111" : "00000000");
        List<String> orphans = List.of(".out.tmp-" + deadOwner + "-a1", ".out.old-" + deadOwner + "-b2", ".out." + deadOwner + "-c3.tmp",
                ".out.tmp-" + legacyDead + "-h8", ".out.tmp-" + reused + "-i9");
        List<String> kept = List.of(".out.tmp-" + liveOwner + "-d4", ".out.tmp-" + otherHost + "-e5", ".out.tmp-123456",
                ".out.json." + deadOwner + "-f6.tmp", ".other.tmp-" + deadOwner + "-g7", ".out.tmp-" + legacyLive + "-j0",
                ".out.tmp-" + AtomicFiles.owner(me, myStart + 1) + "-k1");
        for (String n : orphans) {
            if (n.endsWith(".tmp")) Files.writeString(tmp.resolve(n), "x");
            else Files.writeString(Files.createDirectory(tmp.resolve(n)).resolve("inside.txt"), "x");
        }
        for (String n : kept) Files.createDirectory(tmp.resolve(n));
        assertEquals(orphans.size(), AtomicFiles.removeOrphans(tmp, "out"));
        assertEquals(kept.stream().sorted().toList(), hidden());
    }

    @Test
    void aWriterMayRunOnlyWhileItsPidRunsWithItsStartTime() throws Exception {
        long me = ProcessHandle.current().pid();
        long myStart = ProcessHandle.current().info().startInstant().orElseThrow().getEpochSecond();
        assertNull(AtomicFiles.orphanReason(me, myStart));
        assertNull(AtomicFiles.orphanReason(me, null), "no start time in the name: the pid alone");
        assertEquals("its pid now runs another process", AtomicFiles.orphanReason(me, myStart - 2), "the pid was reused by a later process");
        assertEquals("its pid now runs another process", AtomicFiles.orphanReason(me, myStart + 2));
        Process done = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(done.waitFor(60, TimeUnit.SECONDS));
        assertEquals("no longer running", AtomicFiles.orphanReason(done.pid(), null));
    }
}
