package dev.tare.cli.bench;

import dev.tare.cli.spark.SparkLauncher;
import dev.tare.cli.spark.SparkPassThrough;
import picocli.CommandLine.Command;

/** `tare bench spark`: the same as `tare spark bench` (pairs/s through Spark local mode vs one tare process, results compared). */
@Command(name = "spark", mixinStandardHelpOptions = true, description = {
        "Scores the same rows in one tare process and through Spark local mode (--master local[*] unless given), checks the "
                + "results are identical and prints pairs/s of each: `tare spark bench`. Needs SPARK_HOME (or --spark-home) and "
                + "tare-spark.jar (`" + SparkLauncher.BUILD + "`).",
        "Its arguments: --data FILE --scorer SPEC [--benchmark B] [--rows-per-part N] [--batch N] [--parallel N] [--master M] "
                + "(`-- --help` for tare-spark's page)."})
public final class BenchSparkCommand extends SparkPassThrough {
    @Override protected String sparkCommand() { return "bench"; }
}
