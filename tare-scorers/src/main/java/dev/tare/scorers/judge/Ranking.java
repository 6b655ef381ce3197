package dev.tare.scorers.judge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Listwise ranking and best-of-N from a pairwise judge, each reporting how many judge calls it used.
 * Round robin judges every unordered pair in both orders (N·(N−1) calls) and ranks by Copeland score (win 1,
 * tie ½), which tolerates intransitive judges; knockout keeps a champion and lets each challenger, shown as A,
 * try to beat it (N−1 calls, 2·(N−1) with both orders). Unparseable verdicts are counted, never read as ties: a
 * round-robin pair with no decided verdict scores nothing for either side, and a knockout game with none keeps the
 * champion and is marked "unparseable" in the bracket.
 */
public final class Ranking {
    /**
     * Indices best first, with each response's Copeland score, the calls spent, the unparseable single-order
     * verdicts, and the pairs left undecided because neither order gave a verdict (they score nothing).
     */
    public record Ranked(List<Integer> order, double[] scores, long calls, int unparseableVerdicts, int undecidedPairs) {}

    /** The winner's index, the comparisons made (challenger, champion, outcome), the calls spent, unparseable verdicts. */
    public record BestOfN(int best, List<String> bracket, long calls, int unparseableVerdicts) {}

    private Ranking() {}

    public static Ranked roundRobin(PairwiseJudge judge, String question, List<String> responses) {
        return roundRobin(judge, List.of(question), List.of(responses)).getFirst();
    }

    /**
     * Round robin for several questions at once: every pair of every question in one batched both-orders call (so a
     * local judge batches across items). Each {@link Ranked#calls()} is the batch's calls shared out by pair count.
     */
    public static List<Ranked> roundRobin(PairwiseJudge judge, List<String> questions, List<List<String>> responses) {
        if (questions.size() != responses.size()) throw new IllegalArgumentException(questions.size() + " questions but " + responses.size() + " response lists");
        long before = judge.stats().calls();
        List<PairwiseJudge.Ordered> pairs = new ArrayList<>();
        List<int[]> idx = new ArrayList<>();   // {question, i, j}
        for (int q = 0; q < questions.size(); q++) {
            List<String> rs = responses.get(q);
            for (int i = 0; i < rs.size(); i++)
                for (int j = i + 1; j < rs.size(); j++) {
                    pairs.add(new PairwiseJudge.Ordered(questions.get(q), rs.get(i), rs.get(j)));
                    idx.add(new int[]{q, i, j});
                }
        }
        List<PairwiseJudge.PairResult> rs = pairs.isEmpty() ? List.of() : judge.compareBothOrders(pairs);
        long calls = judge.stats().calls() - before;
        double[][] score = new double[questions.size()][];
        int[] unparseable = new int[questions.size()], undecided = new int[questions.size()], npairs = new int[questions.size()];
        for (int q = 0; q < questions.size(); q++) score[q] = new double[responses.get(q).size()];
        for (int p = 0; p < rs.size(); p++) {
            int q = idx.get(p)[0], i = idx.get(p)[1], j = idx.get(p)[2];
            npairs[q]++;
            int bad = unparseable(rs.get(p));
            unparseable[q] += bad;
            if (bad == 2) { undecided[q]++; continue; }
            switch (rs.get(p).combined()) {
                case A -> score[q][i] += 1;
                case B -> score[q][j] += 1;
                case TIE -> { score[q][i] += 0.5; score[q][j] += 0.5; }
            }
        }
        List<Ranked> out = new ArrayList<>();
        for (int q = 0; q < questions.size(); q++) {
            double[] sc = score[q];
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < sc.length; i++) order.add(i);
            order.sort(Comparator.<Integer>comparingDouble(i -> -sc[i]).thenComparingInt(i -> i));
            long share = pairs.isEmpty() ? 0 : Math.round((double) calls * npairs[q] / pairs.size());
            out.add(new Ranked(order, sc, share, unparseable[q], undecided[q]));
        }
        return out;
    }

    public static BestOfN knockout(PairwiseJudge judge, String question, List<String> responses, boolean bothOrders) {
        if (responses.isEmpty()) throw new IllegalArgumentException("best-of-N needs at least one response");
        long before = judge.stats().calls();
        int best = 0;
        List<String> bracket = new ArrayList<>();
        int unparseable = 0;
        for (int i = 1; i < responses.size(); i++) {
            Preference p;
            int bad, games;
            if (bothOrders) {
                PairwiseJudge.PairResult r = judge.compareBothOrders(question, responses.get(i), responses.get(best));
                p = r.combined();
                bad = unparseable(r);
                games = 2;
            } else {
                Verdict v = judge.judge(List.of(new PairwiseJudge.Ordered(question, responses.get(i), responses.get(best))),
                        judge.params()).getFirst().verdict();
                p = v.preferenceOrNull();
                bad = v.decided() ? 0 : 1;
                games = 1;
            }
            unparseable += bad;
            String outcome = bad == games ? "unparseable, " + best + " stays"
                    : p == Preference.A ? i + " wins" : p == Preference.B ? best + " stays" : "tie, " + best + " stays";
            bracket.add(i + " vs " + best + ": " + outcome + (bad > 0 && bad < games ? " (1 of 2 verdicts unparseable)" : ""));
            if (p == Preference.A) best = i;
        }
        return new BestOfN(best, bracket, judge.stats().calls() - before, unparseable);
    }

    private static int unparseable(PairwiseJudge.PairResult r) {
        return (r.firstOrder().verdict().decided() ? 0 : 1) + (r.secondOrder().verdict().decided() ? 0 : 1);
    }
}
