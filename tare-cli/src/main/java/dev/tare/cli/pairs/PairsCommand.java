package dev.tare.cli.pairs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `tare pairs`: build preference-pair training data from public datasets. */
@Command(name = "pairs", mixinStandardHelpOptions = true, description = "Build preference pairs (training data, e.g. for a forget-LoRA).",
        subcommands = {PairsGsm8kCommand.class})
public final class PairsCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
}
