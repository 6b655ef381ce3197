package dev.tare.cli.spark;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Runs tare-spark's {@code dev.tare.spark.SparkMain} in a child JVM in Spark local mode: Spark from SPARK_HOME, tare from tare-spark.jar. */
public final class SparkLauncher {
    /** tare-spark's entry point. */
    public static final String MAIN = "dev.tare.spark.SparkMain";
    /** How to build tare-spark.jar in the tare repository. */
    public static final String BUILD = "mvn -q -pl tare-spark -am package -DskipTests";
    /** The cluster alternative, shown when no Spark install is found (docs/readme/spark.md has the full command). */
    public static final String SUBMIT = "spark-submit --class " + MAIN
            + " --conf spark.driver.extraJavaOptions=--enable-native-access=ALL-UNNAMED"
            + " --conf spark.executor.extraJavaOptions=--enable-native-access=ALL-UNNAMED"
            + " tare-spark/target/tare-spark.jar score --data URI --scorer SPEC --out DIR";
    /** tare-spark's subcommands that take --master (relabel runs on the driver alone). */
    static final Set<String> WITH_MASTER = Set.of("score", "bench");
    private static final String INSTALL = "install Apache Spark 4.2 (spark-4.2.0-bin-hadoop3 from https://spark.apache.org/downloads.html) "
            + "and set SPARK_HOME or pass --spark-home DIR, or run tare-spark.jar with spark-submit: " + SUBMIT;

    private SparkLauncher() {}

    /** The child JVM's flags: tare's (Vector API, native access) and Spark's --add-opens list, from the poms' tare.jvm.flags and spark.jvm.flags. */
    public static List<String> jvmFlags() {
        try (InputStream in = SparkLauncher.class.getResourceAsStream("jvm.flags")) {
            if (in == null) throw new IllegalStateException("resource dev/tare/cli/spark/jvm.flags is missing from the tare jar");
            List<String> flags = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (line.contains("${")) throw new IllegalStateException("jvm.flags was not filtered by Maven: " + line);
                flags.addAll(Arrays.asList(line.split("\\s+")));
            }
            return List.copyOf(flags);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Spark install: {@code option} (--spark-home), else $SPARK_HOME; it must hold jars/spark-core_*.jar. */
    public static Path sparkHome(Path option, Function<String, String> env) {
        String from;
        Path home;
        if (option != null) {
            from = "--spark-home " + option;
            home = option;
        } else {
            String v = env.apply("SPARK_HOME");
            if (v == null || v.isBlank()) throw new IllegalArgumentException("tare spark runs Spark in local mode and needs a Spark install, "
                    + "but SPARK_HOME is not set and no --spark-home was given: " + INSTALL);
            from = "SPARK_HOME=" + v;
            home = Path.of(v);
        }
        if (sparkCore(home.resolve("jars")).isEmpty())
            throw new IllegalArgumentException(from + " has no jars/spark-core_*.jar, so it is not a Spark install: " + INSTALL);
        return home.toAbsolutePath();
    }

    private static Optional<Path> sparkCore(Path jars) {
        if (!Files.isDirectory(jars)) return Optional.empty();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(jars, "spark-core_*.jar")) {
            for (Path p : ds) return Optional.of(p);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * tare's side of the classpath: {@code option} (--spark-jar: tare-spark.jar, or a classpath of entries joined with the
     * path separator that holds tare-spark and tare), else tare-spark.jar beside the running tare.jar, else
     * tare-spark/target/tare-spark.jar of the repository tare.jar was built in. {@code codeSource}: tare.jar (or tare-cli's classes).
     */
    public static String tareSparkClasspath(String option, Path codeSource) {
        if (option != null) {
            for (String entry : option.split(File.pathSeparator)) {
                if (entry.isEmpty() || !Files.exists(Path.of(entry)))
                    throw new IllegalArgumentException("--spark-jar: " + (entry.isEmpty() ? "an empty entry in " + option : entry + " does not exist")
                            + "; build tare-spark.jar in the tare repository with `" + BUILD + "` (it writes tare-spark/target/tare-spark.jar)");
            }
            return option;
        }
        List<Path> looked = candidates(codeSource);
        for (Path p : looked) if (Files.isRegularFile(p)) return p.toAbsolutePath().toString();
        throw new IllegalArgumentException("no tare-spark.jar (looked at " + String.join(", ", looked.stream().map(Path::toString).toList())
                + "): build it in the tare repository with `" + BUILD + "` (it writes tare-spark/target/tare-spark.jar), "
                + "put it beside tare.jar, or pass --spark-jar PATH");
    }

    /** Where tare-spark.jar is looked for: beside tare.jar, then in the repository's tare-spark/target. */
    static List<Path> candidates(Path codeSource) {
        Path dir = Files.isRegularFile(codeSource) ? codeSource.getParent() : codeSource;   // tare-cli/target (tare.jar) or tare-cli/target/classes
        List<Path> out = new ArrayList<>();
        if (dir == null) return out;
        out.add(dir.resolve("tare-spark.jar"));
        Path target = dir.getFileName() != null && dir.getFileName().toString().equals("classes") ? dir.getParent() : dir;
        if (target != null && target.endsWith("target") && target.getParent() != null && target.getParent().getParent() != null)   // REPO/tare-cli/target
            out.add(target.getParent().getParent().resolve("tare-spark").resolve("target").resolve("tare-spark.jar"));
        return out;
    }

    /** Where the running tare classes come from: tare.jar, or tare-cli's target/classes. */
    public static Path codeSource() {
        try {
            return Path.of(SparkLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This JVM's java executable. */
    public static String java() {
        Path p = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(p)) return p.toString();
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * {@code java FLAGS [extra] -cp TARE[:SPARK_HOME/conf]:SPARK_HOME/jars/* dev.tare.spark.SparkMain SUB ARGS}, with {@code --master local[*]}
     * added to score and bench when ARGS give no --master.
     */
    public static List<String> command(String java, List<String> extraJavaOptions, Path sparkHome, String tareClasspath, String sub, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags());
        cmd.add("-Dstdout.encoding=UTF-8");
        cmd.addAll(extraJavaOptions);
        cmd.add("-cp");
        Path conf = sparkHome.resolve("conf");   // log4j2.properties, as spark-submit's classpath has it
        cmd.add(tareClasspath + (Files.isDirectory(conf) ? File.pathSeparator + conf : "") + File.pathSeparator + sparkHome.resolve("jars") + File.separator + "*");
        cmd.add(MAIN);
        cmd.add(sub);
        cmd.addAll(args);
        if (WITH_MASTER.contains(sub) && args.stream().noneMatch(a -> a.equals("--master") || a.startsWith("--master=")))
            cmd.addAll(List.of("--master", "local[*]"));
        return cmd;
    }

    /**
     * Runs the command: stdin and stderr inherited, stdout copied to {@code out} (the command line's out) as it comes; the
     * child is destroyed when this JVM shuts down (Ctrl-C) or this thread is interrupted. Returns the child's exit code.
     */
    public static int run(List<String> command, PrintWriter out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread hook = new Thread(() -> stop(p), "tare-spark-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread copy = Thread.ofPlatform().name("tare-spark-out").daemon().start(() -> copy(p.getInputStream(), out));
        try {
            int rc = p.waitFor();
            copy.join();
            return rc;
        } finally {
            stop(p);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private static void stop(Process p) {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(InputStream in, PrintWriter out) {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] buf = new char[8192];
            for (int n; (n = r.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the child is gone: nothing more to copy
        }
    }
}
