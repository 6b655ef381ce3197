package dev.tare.cli.report;

import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.DatasetReader;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.audit.PairAudit;
import dev.tare.report.audit.StyleAudit;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ScoredItem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.options.SeedOption;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `tare report`: an HTML + JSON bias report for a per-example results file of scored preference pairs. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Render a bias report for a per-example results file. Preference pairs (RewardBench v1 or generic pairs):",
                "accuracy per subset and section with 95%% CIs, reward vs length with the LOWESS curve, bias measures, and the same after",
                "length calibration (LWR). RM-Bench results (3 + 3 style variants per row): the style accuracy matrix and Hard/Normal/Easy.",
                "Writes report.html and summary.json under --out."})
public final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--results", required = true, description = "results file (tare JSONL, RewardBench leaderboard JSON)")
    Path results;

    @Option(names = "--data", description = "dataset with the response texts, joined on (subset, id); needed when the results carry no texts")
    Path data;

    @Option(names = "--benchmark", defaultValue = "rewardbench", description = "dataset format of --data: rewardbench or pairs (default: ${DEFAULT-VALUE})")
    String benchmark;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--frac", defaultValue = "1.0", description = "LOWESS span for the length calibration (default: ${DEFAULT-VALUE}, the calibration paper's RewardBench runs)")
    double frac;

    @Option(names = "--alpha", defaultValue = "1.0", description = "calibration strength (default: ${DEFAULT-VALUE})")
    double alpha;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;

    @Override
    public Integer call() {
        if (!(frac > 0 && frac <= 1)) throw new IllegalArgumentException("--frac must be in (0, 1], got " + frac);
        List<ScoredItem> items = ResultsFiles.read(results);
        if (items.isEmpty()) throw new IllegalArgumentException(results + ": no results");
        Bootstrap boot = bootstrap.with(seed.seed());
        String model = items.getFirst().model() == null || items.getFirst().model().isBlank() ? results.getFileName().toString() : items.getFirst().model();
        HtmlReport html = new HtmlReport("tare report: " + model)
                .subtitle("Results " + results + (data == null ? "" : ", texts from " + data));
        JsonSummary json = JsonSummary.fractions().put("tool", "tare report").put("results", results.toString());
        Path htmlFile = out.resolve("report.html"), jsonFile = out.resolve("summary.json");
        PrintWriter o = spec.commandLine().getOut();
        if (StyleAudit.applies(items)) {
            StyleAudit.Result r = StyleAudit.run(items, boot);
            StyleAudit.addTo(html, r, "RM-Bench style bias", null);
            StyleAudit.addTo(json.object("rmbench_style"), r);
            writeFolder(html, json);
            o.printf(Locale.ROOT, "%s: %d RM-Bench rows pooled: hard %.1f%%  normal %.1f%%  easy %.1f%%%n", model, r.pooled().items(),
                    100 * r.pooled().hard(), 100 * r.pooled().normal(), 100 * r.pooled().easy());
            o.printf("Wrote %s and %s%n", htmlFile, jsonFile);
            o.flush();
            return 0;
        }
        List<PreferenceItem> rows = data == null ? null : DatasetReader.read(benchmark, data);
        List<PairAudit.Pair> pairs = PairAudit.join(items, results, rows, data);
        PairAudit.Result r = PairAudit.run(model, pairs, frac, alpha, boot);
        PairAudit.addTo(html, r, "Accuracy and length bias, before and after calibration", null);
        if (data != null) json.put("data", data.toString());
        PairAudit.addTo(json.object("report"), r);
        writeFolder(html, json);

        var b = r.measuresBefore();
        var a = r.measuresAfter();
        o.printf(Locale.ROOT, "%s: %d pairs; length calibration LWR (frac %.2f, alpha %.2f) flipped %.1f%% of preferences%n",
                model, pairs.size(), frac, alpha, 100 * r.flipped());
        o.printf(Locale.ROOT, "  %-26s %-24s %-24s%n", "", "before", "after");
        o.printf(Locale.ROOT, "  %-26s %-24s %-24s%n", b.rewardBench() ? "score (" + b.metrics().scoreLabel() + ")" : "accuracy (all pairs)",
                PairAudit.ci100(b.score()), PairAudit.ci100(a.score()));
        if (!b.missingSections().isEmpty())
            o.printf("  sections without items (n/a, not averaged in): %s%n", String.join(", ", b.missingSections()));
        o.printf(Locale.ROOT, "  %-26s %-24s %-24s%n", "Spearman(reward, length)", b.length().spearman(), a.length().spearman());
        o.printf(Locale.ROOT, "  %-26s %-24s %-24s%n", "longer-wins rate", b.longerWins().rate(), a.longerWins().rate());
        o.printf("Wrote %s and %s%n", htmlFile, jsonFile);
        o.flush();
        return 0;
    }

    /** report.html and summary.json appear together (a rerun never leaves one run's page beside another's summary). */
    private void writeFolder(HtmlReport html, JsonSummary json) {
        dev.tare.data.AtomicFiles.replaceDirectory(out, java.util.Set.of("report.html", "summary.json"), dir -> {
            html.write(dir.resolve("report.html"));
            json.write(dir.resolve("summary.json"));
        });
    }
}
