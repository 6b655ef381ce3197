package dev.tare.eval;

import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.ScoreOverview;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.judge.JudgeStats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * End-of-run analysis of a pairwise-judge evaluation (lines from {@link JudgeItemScorer}): the benchmark score and
 * the judge's position / length / markdown biases ({@link JudgeBias}, shared with JudgeBench), plus the judge cost.
 */
public final class JudgeSummary {
    /** The benchmark score (fractions with 95% bootstrap CIs) and the judge's biases. */
    public record Result(String model, Benchmark benchmark, int items, ScoreOverview scores, JudgeBias bias) {}

    private JudgeSummary() {}

    public static Result analyze(Benchmark b, List<PreferenceItem> items, List<ScoredItem> results, Bootstrap boot) {
        JudgeBias bias = JudgeBias.analyze(items, results, boot);
        return new Result(results.getFirst().model(), b, items.size(), BenchmarkScoring.of(b).score(results, boot).overview(), bias);
    }

    public static String leaderboardRow(Result r) {
        StringBuilder sb = new StringBuilder("| ").append(r.model()).append(" | ").append(r.benchmark().cliName()).append(" | ")
                .append(EvalSummary.pctCi(r.scores().score())).append(" | ");
        r.scores().parts().forEach((k, v) -> sb.append(k).append(' ').append(EvalSummary.pct(v)).append(" | "));
        return sb.append(r.bias().rowTail()).toString();
    }

    /**
     * summary.json and report.html; {@code cost} (this run's judge calls and tokens) may be null. Written as one set
     * ({@link EvalReport#writePair}): summary.json is written last; its presence means the folder's summary files are complete.
     */
    public static void write(Result r, EvalReport.RunInfo info, JudgeStats cost, Path dir) {
        JsonSummary j = JsonSummary.fractions();
        j.put("model", r.model()).put("benchmark", r.benchmark().cliName()).put("scorer", info.scorer()).put("data", info.data())
                .put("results", info.resultsFile()).put("items", r.items()).put("judge", true);
        JsonSummary s = j.object("scores");
        s.put("score", r.scores().score());
        JsonSummary parts = s.object("parts");
        r.scores().parts().forEach(parts::put);
        r.bias().putTo(j);
        if (cost != null) JudgeCost.put(j, cost);
        HtmlReport h = new HtmlReport("tare eval: judge " + r.model() + " on " + r.benchmark().cliName());
        h.subtitle(r.items() + " pairs, each judged in both orders (JudgeBench combination)");
        List<String[]> kv = new ArrayList<>();
        kv.add(new String[]{"Scorer", info.scorer()});
        kv.add(new String[]{"Data", info.data()});
        kv.add(new String[]{"Score", EvalSummary.pctCi(r.scores().score())});
        kv.addAll(r.bias().htmlRows());
        if (cost != null) kv.add(new String[]{"Judge cost (this run)", cost.toString()});
        kv.add(new String[]{"Wall time", String.format(Locale.ROOT, "%.1f s", info.seconds())});
        h.keyValues(kv);
        Table.Builder t = Table.builder("Benchmark scores (95% bootstrap CIs)", "part", "score");
        t.row("overall", EvalSummary.pctCi(r.scores().score()));
        r.scores().parts().forEach((k, v) -> t.row(k, EvalSummary.pctCi(v)));
        h.table(t.build());
        for (String n : r.scores().notes()) h.note(n);
        EvalReport.writePair(dir, j, h);
    }
}
