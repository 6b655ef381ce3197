package dev.tare.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** One in-process run of the tare CLI in a test: exit code, stdout (picocli's out and System.out) and picocli's stderr. */
public record CliRun(int rc, String out, String err) {
    /** Runs {@code tare ARGS...} with picocli's out (commands print results there) and System.out captured, stderr collected. */
    public static CliRun of(String... args) {
        var stdout = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int rc;
        try {
            var sysOut = new PrintStream(stdout, true, StandardCharsets.UTF_8);
            System.setOut(sysOut);
            var cl = TareCli.commandLine();
            cl.setOut(new PrintWriter(sysOut, true));
            cl.setErr(new PrintWriter(err, true));
            rc = cl.execute(args);
            cl.getOut().flush();
        } finally {
            System.setOut(old);
        }
        return new CliRun(rc, stdout.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
