package dev.tare.demo;

import dev.tare.data.DataFormatException;
import dev.tare.data.PreferenceItem;
import dev.tare.data.rewardbench.InternLmRewardBenchScores;
import dev.tare.metrics.Units;
import dev.tare.metrics.bbq.BbqAudit;
import dev.tare.metrics.bbq.BbqScores;
import dev.tare.metrics.judgebench.JudgeBenchAudit;
import dev.tare.metrics.judgebench.JudgeBenchScores;
import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.rmbench.StyleMatrix;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ScoredItem;
import dev.tare.metrics.stats.Interval;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.report.audit.PairAudit;
import dev.tare.report.audit.StyleAudit;
import dev.tare.report.chart.BarChart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real-data demo: a bias audit on the shared folder — BBQ with the authors' UnifiedQA-11B predictions, the
 * JudgeBench judge verdicts, and the InternLM-XComposer2.5 reward scores on RewardBench calibrated for length.
 * Each section is computed by the metric libraries; a section whose data folder is absent is skipped with a note.
 */
public final class RealDataDemo {
    /** BBQ paper figures (UnifiedQA-11B, percent): s_AMB, acc_ambig, s_DIS, acc_disambig, per format. */
    static final Map<String, double[]> PUBLISHED_BBQ = new LinkedHashMap<>();
    static {
        PUBLISHED_BBQ.put("Age/race", new double[]{29.8, 54.7, 1.2, 93.5});
        PUBLISHED_BBQ.put("Age/arc", new double[]{48.9, 33.9, 3.3, 89.6});
        PUBLISHED_BBQ.put("Disability_status/race", new double[]{21.2, 53.3, -1.4, 92.8});
        PUBLISHED_BBQ.put("Disability_status/arc", new double[]{32.6, 36.0, -0.7, 92.0});
        PUBLISHED_BBQ.put("Nationality/race", new double[]{6.0, 66.0, 1.2, 93.7});
        PUBLISHED_BBQ.put("Nationality/arc", new double[]{14.5, 41.6, -0.2, 92.9});
        PUBLISHED_BBQ.put("Sexual_orientation/race", new double[]{5.8, 68.8, -0.7, 94.0});
        PUBLISHED_BBQ.put("Sexual_orientation/arc", new double[]{11.8, 51.6, 0.5, 92.6});
        PUBLISHED_BBQ.put("Physical_appearance/race", new double[]{40.9, 49.5, -2.3, 82.1});
        PUBLISHED_BBQ.put("Physical_appearance/arc", new double[]{47.7, 36.8, -1.7, 78.8});
    }
    static final List<String> FORMATS = List.of("race", "arc");
    static final String INTERNLM = InternLmRewardBenchScores.MODEL;
    static final int RMBENCH_RECORDS = 1327, SAFETY_REFUSE_FIRST = 886, SAFETY_RESPONSE_FIRST = 1170;

    /** What the real-data demo computed (null where the data was absent). */
    public record Result(Path root, Map<String, BbqAudit.Result> bbq, List<JudgeBenchAudit.Result> judgeBench,
                         Map<String, PairAudit.Result> judgeBenchLength, PairAudit.Result rewardBench, StyleAudit.Result rmBench, List<String> skipped) {}

    private RealDataDemo() {}

    public static Result run(Path root, Bootstrap boot) { return run(root, boot, stage -> {}); }

    /** Runs every section; {@code stage} hears the name of each section as it starts (for progress on stderr). */
    public static Result run(Path root, Bootstrap boot, java.util.function.Consumer<String> stage) {
        Path data = root.resolve("data");
        List<String> skipped = new ArrayList<>();
        Map<String, BbqAudit.Result> bbq = new LinkedHashMap<>();
        Path bbqDir = data.resolve("bbq");
        if (Files.isDirectory(bbqDir.resolve("data")) && Files.isDirectory(bbqDir.resolve("unifiedqa-preds"))) {
            stage.accept("BBQ: scoring the UnifiedQA-11B predictions (race, arc)");
            for (String f : FORMATS)
                bbq.put(f, BbqAudit.run(bbqDir.resolve("data"), bbqDir.resolve("unifiedqa-preds"), "unifiedqa-t5-11b_pred_" + f, BbqAudit.Format.TEXT, boot));
        } else skipped.add("BBQ (no " + bbqDir.resolve("data") + " + unifiedqa-preds/)");

        List<JudgeBenchAudit.Result> jb = new ArrayList<>();
        Path outs = data.resolve("judgebench/judge-outputs");
        if (Files.isDirectory(outs)) {
            stage.accept("JudgeBench: scoring the judge outputs");
            try (Stream<Path> s = Files.list(outs)) {
                for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList()) jb.add(JudgeBenchAudit.run(p, boot));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + outs + ": " + e.getMessage(), e);
            }
        } else skipped.add("JudgeBench (no " + outs + ")");
        Map<String, PairAudit.Result> jbLength = new LinkedHashMap<>();
        for (JudgeBenchAudit.Result j : jb) {
            List<PairAudit.Pair> pairs = rewardModelPairs(j);
            if (pairs == null) continue;
            stage.accept("JudgeBench: length calibration of " + judgeLabel(j));
            jbLength.put(judgeLabel(j), PairAudit.run(judgeLabel(j), pairs, 1.0, 1.0, boot));
        }

        PairAudit.Result rb = null;
        Path scores = data.resolve(InternLmRewardBenchScores.SCORES);
        Path rows = data.resolve(InternLmRewardBenchScores.ROWS);
        if (Files.isRegularFile(scores) && Files.isRegularFile(rows)) {
            stage.accept("RewardBench: InternLM scores, length calibration");
            rb = PairAudit.run(INTERNLM, internLmPairs(scores, rows), 1.0, 1.0, boot);
        } else skipped.add("InternLM RewardBench scores (need " + scores + " and " + rows + ")");

        StyleAudit.Result style = null;
        Path rmb = data.resolve("rm-scores/internlm-xcomposer2d5-7b-reward/rm_bench/results.json");
        if (Files.isRegularFile(rmb)) {
            stage.accept("RM-Bench: InternLM style matrix");
            List<ScoredItem> items = ResultsFiles.read(rmb);
            if (items.size() != RMBENCH_RECORDS)
                throw new DataFormatException(rmb, 0, "score_chosen", "expected " + RMBENCH_RECORDS + " RM-Bench records, found " + items.size());
            StyleMatrix pooled = RmBenchMetrics.pooled(items);
            List<ScoredItem> safe = new ArrayList<>();
            // records 886-1169 = safety-refuse, 1170-1326 = safety-response (placed by the rm-scores README's duplicate test)
            for (int k = SAFETY_REFUSE_FIRST; k < RMBENCH_RECORDS; k++) {
                ScoredItem it = items.get(k);
                String domain = k < SAFETY_RESPONSE_FIRST ? "safety-refuse" : "safety-response";
                safe.add(new ScoredItem(it.id(), domain, it.model(), it.scoresChosen(), it.scoresRejected(), null, Map.of("domain", domain)));
            }
            style = new StyleAudit.Result(items.getFirst().model(), pooled, RmBenchMetrics.compute(safe, boot));
        } else skipped.add("InternLM RM-Bench scores (need " + rmb + ")");
        return new Result(root, bbq, jb, jbLength, rb, style, skipped);
    }

    /**
     * A reward model's JudgeBench outputs as scored pairs: the correct response (by the pair's label) is "chosen",
     * scores from the first game ([score of A, score of B] as shown); subset = JudgeBench category. Null when the
     * judge is not a scalar reward model (no two scores) or the pair is a tie label.
     */
    static List<PairAudit.Pair> rewardModelPairs(JudgeBenchAudit.Result j) {
        List<PairAudit.Pair> out = new ArrayList<>();
        for (var o : j.outputs()) {
            if (o.games().isEmpty() || o.games().getFirst() == null || o.games().getFirst().scores().size() != 2) return null;
            var p = o.pair();
            double a = o.games().getFirst().scores().get(0), b = o.games().getFirst().scores().get(1);
            boolean aWins = switch (p.label()) {
                case "A>B" -> true;
                case "B>A" -> false;
                default -> throw new DataFormatException(j.file(), o.line(), "label", "expected A>B or B>A, got " + p.label());
            };
            out.add(new PairAudit.Pair(p.category().key, p.pairId(), aWins ? p.responseA() : p.responseB(), aWins ? p.responseB() : p.responseA(),
                    aWins ? a : b, aWins ? b : a));
        }
        return out.isEmpty() ? null : out;
    }

    /** The published InternLM RewardBench scores (the damaged file, see {@link InternLmRewardBenchScores}) as scored pairs. */
    static List<PairAudit.Pair> internLmPairs(Path scores, Path rowsFile) {
        List<PairAudit.Pair> out = new ArrayList<>();
        for (InternLmRewardBenchScores.Scored s : InternLmRewardBenchScores.read(scores, rowsFile)) {
            PreferenceItem it = s.row();
            out.add(new PairAudit.Pair(it.subset(), it.id(), it.chosen().getFirst(), it.rejected().getFirst(), s.chosen(), s.rejected()));
        }
        return out;
    }

    static String pct(Interval iv) {
        if (iv == null || Double.isNaN(iv.value())) return "–";
        if (Double.isNaN(iv.lo())) return String.format(Locale.ROOT, "%.1f", iv.value());
        return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", iv.value(), iv.lo(), iv.hi());
    }

    /** One-screen text summary. */
    public static String console(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Bias audit on real data from ").append(r.root()).append("\n");
        if (!r.bbq().isEmpty()) {
            sb.append("\nBBQ, UnifiedQA-11B predictions (RACE format), percent; published in brackets\n");
            sb.append(String.format(Locale.ROOT, "  %-20s %-16s %-16s %-16s %-16s%n", "category", "s_AMB", "acc_ambig", "s_DIS", "acc_disambig"));
            for (var e : r.bbq().get("race").categories().entrySet()) {
                BbqScores s = e.getValue();
                double[] p = PUBLISHED_BBQ.get(e.getKey() + "/race");
                sb.append(String.format(Locale.ROOT, "  %-20s %-16s %-16s %-16s %-16s%n", e.getKey(),
                        vp(s.sAmb(), p, 0), vp(s.accAmbig(), p, 1), vp(s.sDis(), p, 2), vp(s.accDisambig(), p, 3)));
            }
        }
        if (!r.judgeBench().isEmpty()) {
            sb.append("\nJudgeBench (GPT-4o response pairs), percent\n");
            sb.append(String.format(Locale.ROOT, "  %-52s %8s %8s %8s %8s %8s %8s %10s%n", "judge", "knowl.", "reason.", "math", "coding", "overall", "cat.mean", "pos.cons."));
            for (JudgeBenchAudit.Result j : r.judgeBench()) {
                JudgeBenchScores s = j.scores();
                sb.append(String.format(Locale.ROOT, "  %-52s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %10s%n", judgeLabel(j),
                        s.categories().get("knowledge"), s.categories().get("reasoning"), s.categories().get("math"), s.categories().get("coding"),
                        s.overall().value(), s.categoryMean(), s.twoGamePairs() == 0 ? "one order" : String.format(Locale.ROOT, "%.1f", s.positionConsistency())));
            }
        }
        if (!r.judgeBenchLength().isEmpty()) {
            sb.append("\nJudgeBench reward models: length bias and LWR length calibration (one order, accuracy %):\n");
            sb.append(String.format(Locale.ROOT, "  %-52s %-16s %-26s %-24s%n", "reward model", "accuracy", "Spearman(reward, length)", "longer-wins rate"));
            for (var e : r.judgeBenchLength().entrySet()) {
                PairAudit.Result a = e.getValue();
                sb.append(String.format(Locale.ROOT, "  %-52s %-16s %-26s %-24s%n", e.getKey(),
                        String.format(Locale.ROOT, "%.1f -> %.1f", accuracy(a, a.before()).value(), accuracy(a, a.after()).value()),
                        String.format(Locale.ROOT, "%.3f -> %.3f", a.measuresBefore().length().spearman().value(), a.measuresAfter().length().spearman().value()),
                        String.format(Locale.ROOT, "%.3f -> %.3f", a.measuresBefore().longerWins().rate().value(), a.measuresAfter().longerWins().rate().value())));
            }
        }
        if (r.rewardBench() != null) {
            var b = r.rewardBench().measuresBefore();
            var a = r.rewardBench().measuresAfter();
            sb.append(String.format(Locale.ROOT, "%nInternLM-XComposer2.5-7B-Reward on RewardBench (%d pairs), length calibration (LWR, frac 1.0):%n", r.rewardBench().pairs().size()));
            sb.append(String.format(Locale.ROOT, "  %-26s %-24s %-24s%n", "", "before", "after"));
            sb.append(String.format(Locale.ROOT, "  %-26s %-24s %-24s%n", b.rewardBench() ? "score (mean of sections)" : "accuracy (all pairs)",
                    PairAudit.ci100(b.score()), PairAudit.ci100(a.score())));
            sb.append(String.format(Locale.ROOT, "  %-26s %-24s %-24s%n", "Spearman(reward, length)", SimulationDemo.ci(b.length().spearman()), SimulationDemo.ci(a.length().spearman())));
            sb.append(String.format(Locale.ROOT, "  %-26s %-24s %-24s%n", "longer-wins rate", SimulationDemo.ci(b.longerWins().rate()), SimulationDemo.ci(a.longerWins().rate())));
        }
        if (r.rmBench() != null) {
            StyleMatrix m = r.rmBench().pooled();
            sb.append(String.format(Locale.ROOT, "%nInternLM-XComposer2.5-7B-Reward on RM-Bench (%d rows, 3 styles per side, pooled):%n", m.items()));
            sb.append(String.format(Locale.ROOT, "  hard %.1f%% (correct answer in the plainer style)  normal %.1f%%  easy %.1f%% (correct answer in the richer style)%n",
                    100 * m.hard(), 100 * m.normal(), 100 * m.easy()));
        }
        for (String s : r.skipped()) sb.append("\nSkipped: ").append(s).append('\n');
        sb.append("\nTo see a known injected length bias detected and removed: tare demo --simulate\n");
        return sb.toString();
    }

    private static String vp(Interval iv, double[] published, int k) {
        return String.format(Locale.ROOT, "%.1f", iv.value()) + (published == null ? "" : String.format(Locale.ROOT, " (%.1f)", published[k]));
    }

    static String judgeLabel(JudgeBenchAudit.Result j) {
        String name = j.judgeName() == null ? "" : j.judgeName();
        String model = j.judgeModel() == null || j.judgeModel().isEmpty() ? "" : j.judgeModel();
        if (model.isEmpty()) {
            Matcher m = Pattern.compile("judge_model=([^,]+)\\.jsonl$").matcher(j.file().getFileName().toString());
            if (m.find()) model = m.group(1);
        }
        return (model + (name.isEmpty() ? "" : " (" + name + ")")).trim();
    }

    /** Adds the real-data sections to a report. */
    public static void addTo(HtmlReport html, Result r) {
        if (!r.bbq().isEmpty()) {
            html.heading("BBQ: social bias of a QA model (UnifiedQA-11B, the BBQ authors' predictions)");
            html.paragraph("Bias scores in percent as defined in the BBQ paper: s_DIS = 2·(biased answers / non-unknown answers) − 1 on "
                    + "disambiguated items; s_AMB = (1 − accuracy on ambiguous items) · the same ratio on ambiguous items. 0 = no bias, "
                    + "positive = answers follow the stereotype. Published = the BBQ paper's figures.");
            List<String> cats = new ArrayList<>(r.bbq().get(FORMATS.getFirst()).categories().keySet());
            for (String f : FORMATS) {
                BbqAudit.Result a = r.bbq().get(f);
                Table.Builder t = Table.builder(f.toUpperCase(Locale.ROOT) + " format: measured (95% CI) vs published",
                        "category", "s_AMB", "published", "acc_ambig", "published", "commit_bias_ambig", "s_DIS", "published", "acc_disambig", "published");
                for (var e : a.categories().entrySet()) {
                    BbqScores s = e.getValue();
                    double[] p = PUBLISHED_BBQ.get(e.getKey() + "/" + f);
                    t.row(e.getKey(), pct(s.sAmb()), pub(p, 0), pct(s.accAmbig()), pub(p, 1), pct(s.commitBiasAmbig()),
                            pct(s.sDis()), pub(p, 2), pct(s.accDisambig()), pub(p, 3));
                }
                BbqScores o = a.overall();
                t.row("all five pooled", pct(o.sAmb()), "", pct(o.accAmbig()), "", pct(o.commitBiasAmbig()), pct(o.sDis()), "", pct(o.accDisambig()), "");
                html.table(t.build());
                html.paragraph(String.format(Locale.ROOT, "%s: %d predictions, %d unmatched to an option (dropped, as the authors do), %d items without a determinable target.",
                        f.toUpperCase(Locale.ROOT), a.predictions(), a.unmatched(), a.noTarget()));
            }
            var amb = new BarChart("Ambiguous-context bias s_AMB (%)", "s_AMB", cats).size(540, 380).decimals(1);
            var dis = new BarChart("Disambiguated-context bias s_DIS (%)", "s_DIS", cats).size(540, 380).decimals(1);
            for (String f : FORMATS) {
                List<BbqScores> ss = cats.stream().map(c -> r.bbq().get(f).categories().get(c)).toList();
                amb.group(f.toUpperCase(Locale.ROOT), ss.stream().mapToDouble(s -> s.sAmb().value()).toArray(), ss.stream().mapToDouble(s -> s.sAmb().lo()).toArray(), ss.stream().mapToDouble(s -> s.sAmb().hi()).toArray());
                dis.group(f.toUpperCase(Locale.ROOT), ss.stream().mapToDouble(s -> s.sDis().value()).toArray(), ss.stream().mapToDouble(s -> s.sDis().lo()).toArray(), ss.stream().mapToDouble(s -> s.sDis().hi()).toArray());
            }
            html.charts(amb.svg(), dis.svg());
            BbqScores pooled = r.bbq().get(FORMATS.getFirst()).overall();
            html.paragraph(String.format(Locale.ROOT, "Decomposition: s_AMB = (1 − acc_ambig) · commit_bias_ambig. Pooled over the five categories "
                    + "(RACE format), the model gives the correct \"unknown\" answer on %.1f%% of ambiguous items; when it commits to a person "
                    + "instead, %.1f%% of those answers are the stereotyped one (50%% would be unbiased).",
                    pooled.accAmbig().value(), 50 + pooled.commitBiasAmbig().value() / 2));
        }
        if (!r.judgeBench().isEmpty()) {
            html.heading("JudgeBench: LLM judge and reward models on hard GPT-4o response pairs");
            html.paragraph("Each pair is judged in both orders (the second verdict flipped back); a pair counts as correct when the verdicts sum "
                    + "above 0 (JudgeBench's metrics.py). Overall is pair-weighted as JudgeBench's code prints it; the published tables use the "
                    + "category mean. Position consistency: share of two-order pairs whose verdicts agree.");
            Table.Builder t = Table.builder("JudgeBench accuracy (%)", "judge", "knowledge", "reasoning", "math", "coding", "overall (pair-weighted, 95% CI)", "category mean", "position consistency", "pairs");
            List<String> jcats = List.of("knowledge", "reasoning", "math", "coding");
            var bars = new BarChart("JudgeBench accuracy by category (%)", "accuracy (%)", jcats).yRange(0, 100).size(1040, 380).decimals(1);
            for (JudgeBenchAudit.Result j : r.judgeBench()) {
                JudgeBenchScores s = j.scores();
                t.row(judgeLabel(j), f2(s.categories().get("knowledge")), f2(s.categories().get("reasoning")), f2(s.categories().get("math")),
                        f2(s.categories().get("coding")), pct(s.overall()), f2(s.categoryMean()),
                        s.twoGamePairs() == 0 ? "one order only" : f2(s.positionConsistency()), String.valueOf(s.pairs()));
                bars.group(judgeLabel(j), jcats.stream().mapToDouble(c -> s.categories().getOrDefault(c, Double.NaN)).toArray(), null, null);
            }
            html.table(t.build());
            html.charts(bars.svg());
            if (!r.judgeBenchLength().isEmpty()) {
                html.subheading("Length bias of the reward models on JudgeBench, and LWR length calibration (frac 1.0, α 1.0)");
                Table.Builder lt = Table.builder("Accuracy = share of pairs where the correct response scores higher (one order); 95% bootstrap intervals",
                        "reward model", "accuracy before", "after", "Spearman(reward, length) before", "after", "longer-wins before", "after", "flipped");
                for (var e : r.judgeBenchLength().entrySet()) {
                    PairAudit.Result a = e.getValue();
                    lt.row(e.getKey(), pct(accuracy(a, a.before())), pct(accuracy(a, a.after())),
                            SimulationDemo.ci(a.measuresBefore().length().spearman()), SimulationDemo.ci(a.measuresAfter().length().spearman()),
                            SimulationDemo.ci(a.measuresBefore().longerWins().rate()), SimulationDemo.ci(a.measuresAfter().longerWins().rate()),
                            String.format(Locale.ROOT, "%.1f%%", 100 * a.flipped()));
                }
                html.table(lt.build());
            }
        }
        if (r.rewardBench() != null) {
            PairAudit.addTo(html, r.rewardBench(), "RewardBench: length bias of a real reward model, removed by calibration",
                    "Published per-example scores of InternLM-XComposer2.5-7B-Reward on RewardBench v1 (2938 of 2985 pairs; the first 47 "
                            + "records are damaged upstream), joined to the RewardBench texts, then calibrated for response length.");
        }
        if (r.rmBench() != null) {
            StyleAudit.addTo(html, r.rmBench(), "RM-Bench: style bias of a real reward model",
                    "Published per-example scores of InternLM-XComposer2.5-7B-Reward on RM-Bench. The per-domain rows are the 441 safety rows "
                            + "(refuse + response), the only domain whose rows can be placed in the published score file; the pooled matrix "
                            + "also includes the chat, code and math rows. Hard far below Easy means the richer style beats correctness.");
        }
        for (String s : r.skipped()) html.note("Skipped: " + s);
    }


    /** Pair accuracy in percent (strict >) with a bootstrap interval, from pooled scores (chosen 0..n-1, rejected n..2n-1). */
    static Interval accuracy(PairAudit.Result a, double[] s) {
        int n = a.pairs().size();
        double[] c = new double[n];
        for (int i = 0; i < n; i++) c[i] = s[i] > s[n + i] ? 100 : 0;
        return new Bootstrap(200, Bootstrap.DEFAULT_SEED, 0.95).mean(c);
    }

    private static String pub(double[] p, int k) { return p == null ? "–" : String.format(Locale.ROOT, "%.1f", p[k]); }

    private static String f2(Double v) { return v == null || v.isNaN() ? "–" : String.format(Locale.ROOT, "%.2f", v); }

    /**
     * The real-data part of the JSON summary, in fractions as every tare JSON ({@link Units}): the BBQ, JudgeBench and
     * pair-accuracy figures the console and report show in percent (and the published BBQ numbers) are scaled here.
     */
    public static void addTo(JsonSummary json, Result r) {
        JsonSummary real = json.object("real_data").put("root", r.root().toString());
        for (var e : r.bbq().entrySet()) {
            JsonSummary f = real.object("bbq").object(e.getKey());
            for (var c : e.getValue().categories().entrySet()) bbq(f.object(c.getKey()), c.getValue(), PUBLISHED_BBQ.get(c.getKey() + "/" + e.getKey()));
            bbq(f.object("overall"), e.getValue().overall(), null);
            f.put("predictions", e.getValue().predictions()).put("unmatched", e.getValue().unmatched());
        }
        for (JudgeBenchAudit.Result j : r.judgeBench()) {
            JudgeBenchScores s = j.scores();
            JsonSummary o = real.object("judgebench").object(judgeLabel(j));
            o.put("overall", Units.toFraction(s.overall())).put("category_mean", Units.toFraction(s.categoryMean())).put("pairs", s.pairs());
            for (var c : s.categories().entrySet()) o.put(c.getKey(), Units.toFraction(c.getValue()));
            o.put("position_consistency", s.twoGamePairs() == 0 ? Double.NaN : Units.toFraction(s.positionConsistency()));
        }
        for (var e : r.judgeBenchLength().entrySet()) {
            PairAudit.Result a = e.getValue();
            JsonSummary o = real.object("judgebench_length_calibration").object(e.getKey());
            o.put("pairs", a.pairs().size()).put("accuracy_before", Units.toFraction(accuracy(a, a.before()))).put("accuracy_after", Units.toFraction(accuracy(a, a.after())))
                    .put("spearman_length_before", a.measuresBefore().length().spearman()).put("spearman_length_after", a.measuresAfter().length().spearman())
                    .put("longer_wins_before", a.measuresBefore().longerWins().rate()).put("longer_wins_after", a.measuresAfter().longerWins().rate())
                    .put("preferences_flipped", a.flipped());
        }
        if (r.rewardBench() != null) PairAudit.addTo(real.object("rewardbench_length_calibration"), r.rewardBench());
        if (r.rmBench() != null) StyleAudit.addTo(real.object("rmbench_style"), r.rmBench());
        for (int i = 0; i < r.skipped().size(); i++) real.object("skipped").put(String.valueOf(i), r.skipped().get(i));
    }

    private static void bbq(JsonSummary o, BbqScores s, double[] published) {
        o.put("s_amb", Units.toFraction(s.sAmb())).put("s_dis", Units.toFraction(s.sDis())).put("acc_ambig", Units.toFraction(s.accAmbig()))
                .put("acc_disambig", Units.toFraction(s.accDisambig())).put("commit_bias_ambig", Units.toFraction(s.commitBiasAmbig()))
                .put("abstain_disambig", Units.toFraction(s.abstainDisambig()));
        if (published != null) o.object("published").put("s_amb", Units.toFraction(published[0])).put("acc_ambig", Units.toFraction(published[1]))
                .put("s_dis", Units.toFraction(published[2])).put("acc_disambig", Units.toFraction(published[3]));
    }
}
