package dev.tare.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code ./tare} launcher's first build: the offline attempt runs the real Maven, which prints its [ERROR] wall on
 * stdout when it fails (here: no POM in the copied root); none of it may reach the user. The online build is a
 * stand-in {@code mvn} on PATH (no network in tests): its errors must be shown.
 */
class LauncherTest {
    static Path repo;
    static String realMvn;

    @BeforeAll
    static void locate() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        repo = Files.isRegularFile(dir.resolve("tare")) ? dir : dir.getParent();
        assumeTrue(Files.isRegularFile(repo.resolve("tare")) && Files.isRegularFile(repo.resolve(".ci/java-env.sh")),
                "launcher script not found beside " + dir);
        Process p = new ProcessBuilder("bash", "-c", "command -v mvn").redirectErrorStream(true).start();
        realMvn = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(p.waitFor() == 0 && !realMvn.isEmpty(), "no mvn on PATH");
    }

    record Run(int rc, String out, String err) {}

    /** Runs a copy of the launcher with no jar; {@code online} is the body of the stand-in online build. */
    private static Run launch(Path tmp, String online) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.copy(repo.resolve("tare"), root.resolve("tare"));
        Files.createDirectories(root.resolve(".ci"));
        Files.copy(repo.resolve(".ci/java-env.sh"), root.resolve(".ci/java-env.sh"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                for a in "$@"; do [ "$a" = "-o" ] && exec "$REAL_MVN" "$@"; done
                """ + online + "\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        executable(root.resolve("tare"));
        ProcessBuilder pb = new ProcessBuilder(root.resolve("tare").toString(), "--version").directory(root.toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("REAL_MVN", realMvn);
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher did not finish");
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    private static void executable(Path f) throws IOException {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void failedOfflineAttemptPrintsNothing(@TempDir Path tmp) throws Exception {
        Run r = launch(tmp, """
                echo "online build ran" >&2
                mkdir -p tare-cli/target && : > tare-cli/target/tare.jar
                """);
        assertTrue(r.err().contains("tare: building"), r.err());
        assertTrue(r.err().contains("online build ran"), "the offline attempt failed, so the online build must run: " + r.err());
        assertFalse(r.err().contains("[ERROR]") || r.out().contains("[ERROR]"),
                "Maven's offline [ERROR] lines leaked:\n" + r.err() + r.out());
    }

    @Test
    void onlineBuildErrorsAreShown(@TempDir Path tmp) throws Exception {
        Run r = launch(tmp, """
                echo "[ERROR] COMPILATION ERROR in Foo.java"
                exit 1
                """);
        assertNotEquals(0, r.rc());
        assertTrue(r.err().contains("[ERROR] COMPILATION ERROR in Foo.java"), "online build errors must reach stderr: " + r.err());
        assertEquals(1, r.err().split("\\[ERROR]", -1).length - 1, "only the online build's error, not the offline wall: " + r.err());
    }
}
