package dev.tare.cli.spark;

import dev.tare.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `tare spark` / `tare bench spark` without Spark: the child's flags and command line, where things are found, the errors. */
class SparkLauncherTest {
    @TempDir Path tmp;

    static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), name + " in the parent pom");
        return m.group(1).strip();
    }

    @Test
    void flagsAreThePomProperties() throws Exception {
        String pom = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("pom.xml"));
        List<String> want = new ArrayList<>(Arrays.asList(property(pom, "tare.jvm.flags").split("\\s+")));
        want.addAll(Arrays.asList(property(pom, "spark.jvm.flags").split("\\s+")));
        assertEquals(want, SparkLauncher.jvmFlags());
        assertTrue(SparkLauncher.jvmFlags().containsAll(List.of("jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true")), SparkLauncher.jvmFlags().toString());
    }

    @Test
    void noSparkHome() {
        var e = assertThrows(IllegalArgumentException.class, () -> SparkLauncher.sparkHome(null, k -> null));
        assertEquals("tare spark runs Spark in local mode and needs a Spark install, but SPARK_HOME is not set and no --spark-home was given: "
                + "install Apache Spark 4.2 (spark-4.2.0-bin-hadoop3 from https://spark.apache.org/downloads.html) and set SPARK_HOME or pass "
                + "--spark-home DIR, or run tare-spark.jar with spark-submit: spark-submit --class dev.tare.spark.SparkMain "
                + "--conf spark.driver.extraJavaOptions=--enable-native-access=ALL-UNNAMED "
                + "--conf spark.executor.extraJavaOptions=--enable-native-access=ALL-UNNAMED "
                + "tare-spark/target/tare-spark.jar score --data URI --scorer SPEC --out DIR", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparkLauncher.sparkHome(null, k -> " "));
    }

    @Test
    void sparkHomeWithoutSparkCore() throws Exception {
        Files.createDirectories(tmp.resolve("jars"));
        Files.createFile(tmp.resolve("jars/scala-library-2.13.16.jar"));
        CliRun r = CliRun.of("spark", "score", "--spark-home", tmp.toString(), "--data", "x.jsonl");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().startsWith("tare: --spark-home " + tmp + " has no jars/spark-core_*.jar, so it is not a Spark install: "
                + "install Apache Spark 4.2 "), r.err());
        assertTrue(r.err().contains("or run tare-spark.jar with spark-submit: spark-submit --class dev.tare.spark.SparkMain"), r.err());
        var e = assertThrows(IllegalArgumentException.class, () -> SparkLauncher.sparkHome(null, k -> k.equals("SPARK_HOME") ? tmp.toString() : null));
        assertTrue(e.getMessage().startsWith("SPARK_HOME=" + tmp + " has no jars/spark-core_*.jar, so it is not a Spark install: "), e.getMessage());
    }

    @Test
    void missingTareSparkJar() throws Exception {
        Path home = fakeSparkHome();
        Path missing = tmp.resolve("missing.jar");
        for (String[] cmd : List.of(new String[] {"bench", "spark"}, new String[] {"spark", "bench"})) {
            List<String> argv = new ArrayList<>(List.of(cmd));
            argv.addAll(List.of("--spark-home", home.toString(), "--spark-jar", missing.toString(), "--data", "x.jsonl"));
            CliRun r = CliRun.of(argv.toArray(String[]::new));
            assertEquals(2, r.rc(), r.err());
            assertEquals("tare: --spark-jar: " + missing + " does not exist; build tare-spark.jar in the tare repository with "
                    + "`mvn -q -pl tare-spark -am package -DskipTests` (it writes tare-spark/target/tare-spark.jar)", r.err().strip());
        }
        // nothing beside tare.jar nor in the repository's tare-spark/target
        Path repo = tmp.resolve("repo");
        Path tareJar = Files.createDirectories(repo.resolve("tare-cli/target")).resolve("tare.jar");
        Files.createFile(tareJar);
        var e = assertThrows(IllegalArgumentException.class, () -> SparkLauncher.tareSparkClasspath(null, tareJar));
        assertEquals("no tare-spark.jar (looked at " + repo.resolve("tare-cli/target/tare-spark.jar") + ", " + repo.resolve("tare-spark/target/tare-spark.jar")
                + "): build it in the tare repository with `mvn -q -pl tare-spark -am package -DskipTests` (it writes "
                + "tare-spark/target/tare-spark.jar), put it beside tare.jar, or pass --spark-jar PATH", e.getMessage());
    }

    @Test
    void findsTareSparkJar() throws Exception {
        Path repo = tmp.resolve("repo");
        Path tareJar = Files.createDirectories(repo.resolve("tare-cli/target")).resolve("tare.jar");
        Files.createFile(tareJar);
        Path built = Files.createDirectories(repo.resolve("tare-spark/target")).resolve("tare-spark.jar");
        Files.createFile(built);
        assertEquals(built.toString(), SparkLauncher.tareSparkClasspath(null, tareJar));
        assertEquals(built.toString(), SparkLauncher.tareSparkClasspath(null, repo.resolve("tare-cli/target/classes")));
        Path beside = Files.createFile(repo.resolve("tare-cli/target/tare-spark.jar"));
        assertEquals(beside.toString(), SparkLauncher.tareSparkClasspath(null, tareJar));
        String cp = built + java.io.File.pathSeparator + tareJar;
        assertEquals(cp, SparkLauncher.tareSparkClasspath(cp, tareJar));
    }

    @Test
    void commandLine() throws Exception {
        Path home = fakeSparkHome();
        List<String> score = SparkLauncher.command("/jdk/bin/java", List.of("-Xmx2g"), home, "/t/tare-spark.jar", "score", List.of("--data", "d.jsonl"));
        List<String> want = new ArrayList<>(List.of("/jdk/bin/java"));
        want.addAll(SparkLauncher.jvmFlags());
        want.addAll(List.of("-Dstdout.encoding=UTF-8", "-Xmx2g", "-cp", "/t/tare-spark.jar:" + home + "/jars/*", "dev.tare.spark.SparkMain",
                "score", "--data", "d.jsonl", "--master", "local[*]"));
        assertEquals(want, score);
        List<String> given = SparkLauncher.command("java", List.of(), home, "t.jar", "bench", List.of("--master=local[2]"));
        assertEquals(List.of("bench", "--master=local[2]"), given.subList(given.size() - 2, given.size()));
        Files.createDirectories(home.resolve("conf"));
        assertTrue(SparkLauncher.command("java", List.of(), home, "t.jar", "score", List.of()).contains("t.jar:" + home + "/conf:" + home + "/jars/*"));
        List<String> relabel = SparkLauncher.command("java", List.of(), home, "t.jar", "relabel", List.of("--out", "o"));
        assertEquals(List.of("relabel", "--out", "o"), relabel.subList(relabel.size() - 3, relabel.size()));   // relabel takes no --master
    }

    @Test
    void runCopiesStdoutAndForwardsTheExitCode() throws Exception {
        StringWriter sw = new StringWriter();
        int rc = SparkLauncher.run(List.of("bash", "-c", "echo 'results identical'; echo oops >&2; exit 3"), new PrintWriter(sw));
        assertEquals(3, rc);
        assertEquals("results identical\n", sw.toString());
    }

    private Path fakeSparkHome() throws Exception {
        Path home = tmp.resolve("spark");
        Files.createDirectories(home.resolve("jars"));
        Files.createFile(home.resolve("jars/spark-core_2.13-4.2.0.jar"));
        return home;
    }
}
