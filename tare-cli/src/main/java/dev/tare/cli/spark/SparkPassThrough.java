package dev.tare.cli.spark;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** A `tare spark` launcher command: its own --spark-home and --spark-jar; every other argument goes to tare-spark's {@link #sparkCommand()}. */
public abstract class SparkPassThrough implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--spark-home", paramLabel = "DIR", description = "Spark 4.2 install whose jars/ go on the classpath (default: $SPARK_HOME).")
    Path sparkHome;

    @Option(names = "--spark-jar", paramLabel = "PATH", description = "tare-spark.jar, or a classpath (entries joined with ':') holding tare-spark "
            + "and tare (default: tare-spark.jar beside tare.jar, else tare-spark/target/tare-spark.jar of this repository).")
    String sparkJar;

    @Unmatched List<String> args = new ArrayList<>();

    /** tare-spark's subcommand: score, relabel or bench. */
    protected abstract String sparkCommand();

    @Override public Integer call() throws Exception {
        Path home = SparkLauncher.sparkHome(sparkHome, System::getenv);
        String classpath = SparkLauncher.tareSparkClasspath(sparkJar, SparkLauncher.codeSource());
        String opts = System.getenv("TARE_JAVA_OPTS");
        List<String> extra = opts == null || opts.isBlank() ? List.of() : Arrays.asList(opts.strip().split("\\s+"));
        return SparkLauncher.run(SparkLauncher.command(SparkLauncher.java(), extra, home, classpath, sparkCommand(), args), spec.commandLine().getOut());
    }
}
