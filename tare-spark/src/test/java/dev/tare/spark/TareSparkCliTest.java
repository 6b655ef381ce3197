package dev.tare.spark;

import dev.tare.cli.TareCli;
import dev.tare.data.SharedData;
import dev.tare.runtime.tiny.TinyCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code tare bench spark} end to end through the tare command line: tare-cli's launcher starts SparkMain in a child JVM
 * with Spark's jars from a SPARK_HOME whose jars/ links every third-party jar of this test's classpath, and tare's
 * modules as {@code --spark-jar} (a classpath).
 */
class TareSparkCliTest {
    @TempDir Path tmp;

    /** tare's own modules: this repository's target folders, or dev/tare artifacts in a Maven repository. */
    static boolean tare(Path entry, Path repo) {
        Path abs = entry.toAbsolutePath();
        String sep = File.separator;
        return abs.startsWith(repo) || abs.toString().contains(sep + "dev" + sep + "tare" + sep);
    }

    @Test
    void benchSparkThroughTheTareCommandLine() throws Exception {
        Path data = SparkMainTest.sampleRows(tmp), model = SparkMainTest.tinyModel(tmp);
        List<String> rows = Files.readAllLines(data);

        Path repo = Path.of("").toAbsolutePath().getParent();
        Path jars = Files.createDirectories(tmp.resolve("spark-home").resolve("jars"));
        List<String> tareClasspath = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isEmpty()) continue;
            Path p = Path.of(e);
            if (tare(p, repo)) {
                if (!p.endsWith("test-classes")) tareClasspath.add(p.toAbsolutePath().toString());
            } else if (e.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(jars.resolve(p.getFileName()))) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        try (var s = Files.newDirectoryStream(jars, "spark-core_*.jar")) {
            assertTrue(s.iterator().hasNext(), "Spark on the test classpath: " + System.getProperty("java.class.path"));
        }
        assertTrue(tareClasspath.stream().anyMatch(e -> e.contains("tare-spark")), tareClasspath.toString());

        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = TareCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute("bench", "spark", "--spark-home", jars.getParent().toString(), "--spark-jar", String.join(File.pathSeparator, tareClasspath),
                "--data", data.toString(), "--scorer", "local:" + model, "--rows-per-part", "16", "--master", "local[2]");
        String o = out.toString();
        System.out.print(o);
        assertEquals(0, rc, o + err);
        assertTrue(o.matches("(?s).*single process: " + rows.size() + " pairs in [0-9.]+ s = [0-9.]+ pairs/s \\(parallel 1\\)\n.*"), o);
        assertTrue(o.matches("(?s).*spark local\\[2]: " + rows.size() + " pairs in 3 parts in [0-9.]+ s = [0-9.]+ pairs/s .*"), o);
        assertTrue(o.contains("results identical\n"), o);
    }
}
