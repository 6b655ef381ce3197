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
 * fractions in [−1, 1]. For a generative pairwise judge ({@link RewardEvaluation#evaluateJudge}) {@code calibrator} and
 * {@code calibrated} are null: there is no length calibration, and the JSON and table say so.
 */
public record RewardEvaluationScores(String scorer, Calibrator calibrator, List<ModelEvaluation> models,
                                     RankAgreement raw, RankAgreement calibrated) {
    /** What the judge form's JSON and table say about calibration. */
    public static final String NO_CALIBRATION = "none: length calibration applies to scalar rewards, not to a pairwise judge's verdicts";

    /** Whether this is a generative pairwise judge's evaluation (no calibration). */
    public boolean judge() { return calibrator == null; }

    /** The JSON form (intervals as IntervalJson.SUMMARY). */
    public ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("scorer", scorer);
        IntervalJson j = IntervalJson.SUMMARY;
        if (judge()) {
            root.put("evaluator", "pairwise judge");
            root.put("combination", "model answer vs reference answer in both orders; +1 per order for the model, -1 for the reference, "
                    + "0 tie or no verdict; sum > 0 win, < 0 loss, 0 tie (1/2); no verdict in either order: excluded and counted");
            root.put("calibration", NO_CALIBRATION);
            var arr = root.putArray("models");
            for (ModelEvaluation m : models) {
                ObjectNode o = arr.addObject();
                o.put("model", m.model());
                o.set("judge_win_rate", j.node(m.rawWinRate()));
                o.set("judge_agreement", j.node(m.rawAgreement()));
                o.put("pairs", m.pairs());
                o.put("pairs_without_verdict", m.withoutVerdict());
                if (Double.isNaN(m.lcWinRate())) o.putNull("lc_win_rate");
                else o.put("lc_win_rate", m.lcWinRate());
            }
            rank(root.putObject("rank_vs_lc"), raw, j);
            return root;
        }
        root.put("calibration", "lowess of reward on length (code points) over all answers, " + calibrator.params());
        var arr = root.putArray("models");
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
        rank(root.putObject("rank_vs_lc"), raw, j);
        rank(root.putObject("calibrated_rank_vs_lc"), calibrated, j);
        return root;
    }

    private static void rank(ObjectNode o, RankAgreement r, IntervalJson j) {
        o.put("models", r.models());
        o.set("spearman", j.node(r.spearman()));
        o.set("kendall_tau_b", j.node(r.kendall()));
    }

    /** A plain-text table. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(5, models.stream().mapToInt(m -> m.model().length()).max().orElse(5));
        if (judge()) {
            sb.append("pairwise judge ").append(scorer).append(" as evaluator (win rate vs the reference, both orders; agreement with the GPT-4 judge);\n")
                    .append("no length calibration (it applies to scalar rewards):\n");
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %22s %22s %10s %7s%n", "model", "judge win rate", "agreement", "no verdict", "LC"));
            for (ModelEvaluation m : models)
                sb.append(String.format(Locale.ROOT, "%-" + w + "s %22s %22s %10s %7s%n", m.model(), iv(m.rawWinRate()), iv(m.rawAgreement()),
                        m.withoutVerdict() + "/" + m.pairs(), lc(m)));
            sb.append(String.format(Locale.ROOT, "ranking vs LC (%d models): Spearman %s, Kendall %s%n", raw.models(), corr(raw.spearman()), corr(raw.kendall())));
            return sb.toString();
        }
        sb.append("reward model ").append(scorer).append(" as evaluator (reward win rate vs the reference; agreement with the judge):\n");
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %22s %22s %22s %22s %7s%n", "model", "RM win rate", "calibrated", "agreement", "calibrated", "LC"));
        for (ModelEvaluation m : models)
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %22s %22s %22s %22s %7s%n", m.model(), iv(m.rawWinRate()), iv(m.calibratedWinRate()),
                    iv(m.rawAgreement()), iv(m.calibratedAgreement()), lc(m)));
        for (var r : List.of(java.util.Map.entry("raw", raw), java.util.Map.entry("calibrated", calibrated)))
            sb.append(String.format(Locale.ROOT, "ranking vs LC (%s, %d models): Spearman %s, Kendall %s%n", r.getKey(), r.getValue().models(),
                    corr(r.getValue().spearman()), corr(r.getValue().kendall())));
        return sb.toString();
    }

    private static String lc(ModelEvaluation m) {
        return Double.isNaN(m.lcWinRate()) ? "—" : String.format(Locale.ROOT, "%.2f", m.lcWinRate());
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
