package dev.tare.eval.objectives;

import dev.tare.core.Progress;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.eval.lora.LoraSweep;
import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.model.ObjectiveScores;
import dev.tare.scorers.ObjectiveScorer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objective re-weighting sweep on RM-Bench for a gated multi-objective model (ArmoRM): every response is run once
 * ({@link ObjectiveScorer#explain}), and each λ re-weights one objective's contribution to weight 1 + λ (λ = 0 is the
 * model as published, λ = −1 removes the objective); λ is chosen on a seeded selection split by the same
 * {@link LambdaSweep.Rule} as the LoRA sweep (default: maximise Hard subject to ≤ 1 point of Normal lost against λ = 0)
 * and every λ is reported on the held-out part.
 */
public final class ObjectiveSweep {
    private ObjectiveSweep() {}

    /** What to sweep: the objective, the λ grid (must include 0), the rule, the split share and seed, and an optional item cap. */
    public record Settings(String objective, List<Double> lambdas, LambdaSweep.Rule rule, double selection, long seed, Integer maxItems) {
        public Settings {
            if (objective == null || objective.isBlank()) throw new IllegalArgumentException("--objective NAME is required");
            if (lambdas == null || !lambdas.contains(0.0)) throw new IllegalArgumentException("the lambdas must include 0 (the model as published, the rule's reference)");
            for (double l : lambdas) if (!Double.isFinite(l)) throw new IllegalArgumentException("lambda must be finite, got " + l);
            if (rule == null) throw new IllegalArgumentException("rule is required");
            if (rule.reference() == LambdaSweep.Reference.BASE)
                throw new IllegalArgumentException("--reference base: the objective sweep's lambda 0 is the base model itself; use lambda0");
            if (maxItems != null && maxItems < 1) throw new IllegalArgumentException("max items must be >= 1, got " + maxItems);
            lambdas = lambdas.stream().distinct().sorted().toList();
        }
    }

    /**
     * Runs the sweep over RM-Bench {@code items} with {@code scorer}; writes {@code results-lambda=X.jsonl} into
     * {@code resultsDir} unless it is null. The outcome's base rows are the λ = 0 rows (the model as published).
     */
    public static LoraSweep.Outcome run(ObjectiveScorer scorer, List<PreferenceItem> items, Settings s, Path resultsDir, Progress progress) {
        List<String> names = scorer.objectiveNames();
        if (names.isEmpty()) throw new IllegalArgumentException(scorer.name() + " has no objectives: --objective needs a gated multi-objective model "
                + "(LlamaForRewardModelWithGating, e.g. ArmoRM)");
        int target = names.indexOf(s.objective());
        if (target < 0) throw new IllegalArgumentException("--objective " + s.objective() + " is not an objective of " + scorer.name() + ": " + names);
        List<PreferenceItem> chosen = LoraSweep.subset(items, s.maxItems(), s.seed());
        LambdaSweep.Split split = LambdaSweep.split(chosen.stream().map(LoraSweep::key).toList(), s.selection(), s.seed());
        long t0 = System.nanoTime();
        progress.setTotal(chosen.size());
        List<ObjectiveScores[]> breakdowns = new ArrayList<>(chosen.size());
        int per = Math.max(1, scorer.preferredBatchSize() / 6 + 1);
        for (int from = 0; from < chosen.size(); from += per) {
            List<PreferenceItem> batch = chosen.subList(from, Math.min(chosen.size(), from + per));
            List<List<Message>> convs = new ArrayList<>();
            for (PreferenceItem it : batch) {
                if (it.chosen().size() != 3 || it.rejected().size() != 3)
                    throw new IllegalArgumentException("item " + LoraSweep.key(it) + ": RM-Bench items need 3 chosen and 3 rejected responses, got "
                            + it.chosen().size() + " and " + it.rejected().size());
                for (String c : it.chosen()) convs.add(it.conversation(c));
                for (String r : it.rejected()) convs.add(it.conversation(r));
            }
            List<ObjectiveScores> o = scorer.explain(convs);
            for (int k = 0; k < batch.size(); k++) breakdowns.add(o.subList(6 * k, 6 * k + 6).toArray(ObjectiveScores[]::new));
            progress.advance(batch.size());
        }
        Map<Double, List<ScoredItem>> byLambda = new TreeMap<>();
        for (double lambda : s.lambdas()) {
            double[] w = new double[names.size()];
            java.util.Arrays.fill(w, 1.0);
            w[target] = 1 + lambda;
            List<ScoredItem> scored = new ArrayList<>(chosen.size());
            for (int i = 0; i < chosen.size(); i++) {
                PreferenceItem it = chosen.get(i);
                ObjectiveScores[] b = breakdowns.get(i);
                List<Double> ch = new ArrayList<>(3), rj = new ArrayList<>(3);
                for (int j = 0; j < 3; j++) {
                    ch.add(b[j].reweighted(w));
                    rj.add(b[3 + j].reweighted(w));
                }
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("domain", it.meta().get("domain"));
                extra.put("objective", s.objective());
                extra.put("lambda", lambda);
                scored.add(new ScoredItem(it.id(), it.subset(), scorer.name(), ch, rj, null, extra));
            }
            byLambda.put(lambda, scored);
            if (resultsDir != null) ResultsWriter.writeAll(resultsDir.resolve("results-lambda=" + LoraSweep.fmt(lambda) + ".jsonl"), scored);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Bootstrap point = new Bootstrap(1, s.seed(), 0.95);
        List<ScoredItem> base = byLambda.get(0.0);
        LambdaSweep.Result res = LambdaSweep.run(byLambda, base, LoraSweep::key, split, its -> LoraSweep.metrics(RmBenchMetrics.compute(its, point)), s.rule());
        return new LoraSweep.Outcome(chosen, split, Collections.unmodifiableMap(byLambda), base, false, res, seconds);
    }
}
