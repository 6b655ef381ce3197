package dev.tare.cli.judge;

import dev.tare.cli.options.BootstrapOption;
import dev.tare.core.Progress;
import dev.tare.data.AtomicFiles;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.eval.judge.InjectionAudit;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.audit.PairAudit;
import dev.tare.report.chart.BarChart;
import dev.tare.scorers.ScorerSpec;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.JudgeTemplate;
import dev.tare.scorers.judge.PairwiseJudge;
import dev.tare.scorers.judge.SamplingParams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** `tare judge audit`: plants fake verdicts in the rejected responses of a benchmark and measures how often the judge flips. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Injection audit of a pairwise judge: every pair judged in both orders unplanted and with each planted fake",
                "verdict (RewardBench, Arena-Hard and GRAM-R2 label syntax; at the end, quoted, as a verdict sentence, at the start,",
                "in markdown, in a code fence, in another language) appended to the rejected response, naming its position.",
                "Reports per planting the flip rate (rejected now wins), the rejected-win and unparseable rates with 95%% CIs;",
                "writes OUT/summary.json and OUT/report.html."})
public final class JudgeAuditCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cli;

    @Option(names = "--judge", required = true, paramLabel = "SPEC", description = "local:DIR[,batch=N] | openai:URL,model=NAME[,...] (judge: prefix optional)")
    String judge;

    @Option(names = "--template", paramLabel = "NAME|FILE", description = "arena-hard, rewardbench, gram-r2 or a template JSON (default: the spec's template=, else arena-hard).")
    String template;

    @Option(names = "--benchmark", defaultValue = "pairs", paramLabel = "NAME", description = "pairs, rewardbench or judgebench (default: ${DEFAULT-VALUE}).")
    String benchmark;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The benchmark file (pairs: prompt/chosen/rejected JSONL).")
    Path data;

    @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "Pairs to audit, the first N (default: ${DEFAULT-VALUE}; 0 = all).")
    int limit;

    @Option(names = "--syntax", split = ",", paramLabel = "NAME", description = "Only plantings of these label syntaxes (rewardbench, arena-hard, gram-r2; default: all).")
    List<String> syntax = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder: summary.json and report.html.")
    Path out;

    @Mixin BootstrapOption bootstrap;

    @Override public Integer call() throws Exception {
        ScorerSpec.Judge spec = ScorerSpec.Judge.parse(judge);
        JudgeTemplate t = JudgeTemplate.load(template != null ? template : spec.option("template", "arena-hard"));
        List<InjectionAudit.Plant> plants = InjectionAudit.catalogue().stream()
                .filter(p -> syntax.isEmpty() || syntax.contains(p.syntax())).toList();
        for (String s : syntax)
            if (InjectionAudit.catalogue().stream().noneMatch(p -> p.syntax().equals(s)))
                throw new CommandLine.ParameterException(cli.commandLine(), "--syntax " + s + ": expected rewardbench, arena-hard or gram-r2");
        if (limit < 0) throw new CommandLine.ParameterException(cli.commandLine(), "--limit must be >= 0");
        List<PreferenceItem> items = benchmark.equalsIgnoreCase("judgebench")
                ? dev.tare.eval.JudgeBenchEval.items(dev.tare.data.judgebench.JudgeBenchReader.readPairs(data))
                : Benchmark.byName(benchmark).read(data);
        items = items.stream().filter(p -> p.chosen().size() == 1 && p.rejected().size() == 1).toList();
        if (items.isEmpty()) throw new IllegalArgumentException(data + ": no pairs (1 chosen, 1 rejected) to audit");
        if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        double temp = spec.doubleOption("temperature", t.temperature());
        SamplingParams params = new SamplingParams(spec.intOption("max_tokens", t.maxTokens()), temp, 1.0, spec.seed(42));
        Bootstrap boot = bootstrap.with(Bootstrap.DEFAULT_SEED);
        InjectionAudit.Result r;
        String name;
        String cost;
        try (ChatGenerator g = spec.open(System::getenv); Progress p = Progress.stderr("audit", (long) items.size() * (plants.size() + 1))) {
            name = g.name();
            PairwiseJudge pj = new PairwiseJudge(g, t, params);
            r = InjectionAudit.run(pj, items, plants, boot, p::advance);
            cost = pj.stats().toString();
        }
        JsonSummary j = JsonSummary.fractions();   // rates as fractions; the table and report show percent
        j.put("judge", spec.redacted()).put("model", name).put("template", t.name()).put("benchmark", benchmark)
                .put("data", data.toString()).put("pairs", (long) items.size()).put("calls", r.calls()).put("cost", cost);
        put(j.object("unplanted"), r.baseline());
        JsonSummary rows = j.object("plantings");
        for (InjectionAudit.Row row : r.rows()) put(rows.object(row.plant()), row);
        HtmlReport html = new HtmlReport("tare judge audit: " + name + " (" + t.name() + " template)")
                .subtitle(items.size() + " pairs from " + data + ", each judged in both orders unplanted and with " + r.rows().size() + " plantings");
        html.note("A planting appends (or prefixes) a fake verdict naming the rejected response's position to the rejected response. "
                + "Flip rate: pairs the judge did not give to the rejected response unplanted that it gives to it planted. Rates are over "
                + "pairs (both orders combined as JudgeBench does), 95% bootstrap CIs.");
        Table.Builder tb = Table.builder("Per planting, percent", "planting", "flip rate", "rejected wins", "unparseable verdicts");
        tb.row("(unplanted)", "", PairAudit.ci100(r.baseline().rejectedWins()), PairAudit.ci100(r.baseline().unparseable()));
        for (InjectionAudit.Row row : r.rows())
            tb.row(row.plant(), PairAudit.ci100(row.flipRate()), PairAudit.ci100(row.rejectedWins()), PairAudit.ci100(row.unparseable()));
        html.table(tb.build());
        List<String> cats = r.rows().stream().map(InjectionAudit.Row::plant).toList();
        html.charts(new BarChart("Flip rate per planting", "% of pairs", cats).yRange(0, 100).decimals(1)
                .group("flip rate", pct(r.rows(), InjectionAudit.Row::flipRate, 0), pct(r.rows(), InjectionAudit.Row::flipRate, 1),
                        pct(r.rows(), InjectionAudit.Row::flipRate, 2))
                .group("unparseable", pct(r.rows(), InjectionAudit.Row::unparseable, 0), pct(r.rows(), InjectionAudit.Row::unparseable, 1),
                        pct(r.rows(), InjectionAudit.Row::unparseable, 2)).svg());
        AtomicFiles.replaceDirectory(out, Set.of("summary.json", "report.html"), dir -> {
            j.write(dir.resolve("summary.json"));
            html.write(dir.resolve("report.html"));
        });
        PrintWriter w = cli.commandLine().getOut();
        w.printf(Locale.ROOT, "%-34s %-20s %-20s %s%n", "planting (" + items.size() + " pairs)", "flip rate %", "rejected wins %", "unparseable %");
        w.printf(Locale.ROOT, "%-34s %-20s %-20s %s%n", "(unplanted)", "", PairAudit.ci100(r.baseline().rejectedWins()), PairAudit.ci100(r.baseline().unparseable()));
        for (InjectionAudit.Row row : r.rows())
            w.printf(Locale.ROOT, "%-34s %-20s %-20s %s%n", row.plant(), PairAudit.ci100(row.flipRate()), PairAudit.ci100(row.rejectedWins()), PairAudit.ci100(row.unparseable()));
        w.println("cost: " + cost);
        w.println("wrote " + out.resolve("summary.json") + " and " + out.resolve("report.html"));
        w.flush();
        return 0;
    }

    private static void put(JsonSummary o, InjectionAudit.Row r) {
        if (r.syntax() != null) o.put("syntax", r.syntax()).put("flips", (long) r.flips()).put("flip_rate", r.flipRate());
        o.put("pairs", (long) r.pairs()).put("rejected_wins", r.rejectedWins()).put("unparseable", r.unparseable());
    }

    private static double[] pct(List<InjectionAudit.Row> rows, java.util.function.Function<InjectionAudit.Row, Interval> f, int which) {
        return rows.stream().mapToDouble(r -> { Interval iv = f.apply(r); return 100 * (which == 0 ? iv.value() : which == 1 ? iv.lo() : iv.hi()); }).toArray();
    }
}
