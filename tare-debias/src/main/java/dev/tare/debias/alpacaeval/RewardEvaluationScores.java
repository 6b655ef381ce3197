package dev.tare.debias.alpacaeval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;

import java.util.List;
import java.util.Locale;

/**
 * A reward model as an AlpacaEval evaluator, raw and LOWESS-calibrated on length: per-model reward win rates and judge
 * agreement, and the rank agreement of both with the judge's LC leaderboard. Percent throughout; correlations as
 * fractions in [−1, 1].
 */
public record RewardEvaluationScores(String scorer, Calibrator calibrator, List<ModelEvaluation> models,
                                     RankAgreement raw, RankAgreement calibrated) {
    /** The JSON form (intervals as IntervalJson.SUMMARY). */
    public ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("scorer", scorer);
        root.put("calibration", "lowess of reward on length (code points) over all answers, " + calibrator.params());
        var arr = root.putArray("models");
        IntervalJson j = IntervalJson.SUMMARY;
        for (ModelEvaluation m : models) {
            ObjectNode o = arr.addObject();
            o.put("model", m.model());
            o.set("reward_win_rate", j.node(m.rawWinRate()));
            o.set("calibrated_reward_win_rate", j.node(m.calibratedWinRate()));
            o.set("judge_agreement", j.node(m.rawAgreement()));
            o.set("calibrated_judge_agreement", j.node(m.calibratedAgreement()));
            if (Double.isNaN(m.lcWinRate())) o.putNull("lc_win_rate");
            else o.put("lc_win_rate", m.lcWinRate());
        }
        for (var e : List.of(java.util.Map.entry("rank_vs_lc", raw), java.util.Map.entry("calibrated_rank_vs_lc", calibrated))) {
            ObjectNode o = root.putObject(e.getKey());
            o.put("models", e.getValue().models());
            o.set("spearman", j.node(e.getValue().spearman()));
            o.set("kendall_tau_b", j.node(e.getValue().kendall()));
        }
        return root;
    }

    /** A plain-text table. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(5, models.stream().mapToInt(m -> m.model().length()).max().orElse(5));
        sb.append("reward model ").append(scorer).append(" as evaluator (reward win rate vs the reference; agreement with the judge):\n");
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %22s %22s %22s %22s %7s%n", "model", "RM win rate", "calibrated", "agreement", "calibrated", "LC"));
        for (ModelEvaluation m : models)
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %22s %22s %22s %22s %7s%n", m.model(), iv(m.rawWinRate()), iv(m.calibratedWinRate()),
                    iv(m.rawAgreement()), iv(m.calibratedAgreement()), Double.isNaN(m.lcWinRate()) ? "—" : String.format(Locale.ROOT, "%.2f", m.lcWinRate())));
        for (var r : List.of(java.util.Map.entry("raw", raw), java.util.Map.entry("calibrated", calibrated)))
            sb.append(String.format(Locale.ROOT, "ranking vs LC (%s, %d models): Spearman %s, Kendall %s%n", r.getKey(), r.getValue().models(),
                    corr(r.getValue().spearman()), corr(r.getValue().kendall())));
        return sb.toString();
    }

    private static String iv(Interval i) {
        if (i == null || Double.isNaN(i.value())) return "—";
        return Double.isNaN(i.lo()) ? String.format(Locale.ROOT, "%.2f", i.value())
                : String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", i.value(), i.lo(), i.hi());
    }

    private static String corr(Interval i) {
        if (i == null || Double.isNaN(i.value())) return "n/a (needs 3 models with LC)";
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", i.value(), i.lo(), i.hi());
    }
}
