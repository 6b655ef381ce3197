package dev.tare.eval;

import dev.tare.bias.BiasDiagnostics;
import dev.tare.bias.Feature;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.audit.AuditResult;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-objective part of an eval's audit for a multi-objective model: which objectives drive the rewards
 * ({@link ObjectiveExplanation}) and, for the top ones, how each objective's contribution (reward × coefficient)
 * correlates with response length and markdown over all responses (Spearman and Kendall, bootstrap CIs resampling items,
 * as the reward's own audit).
 */
public record ObjectiveAudit(ObjectiveExplanation explanation, List<Row> rows) {
    /** How many objectives (by mean |coefficient|) get correlations: each costs two bootstrapped rank correlations per feature. */
    public static final int CORRELATED = 5;

    /** One objective's contribution vs the length and markdown features. */
    public record Row(String objective, BiasDiagnostics.FeatureCorrelation chars, BiasDiagnostics.FeatureCorrelation markdown) {}

    public ObjectiveAudit {
        rows = List.copyOf(rows);
    }

    /**
     * The audit of {@code r}'s results (read from {@code file}), or empty when they carry no objective breakdowns. The
     * items of {@code r} must be the lines of {@code file} in order (as {@link EvalSummary#analyze} pools them).
     */
    public static Optional<ObjectiveAudit> of(Path file, AuditResult r, Bootstrap boot) {
        AuditInput in = r.input();
        List<ScoredItem> items = in.items();
        if (items.isEmpty() || ObjectiveColumns.names(file, items.getFirst()) == null) return Optional.empty();
        List<String> names = ObjectiveColumns.names(file, items.getFirst());
        int n = names.size();
        ObjectiveExplanation ex = ObjectiveExplanation.of(file, items, Math.min(CORRELATED, n));
        double[][] contrib = new double[n][in.responses()];
        for (int k = 0; k < items.size(); k++) {
            ObjectiveColumns.Item o = ObjectiveColumns.read(file, items.get(k), n);
            if (o == null) throw new dev.tare.data.DataFormatException(file, k + 1, ObjectiveColumns.FIELD, "item " + items.get(k).key()
                    + " has no objective breakdown while the first line has one");
            int[] c = in.chosenAt(k), j = in.rejectedAt(k);
            for (int a = 0; a < c.length; a++) for (int i = 0; i < n; i++) contrib[i][c[a]] = o.chosen().get(a).contribution(i);
            for (int a = 0; a < j.length; a++) for (int i = 0; i < n; i++) contrib[i][j[a]] = o.rejected().get(a).contribution(i);
        }
        String chars = Feature.CHARS.cliName(), md = Feature.MARKDOWN.cliName();
        List<Row> rows = new ArrayList<>();
        for (ObjectiveExplanation.Row e : ex.rows()) {
            int i = names.indexOf(e.objective());
            rows.add(new Row(e.objective(), BiasDiagnostics.correlation(chars, in.feature(chars), contrib[i], in.pool().item(), boot),
                    BiasDiagnostics.correlation(md, in.feature(md), contrib[i], in.pool().item(), boot)));
        }
        return Optional.of(new ObjectiveAudit(ex, rows));
    }
}
