package dev.tare.cli.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `tare spark score|relabel|bench`: tare-spark in Spark local mode, in a child JVM with Spark's jars from SPARK_HOME. */
@Command(name = "spark", mixinStandardHelpOptions = true, subcommands = {SparkCommand.Score.class, SparkCommand.Relabel.class, SparkCommand.Bench.class},
        description = {"Runs tare-spark (dev.tare.spark.SparkMain) in Spark local mode (--master local[*] unless given) in a child JVM: "
                + "java with tare's and Spark's JVM flags, -cp tare-spark.jar:$SPARK_HOME/jars/*. Needs an Apache Spark 4.2 install "
                + "(SPARK_HOME or --spark-home) and tare-spark.jar (`" + SparkLauncher.BUILD + "`); on a cluster use spark-submit.",
                "Every argument but --spark-home and --spark-jar goes to tare-spark; `tare spark score -- --help` shows its options."})
public final class SparkCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /** `tare spark score`. */
    @Command(name = "score", mixinStandardHelpOptions = true, description = {
            "tare-spark score in local mode: scores a JSONL preference file by parts (resumable), then writes results.jsonl, "
                    + "summary.json, report.html and calibrated.jsonl.",
            "Its arguments: --data URI --scorer SPEC --out DIR [--rows-per-part N] [--batch N] [--master M] [--parquet URI] "
                    + "[--no-analysis] [--bootstrap N] [--seed N] [--frac F] [--alpha A] (`-- --help` for tare-spark's page)."})
    static final class Score extends SparkPassThrough {
        @Override protected String sparkCommand() { return "score"; }
    }

    /** `tare spark relabel`. */
    @Command(name = "relabel", mixinStandardHelpOptions = true, description = {
            "tare-spark relabel: re-orders each pair by its (calibrated) reward into OUT/dpo.jsonl and OUT/relabel.json.",
            "Its arguments: --data FILE --scores FILE --out DIR [--benchmark B] [--margin M] [--ambiguous keep|drop] "
                    + "(`-- --help` for tare-spark's page)."})
    static final class Relabel extends SparkPassThrough {
        @Override protected String sparkCommand() { return "relabel"; }
    }

    /** `tare spark bench`. */
    @Command(name = "bench", mixinStandardHelpOptions = true, description = {
            "tare-spark bench: scores the same rows in one tare process and through Spark, checks the results are identical "
                    + "and prints pairs/s of each (also `tare bench spark`).",
            "Its arguments: --data FILE --scorer SPEC [--benchmark B] [--rows-per-part N] [--batch N] [--parallel N] [--master M] "
                    + "(`-- --help` for tare-spark's page)."})
    static final class Bench extends SparkPassThrough {
        @Override protected String sparkCommand() { return "bench"; }
    }
}
