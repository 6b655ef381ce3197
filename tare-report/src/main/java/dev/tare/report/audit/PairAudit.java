package dev.tare.report.audit;

import dev.tare.bias.BiasDiagnostics;
import dev.tare.bias.Feature;
import dev.tare.data.DataFormatException;
import dev.tare.data.PreferenceItem;
import dev.tare.data.rewardbench.RewardBenchSubsets;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.audit.AuditPlan;
import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.audit.BiasAudit;
import dev.tare.debias.audit.Calibration;
import dev.tare.debias.audit.Layout;
import dev.tare.debias.audit.Pairing;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.rewardbench.PairsScores;
import dev.tare.metrics.rewardbench.RewardBenchScores;
import dev.tare.metrics.rewardbench.SubsetScore;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.chart.BarChart;
import dev.tare.report.chart.ScatterChart;
import dev.tare.report.chart.Series;
import dev.tare.results.ResponseTexts;
import dev.tare.results.ScoredItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Length-bias audit of scored preference pairs, a {@link BiasAudit} rendered for {@code tare report} and the real-data
 * demo: per-subset accuracy (RewardBench rules when a RewardBench core subset is present, else plain pair accuracy per
 * subset and over all pairs), rank correlation of reward with length and markdown, the longer-wins rate, then post-hoc
 * LWR calibration on length (Huang et al.: LOWESS of score on characters over all chosen and rejected responses
 * pooled, read back by bisect_left, score − α·fit) and the same measures after it.
 */
public final class PairAudit {
    /** One scored pair with its response texts. */
    public record Pair(String subset, String id, String chosen, String rejected, double chosenScore, double rejectedScore) {}

    /**
     * The measures of one side of the audit as the report shows them. Accuracy is RewardBench v1 scoring
     * ({@link #metrics()}, when any RewardBench core subset is present) or plain pair accuracy per subset and overall
     * ({@link #pairsMetrics()}, generic pairs); exactly one of the two is set.
     */
    public record Measures(AuditResult.Side side) {
        /** RewardBench v1 scores, or null for generic pairs. */
        public RewardBenchScores metrics() { return side.scores() instanceof RewardBenchScores r ? r : null; }

        /** Pair accuracy, or null when RewardBench scores the pairs. */
        public PairsScores pairsMetrics() { return side.scores() instanceof PairsScores p ? p : null; }

        /** Whether the accuracy is RewardBench's (section-weighted score) rather than plain pair accuracy. */
        public boolean rewardBench() { return metrics() != null; }

        /** The headline accuracy: RewardBench's mean of sections, or the accuracy over all pairs. */
        public Interval score() { return side.scores().score(); }

        /** What {@link #score()} is, for tables. */
        public String scoreLabel() { return rewardBench() ? "RewardBench score (" + metrics().scoreLabel() + ")" : "accuracy over all pairs"; }

        /** The score's kind in JSON: {@code rewardbench} or {@code pair_accuracy}. */
        public String scoreKind() { return rewardBench() ? "rewardbench" : "pair_accuracy"; }

        public List<SubsetScore> subsets() { return rewardBench() ? metrics().subsets() : pairsMetrics().subsets(); }

        /** RewardBench section scores of the sections with items (empty for generic pairs). */
        public Map<String, Interval> sections() { return rewardBench() ? metrics().sections() : Map.of(); }

        /** RewardBench sections without any item (n/a; the score then averages the others). */
        public List<String> missingSections() { return rewardBench() ? metrics().missingSections() : List.of(); }

        public BiasDiagnostics.FeatureCorrelation length() { return side.correlation(CHARS); }

        public BiasDiagnostics.FeatureCorrelation markdown() { return side.correlation(MARKDOWN); }

        public BiasDiagnostics.LongerWins longerWins() { return side.wins(CHARS); }
    }

    /**
     * The pairs, the LWR settings and the audit (responses laid out chosen 0..n-1 then rejected n..2n-1); the bias
     * LWR subtracted at each response and the LOWESS fit left on the calibrated scores, for the charts.
     */
    public record Result(String model, List<Pair> pairs, double frac, double alpha, AuditResult audit,
                         double[] fitBefore, double[] fitAfter) {
        /** Response lengths in characters. */
        public double[] chars() { return audit.feature(CHARS); }

        /** Scores before calibration. */
        public double[] before() { return audit.before().rewards(); }

        /** Scores after calibration. */
        public double[] after() { return audit.after().rewards(); }

        public Measures measuresBefore() { return new Measures(audit.before()); }

        public Measures measuresAfter() { return new Measures(audit.after()); }

        /** Share of the pairwise preferences calibration flipped. */
        public double flipped() { return audit.flips().share(); }
    }

    private static final String CHARS = Feature.CHARS.cliName(), MARKDOWN = Feature.MARKDOWN.cliName();

    private PairAudit() {}

    /**
     * Audits the pairs: RewardBench scoring when any pair is in a RewardBench core subset, else pair accuracy; LWR on
     * length with LOWESS span {@code frac} and strength {@code alpha}.
     */
    public static Result run(String model, List<Pair> pairs, double frac, double alpha, Bootstrap boot) {
        int n = pairs.size();
        if (n < 2) throw new IllegalArgumentException("need at least 2 scored pairs, got " + n);
        List<ScoredItem> items = new ArrayList<>(n);
        for (Pair p : pairs) items.add(ScoredItem.pair(p.id(), p.subset(), model, p.chosenScore(), p.rejectedScore(), null));
        AuditInput in = AuditInput.of(items, k -> new AuditInput.Texts(List.of(pairs.get(k).chosen()), List.of(pairs.get(k).rejected())),
                Layout.SIDE_MAJOR, List.of(Feature.CHARS, Feature.MARKDOWN), null);
        boolean rewardBench = items.stream().anyMatch(it -> RewardBenchSubsets.EXAMPLE_COUNTS.containsKey(it.subset()));
        AuditPlan plan = new AuditPlan(rewardBench ? BenchmarkScoring.REWARDBENCH : BenchmarkScoring.PAIRS,
                Calibration.Fit.of(List.of(new RewardCalibration.Step(Method.LWR, CHARS)), CalibrationSettings.defaults().withFrac(frac).withAlpha(alpha)),
                List.of(CHARS, MARKDOWN), List.of(CHARS), Pairing.ALL_COMBINATIONS);
        AuditResult audit = BiasAudit.run(in, plan, boot);
        return new Result(model, List.copyOf(pairs), frac, alpha, audit, audit.stepBias(0), BiasAudit.residualBias(audit));
    }

    /**
     * Pairs from results plus response texts: from the item's extra fields {@code chosen}/{@code rejected} (or
     * reward-bench's message-list {@code text_chosen}/{@code text_rejected}, see {@link ResponseTexts}) when present,
     * else from {@code data} joined on (subset, id). Rendered {@code text_chosen}/{@code text_rejected} strings (the
     * leaderboard files) are whole conversations, never taken as responses: without {@code data} they are an error.
     * An item without texts, or a key matching two different texts, is an error naming the key and the files.
     */
    public static List<Pair> join(List<ScoredItem> items, Path resultsFile, List<PreferenceItem> data, Path dataFile) {
        Map<String, PreferenceItem> byKey = new HashMap<>();
        java.util.Set<String> ambiguous = new java.util.HashSet<>();
        if (data != null) for (PreferenceItem d : data) {
            String k = d.subset() + "/" + d.id();
            PreferenceItem prev = byKey.putIfAbsent(k, d);
            if (prev != null && !(prev.chosen().equals(d.chosen()) && prev.rejected().equals(d.rejected()))) ambiguous.add(k);
        }
        List<Pair> out = new ArrayList<>(items.size());
        int line = 0;
        for (ScoredItem it : items) {
            line++;
            if (it.scoresChosen().size() != 1 || it.scoresRejected().size() != 1)
                throw new DataFormatException(resultsFile, line, "scores_chosen", "item " + it.subset() + "/" + it.id()
                        + " is not a pair (" + it.scoresChosen().size() + " chosen, " + it.scoresRejected().size() + " rejected scores)");
            String c = single(ResponseTexts.chosen(it)), r = single(ResponseTexts.rejected(it));
            if (c == null || r == null) {
                String k = it.subset() + "/" + it.id();
                if (data == null && ResponseTexts.renderedOnly(it))
                    throw new DataFormatException(resultsFile, line, "text_chosen", "item " + k + ": " + ResponseTexts.RENDERED_ONLY
                            + "; pass the dataset with --data to take the responses from it");
                if (data == null)
                    throw new DataFormatException(resultsFile, line, "chosen", "no response texts in the results; pass the dataset with --data");
                if (ambiguous.contains(k))
                    throw new DataFormatException(dataFile, 0, "id", "key " + k + " names two different rows; cannot join results to texts");
                PreferenceItem d = byKey.get(k);
                if (d == null) throw new DataFormatException(resultsFile, line, "id", "item " + k + " is not in " + dataFile);
                c = d.chosen().getFirst();
                r = d.rejected().getFirst();
            }
            out.add(new Pair(it.subset(), it.id(), c, r, it.scoresChosen().getFirst(), it.scoresRejected().getFirst()));
        }
        return out;
    }

    /** The one response of a pair's side, or null. */
    private static String single(List<String> texts) { return texts != null && texts.size() == 1 ? texts.getFirst() : null; }

    /** An interval in percent with one decimal, e.g. "88.6 [87.4, 89.7]". */
    public static String ci100(Interval iv) { return ci(iv, 100, 1); }

    static String ci(Interval iv, double k, int d) {
        if (iv == null || Double.isNaN(iv.value())) return "–";
        String f = "%." + d + "f";
        if (Double.isNaN(iv.lo())) return String.format(Locale.ROOT, f, iv.value() * k);
        return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", iv.value() * k, iv.lo() * k, iv.hi() * k);
    }

    /** Adds the audit's sections (tables, scatter before/after, bars) to a report. */
    public static void addTo(HtmlReport html, Result r, String heading, String description) {
        int n = r.pairs().size();
        html.heading(heading);
        if (description != null) html.paragraph(description);
        Measures b = r.measuresBefore(), a = r.measuresAfter();
        html.paragraph(String.format(Locale.ROOT, "%d pairs, model %s. Calibration: LWR on response length in characters, LOWESS frac %.2f, α %.2f; "
                + "%.1f%% of pairwise preferences flipped.", n, r.model(), r.frac(), r.alpha(), 100 * r.flipped()));
        Table.Builder bias = Table.builder("Bias measures (95% bootstrap intervals)", "measure", "before", "after LWR calibration");
        bias.row("Spearman(reward, length)", ci(b.length().spearman(), 1, 3), ci(a.length().spearman(), 1, 3));
        bias.row("Kendall τ-b(reward, length)", ci(b.length().kendall(), 1, 3), ci(a.length().kendall(), 1, 3));
        bias.row("longer-wins rate (" + b.longerWins().eligible() + " pairs of different length)", ci(b.longerWins().rate(), 1, 3), ci(a.longerWins().rate(), 1, 3));
        bias.row("Spearman(reward, markdown count)", ci(b.markdown().spearman(), 1, 3), ci(a.markdown().spearman(), 1, 3));
        bias.row(b.scoreLabel() + " (%)", ci(b.score(), 100, 1), ci(a.score(), 100, 1));
        html.table(bias.build());

        int[] show = thin(2 * n, 2500);
        var before = new ScatterChart("Reward vs length", "response length (characters)", "reward")
                .points(new Series("responses" + (show.length < 2 * n ? " (" + show.length + " of " + 2 * n + " shown)" : ""), pick(r.chars(), show), pick(r.before(), show)))
                .curve(new Series("LOWESS fit", r.chars(), r.fitBefore())).logX(true);
        var after = new ScatterChart("Calibrated reward vs length", "response length (characters)", "calibrated reward")
                .points(new Series("responses", pick(r.chars(), show), pick(r.after(), show)))
                .curve(new Series("LOWESS fit", r.chars(), r.fitAfter())).logX(true);
        html.charts(before.svg(), after.svg());

        List<String> sections = new ArrayList<>(b.sections().keySet());
        if (b.rewardBench() && b.metrics().missingSubsets().size() < 20 && !sections.isEmpty()) {
            var bars = new BarChart("RewardBench sections before/after calibration", "accuracy", sections).yRange(0, 1).size(620, 360);
            bars.group("before", vals(b.sections(), sections, 0), vals(b.sections(), sections, 1), vals(b.sections(), sections, 2));
            bars.group("after", vals(a.sections(), sections, 0), vals(a.sections(), sections, 1), vals(a.sections(), sections, 2));
            html.charts(bars.svg());
        }
        List<SubsetScore> sb = b.subsets(), sa = a.subsets();
        List<String> names = sb.stream().map(SubsetScore::subset).toList();
        var subsetBars = new BarChart("Accuracy per subset", "accuracy", names).yRange(0, 1).size(1040, 380).decimals(2);
        subsetBars.group("before", sb.stream().mapToDouble(s -> s.score().value()).toArray(), sb.stream().mapToDouble(s -> s.score().lo()).toArray(), sb.stream().mapToDouble(s -> s.score().hi()).toArray());
        subsetBars.group("after", sa.stream().mapToDouble(s -> s.score().value()).toArray(), sa.stream().mapToDouble(s -> s.score().lo()).toArray(), sa.stream().mapToDouble(s -> s.score().hi()).toArray());
        html.charts(subsetBars.svg());
        Table.Builder t = Table.builder("Accuracy per subset (%, 95% bootstrap intervals)", "subset", "pairs", "before", "after", "change");
        for (int i = 0; i < sb.size(); i++)
            t.row(sb.get(i).subset(), String.valueOf(sb.get(i).items()), ci(sb.get(i).score(), 100, 1), ci(sa.get(i).score(), 100, 1),
                    String.format(Locale.ROOT, "%+.1f", 100 * (sa.get(i).score().value() - sb.get(i).score().value())));
        for (String s : sections)
            t.row("section " + s, "", ci(b.sections().get(s), 100, 1), ci(a.sections().get(s), 100, 1),
                    String.format(Locale.ROOT, "%+.1f", 100 * (a.sections().get(s).value() - b.sections().get(s).value())));
        for (String s : b.missingSections()) t.row("section " + s, "0", "n/a", "n/a", "");
        if (b.rewardBench())
            t.row(b.scoreLabel(), String.valueOf(n), ci(b.score(), 100, 1), ci(a.score(), 100, 1),
                    String.format(Locale.ROOT, "%+.1f", 100 * (a.score().value() - b.score().value())));
        if (!b.rewardBench())
            t.row("all pairs", String.valueOf(n), ci(b.score(), 100, 1), ci(a.score(), 100, 1),
                    String.format(Locale.ROOT, "%+.1f", 100 * (a.score().value() - b.score().value())));
        html.table(t.build());
    }

    private static double[] vals(Map<String, Interval> m, List<String> keys, int which) {
        double[] o = new double[keys.size()];
        for (int i = 0; i < o.length; i++) {
            Interval iv = m.get(keys.get(i));
            o[i] = which == 0 ? iv.value() : which == 1 ? iv.lo() : iv.hi();
        }
        return o;
    }

    /** Every k-th index so that at most {@code max} remain (deterministic thinning for the scatter). */
    static int[] thin(int n, int max) {
        int step = Math.max(1, (n + max - 1) / max);
        int[] idx = new int[(n + step - 1) / step];
        for (int i = 0; i < idx.length; i++) idx[i] = i * step;
        return idx;
    }

    private static double[] pick(double[] a, int[] idx) {
        double[] o = new double[idx.length];
        for (int i = 0; i < idx.length; i++) o[i] = a[idx[i]];
        return o;
    }

    /** The audit's JSON part. */
    public static void addTo(JsonSummary json, Result r) {
        json.put("model", r.model()).put("pairs", r.pairs().size());
        json.object("calibration").put("method", "lwr").put("feature", "chars").put("frac", r.frac()).put("alpha", r.alpha());
        json.put("preferences_flipped", r.flipped());
        put(json.object("before"), r.measuresBefore());
        put(json.object("after"), r.measuresAfter());
    }

    private static void put(JsonSummary o, Measures m) {
        o.put("score", m.score()).put("score_kind", m.scoreKind());
        if (m.rewardBench()) {
            o.put("score_label", m.metrics().scoreLabel()).put("partial", m.metrics().partial());
            JsonSummary sec = o.object("sections");
            for (String k : RewardBenchSubsets.SECTIONS) sec.put(k, m.sections().get(k));   // null: no items (n/a)
        } else {
            o.put("accuracy", m.score());
        }
        JsonSummary sub = o.object("subsets");
        for (SubsetScore s : m.subsets()) sub.put(s.subset(), s.score());
        o.put("spearman_length", m.length().spearman()).put("kendall_length", m.length().kendall())
                .put("spearman_markdown", m.markdown().spearman()).put("longer_wins", m.longerWins().rate())
                .put("longer_wins_eligible_pairs", m.longerWins().eligible());
    }
}
