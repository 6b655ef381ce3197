package dev.tare.eval;

import dev.tare.data.PreferenceItem;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.judge.PairwiseJudge;
import dev.tare.scorers.judge.Ranking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generative pairwise judge on best-of-N items (RewardBench 2: 1 chosen vs 3 rejected, several chosen in Ties):
 * every pair of an item's responses judged in both orders (N·(N−1) calls; one batched call across the items of a
 * request), each response scored by its Copeland score (win 1, tie ½, a pair with no verdict in either order scores
 * nothing). The scores are the item's {@code scores_chosen}/{@code scores_rejected}, so the benchmark's own rule applies
 * unchanged — for best-of-4, 1/k credit when the chosen response shares the top score with k−1 others; extras record
 * {@code judge_calls}, {@code unparseable_verdicts} and {@code undecided_pairs}.
 */
public final class JudgeRankingItemScorer implements ItemScorer {
    private final PairwiseJudge judge;
    private final String name;

    public JudgeRankingItemScorer(PairwiseJudge judge, String name) {
        this.judge = judge;
        this.name = name;
    }

    @Override public String name() { return name; }

    @Override public int preferredBatchSize() { return 4; }

    @Override public List<ScoredItem> score(List<PreferenceItem> batch) {
        List<String> questions = new ArrayList<>();
        List<List<String>> responses = new ArrayList<>();
        for (PreferenceItem p : batch) {
            if (p.chosen().isEmpty() || p.chosen().size() + p.rejected().size() < 2)
                throw new IllegalArgumentException("item " + p.subset() + "/" + p.id() + " needs a chosen and at least one other response to rank");
            questions.add(JudgeItemScorer.question(p.prompt()));
            List<String> all = new ArrayList<>(p.chosen());
            all.addAll(p.rejected());
            responses.add(all);
        }
        List<Ranking.Ranked> ranked = Ranking.roundRobin(judge, questions, responses);
        List<ScoredItem> out = new ArrayList<>(batch.size());
        for (int k = 0; k < batch.size(); k++) {
            PreferenceItem p = batch.get(k);
            Ranking.Ranked r = ranked.get(k);
            int nc = p.chosen().size();
            List<Double> c = Arrays.stream(Arrays.copyOfRange(r.scores(), 0, nc)).boxed().toList();
            List<Double> rej = Arrays.stream(Arrays.copyOfRange(r.scores(), nc, r.scores().length)).boxed().toList();
            ScoredItem s = EvalRunner.toScored(p, name, c, rej);
            Map<String, Object> extra = new LinkedHashMap<>(s.extra());
            extra.put("model_type", "Generative RM (round robin, Copeland)");
            extra.put("judge_calls", r.calls());
            extra.put("unparseable_verdicts", r.unparseableVerdicts());
            extra.put("undecided_pairs", r.undecidedPairs());
            out.add(new ScoredItem(s.id(), s.subset(), s.model(), s.scoresChosen(), s.scoresRejected(), s.results(), extra));
        }
        return out;
    }
}
