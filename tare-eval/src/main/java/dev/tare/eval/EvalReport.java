package dev.tare.eval;

import dev.tare.bias.BiasDiagnostics;
import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.metrics.ScoreOverview;
import dev.tare.metrics.stats.Interval;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.chart.BarChart;
import dev.tare.report.chart.ScatterChart;
import dev.tare.report.chart.Series;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an eval's {@code summary.json} and self-contained {@code report.html} as one set ({@link #writePair}): the
 * folder also holds the resumable results.jsonl, so it is not replaced whole; summary.json is written last; its
 * presence means the folder's summary files are complete.
 */
public final class EvalReport {
    private EvalReport() {}

    /** Provenance shown in both files; {@code settings} are the scorer's reward-changing settings (e.g. score_token). */
    public record RunInfo(String scorer, String data, String resultsFile, double seconds, Map<String, Object> settings) {
        public RunInfo {
            settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        }

        public RunInfo(String scorer, String data, String resultsFile, double seconds) {
            this(scorer, data, resultsFile, seconds, Map.of());
        }
    }

    public static void write(AuditResult r, RunInfo info, Path dir) { write(r, info, null, dir); }

    /** As {@link #write(AuditResult, RunInfo, Path)}, with a multi-objective model's per-objective audit (null: none). */
    public static void write(AuditResult r, RunInfo info, ObjectiveAudit objectives, Path dir) {
        write(r, info, objectives, null, dir);
    }

    /** A judge's run scored by the benchmark's own rules: as {@link #write(AuditResult, RunInfo, Path)} plus its {@code cost} block. */
    public static void writeJudged(AuditResult r, RunInfo info, dev.tare.scorers.judge.JudgeStats cost, Path dir) {
        write(r, info, null, java.util.Objects.requireNonNull(cost, "cost"), dir);
    }

    private static void write(AuditResult r, RunInfo info, ObjectiveAudit objectives, dev.tare.scorers.judge.JudgeStats cost, Path dir) {
        JsonSummary j = summary(r, info);
        HtmlReport h = html(r, info);
        if (objectives != null) {
            objectives(j.object("objectives"), objectives);
            objectives(h, objectives);
        }
        if (cost != null) {
            JudgeCost.put(j, cost);
            h.keyValues(List.<String[]>of(new String[]{"Judge cost (this run)", cost.toString()}));
        }
        writePair(dir, j, h);
    }

    /**
     * Writes {@code summary.json} and {@code report.html} into {@code dir} with {@link dev.tare.data.AtomicFiles#writeSet}:
     * both in full as temp files, then the old summary.json deleted, report.html renamed into place and summary.json
     * last. summary.json is written last; its presence means the folder's summary files are complete: a failure or
     * kill at any moment leaves the old pair, or no summary.json, never a new summary.json beside an old report.html
     * (or the reverse). Shared by every `tare eval` flow that writes the pair.
     */
    public static void writePair(Path dir, JsonSummary summary, HtmlReport report) {
        java.util.Map<String, dev.tare.data.AtomicFiles.FileBody> files = new java.util.LinkedHashMap<>();
        files.put("report.html", report::write);
        files.put("summary.json", summary::write);
        dev.tare.data.AtomicFiles.writeSet(dir, files, "summary.json");
    }

    private static void objectives(JsonSummary j, ObjectiveAudit a) {
        j.put("responses", (long) a.explanation().responses()).put("ranked_by", "mean |coefficient|");
        for (var e : a.explanation().rows()) {
            JsonSummary o = j.object(e.objective());
            o.put("mean_coefficient", e.meanCoefficient()).put("mean_reward", e.meanReward()).put("mean_contribution", e.meanContribution())
                    .put("chosen_minus_rejected_contribution", e.contributionGap()).put("top_k_share", e.topKShare());
            for (ObjectiveAudit.Row r : a.rows()) {
                if (!r.objective().equals(e.objective())) continue;
                for (var c : List.of(r.chars(), r.markdown()))
                    o.object("contribution_vs_" + c.feature()).put("n", (long) c.n()).put("spearman", c.spearman()).put("kendall", c.kendall());
            }
        }
    }

    private static void objectives(HtmlReport h, ObjectiveAudit a) {
        h.heading("Objectives (multi-objective model)");
        Table.Builder t = Table.builder("Top " + a.explanation().topK() + " objectives by mean |coefficient| over " + a.explanation().responses()
                        + " responses; contribution = objective reward × coefficient (the contributions sum to the reward)",
                "objective", "mean coefficient", "mean reward", "mean contribution", "chosen − rejected", "in top " + a.explanation().topK(),
                "Spearman vs length", "Spearman vs markdown");
        for (var e : a.explanation().rows()) {
            ObjectiveAudit.Row r = a.rows().stream().filter(x -> x.objective().equals(e.objective())).findFirst().orElse(null);
            t.row(e.objective(), String.format(Locale.ROOT, "%.4f", e.meanCoefficient()), String.format(Locale.ROOT, "%.4f", e.meanReward()),
                    String.format(Locale.ROOT, "%.4f", e.meanContribution()), String.format(Locale.ROOT, "%.4f", e.contributionGap()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * e.topKShare()), r == null ? "" : ci(r.chars().spearman()),
                    r == null ? "" : ci(r.markdown().spearman()));
        }
        h.table(t.build());
        List<String> cats = a.explanation().rows().stream().map(ObjectiveExplanation.Row::objective).toList();
        double[] contrib = a.explanation().rows().stream().mapToDouble(ObjectiveExplanation.Row::meanContribution).toArray();
        BarChart bars = new BarChart("Mean contribution to the reward", "contribution", cats).decimals(3);
        bars.group("mean contribution", contrib, contrib, contrib);
        h.charts(bars.svg());
    }

    static JsonSummary summary(AuditResult r, RunInfo info) {
        JsonSummary j = JsonSummary.fractions();
        j.put("model", r.model()).put("benchmark", EvalSummary.benchmark(r).cliName()).put("scorer", info.scorer());
        info.settings().forEach((k, v) -> j.put(k, String.valueOf(v)));
        j.put("data", info.data()).put("results", info.resultsFile()).put("items", r.items())
                .put("responses", r.responses());
        scores(j.object("scores"), r.before().scores().overview());
        scores(j.object("calibrated_scores"), r.after().scores().overview());
        Calibrator calibrator = r.steps().getFirst();
        JsonSummary c = j.object("calibration");
        c.put("method", "lwr").put("feature", calibrator.feature()).put("alpha", calibrator.alpha())
                .put("frac", 1.0).put("points", (long) calibrator.xs().length);
        bias(j.object("bias"), r.before());
        bias(j.object("calibrated_bias"), r.after());
        return j;
    }

    private static void scores(JsonSummary j, ScoreOverview s) {
        j.put("score", s.score());
        if (s.scoreLabel() != null) j.put("score_label", s.scoreLabel());
        j.put("partial", s.partial());
        JsonSummary parts = j.object("parts");
        s.parts().forEach(parts::put);
        for (String k : s.missingParts()) parts.put(k, (Interval) null);   // no items: n/a (null), never 0
        for (int i = 0; i < s.notes().size(); i++) j.put("note_" + (i + 1), s.notes().get(i));
    }

    private static void bias(JsonSummary j, AuditResult.Side b) {
        for (BiasDiagnostics.FeatureCorrelation c : b.correlations()) {
            JsonSummary f = j.object(c.feature());
            f.put("n", (long) c.n()).put("spearman", c.spearman()).put("kendall", c.kendall());
        }
        BiasDiagnostics.LongerWins lw = b.wins("chars");
        j.object("longer_wins").put("pairs", (long) lw.pairs()).put("eligible", (long) lw.eligible()).put("rate", lw.rate());
    }

    static HtmlReport html(AuditResult r, RunInfo info) {
        ScoreOverview raw = r.before().scores().overview(), cal = r.after().scores().overview();
        HtmlReport h = new HtmlReport("tare eval: " + r.model() + " on " + EvalSummary.benchmark(r).cliName());
        h.subtitle(r.items() + " items, " + r.responses() + " responses scored");
        List<String[]> kv = new ArrayList<>();
        kv.add(new String[]{"Scorer", info.scorer()});
        info.settings().forEach((k, v) -> kv.add(new String[]{k, String.valueOf(v)}));
        kv.addAll(List.of(new String[]{"Data", info.data()},
                new String[]{"Per-example results", info.resultsFile()},
                new String[]{raw.partial() ? "Score (" + raw.scoreLabel() + ")" : "Score", EvalSummary.pctCi(raw.score())},
                new String[]{"Score after length calibration (RC-LWR)", EvalSummary.pctCi(cal.score())},
                new String[]{"Wall time", String.format(Locale.ROOT, "%.1f s", info.seconds())}));
        h.keyValues(kv);
        h.heading("Benchmark scores (95% bootstrap CIs)");
        Table.Builder t = Table.builder("Official scoring; calibrated = scores minus the LOWESS fit of reward on length",
                "part", "raw", "calibrated", "change");
        t.row(row(raw.partial() ? "overall (" + raw.scoreLabel() + ")" : "overall", raw.score(), cal.score()));
        raw.parts().forEach((k, v) -> t.row(row(k, v, cal.parts().get(k))));
        for (String k : raw.missingParts()) t.row(k, "n/a (no items)", "n/a", "");
        h.table(t.build());
        for (String n : raw.notes()) h.note(n);
        List<String> cats = new ArrayList<>(raw.parts().keySet());
        if (!cats.isEmpty()) {
            BarChart bars = new BarChart("Scores", "%", cats).decimals(1);
            bars.group("raw", col(raw.parts(), cats, 0), col(raw.parts(), cats, 1), col(raw.parts(), cats, 2));
            bars.group("calibrated", col(cal.parts(), cats, 0), col(cal.parts(), cats, 1), col(cal.parts(), cats, 2));
            h.charts(bars.svg());
        }
        h.heading("Bias audit");
        Table.Builder b = Table.builder("Rank correlation of reward with response features over all responses",
                "feature", "Spearman raw", "Spearman calibrated", "Kendall raw", "Kendall calibrated");
        for (var c : r.before().correlations()) {
            var cc = r.after().correlation(c.feature());
            b.row(c.feature(), ci(c.spearman()), ci(cc.spearman()), ci(c.kendall()), ci(cc.kendall()));
        }
        h.table(b.build());
        var lw = r.before().wins("chars");
        h.paragraph(String.format(Locale.ROOT, "Longer response gets the higher reward in %s%% of %d pairs of unequal length "
                        + "(%s%% after calibration).", EvalSummary.pctCi(lw.rate()), lw.eligible(),
                EvalSummary.pctCi(r.after().wins("chars").rate())));
        ScatterChart sc = new ScatterChart("Reward vs length", "length (characters)", "reward").logX(true);
        sc.points(new Series("responses", sample(r.feature("chars")), sample(r.before().rewards())));
        Calibrator calibrator = r.steps().getFirst();
        double[] xs = calibrator.xs();
        boolean positive = xs.length > 0 && xs[0] > 0;
        if (positive) sc.curve(new Series("LOWESS fit", xs, calibrator.bias()));
        else sc.logX(false).curve(new Series("LOWESS fit", xs, calibrator.bias()));
        h.charts(sc.svg());
        return h;
    }

    /** At most 3000 evenly spaced points keep the page small. */
    private static double[] sample(double[] v) {
        if (v.length <= 3000) return v;
        double[] out = new double[3000];
        for (int i = 0; i < out.length; i++) out[i] = v[(int) ((long) i * v.length / out.length)];
        return out;
    }

    private static String[] row(String name, Interval raw, Interval cal) {
        String d = cal == null ? "" : String.format(Locale.ROOT, "%+.1f", 100 * (cal.value() - raw.value()));
        return new String[]{name, EvalSummary.pctCi(raw), cal == null ? "" : EvalSummary.pctCi(cal), d};
    }

    private static String ci(Interval iv) {
        return Double.isNaN(iv.lo()) ? String.format(Locale.ROOT, "%.3f", iv.value())
                : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", iv.value(), iv.lo(), iv.hi());
    }

    private static double[] col(Map<String, Interval> m, List<String> cats, int which) {
        double[] out = new double[cats.size()];
        for (int i = 0; i < out.length; i++) {
            Interval iv = m.get(cats.get(i));
            double v = iv == null ? Double.NaN : which == 0 ? iv.value() : which == 1 ? iv.lo() : iv.hi();
            out[i] = 100 * v;
        }
        return out;
    }
}
