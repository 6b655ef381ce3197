package dev.tare.cli.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.data.pairs.Benchmark;
import dev.tare.metrics.rewardbench.PairsMetrics;
import dev.tare.metrics.rewardbench.PairsScores;
import dev.tare.metrics.rewardbench.RewardBench2Metrics;
import dev.tare.metrics.rewardbench.RewardBench2Scores;
import dev.tare.metrics.rewardbench.RewardBenchMetrics;
import dev.tare.metrics.rewardbench.RewardBenchScores;
import dev.tare.metrics.rewardbench.SubsetScore;
import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `tare metrics`: official RewardBench v1 / v2 and RM-Bench scores with bootstrap CIs from a per-example results file. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Scores a per-example results file the way the benchmark authors do, with 95%% bootstrap CIs.",
                "Accepts tare results JSONL, RewardBench leaderboard per-model JSON (eval-set-scores/<org>/<model>.json,",
                "column or row form) and RM-Bench's own result arrays (score_chosen/score_rejected)."})
public final class MetricsCommand implements Callable<Integer> {
    @Option(names = "--benchmark", required = true, description = "rewardbench | rewardbench2 | rm-bench | pairs")
    String benchmark;

    @Option(names = "--results", required = true, arity = "1..*",
            description = "per-example results file(s) (.jsonl or .json); several files are pooled (e.g. RM-Bench's per-domain outputs)")
    List<Path> results;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = "--out", description = "also write the JSON summary to this file (atomically)")
    Path out;

    @Option(names = "--convert-to", description = "also write the items as tare results JSONL (e.g. from a leaderboard JSON)")
    Path convertTo;

    @Option(names = "--resamples", defaultValue = "1000", description = "bootstrap resamples (default: ${DEFAULT-VALUE})")
    int resamples;

    @Option(names = "--seed", defaultValue = "20240607", description = "bootstrap seed (default: ${DEFAULT-VALUE})")
    long seed;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Override public Integer call() throws Exception {
        Benchmark b = Benchmark.byName(benchmark);
        List<ScoredItem> items = new java.util.ArrayList<>();
        for (Path p : results) items.addAll(ResultsFiles.read(p));
        checkUniqueKeys(items);
        if (convertTo != null) ResultsWriter.writeAll(convertTo, items);
        Bootstrap boot = new Bootstrap(resamples, seed, 0.95);
        PrintWriter w = spec.commandLine().getOut();
        ObjectNode summary;
        String table;
        switch (b) {
            case REWARDBENCH -> { var r = RewardBenchMetrics.compute(items, boot); summary = json(r); table = table(r); }
            case REWARDBENCH2 -> { var r = RewardBench2Metrics.compute(items, boot); summary = json(r); table = table(r); }
            case RM_BENCH -> { var r = RmBenchMetrics.compute(items, boot); summary = json(r); table = table(r); }
            case PAIRS -> { var r = PairsMetrics.compute(items, boot); summary = json(r); table = table(r); }
            default -> throw new IllegalStateException("no metrics for " + b);
        }
        summary.put("benchmark", b.cliName());
        summary.set("results_files", MAPPER.valueToTree(results.stream().map(Path::toString).toList()));
        summary.put("bootstrap_resamples", resamples);
        summary.put("bootstrap_seed", seed);
        String text = MAPPER.writeValueAsString(summary);
        if (out != null) AtomicFiles.writeString(out, text + "\n");
        w.println(json ? text : table);
        w.flush();
        return 0;
    }

    /** Pooled files must not score the same item twice. */
    private static void checkUniqueKeys(List<ScoredItem> items) {
        java.util.Set<ScoredItem.Key> seen = new java.util.HashSet<>();
        for (ScoredItem it : items)
            if (!seen.add(it.key())) throw new IllegalArgumentException("item " + it.key() + " appears twice in the results");
    }

    // ---- JSON -------------------------------------------------------------------------------------------------

    private static ObjectNode ci(Interval i) {
        ObjectNode o = MAPPER.createObjectNode();
        if (Double.isNaN(i.value())) { o.putNull("value"); return o; }
        o.put("value", i.value());
        if (!Double.isNaN(i.lo())) { o.put("lo", i.lo()); o.put("hi", i.hi()); o.put("level", i.level()); }
        return o;
    }

    private static ArrayNode subsets(List<SubsetScore> subsets) {
        ArrayNode a = MAPPER.createArrayNode();
        for (SubsetScore s : subsets) {
            ObjectNode o = a.addObject();
            o.put("subset", s.subset());
            o.put("items", s.items());
            o.put("ties", s.ties());
            o.set("score", ci(s.score()));
        }
        return a;
    }

    static ObjectNode json(RewardBenchScores r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("model", r.model());
        o.put("items", r.items());
        o.put("ties", r.ties());
        o.set("score", ci(r.score()));
        o.put("score_label", r.scoreLabel());
        o.put("partial", r.partial());
        ObjectNode s = o.putObject("sections");
        for (String k : dev.tare.data.rewardbench.RewardBenchSubsets.SECTIONS) {
            Interval v = r.sections().get(k);
            if (v == null) s.putNull(k); else s.set(k, ci(v));   // null: no item of this section (n/a, not 0)
        }
        o.set("missing_sections", MAPPER.valueToTree(r.missingSections()));
        if (r.priorSets() != null) { o.set("prior_sets", ci(r.priorSets())); o.set("score_with_prior_sets", ci(r.scoreWithPriorSets())); }
        o.set("subsets", subsets(r.subsets()));
        o.set("missing_subsets", MAPPER.valueToTree(r.missingSubsets()));
        o.set("incomplete_subsets", MAPPER.valueToTree(incomplete(r)));
        return o;
    }

    /** Core subsets present with fewer rows than the filtered split has ("name n/N"). */
    static List<String> incomplete(RewardBenchScores r) {
        List<String> out = new java.util.ArrayList<>();
        for (SubsetScore s : r.subsets()) {
            Integer full = dev.tare.data.rewardbench.RewardBenchSubsets.ROW_COUNTS.get(s.subset());
            if (full != null && s.items() < full) out.add(s.subset() + " " + s.items() + "/" + full);
        }
        return out;
    }

    static ObjectNode json(PairsScores r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("model", r.model());
        o.put("items", r.items());
        o.put("ties", r.ties());
        o.set("accuracy", ci(r.accuracy()));
        o.set("subsets", subsets(r.subsets()));
        return o;
    }

    static ObjectNode json(RewardBench2Scores r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("model", r.model());
        o.put("items", r.items());
        o.set("score", ci(r.score()));
        o.put("complete", r.complete());
        o.set("subsets", subsets(r.subsets()));
        if (r.tiesParts() != null) o.set("ties_parts", MAPPER.valueToTree(r.tiesParts()));
        o.set("missing_subsets", MAPPER.valueToTree(r.missingSubsets()));
        return o;
    }

    static ObjectNode json(RmBenchScores r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("model", r.model());
        o.put("items", r.items());
        o.put("tied_comparisons", r.ties());
        o.set("score", ci(r.score()));
        o.set("hard", ci(r.hard()));
        o.set("normal", ci(r.normal()));
        o.set("easy", ci(r.easy()));
        o.put("complete", r.complete());
        o.put("pooled", r.pooled());
        if (r.pooled()) o.put("note", POOLED_NOTE);
        ArrayNode d = o.putArray("domains");
        for (var dom : r.domains()) {
            ObjectNode x = d.addObject();
            x.put("domain", dom.name());
            x.put("items", dom.items());
            x.set("score", ci(dom.score()));
            x.set("hard", ci(dom.hard()));
            x.set("normal", ci(dom.normal()));
            x.set("easy", ci(dom.easy()));
            x.set("matrix", MAPPER.valueToTree(dom.matrix()));
        }
        o.set("missing_domains", MAPPER.valueToTree(r.missingDomains()));
        return o;
    }

    // ---- tables (x100, as the leaderboards print) ----------------------------------------------------------------

    private static String pct(Interval i) {
        if (Double.isNaN(i.value())) return "   n/a";
        if (Double.isNaN(i.lo())) return String.format(Locale.ROOT, "%6.2f", 100 * i.value());
        return String.format(Locale.ROOT, "%6.2f  [%6.2f, %6.2f]", 100 * i.value(), 100 * i.lo(), 100 * i.hi());
    }

    /** "  model=NAME" for a table header, or nothing when the results name no model (never "model=null"). */
    static String model(String model) { return model == null || model.isBlank() ? "" : "  model=" + model; }

    private static String row(String name, String value) { return String.format(Locale.ROOT, "  %-30s %s%n", name, value); }

    static String table(RewardBenchScores r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "RewardBench v1%s  items=%d  ties=%d (counted wrong)%n", model(r.model()), r.items(), r.ties()));
        sb.append(row("", "score   95% CI"));
        for (String k : dev.tare.data.rewardbench.RewardBenchSubsets.SECTIONS) {
            Interval v = r.sections().get(k);
            sb.append(row(k, v == null ? "   n/a  (no items in this section)" : pct(v)));
        }
        sb.append(row(r.partial() ? "Score (" + r.scoreLabel() + ")" : "Score (mean of 4)", pct(r.score())));
        if (r.priorSets() != null) {
            sb.append(row("Prior Sets", pct(r.priorSets())));
            sb.append(row(r.partial() ? "Score w/ prior (partial)" : "Score w/ prior (0.5)", pct(r.scoreWithPriorSets())));
        }
        sb.append(String.format("%nsubsets:%n"));
        for (SubsetScore s : r.subsets()) sb.append(row(s.subset() + " (" + s.items() + ")", pct(s.score())));
        if (r.partial()) sb.append(String.format("%nmissing sections %s: the score is the mean of the sections present, not comparable with the leaderboard%n", r.missingSections()));
        var thin = r.missingSubsets().stream()
                .filter(x -> !r.missingSections().contains(dev.tare.data.rewardbench.RewardBenchSubsets.sectionOf(x))).toList();
        if (!thin.isEmpty()) sb.append(String.format("%nmissing subsets (their sections are partial): %s%n", thin));
        var partial = incomplete(r);
        if (!partial.isEmpty()) sb.append(String.format("%nsubsets with fewer rows than the filtered split: %s%n", partial));
        return sb.toString().stripTrailing();
    }

    static String table(PairsScores r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Preference pairs%s  items=%d  ties=%d (counted wrong)%n", model(r.model()), r.items(), r.ties()));
        sb.append(row("", "accuracy   95% CI"));
        for (SubsetScore s : r.subsets()) sb.append(row(s.subset() + " (" + s.items() + ")", pct(s.score())));
        sb.append(row("All pairs", pct(r.accuracy())));
        return sb.toString().stripTrailing();
    }

    static String table(RewardBench2Scores r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "RewardBench 2%s  items=%d%n", model(r.model()), r.items()));
        sb.append(row("", "score   95% CI"));
        for (SubsetScore s : r.subsets()) sb.append(row(s.subset() + " (" + s.items() + ")", pct(s.score())));
        sb.append(row(r.complete() ? "Score (mean of 6)" : "Score (partial!)", pct(r.score())));
        if (r.tiesParts() != null) {
            var t = r.tiesParts();
            sb.append(String.format(Locale.ROOT, "%nTies parts: ref_acc %.4f  tied_acc %.4f  preferred %.4f  preferred_hard %.4f  margin %.4f%n",
                    t.refAccuracy(), t.tiedAccuracy(), t.correctnessPreferred(), t.correctnessPreferredHard(), t.margin()));
        }
        if (!r.missingSubsets().isEmpty()) sb.append(String.format("%nmissing subsets: %s%n", r.missingSubsets()));
        return sb.toString().stripTrailing();
    }

    /** What a pooled RM-Bench report is (results without a domain field). */
    static final String POOLED_NOTE = "no 'domain' field in the results: all items scored as one set, as RM-Bench's compute_accuracy "
            + "does for such files (hard/normal/easy of the pooled matrix; not the official mean over the four domains)";

    static String table(RmBenchScores r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "RM-Bench%s  items=%d  tied comparisons=%d (counted wrong)%n", model(r.model()), r.items(), r.ties()));
        if (r.pooled()) sb.append(POOLED_NOTE).append(System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "  %-10s %-26s %-26s %-26s %s%n", "domain", "score", "hard", "normal", "easy"));
        for (var d : r.domains())
            sb.append(String.format(Locale.ROOT, "  %-10s %-26s %-26s %-26s %s%n", d.name() + "", pct(d.score()), pct(d.hard()), pct(d.normal()), pct(d.easy())));
        if (r.pooled()) return sb.toString().stripTrailing();
        sb.append(String.format(Locale.ROOT, "  %-10s %-26s %-26s %-26s %s%n", r.complete() ? "overall" : "partial", pct(r.score()), pct(r.hard()), pct(r.normal()), pct(r.easy())));
        if (!r.missingDomains().isEmpty()) sb.append(String.format("%nmissing domains (overall is not official): %s%n", r.missingDomains()));
        return sb.toString().stripTrailing();
    }
}
