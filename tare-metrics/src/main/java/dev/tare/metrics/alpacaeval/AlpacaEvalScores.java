package dev.tare.metrics.alpacaeval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * The AlpacaEval scores of several models against one baseline, the instruction difficulties their LC rests on (null
 * when they could not be estimated) and, then, why not. Rendered as a table or as JSON (every rate in percent).
 */
public record AlpacaEvalScores(List<AlpacaModelScores> models, InstructionDifficulty.Estimate difficulty, String lcUnavailable) {
    /** The JSON summary: per model win_rate, standard_error, lc_win_rate, lc_standard_error (percent) and details. */
    public ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put(dev.tare.metrics.Units.FIELD, dev.tare.metrics.Units.PERCENT);   // the one exception to tare's fractions: AlpacaEval's own unit
        var arr = root.putArray("models");
        for (AlpacaModelScores s : models) {
            ObjectNode m = arr.addObject();
            m.put("model", s.model());
            m.put("baseline", s.baseline());
            m.put("n", s.raw().nTotal());
            m.put("win_rate", s.raw().winRate());
            m.put("standard_error", s.raw().standardError());
            m.put("n_wins", s.raw().nWins());
            m.put("n_wins_base", s.raw().nWinsBase());
            m.put("n_draws", s.raw().nDraws());
            m.put("discrete_win_rate", s.raw().discreteWinRate());
            m.put("avg_length", s.avgLength());
            if (s.lc() != null) {
                m.put("lc_win_rate", s.lc().lcWinRate());
                m.put("lc_standard_error", s.lc().lcStandardError());
                m.put("lc_method", s.lc().method().label());
                m.put("lc_fitted_win_rate", s.fitted().lcWinRate());
                m.put("lc_fitted_standard_error", s.fitted().lcStandardError());
                ObjectNode w = m.putObject("glm_fitted");
                w.put("length", s.fitted().length());
                w.put("instruction_difficulty", s.fitted().difficulty());
                w.put("model", s.fitted().model());
            } else {
                m.putNull("lc_win_rate");
                m.putNull("lc_standard_error");
            }
            if (s.published() != null) {
                ObjectNode p = m.putObject("published");
                p.put("win_rate", s.published().winRate());
                p.put("standard_error", s.published().standardError());
                if (!Double.isNaN(s.published().lcWinRate())) p.put("lc_win_rate", s.published().lcWinRate());
            }
        }
        if (difficulty != null) {
            ObjectNode d = root.putObject("instruction_difficulty");
            d.put("instructions", difficulty.instructions().size());
            var from = d.putArray("from_models");
            difficulty.fromModels().forEach(from::add);
            d.put("ridge", InstructionDifficulty.RIDGE);
            d.put("calibration_models", difficulty.calibrationModels());
            d.put("calibration_rmse", difficulty.calibrationRmse());
            d.put("shift", difficulty.shift());
            d.put("scale", difficulty.scale());
        } else root.put("lc_unavailable", lcUnavailable);
        return root;
    }

    /** A plain-text table: model, n, win rate ± se, LC ± se, LC method, refit LC, published LC. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int w = Math.max(5, models.stream().mapToInt(m -> m.model().length()).max().orElse(5));
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %5s %15s %15s %-17s %8s %9s%n", "model", "n", "win rate ± se", "LC ± se",
                "LC from", "LC refit", "published"));
        for (AlpacaModelScores s : models) {
            String lc = s.lc() == null ? "—" : String.format(Locale.ROOT, "%.2f ± %.2f", s.lc().lcWinRate(), s.lc().lcStandardError());
            String refit = s.fitted() == null ? "—" : String.format(Locale.ROOT, "%.2f", s.fitted().lcWinRate());
            String pub = s.published() == null || Double.isNaN(s.published().lcWinRate()) ? "—"
                    : String.format(Locale.ROOT, "%.2f", s.published().lcWinRate());
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %5d %15s %15s %-17s %8s %9s%n", s.model(), s.raw().nTotal(),
                    String.format(Locale.ROOT, "%.2f ± %.2f", s.raw().winRate(), s.raw().standardError()), lc,
                    s.lc() == null ? "—" : s.lc().method().label(), refit, pub));
        }
        sb.append("baseline: ").append(models.getFirst().baseline()).append("; rates in percent; LC at equal length (AlpacaEval length_controlled_v1)\n");
        if (difficulty != null)
            sb.append(String.format(Locale.ROOT, "instruction difficulties: joint fit over %d models, calibrated on %d published fits (LC rmse %.2f points)%n",
                    difficulty.fromModels().size(), difficulty.calibrationModels(), difficulty.calibrationRmse()));
        else sb.append("LC not computed: ").append(lcUnavailable).append('\n');
        return sb.toString();
    }
}
