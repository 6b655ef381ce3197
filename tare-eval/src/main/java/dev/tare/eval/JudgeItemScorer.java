package dev.tare.eval;

import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.judge.PairwiseJudge;
import dev.tare.scorers.judge.Preference;
import dev.tare.scorers.judge.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A generative pairwise judge as an item scorer: every pair is judged in both orders (chosen shown first, then
 * swapped and flipped back) and combined as JudgeBench does: +1 per verdict for the chosen response, −1 per verdict
 * for the rejected one, 0 for a tie or an unreadable reply. The line stores that sum s in {@code scores_chosen = [s]}
 * and {@code scores_rejected = [0]}, so {@code results} = 1 iff s &gt; 0; extras record the two verdicts
 * ({@code verdict_chosen_first}, {@code verdict_chosen_second}: "chosen", "rejected", "tie" or "none") and
 * {@code consistent} (both decided and equal), with {@code model_type} "Generative RM". With voting@k ({@code votes} &gt; 1)
 * each order is sampled k times (seeded, batched across the items of a request): s = decided votes for the chosen
 * response − votes for the rejected one over both orders (ties and unparseable abstain), each order's verdict is its
 * majority, and extras {@code votes_k}, {@code votes_chosen}, {@code votes_rejected}, {@code votes_abstained} record the counts.
 */
public final class JudgeItemScorer implements ItemScorer {
    private final PairwiseJudge judge;
    private final String name;
    private final int votes;

    public JudgeItemScorer(PairwiseJudge judge, String name) { this(judge, name, 1); }

    /** With {@code votes} = k &gt; 1: voting@k in both orders (the judge's sampling must not be greedy). */
    public JudgeItemScorer(PairwiseJudge judge, String name, int votes) {
        if (votes < 1) throw new IllegalArgumentException("votes must be >= 1, got " + votes);
        if (votes > 1 && judge.params().temperature() == 0)
            throw new IllegalArgumentException("votes=" + votes + " needs sampling: set temperature=T > 0 in the judge spec (greedy gives identical votes)");
        this.judge = judge;
        this.name = name;
        this.votes = votes;
    }

    @Override public String name() { return name; }

    @Override public int preferredBatchSize() { return 16; }

    @Override public List<ScoredItem> score(List<PreferenceItem> batch) {
        List<PairwiseJudge.Ordered> pairs = new ArrayList<>(batch.size());
        for (PreferenceItem p : batch) {
            if (p.chosen().size() != 1 || p.rejected().size() != 1) {
                throw new IllegalArgumentException("item " + p.subset() + "/" + p.id() + " has " + p.chosen().size() + " chosen and "
                        + p.rejected().size() + " rejected responses; pairwise judges evaluate pairs only");
            }
            pairs.add(new PairwiseJudge.Ordered(question(p.prompt()), p.chosen().getFirst(), p.rejected().getFirst()));
        }
        if (votes > 1) return voted(batch, judge.votes(pairs, votes, true));
        List<PairwiseJudge.PairResult> res = judge.compareBothOrders(pairs);
        List<ScoredItem> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            PreferenceItem p = batch.get(i);
            PairwiseJudge.PairResult r = res.get(i);
            int s = value(r.firstOrder().verdict()) + value(r.secondOrder().verdict());
            Map<String, Object> extra = new LinkedHashMap<>(new TreeMap<>(p.meta()));
            extra.put("consistent", r.consistent());
            extra.put("model_type", "Generative RM");
            extra.put("verdict_chosen_first", label(r.firstOrder().verdict()));
            extra.put("verdict_chosen_second", label(r.secondOrder().verdict()));
            extra.put("reply_chosen_first", r.firstOrder().reply());
            extra.put("reply_chosen_second", r.secondOrder().reply());
            out.add(ScoredItem.pair(p.id(), p.subset(), name, s, 0.0, extra));
        }
        return out;
    }

    private List<ScoredItem> voted(List<PreferenceItem> batch, List<PairwiseJudge.Vote> vs) {
        List<ScoredItem> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            PreferenceItem p = batch.get(i);
            PairwiseJudge.Vote v = vs.get(i);
            PairwiseJudge.PairResult r = PairwiseJudge.asPairResult(v, votes);   // each order's majority
            Map<String, Object> extra = new LinkedHashMap<>(new TreeMap<>(p.meta()));
            extra.put("consistent", r.consistent());
            extra.put("model_type", "Generative RM");
            extra.put("verdict_chosen_first", label(r.firstOrder().verdict()));
            extra.put("verdict_chosen_second", label(r.secondOrder().verdict()));
            extra.put("votes_k", votes);
            extra.put("votes_chosen", v.votesFirst());
            extra.put("votes_rejected", v.votesSecond());
            extra.put("votes_abstained", v.abstained());
            extra.put("reply_chosen_first", r.firstOrder().reply());
            extra.put("reply_chosen_second", r.secondOrder().reply());
            out.add(ScoredItem.pair(p.id(), p.subset(), name, v.votesFirst() - v.votesSecond(), 0.0, extra));
        }
        return out;
    }


    /** The prompt turns as the judge's question: a single user turn as is, several turns labelled by role. */
    public static String question(List<Message> prompt) {
        if (prompt.size() == 1) return prompt.getFirst().content();
        StringBuilder sb = new StringBuilder();
        for (Message m : prompt) {
            if (!sb.isEmpty()) sb.append("\n\n");
            sb.append(m.role()).append(": ").append(m.content());
        }
        return sb.toString();
    }

    private static int value(Verdict v) {
        Preference p = v.preferenceOrNull();
        return p == Preference.A ? 1 : p == Preference.B ? -1 : 0;
    }

    /** A verdict as seen with the chosen response in position A (the second order is already flipped back). */
    private static String label(Verdict v) {
        Preference p = v.preferenceOrNull();
        return p == null ? "none" : p == Preference.A ? "chosen" : p == Preference.B ? "rejected" : "tie";
    }
}
