package dev.tare.debias.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.bias.BiasDiagnostics;
import dev.tare.bias.Feature;
import dev.tare.data.rewardbench.RewardBenchSubsets;
import dev.tare.metrics.rewardbench.RewardBenchMetrics;
import dev.tare.metrics.rewardbench.RewardBenchScores;
import dev.tare.metrics.rewardbench.SubsetScore;
import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Re-scores a set of per-example results with post-hoc calibration over all responses pooled, and compares before
 * and after: benchmark metrics (RewardBench sections/subsets, RM-Bench hard/normal/easy per domain, or plain pair
 * accuracy), the share of flipped preferences, reward-feature correlations and the longer-wins rate (95% CIs).
 */
public final class CalibrationRun {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private CalibrationRun() {}

    /** Which metric family scores the items. */
    public enum Kind {
        REWARDBENCH, RM_BENCH, PAIRS;

        public String cliName() { return this == RM_BENCH ? "rm-bench" : name().toLowerCase(Locale.ROOT); }

        /** rm-bench when every item has 3 + 3 scores and a domain, rewardbench when all pairs are in its subsets, else pairs. */
        public static Kind detect(List<ScoredItem> items) {
            boolean rm = items.stream().allMatch(i -> i.scoresChosen().size() == 3 && i.scoresRejected().size() == 3 && i.domain() != null);
            if (rm) return RM_BENCH;
            boolean pairs = items.stream().allMatch(i -> i.scoresChosen().size() == 1 && i.scoresRejected().size() == 1);
            if (pairs && items.stream().allMatch(i -> RewardBenchSubsets.EXAMPLE_COUNTS.containsKey(i.subset())
                    || RewardBenchSubsets.PRIOR_SETS.contains(i.subset()))) return REWARDBENCH;
            return PAIRS;
        }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.cliName().equalsIgnoreCase(s) || k.name().equalsIgnoreCase(s)) return k;
            throw new IllegalArgumentException("unknown benchmark '" + s + "' (expected rewardbench, rm-bench or pairs)");
        }
    }

    /** Response texts of one item, in score order. */
    public record Texts(List<String> chosen, List<String> rejected) {}

    /** Calibrated items (same order), the fitted steps and the JSON summary. */
    public record Outcome(List<ScoredItem> calibrated, List<Calibrator> steps, ObjectNode summary) {}

    /** Every response pooled (item k's chosen then rejected), its text and the feature values by name. */
    private record Prepared(ResponsePool pool, List<String> txt, Map<String, double[]> features) {}

    private static Prepared prepare(List<ScoredItem> items, Function<ScoredItem, Texts> texts, List<Feature> features,
                                    ToIntFunction<String> tokenizer) {
        if (items.isEmpty()) throw new IllegalArgumentException("no items to calibrate");
        if (features.isEmpty()) throw new IllegalArgumentException("no feature given");
        List<Double> sc = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        List<Boolean> side = new ArrayList<>();
        List<String> txt = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) {
            ScoredItem it = items.get(k);
            Texts t = texts.apply(it);
            if (t.chosen().size() != it.scoresChosen().size() || t.rejected().size() != it.scoresRejected().size())
                throw new IllegalArgumentException("item " + it.key() + ": " + t.chosen().size() + "+" + t.rejected().size()
                        + " texts for " + it.scoresChosen().size() + "+" + it.scoresRejected().size() + " scores");
            for (int j = 0; j < it.scoresChosen().size(); j++) { sc.add(it.scoresChosen().get(j)); owner.add(k); side.add(true); txt.add(t.chosen().get(j)); }
            for (int j = 0; j < it.scoresRejected().size(); j++) { sc.add(it.scoresRejected().get(j)); owner.add(k); side.add(false); txt.add(t.rejected().get(j)); }
        }
        int n = sc.size();
        double[] scores = new double[n];
        int[] item = new int[n];
        boolean[] chosen = new boolean[n];
        for (int i = 0; i < n; i++) { scores[i] = sc.get(i); item[i] = owner.get(i); chosen[i] = side.get(i); }
        Map<String, double[]> featureValues = new LinkedHashMap<>();
        for (Feature f : features) {
            if (featureValues.containsKey(f.cliName())) continue;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = f.of(txt.get(i), tokenizer);
            featureValues.put(f.cliName(), v);
        }
        return new Prepared(new ResponsePool(scores, item, chosen), txt, featureValues);
    }

    /** One method on every feature, in order (the {@code --method/--feature} form). */
    public static Outcome run(List<ScoredItem> items, Function<ScoredItem, Texts> texts, Kind kind, Method method,
                              List<Feature> features, CalibrationSettings settings, ToIntFunction<String> tokenizer,
                              Bootstrap boot) {
        if (features.isEmpty()) throw new IllegalArgumentException("no feature given");
        List<RewardCalibration.Step> steps = new ArrayList<>();
        for (Feature f : features) steps.add(new RewardCalibration.Step(method, f.cliName()));
        return fit(items, texts, kind, steps, settings, tokenizer, boot);
    }

    /** Fits the chain of steps on all items and reports before/after on them (in-sample). */
    public static Outcome fit(List<ScoredItem> items, Function<ScoredItem, Texts> texts, Kind kind, List<RewardCalibration.Step> chain,
                              CalibrationSettings settings, ToIntFunction<String> tokenizer, Bootstrap boot) {
        if (chain.isEmpty()) throw new IllegalArgumentException("no calibration step given");
        Prepared p = prepare(items, texts, featuresOf(chain.stream().map(RewardCalibration.Step::feature).toList()), tokenizer);
        RewardCalibration.Result res = RewardCalibration.calibrate(chain, p.pool(), p.features(), settings);
        ObjectNode summary = header(kind, res.steps(), p);
        summary.set("settings", MAPPER.valueToTree(settings));
        List<ScoredItem> out = report(summary, kind, items, p, res.scores(), tag(res.steps()), boot);
        return new Outcome(out, res.steps(), summary);
    }

    /**
     * Applies saved steps (no refit) to items, e.g. held-out results, and reports before/after exactly as a fit does.
     * Each response gets {@link CalibratorFile#apply}: the fitted curve, interpolated between and held constant
     * outside its points (so RC-Mean re-scores every response here, unlike its in-sample per-item window rule).
     */
    public static Outcome apply(List<ScoredItem> items, Function<ScoredItem, Texts> texts, Kind kind, List<Calibrator> steps,
                                ToIntFunction<String> tokenizer, Bootstrap boot) {
        if (steps.isEmpty()) throw new IllegalArgumentException("the calibrator has no steps");
        Prepared p = prepare(items, texts, featuresOf(steps.stream().map(Calibrator::feature).toList()), tokenizer);
        double[] raw = p.pool().scores(), scores = new double[raw.length];
        Map<String, Double> fv = new LinkedHashMap<>();
        for (int i = 0; i < raw.length; i++) {
            for (var e : p.features().entrySet()) fv.put(e.getKey(), e.getValue()[i]);
            scores[i] = CalibratorFile.apply(steps, fv, raw[i]);
        }
        ObjectNode summary = header(kind, steps, p);
        summary.put("applied", true);
        List<ScoredItem> out = report(summary, kind, items, p, scores, tag(steps), boot);
        return new Outcome(out, steps, summary);
    }

    /**
     * Out-of-sample check: splits the items (seeded, whole items, stratified by domain/subset so each subset keeps
     * its share), fits on the fit part and applies the fitted steps unchanged to the held-out part. The summary is
     * the fit part's (as {@link #fit}) plus {@code "holdout"} with the same before/after report on the held-out
     * items; the calibrated list keeps the input order, each item tagged {@code split: fit|holdout}.
     */
    public static Outcome fitWithHoldout(List<ScoredItem> items, Function<ScoredItem, Texts> texts, Kind kind,
                                         List<RewardCalibration.Step> chain, CalibrationSettings settings,
                                         ToIntFunction<String> tokenizer, Bootstrap boot, double fraction, long seed) {
        boolean[] held = holdoutSplit(items, fraction, seed);
        List<ScoredItem> fitItems = new ArrayList<>(), heldItems = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) (held[i] ? heldItems : fitItems).add(items.get(i));
        Outcome fitted = fit(fitItems, texts, kind, chain, settings, tokenizer, boot);
        Outcome applied = apply(heldItems, texts, kind, fitted.steps(), tokenizer, boot);
        ObjectNode summary = fitted.summary();
        summary.put("split", "fit");
        ObjectNode h = MAPPER.createObjectNode();
        h.put("fraction", fraction);
        h.put("seed", seed);
        h.put("stratified_by", "domain/subset");
        for (String k : List.of("items", "responses", "metrics", "flipped", "correlations", "longer_wins"))
            h.set(k, applied.summary().get(k));
        summary.set("holdout", h);
        List<ScoredItem> out = new ArrayList<>(items.size());
        int f = 0, g = 0;
        for (int i = 0; i < items.size(); i++) {
            ScoredItem it = held[i] ? applied.calibrated().get(g++) : fitted.calibrated().get(f++);
            Map<String, Object> extra = new LinkedHashMap<>(it.extra());
            extra.put("split", held[i] ? "holdout" : "fit");
            out.add(new ScoredItem(it.id(), it.subset(), it.model(), it.scoresChosen(), it.scoresRejected(), it.results(), extra));
        }
        return new Outcome(List.copyOf(out), fitted.steps(), summary);
    }

    /**
     * Which items are held out: within each (domain, subset) group, in file order, a seeded shuffle
     * ({@code java.util.Random(seed)}, Fisher-Yates, groups in first-seen order) and the first
     * round(fraction · size) are held out. Both parts must be non-empty.
     */
    public static boolean[] holdoutSplit(List<ScoredItem> items, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("holdout fraction must be in (0, 1), got " + fraction);
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            ScoredItem it = items.get(i);
            groups.computeIfAbsent(it.domain() + "\u0000" + it.subset(), k -> new ArrayList<>()).add(i);
        }
        java.util.Random rnd = new java.util.Random(seed);
        boolean[] held = new boolean[items.size()];
        int count = 0;
        for (List<Integer> g : groups.values()) {
            Integer[] idx = g.toArray(new Integer[0]);
            for (int i = idx.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                Integer t = idx[i]; idx[i] = idx[j]; idx[j] = t;
            }
            int take = (int) Math.round(fraction * idx.length);
            for (int i = 0; i < take; i++) { held[idx[i]] = true; count++; }
        }
        if (count == 0 || count == items.size())
            throw new IllegalArgumentException("holdout fraction " + fraction + " of " + items.size() + " items leaves "
                    + (count == 0 ? "nothing held out" : "nothing to fit on"));
        return held;
    }

    /** The summary's first fields: benchmark, method, steps and features. */
    private static ObjectNode header(Kind kind, List<Calibrator> steps, Prepared p) {
        ObjectNode summary = MAPPER.createObjectNode();
        summary.put("benchmark", kind.cliName());
        summary.put("method", methodName(steps));
        summary.set("steps", stepsJson(steps));
        ArrayNode fa = summary.putArray("features");
        p.features().keySet().forEach(fa::add);
        return summary;
    }

    /** Re-scored items plus the shared before/after report (metrics, flips, correlations, longer-wins) into summary. */
    private static List<ScoredItem> report(ObjectNode summary, Kind kind, List<ScoredItem> items, Prepared p,
                                           double[] after, String tag, Bootstrap boot) {
        List<ScoredItem> out = new ArrayList<>(items.size());
        int r = 0;
        for (ScoredItem it : items) {
            List<Double> c = new ArrayList<>(), j = new ArrayList<>();
            for (int x = 0; x < it.scoresChosen().size(); x++) c.add(after[r++]);
            for (int x = 0; x < it.scoresRejected().size(); x++) j.add(after[r++]);
            Map<String, Object> extra = new LinkedHashMap<>(it.extra());
            extra.put("calibration", tag);
            extra.put("raw_scores_chosen", it.scoresChosen());
            extra.put("raw_scores_rejected", it.scoresRejected());
            Double result = null;  // RM-Bench items carry none
            if (c.size() == 1 && j.size() == 1) result = ScoredItem.pairResult(c.get(0), j.get(0));
            else if (it.results() != null) result = ScoredItem.bestOfNResult(c, j);
            out.add(new ScoredItem(it.id(), it.subset(), it.model(), c, j, result, extra));
        }
        double[] before = p.pool().scores();
        summary.put("items", items.size());
        summary.put("responses", before.length);
        ObjectNode metrics = summary.putObject("metrics");
        metrics.set("before", metrics(kind, items, boot));
        metrics.set("after", metrics(kind, out, boot));
        summary.set("flipped", flips(kind, items, out));
        ObjectNode corr = summary.putObject("correlations");
        corr.set("before", correlations(p.features(), before, p.pool().item(), boot));
        corr.set("after", correlations(p.features(), after, p.pool().item(), boot));
        ObjectNode lw = summary.putObject("longer_wins");
        double[] chars = p.features().containsKey("chars") ? p.features().get("chars") : charLengths(p.txt());
        lw.set("before", longerWins(items, chars, before, boot));
        lw.set("after", longerWins(items, chars, after, boot));
        return List.copyOf(out);
    }

    private static List<Feature> featuresOf(List<String> names) {
        List<Feature> out = new ArrayList<>();
        for (String n : names) { Feature f = Feature.parse(n); if (!out.contains(f)) out.add(f); }
        return out;
    }

    /** The method when all steps share one, else the methods joined by "+" in order ("penalty+lwr"). */
    static String methodName(List<Calibrator> steps) {
        List<String> ms = steps.stream().map(c -> c.method().cliName()).toList();
        return ms.stream().distinct().count() == 1 ? ms.get(0) : String.join("+", ms);
    }

    /** "lwr(chars,markdown)" for one method, else "penalty(chars)+lwr(chars)". */
    static String tag(List<Calibrator> steps) {
        if (steps.stream().map(Calibrator::method).distinct().count() == 1)
            return steps.get(0).method().cliName() + "(" + String.join(",", steps.stream().map(Calibrator::feature).toList()) + ")";
        return String.join("+", steps.stream().map(c -> c.method().cliName() + "(" + c.feature() + ")").toList());
    }

    private static ArrayNode stepsJson(List<Calibrator> steps) {
        ArrayNode a = MAPPER.createArrayNode();
        for (Calibrator c : steps) a.addObject().put("method", c.method().cliName()).put("feature", c.feature());
        return a;
    }

    private static double[] charLengths(List<String> txt) {
        double[] v = new double[txt.size()];
        for (int i = 0; i < v.length; i++) v[i] = Feature.CHARS.of(txt.get(i));
        return v;
    }

    static ObjectNode metrics(Kind kind, List<ScoredItem> items, Bootstrap boot) {
        ObjectNode o = MAPPER.createObjectNode();
        switch (kind) {
            case REWARDBENCH -> {
                RewardBenchScores rep = RewardBenchMetrics.compute(items, boot);
                o.set("score", ci(rep.score()));
                o.put("score_label", rep.scoreLabel());
                o.put("partial", rep.partial());
                ObjectNode sec = o.putObject("sections");
                for (String k : RewardBenchSubsets.SECTIONS) {
                    var v = rep.sections().get(k);
                    if (v == null) sec.putNull(k); else sec.set(k, ci(v));   // null: no items in the section (n/a, not 0)
                }
                ObjectNode sub = o.putObject("subsets");
                for (SubsetScore s : rep.subsets()) sub.set(s.subset(), ci(s.score()));
                if (!rep.missingSubsets().isEmpty()) {
                    ArrayNode m = o.putArray("missing_subsets");
                    rep.missingSubsets().forEach(m::add);
                }
            }
            case RM_BENCH -> {
                RmBenchScores rep = RmBenchMetrics.compute(items, boot);
                o.set("score", ci(rep.score()));
                o.set("hard", ci(rep.hard()));
                o.set("normal", ci(rep.normal()));
                o.set("easy", ci(rep.easy()));
                o.put("complete", rep.complete());
                if (rep.pooled()) o.put("pooled", true);   // no domain on the items: one pooled set, as compute_accuracy
                ObjectNode dom = o.putObject("domains");
                for (RmBenchScores.Domain d : rep.domains()) {
                    ObjectNode x = dom.putObject(d.name());
                    x.put("items", d.items());
                    x.set("score", ci(d.score()));
                    x.set("hard", ci(d.hard()));
                    x.set("normal", ci(d.normal()));
                    x.set("easy", ci(d.easy()));
                }
            }
            case PAIRS -> {
                double[] correct = new double[items.size()];
                for (int i = 0; i < correct.length; i++) correct[i] = RewardBenchMetrics.outcome(items.get(i));
                o.set("score", ci(boot.mean(correct)));
            }
        }
        return o;
    }

    /** Pairs: items whose outcome flipped; multi-response items: chosen-vs-rejected comparisons whose order flipped. */
    static ObjectNode flips(Kind kind, List<ScoredItem> before, List<ScoredItem> after) {
        long total = 0, gained = 0, lost = 0;
        for (int k = 0; k < before.size(); k++) {
            ScoredItem b = before.get(k), a = after.get(k);
            for (int i = 0; i < b.scoresChosen().size(); i++)
                for (int j = 0; j < b.scoresRejected().size(); j++) {
                    boolean wb = b.scoresChosen().get(i) > b.scoresRejected().get(j);
                    boolean wa = a.scoresChosen().get(i) > a.scoresRejected().get(j);
                    total++;
                    if (!wb && wa) gained++;
                    if (wb && !wa) lost++;
                }
        }
        ObjectNode o = MAPPER.createObjectNode();
        o.put("unit", kind == Kind.RM_BENCH ? "chosen-vs-rejected comparisons (9 per item)" : "pairs");
        o.put("compared", total);
        o.put("flipped", gained + lost);
        o.put("share", total == 0 ? Double.NaN : (gained + lost) / (double) total);
        o.put("now_correct", gained);
        o.put("now_wrong", lost);
        return o;
    }

    /** Feature correlations; the CIs resample items ({@code item[i]} owns response i), keeping each item's responses together. */
    static ArrayNode correlations(Map<String, double[]> features, double[] scores, int[] item, Bootstrap boot) {
        ArrayNode arr = MAPPER.createArrayNode();
        for (var e : features.entrySet()) {
            var fc = BiasDiagnostics.correlation(e.getKey(), e.getValue(), scores, item, boot);
            ObjectNode o = arr.addObject();
            o.put("feature", fc.feature());
            o.put("n", fc.n());
            o.set("spearman", ci(fc.spearman()));
            o.set("kendall_tau_b", ci(fc.kendall()));
        }
        return arr;
    }

    /** Longer-wins on the chosen[i] vs rejected[i] pairs of each item (same style for RM-Bench). */
    static ObjectNode longerWins(List<ScoredItem> items, double[] chars, double[] scores, Bootstrap boot) {
        List<double[]> rows = new ArrayList<>();
        int r = 0;
        for (int k = 0; k < items.size(); k++) {
            ScoredItem it = items.get(k);
            int nc = it.scoresChosen().size(), nr = it.scoresRejected().size();
            for (int i = 0; i < Math.min(nc, nr); i++)
                rows.add(new double[]{chars[r + i], chars[r + nc + i], scores[r + i], scores[r + nc + i], k});
            r += nc + nr;
        }
        int m = rows.size();
        double[] cl = new double[m], rl = new double[m], cs = new double[m], rs = new double[m];
        int[] item = new int[m];
        for (int i = 0; i < m; i++) { double[] x = rows.get(i); cl[i] = x[0]; rl[i] = x[1]; cs[i] = x[2]; rs[i] = x[3]; item[i] = (int) x[4]; }
        var lw = BiasDiagnostics.longerWins(cl, rl, cs, rs, item, boot);   // an item's style pairs are resampled together
        ObjectNode o = MAPPER.createObjectNode();
        o.put("pairs", lw.pairs());
        o.put("different_length", lw.eligible());
        o.set("rate", ci(lw.rate()));
        return o;
    }

    static JsonNode ci(Interval i) { return IntervalJson.CALIBRATION.node(i); }
}
