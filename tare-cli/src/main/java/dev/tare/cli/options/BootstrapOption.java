package dev.tare.cli.options;

import dev.tare.metrics.stats.Bootstrap;
import picocli.CommandLine.Option;

/** Mixin: {@code --bootstrap N}, the bootstrap resamples of the 95% intervals ({@code --resamples} is a hidden alias). */
public final class BootstrapOption {
    private int resamples = Bootstrap.DEFAULT_RESAMPLES;
    private String given = "--bootstrap";

    // No defaultValue on either name: picocli would apply it to the unmatched name after parsing and overwrite the other.
    @Option(names = "--bootstrap", paramLabel = "N",
            description = "Bootstrap resamples for the 95%% intervals (default: " + Bootstrap.DEFAULT_RESAMPLES + ").")
    void bootstrap(int n) { resamples = n; given = "--bootstrap"; }

    @Option(names = "--resamples", paramLabel = "N", hidden = true, description = "Old name of --bootstrap.")
    void resamples(int n) { resamples = n; given = "--resamples"; }

    /** The number of resamples (at least 1, else a clear error naming the option given). */
    public int resamples() {
        if (resamples < 1) throw new IllegalArgumentException(given + " must be >= 1, got " + resamples);
        return resamples;
    }

    /** A 95% bootstrap with these resamples and {@code seed}. */
    public Bootstrap with(long seed) { return new Bootstrap(resamples(), seed, 0.95); }
}
