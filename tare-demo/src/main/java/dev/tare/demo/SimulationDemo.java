package dev.tare.demo;

import dev.tare.bias.Correlation;
import dev.tare.bias.Feature;
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
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.report.Html;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.chart.BarChart;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.ScatterChart;
import dev.tare.report.chart.Series;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The simulation demo: measures the injected bias of a {@link Simulation}, removes it by LOWESS calibration on
 * length then on the markdown indicator (pooled over chosen and rejected, α 1.0, as Huang et al.'s LWR) and compares
 * with the same reward model simulated without the bias. The audit is a {@link BiasAudit}; this class renders it.
 */
public final class SimulationDemo {
    /**
     * LOWESS span for the length feature: the calibration repository's argparse default 0.5. Its RewardBench runs use
     * 1.0, which is too stiff for this simulation's log-shaped bias (Spearman with length only falls from 0.50 to 0.09).
     */
    public static final double FRAC = 0.5;
    /** Calibration strengths shown in the accuracy-vs-α sweep. */
    static final double[] ALPHAS = {0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5};

    /** Bias measures of one set of scores, each with a 95% bootstrap interval. */
    public record Measures(Interval accuracy, Interval lengthSpearman, Interval longerWins,
                           Interval markdownSpearman, Interval markdownWins) {
        /** The measures of one side of the audit. */
        static Measures of(AuditResult.Side s) {
            return new Measures(s.scores().score(), s.correlation(CHARS).spearman(), s.wins(CHARS).rate(),
                    s.correlation(MARKDOWN).spearman(), s.wins(HAS_MARKDOWN).rate());
        }
    }

    /**
     * Everything the demo computed: the audit of the biased RM (responses laid out chosen_0..chosen_{n-1},
     * rejected_0..rejected_{n-1}), the same measures of the true quality and of the same RM simulated without the
     * bias (same responses, same noise), the LOWESS fit left on the calibrated scores and the accuracy-vs-α sweep
     * (rows: all pairs, chosen longer, chosen shorter).
     */
    public record Result(Simulation.Config config, List<Simulation.Pair> pairs, AuditResult audit,
                         Measures truth, Measures unbiased, double[] lengthFitAfter, double[][] accuracyByAlpha) {
        public int n() { return pairs.size(); }

        public double[] chars() { return audit.feature(CHARS); }

        public double[] markdown() { return audit.feature(MARKDOWN); }

        /** Rewards of the biased RM. */
        public double[] before() { return audit.before().rewards(); }

        /** Rewards after calibration. */
        public double[] after() { return audit.after().rewards(); }

        /** The length step's LOWESS fit at each response (shown on the "before" scatter). */
        public double[] lengthFit() { return audit.stepBias(0); }

        public Measures biased() { return Measures.of(audit.before()); }

        public Measures calibrated() { return Measures.of(audit.after()); }

        /** Share of the pairwise preferences calibration flipped. */
        public double flipped() { return audit.flips().share(); }
    }

    private static final String CHARS = Feature.CHARS.cliName(), MARKDOWN = Feature.MARKDOWN.cliName(), HAS_MARKDOWN = "has_markdown";

    /** Sequential LWR: length in characters (frac {@link #FRAC}), then the markdown indicator (frac 1: per-group means), α 1. */
    static final Calibration.Fit CALIBRATION = new Calibration.Fit(
            List.of(new RewardCalibration.Step(Method.LWR, CHARS), new RewardCalibration.Step(Method.LWR, HAS_MARKDOWN)),
            List.of(CalibrationSettings.defaults().withFrac(FRAC), CalibrationSettings.defaults()));

    private SimulationDemo() {}

    public static Result run(Simulation.Config config) { return run(config, Bootstrap.defaults()); }

    public static Result run(Simulation.Config config, Bootstrap boot) {
        List<Simulation.Pair> pairs = Simulation.generate(config);
        List<Simulation.Pair> clean = Simulation.generate(config.withBias(0, 0));
        int n = pairs.size();
        List<ScoredItem> items = new ArrayList<>(n);
        double[] quality = new double[2 * n], unbiased = new double[2 * n];
        for (int i = 0; i < n; i++) {
            Simulation.Pair p = pairs.get(i);
            items.add(ScoredItem.pair(p.id(), "simulation", "simulated RM", p.chosen().reward(), p.rejected().reward(), null));
            quality[i] = p.chosen().quality();
            quality[n + i] = p.rejected().quality();
            unbiased[i] = clean.get(i).chosen().reward();
            unbiased[n + i] = clean.get(i).rejected().reward();
        }
        AuditInput in = AuditInput.of(items, k -> new AuditInput.Texts(List.of(pairs.get(k).chosen().text()), List.of(pairs.get(k).rejected().text())),
                Layout.SIDE_MAJOR, List.of(Feature.CHARS, Feature.MARKDOWN), null);
        double[] md = in.feature(MARKDOWN), has = new double[md.length];
        for (int i = 0; i < md.length; i++) has[i] = md[i] > 0 ? 1 : 0;
        in = in.withFeature(HAS_MARKDOWN, has);
        // "wins" on the 0/1 markdown indicator = the markdown response wins, over pairs where exactly one uses markdown
        AuditPlan plan = new AuditPlan(BenchmarkScoring.PAIRS, CALIBRATION, List.of(CHARS, MARKDOWN), List.of(CHARS, HAS_MARKDOWN), Pairing.ALL_COMBINATIONS);
        AuditResult audit = BiasAudit.run(in, plan, boot);

        double[] chars = in.feature(CHARS);
        double[][] byAlpha = new double[3][ALPHAS.length];
        for (int a = 0; a < ALPHAS.length; a++) {
            double[] s = CALIBRATION.withAlpha(ALPHAS[a]).rescore(in).scores();
            int all = 0, longer = 0, longerN = 0, shorter = 0, shorterN = 0;
            for (int i = 0; i < n; i++) {
                boolean ok = s[i] > s[n + i];
                if (ok) all++;
                if (chars[i] > chars[n + i]) { longerN++; if (ok) longer++; }
                else if (chars[i] < chars[n + i]) { shorterN++; if (ok) shorter++; }
            }
            byAlpha[0][a] = (double) all / n;
            byAlpha[1][a] = longerN == 0 ? Double.NaN : (double) longer / longerN;
            byAlpha[2][a] = shorterN == 0 ? Double.NaN : (double) shorter / shorterN;
        }
        return new Result(config, pairs, audit, Measures.of(BiasAudit.measure(in.withScores(quality), plan, boot)),
                Measures.of(BiasAudit.measure(in.withScores(unbiased), plan, boot)), BiasAudit.residualBias(audit), byAlpha);
    }

    /** Point estimate of Spearman(reward, length) over all responses of the pairs (no interval). */
    static double lengthSpearman(List<Simulation.Pair> pairs) {
        int n = pairs.size();
        double[] chars = new double[2 * n], s = new double[2 * n];
        for (int i = 0; i < n; i++) {
            var c = pairs.get(i).chosen();
            var r = pairs.get(i).rejected();
            chars[i] = Feature.CHARS.of(c.text());
            chars[n + i] = Feature.CHARS.of(r.text());
            s[i] = c.reward();
            s[n + i] = r.reward();
        }
        return Correlation.spearman(chars, s);
    }


    static String ci(Interval iv) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", iv.value(), iv.lo(), iv.hi());
    }

    private static boolean excludesZero(Interval iv) { return iv.lo() > 0 || iv.hi() < 0; }
    private static boolean covers(Interval iv, double v) { return iv.lo() <= v && v <= iv.hi(); }

    /** The one-screen text summary printed by {@code tare demo}. */
    public static String console(Result r) {
        StringBuilder sb = new StringBuilder();
        Simulation.Config c = r.config();
        sb.append(String.format(Locale.ROOT, "Simulated reward model: %d preference pairs (seed %d); label = higher true quality.%n", r.n(), c.seed()));
        sb.append(String.format(Locale.ROOT, "Injected bias: +%.2f reward per sd of ln(length), +%.2f for markdown; noise sd %.2f.%n%n", c.lengthBias(), c.markdownBias(), c.noise()));
        sb.append(String.format(Locale.ROOT, "%-28s %-26s %-26s %-26s%n", "measure (95% CI)", "biased RM", "after LOWESS calibration", "same RM, no bias"));
        row(sb, "accuracy", r.biased().accuracy(), r.calibrated().accuracy(), r.unbiased().accuracy());
        row(sb, "Spearman(reward, length)", r.biased().lengthSpearman(), r.calibrated().lengthSpearman(), r.unbiased().lengthSpearman());
        row(sb, "longer-wins rate", r.biased().longerWins(), r.calibrated().longerWins(), r.unbiased().longerWins());
        row(sb, "Spearman(reward, markdown)", r.biased().markdownSpearman(), r.calibrated().markdownSpearman(), r.unbiased().markdownSpearman());
        row(sb, "markdown-wins rate", r.biased().markdownWins(), r.calibrated().markdownWins(), r.unbiased().markdownWins());
        sb.append(String.format(Locale.ROOT, "%nLength bias %s before calibration; after: %s. Preferences flipped: %.1f%%.%n",
                excludesZero(r.biased().lengthSpearman()) ? "DETECTED (CI excludes 0)" : "not detected",
                covers(r.calibrated().lengthSpearman(), 0) ? "removed (CI covers 0)" : "reduced to " + ci(r.calibrated().lengthSpearman()),
                100 * r.flipped()));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Interval a, Interval b, Interval c) {
        sb.append(String.format(Locale.ROOT, "%-28s %-26s %-26s %-26s%n", name, ci(a), ci(b), ci(c)));
    }

    /** Adds the simulation sections to a report. */
    public static void addTo(HtmlReport html, Result r) {
        Simulation.Config c = r.config();
        int n = r.n();
        html.heading("Simulation: a reward model with a known length and markdown bias");
        html.paragraph(String.format(Locale.ROOT, "%d synthetic preference pairs (seed %d). Every response has a hidden true quality; the label is the "
                + "response with the higher quality. Length and markdown are drawn independently of quality, so a fair reward model would not "
                + "prefer longer or formatted answers. The simulated reward model adds %.2f per standard deviation of ln(length), %.2f for markdown, "
                + "and Gaussian noise (sd %.2f). Calibration (Huang et al.'s LWR): LOWESS (frac %.1f) of reward on length in "
                + "characters, then on whether the response uses markdown (headers, list items, bold), pooled over chosen and rejected responses; "
                + "calibrated = reward − fit.",
                n, c.seed(), c.lengthBias(), c.markdownBias(), c.noise(), FRAC));
        Table.Builder t = Table.builder("Bias measures with 95% bootstrap intervals", "measure", "true quality", "biased RM", "after calibration", "same RM without bias");
        addRow(t, "accuracy (chosen > rejected)", r.truth().accuracy(), r.biased().accuracy(), r.calibrated().accuracy(), r.unbiased().accuracy());
        addRow(t, "Spearman(reward, length)", r.truth().lengthSpearman(), r.biased().lengthSpearman(), r.calibrated().lengthSpearman(), r.unbiased().lengthSpearman());
        addRow(t, "longer-wins rate", r.truth().longerWins(), r.biased().longerWins(), r.calibrated().longerWins(), r.unbiased().longerWins());
        addRow(t, "Spearman(reward, markdown count)", r.truth().markdownSpearman(), r.biased().markdownSpearman(), r.calibrated().markdownSpearman(), r.unbiased().markdownSpearman());
        addRow(t, "markdown-wins rate", r.truth().markdownWins(), r.biased().markdownWins(), r.calibrated().markdownWins(), r.unbiased().markdownWins());
        html.table(t.build());
        html.paragraph(String.format(Locale.ROOT, "Calibration flipped %.1f%% of the pairwise preferences. The \"same RM without bias\" column scores "
                + "the same responses with the same noise but no injected bias: it shows how far chance alone moves these measures at this "
                + "sample size (its intervals can miss 0 by chance, about 1 time in 20).", 100 * r.flipped()));

        var before = new ScatterChart("Reward vs length (biased RM)", "response length (characters)", "reward")
                .points(new Series("responses", r.chars(), r.before()))
                .curve(new Series("LOWESS fit", r.chars(), r.lengthFit())).logX(true);
        var after = new ScatterChart("Calibrated reward vs length", "response length (characters)", "calibrated reward")
                .points(new Series("responses", r.chars(), r.after()))
                .curve(new Series("LOWESS fit", r.chars(), r.lengthFitAfter())).logX(true);
        html.charts(before.svg(), after.svg());

        List<String> cats = List.of("accuracy", "longer wins", "markdown wins");
        Measures[] ms = {r.biased(), r.calibrated(), r.unbiased()};
        String[] names = {"biased RM", "after calibration", "no bias (oracle)"};
        var rates = new BarChart("Rates before and after calibration", "share of pairs", cats).yRange(0, 1);
        for (int k = 0; k < ms.length; k++) {
            Interval[] iv = {ms[k].accuracy(), ms[k].longerWins(), ms[k].markdownWins()};
            rates.group(names[k], vals(iv, 0), vals(iv, 1), vals(iv, 2));
        }
        var corr = new BarChart("Spearman correlation of reward with a feature", "Spearman ρ", List.of("length", "markdown count")).yRange(-0.1, 0.5);
        for (int k = 0; k < ms.length; k++) {
            Interval[] iv = {ms[k].lengthSpearman(), ms[k].markdownSpearman()};
            corr.group(names[k], vals(iv, 0), vals(iv, 1), vals(iv, 2));
        }
        html.charts(rates.svg(), corr.svg());
        var line = new LineChart("Accuracy vs calibration strength α", "α (share of the fitted bias removed)", "accuracy").yRange(0.5, 1)
                .series(new Series("all pairs", ALPHAS, r.accuracyByAlpha()[0]))
                .series(new Series("chosen is longer", ALPHAS, r.accuracyByAlpha()[1]))
                .series(new Series("chosen is shorter", ALPHAS, r.accuracyByAlpha()[2]));
        html.charts(line.svg());
        html.paragraph("The bias mostly hurts pairs whose better answer is the shorter one; removing it recovers them while pairs whose better "
                + "answer is longer lose the unearned advantage.");
        Simulation.Pair p = r.pairs().get(0);
        html.subheading("A sample pair");
        html.table(Table.builder("Pair " + p.id() + ": " + p.prompt(), "", "chosen", "rejected")
                .row("true quality", Html.num(p.chosen().quality(), 3), Html.num(p.rejected().quality(), 3))
                .row("length (chars)", String.valueOf(p.chosen().chars()), String.valueOf(p.rejected().chars()))
                .row("reward (biased)", Html.num(r.before()[0], 3), Html.num(r.before()[n], 3))
                .row("reward (calibrated)", Html.num(r.after()[0], 3), Html.num(r.after()[n], 3))
                .row("text (first 300 chars)", abbreviate(p.chosen().text()), abbreviate(p.rejected().text()))
                .build());
    }

    private static String abbreviate(String s) { return s.length() <= 300 ? s : s.substring(0, 300) + "…"; }

    private static double[] vals(Interval[] iv, int which) {
        double[] o = new double[iv.length];
        for (int i = 0; i < iv.length; i++) o[i] = which == 0 ? iv[i].value() : which == 1 ? iv[i].lo() : iv[i].hi();
        return o;
    }

    private static void addRow(Table.Builder t, String name, Interval... ivs) {
        List<String> cells = new ArrayList<>();
        cells.add(name);
        for (Interval iv : ivs) cells.add(Double.isNaN(iv.value()) ? "–" : ci(iv));
        t.row(cells);
    }

    /** The simulation's part of the JSON summary. */
    public static void addTo(JsonSummary json, Result r) {
        JsonSummary s = json.object("simulation");
        Simulation.Config c = r.config();
        s.object("config").put("pairs", c.pairs()).put("seed", c.seed()).put("length_bias", c.lengthBias())
                .put("markdown_bias", c.markdownBias()).put("noise", c.noise()).put("markdown_rate", c.markdownRate())
                .put("median_chars", c.medianChars()).put("length_sigma", c.lengthSigma());
        s.object("calibration").put("method", "lowess").put("features", "chars, has_markdown").put("frac", FRAC).put("alpha", 1.0);
        put(s.object("true_quality"), r.truth());
        put(s.object("biased"), r.biased());
        put(s.object("calibrated"), r.calibrated());
        put(s.object("unbiased"), r.unbiased());
        s.put("preferences_flipped", r.flipped());
        JsonSummary sweep = s.object("accuracy_by_alpha");
        sweep.put("alpha", ALPHAS).put("all", r.accuracyByAlpha()[0]).put("chosen_longer", r.accuracyByAlpha()[1]).put("chosen_shorter", r.accuracyByAlpha()[2]);
        s.put("length_bias_detected", excludesZero(r.biased().lengthSpearman()));
        s.put("length_bias_removed", covers(r.calibrated().lengthSpearman(), 0));
    }

    private static void put(JsonSummary o, Measures m) {
        o.put("accuracy", m.accuracy()).put("spearman_length", m.lengthSpearman()).put("longer_wins", m.longerWins())
                .put("spearman_markdown", m.markdownSpearman()).put("markdown_wins", m.markdownWins());
    }
}
