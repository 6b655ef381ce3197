package dev.tare.cli.judge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.bbq.BbqScoreCommand;
import dev.tare.data.AtomicFiles;
import dev.tare.data.Jsonl;
import dev.tare.data.bbq.BbqItem;
import dev.tare.data.bbq.BbqReader;
import dev.tare.core.Progress;
import dev.tare.eval.bbq.GenerativeBbq;
import dev.tare.metrics.bbq.BbqAudit;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.scorers.ScorerSpec;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.SamplingParams;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `tare eval` runs for generative models: BBQ as single-letter multiple choice. */
public final class GenerativeEval {
    private GenerativeEval() {}

    /** Whether `tare eval` should hand this scorer/benchmark to a generative run. */
    public static boolean handles(String scorer, String benchmark) {
        String s = scorer.trim();
        return benchmark.equalsIgnoreCase("bbq") || s.startsWith("judge:");
    }

    /**
     * BBQ with a generative model: {@code data} is the folder of category *.jsonl files (or one file); writes
     * predictions.jsonl (resumable) and summary.json in {@code out}, prints the BBQ table and the cost.
     */
    public static int bbq(String scorer, Path data, Path out, boolean resume, int limit, int batch, Bootstrap bootstrap, PrintWriter w) {
        ScorerSpec.Judge spec = ScorerSpec.Judge.parse(scorer);
        List<BbqItem> items = new ArrayList<>();
        List<Path> files = Files.isDirectory(data) ? BbqReader.jsonlFiles(data) : List.of(data);
        for (Path f : files) items.addAll(BbqReader.read(f));
        if (items.isEmpty()) throw new IllegalArgumentException(data + ": no BBQ items");
        if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        SamplingParams params = new SamplingParams(spec.intOption("max_tokens", 8), spec.doubleOption("temperature", 0), 1.0,
                spec.intOption("seed", 0));
        Path preds = out.resolve("predictions.jsonl");
        GenerativeBbq.Outcome o;
        try (ChatGenerator g = spec.open(System::getenv); Progress p = Progress.stderr("bbq", items.size())) {
            o = GenerativeBbq.run(items, g, params, batch > 0 ? batch : spec.intOption("batch", 8), preds, resume, p);
        }
        int total = o.resumed() + o.generated();
        if (o.unparseable() == total) {
            ObjectNode root = dev.tare.metrics.Units.fraction(Jsonl.MAPPER.createObjectNode());
            generation(root, spec, o);
            writeSummary(out, root);
            w.printf("none of the %d replies was a single letter A/B/C: nothing to score (see %s)%n", total, preds);
            w.flush();
            return 1;
        }
        BbqAudit.Result r = BbqAudit.run(Files.isDirectory(data) ? data : data.getParent(), preds, "prediction", BbqAudit.Format.LETTER, bootstrap);
        ObjectNode root = BbqScoreCommand.toJson(r);
        generation(root, spec, o);
        writeSummary(out, root);
        BbqScoreCommand.printTable(w, r);
        w.printf("%d items (%d resumed); %d replies were not a single letter A/B/C (unparseable, counted as unmatched above)%n",
                o.resumed() + o.generated(), o.resumed(), o.unparseable());
        w.printf("cost: %d prompt + %d completion tokens, %.1f completion tokens/s%n", o.promptTokens(), o.completionTokens(),
                o.completionTokensPerSecond());
        w.flush();
        return 0;
    }

    /**
     * summary.json through {@link AtomicFiles#writeSet}, as every `tare eval` flow writes its summary files: the folder
     * keeps its resumable predictions / results, so it is not replaced whole. These runs write no report.html, so a
     * stale one (an earlier run's in the same folder) is deleted before the new summary.json appears: summary.json is
     * written last; its presence means the folder's summary files are complete.
     */
    private static void writeSummary(Path out, ObjectNode root) {
        java.util.Map<String, AtomicFiles.FileBody> files = new java.util.LinkedHashMap<>();
        files.put("report.html", null);
        String json = root.toPrettyString() + "\n";
        files.put("summary.json", f -> AtomicFiles.writeString(f, json));
        AtomicFiles.writeSet(out, files, "summary.json");
    }

    private static void generation(ObjectNode root, ScorerSpec spec, GenerativeBbq.Outcome o) {
        ObjectNode cost = root.putObject("generation");
        cost.put("model", spec.redacted());
        cost.put("items", o.resumed() + o.generated()).put("resumed", o.resumed()).put("unparseable", o.unparseable())
                .put("prompt_tokens", o.promptTokens()).put("completion_tokens", o.completionTokens()).put("seconds", o.seconds());
        if (!Double.isNaN(o.completionTokensPerSecond())) cost.put("completion_tokens_per_second", o.completionTokensPerSecond());
    }

    /** RM-Bench with a pairwise judge (all 9 style pairs per item, both orders): summary.json, a table and the cost. */
    public static int rmBench(dev.tare.scorers.judge.PairwiseJudge judge, String model,
                              List<dev.tare.data.PreferenceItem> items, Path out, boolean resume, int batch, Bootstrap boot, PrintWriter w) {
        return rmBench(judge, 1, model, items, out, resume, batch, boot, w);
    }

    /** RM-Bench's 3 x 3 grid with voting@{@code votes} per order and cell (1 = one judgment per order). */
    public static int rmBench(dev.tare.scorers.judge.PairwiseJudge judge, int votes, String model,
                              List<dev.tare.data.PreferenceItem> items, Path out, boolean resume, int batch, Bootstrap boot, PrintWriter w) {
        if (votes > 1 && judge.params().temperature() == 0)
            throw new IllegalArgumentException("votes=" + votes + " needs sampling: set temperature=T > 0 in the judge spec (greedy gives identical votes)");
        Path results = out.resolve("results.jsonl");
        var template = judge.template();
        try (Progress p = Progress.stderr("judge", items.size())) {
            dev.tare.eval.judge.JudgeRmBench.run(items, judge, votes, results, resume, batch > 0 ? batch : 2, p);
        }
        var r = dev.tare.eval.judge.JudgeRmBench.score(dev.tare.eval.judge.ResumableRows.readAll(results), items, boot);
        ObjectNode root = dev.tare.eval.judge.JudgeRmBench.toJson(r);
        root.put("model", model).put("template", template.name());
        dev.tare.eval.JudgeCost.put(root, judge.stats());
        writeSummary(out, root);
        w.printf("%-8s %5s %22s %22s %22s %22s%n", "domain", "n", "hard [95% CI]", "normal", "easy", "average");
        for (var e : r.groups().entrySet()) rmRow(w, e.getKey(), -1, e.getValue());
        rmRow(w, "overall", r.items(), r.overall());
        w.printf("position: first-shown win rate %s over %d decided verdicts (%d unparseable); consistency %s%n",
                r.firstShownRate(), r.decidedVerdicts(), r.unparseableVerdicts(), r.consistency());
        w.printf("markdown: more-markdown win rate %s over %d decided verdicts on pairs with unequal markdown counts%n",
                r.moreMarkdownRate(), r.markdownVerdicts());
        w.printf("length: longer-response win rate %s over %d decided verdicts on pairs of unequal length%n",
                r.longerRate(), r.longerVerdicts());
        w.println("judge cost (this run): " + judge.stats());
        w.flush();
        return 0;
    }

    private static void rmRow(PrintWriter w, String name, int n, dev.tare.metrics.stats.Interval[] iv) {
        w.printf("%-8s %5s", name, n < 0 ? "" : String.valueOf(n));
        for (var x : iv) w.printf(" %6.1f [%5.1f, %5.1f]   ", 100 * x.value(), 100 * x.lo(), 100 * x.hi());
        w.println();
    }
}
