package dev.tare.debias.calibration;

import dev.tare.bias.Feature;
import dev.tare.data.rewardbench.RewardBenchSubsets;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.audit.AuditPlan;
import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.audit.BiasAudit;
import dev.tare.debias.audit.Calibration;
import dev.tare.debias.audit.Layout;
import dev.tare.debias.audit.Pairing;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * {@code tare calibrate}'s runs: re-scores a set of per-example results with post-hoc calibration over all responses
 * pooled (a {@link BiasAudit} with the chain's features correlated and the longer-wins rate on same-index pairs), and
 * returns that audit with the calibrated items to write, fitted in-sample, applied from saved steps, or fitted on
 * part of the items and applied to the held-out rest.
 */
public final class CalibrationRun {
    private CalibrationRun() {}

    /** Which metric family scores the items. */
    public enum Kind {
        REWARDBENCH(BenchmarkScoring.REWARDBENCH), RM_BENCH(BenchmarkScoring.RM_BENCH), PAIRS(BenchmarkScoring.PAIRS);

        private final BenchmarkScoring scoring;

        Kind(BenchmarkScoring scoring) { this.scoring = scoring; }

        public String cliName() { return this == RM_BENCH ? "rm-bench" : name().toLowerCase(Locale.ROOT); }

        /** The benchmark's scoring. */
        public BenchmarkScoring scoring() { return scoring; }

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

    /**
     * A calibration run: the audit of the items it fitted (or applied saved steps to), the calibrated items in input
     * order (tagged with the calibration and their raw scores, plus {@code split} with a holdout), and the held-out
     * part's audit when one was asked for.
     */
    public record Outcome(Kind kind, AuditResult audit, List<ScoredItem> calibrated, Holdout holdout) {
        public Outcome { calibrated = List.copyOf(calibrated); }

        /** The fitted or applied steps. */
        public List<Calibrator> steps() { return audit.steps(); }

        /** Whether saved steps were applied (no fit). */
        public boolean applied() { return audit.plan().calibration() instanceof Calibration.Apply; }

        /** The fit's settings (null when saved steps were applied). */
        public CalibrationSettings settings() {
            return audit.plan().calibration() instanceof Calibration.Fit f ? f.settings().getFirst() : null;
        }
    }

    /** The held-out part of a run: its share and split seed, and the audit of the fitted steps applied to it. */
    public record Holdout(double fraction, long seed, AuditResult audit) {}

    /** One method on every feature, in order (the {@code --method/--feature} form). */
    public static Outcome run(List<ScoredItem> items, Function<ScoredItem, AuditInput.Texts> texts, Kind kind, Method method,
                              List<Feature> features, CalibrationSettings settings, ToIntFunction<String> tokenizer,
                              Bootstrap boot) {
        if (features.isEmpty()) throw new IllegalArgumentException("no feature given");
        List<RewardCalibration.Step> steps = new ArrayList<>();
        for (Feature f : features) steps.add(new RewardCalibration.Step(method, f.cliName()));
        return fit(items, texts, kind, steps, settings, tokenizer, boot);
    }

    /** Fits the chain of steps on all items and reports before/after on them (in-sample). */
    public static Outcome fit(List<ScoredItem> items, Function<ScoredItem, AuditInput.Texts> texts, Kind kind, List<RewardCalibration.Step> chain,
                              CalibrationSettings settings, ToIntFunction<String> tokenizer, Bootstrap boot) {
        return run(items, texts, kind, Calibration.Fit.of(chain, settings), tokenizer, boot);
    }

    /**
     * Applies saved steps (no refit) to items, e.g. held-out results, and reports before/after exactly as a fit does.
     * Each response gets {@link CalibratorFile#apply}: the fitted curve, interpolated between and held constant
     * outside its points (so RC-Mean re-scores every response here, unlike its in-sample per-item window rule).
     */
    public static Outcome apply(List<ScoredItem> items, Function<ScoredItem, AuditInput.Texts> texts, Kind kind, List<Calibrator> steps,
                                ToIntFunction<String> tokenizer, Bootstrap boot) {
        return run(items, texts, kind, new Calibration.Apply(steps), tokenizer, boot);
    }

    /**
     * Out-of-sample check: splits the items (seeded, whole items, stratified by domain/subset so each subset keeps
     * its share), fits on the fit part and applies the fitted steps unchanged to the held-out part. The outcome's
     * audit is the fit part's (as {@link #fit}), its holdout the held-out part's; the calibrated list keeps the input
     * order, each item tagged {@code split: fit|holdout}.
     */
    public static Outcome fitWithHoldout(List<ScoredItem> items, Function<ScoredItem, AuditInput.Texts> texts, Kind kind,
                                         List<RewardCalibration.Step> chain, CalibrationSettings settings,
                                         ToIntFunction<String> tokenizer, Bootstrap boot, double fraction, long seed) {
        boolean[] held = holdoutSplit(items, fraction, seed);
        List<ScoredItem> fitItems = new ArrayList<>(), heldItems = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) (held[i] ? heldItems : fitItems).add(items.get(i));
        Outcome fitted = fit(fitItems, texts, kind, chain, settings, tokenizer, boot);
        Outcome applied = apply(heldItems, texts, kind, fitted.steps(), tokenizer, boot);
        List<ScoredItem> out = new ArrayList<>(items.size());
        int f = 0, g = 0;
        for (int i = 0; i < items.size(); i++) {
            ScoredItem it = held[i] ? applied.calibrated().get(g++) : fitted.calibrated().get(f++);
            Map<String, Object> extra = new LinkedHashMap<>(it.extra());
            extra.put("split", held[i] ? "holdout" : "fit");
            out.add(new ScoredItem(it.id(), it.subset(), it.model(), it.scoresChosen(), it.scoresRejected(), it.results(), extra));
        }
        return new Outcome(kind, fitted.audit(), out, new Holdout(fraction, seed, applied.audit()));
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

    /** The audit of one calibration of the items, and the calibrated items tagged with it. */
    private static Outcome run(List<ScoredItem> items, Function<ScoredItem, AuditInput.Texts> texts, Kind kind, Calibration calibration,
                               ToIntFunction<String> tokenizer, Bootstrap boot) {
        List<Feature> features = featuresOf(calibration.features());
        if (items.isEmpty()) throw new IllegalArgumentException("no items to calibrate");
        List<Feature> computed = new ArrayList<>(features);
        if (!computed.contains(Feature.CHARS)) computed.add(Feature.CHARS);   // the longer-wins rate reads lengths
        AuditInput in = AuditInput.of(items, k -> texts.apply(items.get(k)), Layout.ITEM_MAJOR, computed, tokenizer);
        AuditPlan plan = new AuditPlan(kind.scoring(), calibration, features.stream().map(Feature::cliName).toList(),
                List.of(Feature.CHARS.cliName()), Pairing.SAME_INDEX);
        AuditResult audit = BiasAudit.run(in, plan, boot);
        String tag = tag(audit.steps());
        List<ScoredItem> out = new ArrayList<>(items.size());
        for (int k = 0; k < items.size(); k++) {
            ScoredItem it = items.get(k), a = audit.after().items().get(k);
            Map<String, Object> extra = new LinkedHashMap<>(it.extra());
            extra.put("calibration", tag);
            extra.put("raw_scores_chosen", it.scoresChosen());
            extra.put("raw_scores_rejected", it.scoresRejected());
            out.add(new ScoredItem(a.id(), a.subset(), a.model(), a.scoresChosen(), a.scoresRejected(), a.results(), extra));
        }
        return new Outcome(kind, audit, out, null);
    }

    /** The features the steps name, each once, in step order. */
    public static List<Feature> featuresOf(List<String> names) {
        List<Feature> out = new ArrayList<>();
        for (String n : names) { Feature f = Feature.parse(n); if (!out.contains(f)) out.add(f); }
        return out;
    }

    /** The method when all steps share one, else the methods joined by "+" in order ("penalty+lwr"). */
    public static String methodName(List<Calibrator> steps) {
        List<String> ms = steps.stream().map(c -> c.method().cliName()).toList();
        return ms.stream().distinct().count() == 1 ? ms.get(0) : String.join("+", ms);
    }

    /** "lwr(chars,markdown)" for one method, else "penalty(chars)+lwr(chars)". */
    static String tag(List<Calibrator> steps) {
        if (steps.stream().map(Calibrator::method).distinct().count() == 1)
            return steps.get(0).method().cliName() + "(" + String.join(",", steps.stream().map(Calibrator::feature).toList()) + ")";
        return String.join("+", steps.stream().map(c -> c.method().cliName() + "(" + c.feature() + ")").toList());
    }
}
