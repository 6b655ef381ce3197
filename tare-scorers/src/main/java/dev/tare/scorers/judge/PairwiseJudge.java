package dev.tare.scorers.judge;

import dev.tare.data.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * A generative pairwise judge: renders the template, asks the model, reads the verdict (with the template's one
 * follow-up when the reply held no verdict mark, as JudgeBench's get_score asks again only then), runs both presentation orders and combines them as JudgeBench does, and
 * supports voting@k with seeded sampling.
 */
public final class PairwiseJudge {
    /** One ordered judgment: the verdict as presented (A = first shown) and the judge's full reply. */
    public record Judgment(Verdict verdict, String reply) {}

    /**
     * Both orders for (first, second): {@code firstOrder} as presented, {@code secondOrder} flipped back so A means
     * "first" in both. {@code combined}: +1 per verdict for first, −1 for second, 0 for tie/unparseable; the sign
     * decides, 0 → TIE. {@code consistent}: both orders decided and agree.
     */
    public record PairResult(Judgment firstOrder, Judgment secondOrder, Preference combined, boolean consistent) {}

    /** voting@k outcome: majority over decided A/B votes (pooled over both orders when asked), ties explicit. */
    public record Vote(Preference winner, int votesFirst, int votesSecond, int abstained, List<Judgment> judgments) {}

    private final ChatGenerator generator;
    private final JudgeTemplate template;
    private final SamplingParams params;
    private final JudgeStats stats = new JudgeStats();

    public PairwiseJudge(ChatGenerator generator, JudgeTemplate template, SamplingParams params) {
        this.generator = generator;
        this.template = template;
        this.params = params;
    }

    /** Template defaults for decoding (greedy unless the template says otherwise). */
    public PairwiseJudge(ChatGenerator generator, JudgeTemplate template) {
        this(generator, template, new SamplingParams(template.maxTokens(), template.temperature(), 1.0, 42));
    }

    public JudgeStats stats() { return stats; }

    public JudgeTemplate template() { return template; }

    public SamplingParams params() { return params; }

    /** An ordered question with the two texts shown as A and B. */
    public record Ordered(String question, String a, String b) {}

    /** Judges each ordered pair once (one batched generation call, plus one batched follow-up if needed). */
    public List<Judgment> judge(List<Ordered> pairs, SamplingParams p) {
        List<List<Message>> prompts = new ArrayList<>(pairs.size());
        for (Ordered o : pairs) prompts.add(template.render(o.question(), o.a(), o.b()));
        List<Generation> gens = generate(prompts, p);
        List<Judgment> out = new ArrayList<>(pairs.size());
        List<Integer> retry = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            Ordered o = pairs.get(i);
            Verdict v = template.verdict().read(gens.get(i).text(), List.of(o.a(), o.b()));
            out.add(new Judgment(v, gens.get(i).text()));
            // Arena-Hard / JudgeBench ask again only when no label was found, not on conflicting or unknown labels
            if (v instanceof Verdict.Unparseable u && u.noMark() && template.retryPrompt() != null) retry.add(i);
        }
        if (!retry.isEmpty()) {
            List<List<Message>> follow = new ArrayList<>();
            for (int i : retry) {
                List<Message> conv = new ArrayList<>(prompts.get(i));
                conv.add(Message.assistant(gens.get(i).text()));
                conv.add(Message.user(template.retryPrompt()));
                follow.add(conv);
            }
            List<Generation> more = generate(follow, p);
            for (int k = 0; k < retry.size(); k++) {
                int i = retry.get(k);
                Ordered o = pairs.get(i);
                String reply = gens.get(i).text() + "\n" + more.get(k).text();
                out.set(i, new Judgment(template.verdict().read(reply, List.of(o.a(), o.b())), reply));
            }
        }
        return out;
    }

    /** Both orders for each (question, first, second), batched together. */
    public List<PairResult> compareBothOrders(List<Ordered> pairs) {
        List<Ordered> all = new ArrayList<>(pairs.size() * 2);
        for (Ordered o : pairs) {
            all.add(o);
            all.add(new Ordered(o.question(), o.b(), o.a()));
        }
        List<Judgment> js = judge(all, params);
        List<PairResult> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            Judgment j1 = js.get(2 * i);
            Judgment raw2 = js.get(2 * i + 1);
            Judgment j2 = new Judgment(raw2.verdict().flip(), raw2.reply());
            out.add(combine(j1, j2));
        }
        return out;
    }

    public PairResult compareBothOrders(String question, String first, String second) {
        return compareBothOrders(List.of(new Ordered(question, first, second))).getFirst();
    }

    static PairResult combine(Judgment j1, Judgment j2) {
        int s = value(j1.verdict()) + value(j2.verdict());
        Preference p = s > 0 ? Preference.A : s < 0 ? Preference.B : Preference.TIE;
        boolean consistent = j1.verdict().decided() && j2.verdict().decided()
                && j1.verdict().preferenceOrNull() == j2.verdict().preferenceOrNull();
        return new PairResult(j1, j2, p, consistent);
    }

    private static int value(Verdict v) {
        Preference p = v.preferenceOrNull();
        return p == Preference.A ? 1 : p == Preference.B ? -1 : 0;
    }

    /**
     * voting@k: k seeded samples (seed, seed+1, …) per order; with {@code bothOrders} another k with the pair
     * swapped (flipped back). Majority of decided A/B votes; equal counts → TIE; ties and unparseable abstain.
     */
    public Vote vote(String question, String first, String second, int k, boolean bothOrders) {
        return votes(List.of(new Ordered(question, first, second)), k, bothOrders).getFirst();
    }

    /**
     * {@link #vote} for many pairs at once: each (order, sample) is one batched generation call over all the pairs, so a
     * local judge batches across items; vote j of order o uses seed {@code seed + j + o·k} for every pair, as the
     * single-pair vote does. Judgments are in order: the k first-order votes, then the k second-order ones.
     */
    public List<Vote> votes(List<Ordered> pairs, int k, boolean bothOrders) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1");
        if (params.temperature() == 0 && k > 1)
            throw new IllegalArgumentException("voting@k needs sampling: set a temperature > 0 (greedy gives k identical votes)");
        int n = pairs.size();
        List<List<Judgment>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) all.add(new ArrayList<>());
        for (int order = 0; order < (bothOrders ? 2 : 1); order++) {
            List<Ordered> shown = new ArrayList<>(n);
            for (Ordered o : pairs) shown.add(order == 0 ? o : new Ordered(o.question(), o.b(), o.a()));
            for (int j = 0; j < k; j++) {
                List<Judgment> got = judge(shown, params.withSeed(params.seed() + j + (long) order * k));
                for (int i = 0; i < n; i++) {
                    Judgment g = got.get(i);
                    all.get(i).add(order == 0 ? g : new Judgment(g.verdict().flip(), g.reply()));
                }
            }
        }
        List<Vote> out = new ArrayList<>(n);
        for (List<Judgment> js : all) {
            int first1 = 0, second1 = 0, abstain = 0;
            for (Judgment j : js) {
                Preference p = j.verdict().preferenceOrNull();
                if (p == Preference.A) first1++;
                else if (p == Preference.B) second1++;
                else abstain++;
            }
            Preference w = first1 > second1 ? Preference.A : second1 > first1 ? Preference.B : Preference.TIE;
            out.add(new Vote(w, first1, second1, abstain, List.copyOf(js)));
        }
        return out;
    }

    /**
     * A voting@k outcome (from {@link #votes} with both orders) seen as one both-orders result: each order's verdict is
     * the majority of its k votes (A/B by count of decided votes; only ties → a tie; none decided → unparseable), the
     * combination is the vote's winner over both orders, consistent when both orders' majorities agree on a side. The
     * replies are each order's first sample.
     */
    public static PairResult asPairResult(Vote v, int k) {
        List<Judgment> js = v.judgments();
        if (js.size() != 2 * k) throw new IllegalArgumentException("expected 2 x " + k + " votes, got " + js.size());
        Judgment first = majority(js.subList(0, k)), second = majority(js.subList(k, 2 * k));
        Preference p1 = first.verdict().preferenceOrNull(), p2 = second.verdict().preferenceOrNull();
        boolean consistent = first.verdict().decided() && second.verdict().decided() && p1 == p2 && p1 != Preference.TIE;
        return new PairResult(first, second, v.winner(), consistent);
    }

    private static Judgment majority(List<Judgment> js) {
        int a = 0, b = 0, t = 0;
        for (Judgment j : js) {
            Preference p = j.verdict().preferenceOrNull();
            if (p == Preference.A) a++;
            else if (p == Preference.B) b++;
            else if (p == Preference.TIE) t++;
        }
        String reply = js.getFirst().reply();
        if (a == 0 && b == 0)
            return new Judgment(t > 0 ? new Verdict.Tie(Verdict.TieKind.EQUAL) : new Verdict.Unparseable("no decided vote of " + js.size()), reply);
        if (a == b) return new Judgment(new Verdict.Tie(Verdict.TieKind.EQUAL), reply);
        return new Judgment(new Verdict.Prefer(a > b ? Verdict.Side.A : Verdict.Side.B, Verdict.Strength.PLAIN), reply);
    }

    private List<Generation> generate(List<List<Message>> prompts, SamplingParams p) {
        List<Generation> gens = generator.generate(prompts, p);
        if (gens.size() != prompts.size())
            throw new IllegalStateException(generator.name() + " returned " + gens.size() + " generations for " + prompts.size() + " prompts");
        for (Generation g : gens) stats.add(g);
        return gens;
    }
}
