package dev.tare.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --help} of every registered command, recursively, renders without a {@code [picocli WARN]} (a description
 * with an unescaped '%': picocli formats descriptions, so a literal percent sign must be written '%%') and without an
 * exception. picocli's tracer writes to the System.err it saw when it was first loaded, so the pages are rendered in a
 * fresh JVM whose stderr is collected whole.
 */
class HelpPagesTest {
    /** Renders every help page; prints "PAGE <path> rc=<code> usage=<bool>" per command on stdout. */
    public static final class Walk {
        public static void main(String[] args) {
            List<List<String>> paths = new ArrayList<>();
            collect(TareCli.commandLine(), new ArrayList<>(), paths);
            for (List<String> path : paths) {
                List<String> argv = new ArrayList<>(path);
                argv.add("--help");
                CommandLine cl = TareCli.commandLine();
                StringWriter page = new StringWriter();
                cl.setOut(new PrintWriter(page, true));
                int rc = cl.execute(argv.toArray(String[]::new));
                System.out.println("PAGE " + String.join(" ", path) + " rc=" + rc + " usage=" + page.toString().contains("Usage: tare"));
            }
            System.out.flush();
        }

        static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
            out.add(List.copyOf(path));
            for (var e : cl.getSubcommands().entrySet()) {
                if (!e.getKey().equals(e.getValue().getCommandName())) continue;   // an alias: same command
                List<String> p = new ArrayList<>(path);
                p.add(e.getKey());
                collect(e.getValue(), p, out);
            }
        }
    }

    @Test
    void everyHelpPageRendersCleanly(@TempDir Path tmp) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Walk.class.getName());
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "help walk did not finish");
        String out = Files.readString(tmp.resolve("out.txt")), err = Files.readString(tmp.resolve("err.txt"));
        assertEquals(0, p.exitValue(), out + err);

        List<String> pages = out.lines().filter(l -> l.startsWith("PAGE ")).toList();
        List<List<String>> paths = new ArrayList<>();
        Walk.collect(TareCli.commandLine(), new ArrayList<>(), paths);
        int expected = paths.size();
        assertEquals(expected, pages.size(), out);
        assertTrue(expected > 20, "every registered command and subcommand: " + pages);
        for (String page : pages) assertTrue(page.endsWith(" rc=0 usage=true"), page);
        assertFalse(err.contains("[picocli WARN]"), err);
        assertFalse(err.contains("Exception"), err);
        assertFalse(out.contains("Exception"), out);
    }
}
