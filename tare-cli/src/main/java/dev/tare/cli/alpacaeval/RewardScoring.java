package dev.tare.cli.alpacaeval;

import dev.tare.core.Progress;
import dev.tare.data.Message;
import dev.tare.data.alpacaeval.AlpacaAnnotation;
import dev.tare.debias.alpacaeval.ModelRewards;
import dev.tare.scorers.RewardScorer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores AlpacaEval answers with a reward model: the reference (baseline) answers of the first run and every run's model
 * answers, each as the conversation [user: instruction, assistant: answer], in the scorer's preferred batches with a
 * progress bar on stderr.
 */
final class RewardScoring {
    /** The reference's rewards and lengths, and each model's, aligned to the reference's instruction order. */
    record Scored(double[] referenceRewards, int[] referenceLengths, List<ModelRewards> models) {}

    private RewardScoring() {}

    static Scored score(RewardScorer scorer, List<List<AlpacaAnnotation>> runs, Map<String, Double> lcByModel) {
        List<AlpacaAnnotation> first = runs.getFirst();
        int n = first.size();
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < n; i++) at.put(first.get(i).instruction(), i);
        List<List<Message>> conv = new ArrayList<>();
        for (AlpacaAnnotation a : first) conv.add(List.of(Message.user(a.instruction()), Message.assistant(a.output1())));
        List<int[]> positions = new ArrayList<>();
        for (List<AlpacaAnnotation> run : runs) {
            if (run.size() != n) throw new IllegalArgumentException(run.getFirst().generator2() + " has " + run.size() + " pairs, " + first.getFirst().generator2() + " has " + n);
            int[] pos = new int[n];
            for (AlpacaAnnotation a : run) {
                Integer i = at.get(a.instruction());
                if (i == null) throw new IllegalArgumentException(a.generator2() + ": instruction not in " + first.getFirst().generator2() + "'s set");
                if (!a.generator1().equals(first.getFirst().generator1()))
                    throw new IllegalArgumentException(a.generator2() + " is judged against " + a.generator1() + ", not " + first.getFirst().generator1());
                pos[i] = conv.size();
                conv.add(List.of(Message.user(a.instruction()), Message.assistant(a.output2())));
            }
            positions.add(pos);
        }
        double[] rewards = new double[conv.size()];
        int batch = Math.max(1, scorer.preferredBatchSize());
        try (Progress bar = Progress.stderr("scoring answers", conv.size())) {
            for (int s = 0; s < conv.size(); s += batch) {
                List<List<Message>> part = conv.subList(s, Math.min(conv.size(), s + batch));
                double[] r = scorer.score(part);
                if (r.length != part.size()) throw new IllegalStateException("scorer returned " + r.length + " rewards for " + part.size() + " answers");
                System.arraycopy(r, 0, rewards, s, r.length);
                bar.advance(part.size());
            }
        }
        double[] ref = new double[n];
        int[] refLen = new int[n];
        for (int i = 0; i < n; i++) { ref[i] = rewards[i]; refLen[i] = len(first.get(i).output1()); }
        List<ModelRewards> models = new ArrayList<>();
        for (int m = 0; m < runs.size(); m++) {
            List<AlpacaAnnotation> run = runs.get(m);
            double[] r = new double[n], judge = new double[n];
            int[] l = new int[n];
            int[] pos = positions.get(m);
            for (AlpacaAnnotation a : run) {
                int i = at.get(a.instruction());
                r[i] = rewards[pos[i]];
                l[i] = len(a.output2());
                judge[i] = a.modelWinProbability();
            }
            String model = run.getFirst().generator2();
            models.add(new ModelRewards(model, r, l, judge, lcByModel.getOrDefault(model, Double.NaN)));
        }
        return new Scored(ref, refLen, models);
    }

    private static int len(String s) { return s.codePointCount(0, s.length()); }
}
