package dev.tare.cli.options;

import picocli.CommandLine.Option;

/** Mixin: {@code --json}, print the command's JSON result instead of its table. */
public final class JsonOption {
    @Option(names = "--json", description = "Print the JSON result instead of the table.")
    boolean json;

    /** Whether --json was given. */
    public boolean json() { return json; }
}
