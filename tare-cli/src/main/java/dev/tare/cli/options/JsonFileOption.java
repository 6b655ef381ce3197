package dev.tare.cli.options;

import dev.tare.data.AtomicFiles;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Mixin: {@code --out FILE}, also write the command's JSON result to FILE (all-or-nothing). */
public final class JsonFileOption {
    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON result to FILE (all-or-nothing).")
    Path out;

    /** Writes {@code json} (plus a newline) to --out when given. */
    public void write(String json) {
        if (out != null) AtomicFiles.writeString(out, json + "\n");
    }
}
