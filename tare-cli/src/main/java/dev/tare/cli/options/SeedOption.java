package dev.tare.cli.options;

import dev.tare.metrics.stats.Bootstrap;
import picocli.CommandLine.Option;

/** Mixin: {@code --seed N}, the bootstrap seed, one default ({@link Bootstrap#DEFAULT_SEED}) for every command. */
public final class SeedOption {
    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + Bootstrap.DEFAULT_SEED,
            description = "Bootstrap seed; also seeds the command's other random choices, if any (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The seed. */
    public long seed() { return seed; }
}
