package dev.tare.cli.calibrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.bias.BiasDiagnostics;
import dev.tare.data.rewardbench.RewardBenchSubsets;
import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.calibration.CalibrationRun;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.metrics.BenchmarkScores;
import dev.tare.metrics.rewardbench.PairsScores;
import dev.tare.metrics.rewardbench.RewardBenchScores;
import dev.tare.metrics.rewardbench.SubsetScore;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link CalibrationRun.Outcome}: {@code tare calibrate}'s summary.json (intervals in the
 * {@link IntervalJson#CALIBRATION} form) and its before/after table on stdout. Over 150 lines: one renderer for the
 * fit, held-out and --apply outcomes of every benchmark kind, JSON and table side by side so they cannot drift.
 */
final class CalibrationSummary {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private CalibrationSummary() {}

    // ---- summary.json ----------------------------------------------------------------------------------------------

    /**
     * The summary: {@code "units": "fraction"} (every score, rate and share in [0, 1]), benchmark, method, steps, features,
     * fit settings (or applied), the report, and the held-out part.
     */
    static ObjectNode json(CalibrationRun.Outcome o) {
        ObjectNode s = dev.tare.metrics.Units.fraction(MAPPER.createObjectNode());
        s.put("benchmark", o.kind().cliName());
        s.put("method", CalibrationRun.methodName(o.steps()));
        ArrayNode steps = s.putArray("steps");
        for (Calibrator c : o.steps()) steps.addObject().put("method", c.method().cliName()).put("feature", c.feature());
        s.set("features", features(o.audit()));
        if (o.applied()) s.put("applied", true);
        else s.set("settings", MAPPER.valueToTree(o.settings()));
        report(s, o.kind(), o.audit());
        if (o.holdout() != null) {
            s.put("split", "fit");
            ObjectNode h = s.putObject("holdout");
            h.put("fraction", o.holdout().fraction());
            h.put("seed", o.holdout().seed());
            h.put("stratified_by", "domain/subset");
            report(h, o.kind(), o.holdout().audit());
        }
        return s;
    }

    /** The calibration's features, as a JSON array of names. */
    private static ArrayNode features(AuditResult a) {
        ArrayNode fa = MAPPER.createArrayNode();
        a.plan().correlate().forEach(fa::add);
        return fa;
    }

    /** Items, responses, metrics, flips, correlations and longer-wins, before and after. */
    private static void report(ObjectNode s, CalibrationRun.Kind kind, AuditResult a) {
        s.put("items", a.items());
        s.put("responses", a.responses());
        ObjectNode metrics = s.putObject("metrics");
        metrics.set("before", metrics(a.before().scores()));
        metrics.set("after", metrics(a.after().scores()));
        ObjectNode f = s.putObject("flipped");
        f.put("unit", unit(kind));
        f.put("compared", a.flips().compared());
        f.put("flipped", a.flips().flipped());
        f.put("share", a.flips().share());
        f.put("now_correct", a.flips().nowCorrect());
        f.put("now_wrong", a.flips().nowWrong());
        ObjectNode corr = s.putObject("correlations");
        corr.set("before", correlations(a.before()));
        corr.set("after", correlations(a.after()));
        ObjectNode lw = s.putObject("longer_wins");
        lw.set("before", longerWins(a.before()));
        lw.set("after", longerWins(a.after()));
    }

    /** Pairs: items whose outcome flipped; RM-Bench: chosen-vs-rejected comparisons whose order flipped. */
    private static String unit(CalibrationRun.Kind kind) {
        return kind == CalibrationRun.Kind.RM_BENCH ? "chosen-vs-rejected comparisons (9 per item)" : "pairs";
    }

    private static JsonNode ci(Interval i) { return IntervalJson.CALIBRATION.node(i); }

    /** The benchmark's figures as calibrate shows them: score and sections / subsets, or hard / normal / easy per domain. */
    static ObjectNode metrics(BenchmarkScores scores) {
        ObjectNode o = MAPPER.createObjectNode();
        o.set("score", ci(scores.score()));
        switch (scores) {
            case RewardBenchScores rep -> {
                o.put("score_label", rep.scoreLabel());
                o.put("partial", rep.partial());
                ObjectNode sec = o.putObject("sections");
                for (String k : RewardBenchSubsets.SECTIONS) sec.set(k, ci(rep.sections().get(k)));   // null: no items in the section (n/a, not 0)
                ObjectNode sub = o.putObject("subsets");
                for (SubsetScore x : rep.subsets()) sub.set(x.subset(), ci(x.score()));
                if (!rep.missingSubsets().isEmpty()) {
                    ArrayNode m = o.putArray("missing_subsets");
                    rep.missingSubsets().forEach(m::add);
                }
            }
            case RmBenchScores rep -> {
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
            case PairsScores ignored -> { }   // the accuracy over all pairs only
            default -> throw new IllegalArgumentException("calibrate does not report " + scores.getClass().getSimpleName());
        }
        return o;
    }

    private static ArrayNode correlations(AuditResult.Side side) {
        ArrayNode arr = MAPPER.createArrayNode();
        for (BiasDiagnostics.FeatureCorrelation fc : side.correlations()) {
            ObjectNode o = arr.addObject();
            o.put("feature", fc.feature());
            o.put("n", fc.n());
            o.set("spearman", ci(fc.spearman()));
            o.set("kendall_tau_b", ci(fc.kendall()));
        }
        return arr;
    }

    private static ObjectNode longerWins(AuditResult.Side side) {
        BiasDiagnostics.LongerWins lw = side.wins("chars");
        ObjectNode o = MAPPER.createObjectNode();
        o.put("pairs", lw.pairs());
        o.put("different_length", lw.eligible());
        o.set("rate", ci(lw.rate()));
        return o;
    }

    // ---- the table on stdout ---------------------------------------------------------------------------------------

    /** The before/after table; {@code calibratorFile} names the applied calibrator (null for a fit). */
    static void print(PrintWriter w, CalibrationRun.Outcome o, String calibratorFile) {
        String method = CalibrationRun.methodName(o.steps());
        String what = method.contains("+") ? steps(o.steps()) : features(o.audit()).toString();
        w.printf("%s calibration (%s) on %s: %d items, %d responses%s%n", method, what, o.kind().cliName(),
                o.audit().items(), o.audit().responses(),
                calibratorFile != null ? " (applied " + calibratorFile + ", no refit)" : o.holdout() != null ? " (fit part)" : "");
        printReport(w, o.kind(), o.audit());
        var h = o.holdout();
        if (h != null) {
            w.printf("held-out part (fraction %s, seed %d, per domain/subset): %d items, %d responses, calibrator applied without refit%n",
                    String.valueOf(h.fraction()), h.seed(), h.audit().items(), h.audit().responses());
            printReport(w, o.kind(), h.audit());
        }
    }

    private static String steps(List<Calibrator> steps) {
        List<String> out = new ArrayList<>();
        for (Calibrator c : steps) out.add(c.method().cliName() + ":" + c.feature());
        return String.join(", ", out);
    }

    private static void printReport(PrintWriter w, CalibrationRun.Kind kind, AuditResult a) {
        w.printf("%-28s %22s %22s %8s%n", "metric", "before", "after", "delta");
        BenchmarkScores b = a.before().scores(), af = a.after().scores();
        row(w, b instanceof RewardBenchScores rb && rb.partial() ? "score (" + rb.scoreLabel() + ")" : "score", b.score(), af.score());
        for (var e : groups(b).entrySet()) row(w, "  " + e.getKey(), e.getValue(), groups(af).get(e.getKey()));
        if (b instanceof RmBenchScores rb && af instanceof RmBenchScores ra) {
            row(w, "hard", rb.hard(), ra.hard());
            row(w, "normal", rb.normal(), ra.normal());
            row(w, "easy", rb.easy(), ra.easy());
        }
        if (b instanceof RewardBenchScores rb && af instanceof RewardBenchScores ra) {
            Map<String, Interval> after = new LinkedHashMap<>();
            for (SubsetScore x : ra.subsets()) after.put(x.subset(), x.score());
            for (SubsetScore x : rb.subsets()) row(w, "    " + x.subset(), x.score(), after.get(x.subset()));
        }
        var f = a.flips();
        w.printf("flipped: %d of %d %s (%.2f%%): %d now correct, %d now wrong%n", f.flipped(), f.compared(),
                unit(kind), 100 * f.share(), f.nowCorrect(), f.nowWrong());
        for (int i = 0; i < a.before().correlations().size(); i++) {
            var cb = a.before().correlations().get(i);
            var ca = a.after().correlations().get(i);
            w.printf("corr(reward, %s): spearman %s -> %s; kendall tau-b %s -> %s%n", cb.feature(),
                    fmt(cb.spearman(), 1), fmt(ca.spearman(), 1), fmt(cb.kendall(), 1), fmt(ca.kendall(), 1));
        }
        var lb = a.before().wins("chars");
        var la = a.after().wins("chars");
        w.printf("longer response wins: %s -> %s (%d pairs of different length)%n", fmt(lb.rate(), 100), fmt(la.rate(), 100), lb.eligible());
    }

    /** The named groups a table shows under the score: RewardBench's sections (null: no items) or RM-Bench's domain scores. */
    private static Map<String, Interval> groups(BenchmarkScores s) {
        Map<String, Interval> g = new LinkedHashMap<>();
        if (s instanceof RewardBenchScores rb) for (String k : RewardBenchSubsets.SECTIONS) g.put(k, rb.sections().get(k));
        if (s instanceof RmBenchScores rm) for (RmBenchScores.Domain d : rm.domains()) g.put(d.name(), d.score());
        return g;
    }

    private static void row(PrintWriter w, String name, Interval before, Interval after) {
        if (before == null) {   // a section without items
            w.printf("%-28s %22s %22s%n", name, "n/a", "n/a");
            return;
        }
        double d = 100 * (after.value() - before.value());
        w.printf("%-28s %22s %22s %+8.2f%n", name, fmt(before, 100), fmt(after, 100), d);
    }

    private static String fmt(Interval ci, double k) {
        double v = ci.value() * k, lo = ci.lo() * k, hi = ci.hi() * k;
        String p = k == 1 ? "%.3f" : "%.2f";
        return Double.isNaN(lo) ? String.format(p, v) : String.format(p + " [" + p + ", " + p + "]", v, lo, hi);
    }
}
