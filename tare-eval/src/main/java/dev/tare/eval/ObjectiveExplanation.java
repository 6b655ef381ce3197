package dev.tare.eval;

import dev.tare.data.DataFormatException;
import dev.tare.runtime.model.ObjectiveScores;
import dev.tare.results.ScoredItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which objectives drive a gated multi-objective model's rewards over a results file: per objective the mean
 * coefficient (gating @ transformᵀ), mean objective reward, mean contribution (reward · coefficient, the terms that
 * sum to the score), the chosen-minus-rejected gap of that contribution, and how often the objective is among a
 * response's top K by |coefficient| (ArmoRM's explanation). Rows are ranked by mean |coefficient|.
 */
public record ObjectiveExplanation(int responses, int topK, List<Row> rows) {
    /** One objective's averages over every response (gap: mean over chosen responses minus mean over rejected ones). */
    public record Row(String objective, double meanCoefficient, double meanReward, double meanContribution,
                      double contributionGap, double topKShare) {}

    public ObjectiveExplanation {
        rows = List.copyOf(rows);
    }

    /**
     * The explanation of the lines of {@code file} that carry breakdowns ({@link ObjectiveColumns}); an error when none
     * does (the run was not made with a gated multi-objective model) or when the lines disagree on the objectives.
     */
    public static ObjectiveExplanation of(Path file, List<ScoredItem> items, int topK) {
        if (topK < 1) throw new IllegalArgumentException("--explain K needs K ≥ 1, got " + topK);
        List<String> names = null;
        int n = 0, nc = 0, nr = 0, responses = 0;
        double[] coef = null, rew = null, contrib = null, chosenC = null, rejectedC = null, top = null;
        for (ScoredItem it : items) {
            List<String> nm = ObjectiveColumns.names(file, it);
            if (nm == null) continue;
            if (names == null) {
                names = nm;
                n = nm.size();
                coef = new double[n]; rew = new double[n]; contrib = new double[n]; chosenC = new double[n]; rejectedC = new double[n]; top = new double[n];
            } else if (!names.equals(nm)) {
                throw new DataFormatException(file, 0, ObjectiveColumns.NAMES, "item " + it.key() + " names objectives " + nm + ", earlier items " + names);
            }
            ObjectiveColumns.Item o = ObjectiveColumns.read(file, it, n);
            if (o == null) throw new DataFormatException(file, 0, ObjectiveColumns.FIELD, "item " + it.key() + " has objective names but no breakdown");
            for (int side = 0; side < 2; side++) {
                for (ObjectiveScores s : side == 0 ? o.chosen() : o.rejected()) {
                    float[] c = s.coefficients(), r = s.rewards();
                    for (int i = 0; i < n; i++) {
                        coef[i] += c[i];
                        rew[i] += r[i];
                        contrib[i] += s.contribution(i);
                        (side == 0 ? chosenC : rejectedC)[i] += s.contribution(i);
                    }
                    for (int i : s.topByCoefficient(topK)) top[i]++;
                    responses++;
                    if (side == 0) nc++; else nr++;
                }
            }
        }
        if (names == null)
            throw new IllegalArgumentException(file + ": no line carries per-objective breakdowns (" + ObjectiveColumns.FIELD
                    + "); --explain needs a gated multi-objective model such as ArmoRM (LlamaForRewardModelWithGating)");
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double gap = (nc == 0 ? 0 : chosenC[i] / nc) - (nr == 0 ? 0 : rejectedC[i] / nr);
            rows.add(new Row(names.get(i), coef[i] / responses, rew[i] / responses, contrib[i] / responses, nc == 0 || nr == 0 ? Double.NaN : gap,
                    top[i] / responses));
        }
        rows.sort(Comparator.comparingDouble((Row r) -> -Math.abs(r.meanCoefficient())));
        return new ObjectiveExplanation(responses, topK, rows.subList(0, Math.min(topK, n)));
    }

    /** A fixed-width text table (top K rows). */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "top %d objectives by mean |coefficient| over %d responses%n", topK, responses));
        sb.append(String.format(Locale.ROOT, "%-38s %11s %11s %13s %12s %9s%n", "objective", "coefficient", "reward", "contribution",
                "chosen-rej", "in top-" + topK));
        for (Row r : rows)
            sb.append(String.format(Locale.ROOT, "%-38s %11.4f %11.4f %13.4f %12.4f %8.1f%%%n", r.objective(), r.meanCoefficient(),
                    r.meanReward(), r.meanContribution(), r.contributionGap(), 100 * r.topKShare()));
        return sb.toString();
    }
}
