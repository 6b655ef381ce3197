package dev.tare.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `tare bench`: performance measurements (never run as unit tests). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Performance benchmarks.",
        subcommands = {BenchRuntimeCommand.class, BenchKernelCommand.class, BenchLoraCommand.class, BenchTrainCommand.class, BenchPrefixCommand.class, BenchSparkCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
}
