package dev.tare.cli.alpacaeval;

import dev.tare.core.Progress;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.data.alpacaeval.AlpacaAnnotation;
import dev.tare.debias.alpacaeval.ModelRewards;
import dev.tare.eval.EvalRunner;
import dev.tare.eval.JudgeItemScorer;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges AlpacaEval answers with a generative pairwise judge: each model's answer against the reference (baseline)
 * answer of its own annotation, for the same instruction, in both orders, through tare eval's {@link JudgeItemScorer}
 * (the model's answer as "chosen", the reference as "rejected"), so the orders combine exactly as tare combines pairs:
 * +1 per order (or vote) for the model, −1 for the reference, 0 for a tie or no verdict. A pair whose verdict is "none"
 * in both orders is recorded as NaN (no verdict). Batches of the scorer's preferred size, with a progress bar on stderr.
 */
final class JudgeScoring {
    private JudgeScoring() {}

    /**
     * Per model, aligned to the first run's instruction order: the combined verdict (NaN: no verdict in either order), the
     * answer lengths (code points), the GPT-4 judge's preference and the LC win rate.
     */
    static List<ModelRewards> score(JudgeItemScorer scorer, List<List<AlpacaAnnotation>> runs, Map<String, Double> lcByModel) {
        List<AlpacaAnnotation> first = runs.getFirst();
        int n = first.size();
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < n; i++) at.put(first.get(i).instruction(), i);
        List<PreferenceItem> items = new ArrayList<>();
        for (int m = 0; m < runs.size(); m++) {
            List<AlpacaAnnotation> run = runs.get(m);
            if (run.size() != n) throw new IllegalArgumentException(run.getFirst().generator2() + " has " + run.size() + " pairs, " + first.getFirst().generator2() + " has " + n);
            for (AlpacaAnnotation a : run) {
                Integer i = at.get(a.instruction());
                if (i == null) throw new IllegalArgumentException(a.generator2() + ": instruction not in " + first.getFirst().generator2() + "'s set");
                if (!a.generator1().equals(first.getFirst().generator1()))
                    throw new IllegalArgumentException(a.generator2() + " is judged against " + a.generator1() + ", not " + first.getFirst().generator1());
                items.add(new PreferenceItem(m + ":" + i, a.generator2(), List.of(Message.user(a.instruction())), List.of(a.output2()),
                        List.of(a.output1()), Map.of()));
            }
        }
        List<ScoredItem> scored;
        try (Progress bar = Progress.stderr("judging answers", items.size())) {
            scored = EvalRunner.score(items, scorer, EvalRunner.Options.defaults(), bar);   // batches of the scorer's preferred size
        }
        List<ModelRewards> models = new ArrayList<>();
        int k = 0;
        for (List<AlpacaAnnotation> run : runs) {
            double[] verdict = new double[n], judge = new double[n];
            int[] l = new int[n];
            for (AlpacaAnnotation a : run) {
                int i = at.get(a.instruction());
                ScoredItem it = scored.get(k++);
                boolean none = "none".equals(it.extraText("verdict_chosen_first")) && "none".equals(it.extraText("verdict_chosen_second"));
                verdict[i] = none ? Double.NaN : it.chosen() - it.rejected();
                l[i] = a.output2().codePointCount(0, a.output2().length());
                judge[i] = a.modelWinProbability();
            }
            String model = run.getFirst().generator2();
            models.add(new ModelRewards(model, verdict, l, judge, lcByModel.getOrDefault(model, Double.NaN)));
        }
        return models;
    }
}
