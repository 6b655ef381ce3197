package dev.tare.cli.compare;

import dev.tare.data.AtomicFiles;
import dev.tare.report.compare.Leaderboard;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `tare compare`: a leaderboard of several runs side by side from the JSON summaries tare writes. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"A leaderboard of several runs side by side, read from tare's JSON summaries: tare eval's summary.json",
                "and the --out JSON of tare metrics, judgebench score, bbq score and alpacaeval. One row per run (model),",
                "one column per score and bias measure, each with its 95%% interval; every score in percent. Prints Markdown;",
                "--csv, --markdown and --html write files (the HTML table sorts by a clicked column)."})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SUMMARY", description = "JSON summary files")
    List<Path> summaries;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write the leaderboard as CSV (value, lo, hi per column).")
    Path csv;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write the leaderboard as a Markdown table.")
    Path markdown;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the leaderboard as a self-contained, sortable HTML page.")
    Path html;

    @Option(names = "--title", description = "Title of the HTML page (default: ${DEFAULT-VALUE}).", defaultValue = "tare leaderboard")
    String title;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        Leaderboard lb = Leaderboard.read(summaries);
        String md = lb.markdown();
        if (csv != null) AtomicFiles.writeString(csv, lb.csv());
        if (markdown != null) AtomicFiles.writeString(markdown, md);
        if (html != null) AtomicFiles.writeString(html, lb.html(title));
        var out = spec.commandLine().getOut();
        out.print(md);
        out.flush();
        return 0;
    }
}
