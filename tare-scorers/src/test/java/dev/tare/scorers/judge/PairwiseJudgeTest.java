package dev.tare.scorers.judge;

import dev.tare.data.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class PairwiseJudgeTest {
    private static final Pattern A = Pattern.compile("(?s)<\\|The Start of Assistant A's Answer\\|>\n(.*?)\n<\\|The End of Assistant A's Answer\\|>");
    private static final Pattern B = Pattern.compile("(?s)<\\|The Start of Assistant B's Answer\\|>\n(.*?)\n<\\|The End of Assistant B's Answer\\|>");

    /** A judge model simulated by a rule over the two answers it is shown (A text, B text, seed) → reply text. */
    record RuleJudge(BiFunction<String[], Long, String> rule, List<List<Message>> seen) implements ChatGenerator {
        RuleJudge(BiFunction<String[], Long, String> rule) { this(rule, new ArrayList<>()); }

        @Override public String name() { return "rule-judge"; }

        @Override public List<Generation> generate(List<List<Message>> prompts, SamplingParams params) {
            List<Generation> out = new ArrayList<>();
            for (List<Message> p : prompts) {
                seen.add(p);
                String u = p.stream().filter(m -> m.role().equals("user")).findFirst().orElseThrow().content();
                Matcher a = A.matcher(u), b = B.matcher(u);
                assertTrue(a.find() && b.find());
                String reply = p.getLast().content().startsWith("continue") ? "" : rule.apply(new String[]{a.group(1), b.group(1)}, params.seed());
                out.add(new Generation(reply, u.length() / 4, reply.length() / 4, 0.001));
            }
            return out;
        }
    }

    private static String verdict(boolean aBetter) { return aBetter ? "My final verdict is: [[A>B]]" : "My final verdict is: [[B>A]]"; }

    @Test
    void bothOrdersExposePositionBias() {
        JudgeTemplate t = JudgeTemplate.load("arena-hard");
        var fair = new PairwiseJudge(new RuleJudge((ab, s) -> verdict(ab[0].length() > ab[1].length())), t);
        var r = fair.compareBothOrders("q", "a long answer", "short");
        assertEquals(Preference.A, r.combined());
        assertTrue(r.consistent());
        var firstSlot = new PairwiseJudge(new RuleJudge((ab, s) -> verdict(true)), t);
        var biased = firstSlot.compareBothOrders("q", "a long answer", "short");
        assertFalse(biased.consistent(), "always-A judge is inconsistent across orders");
        assertEquals(Preference.TIE, biased.combined(), "JudgeBench rule: +1 and -1 net to a tie");
        assertEquals(2, firstSlot.stats().calls());
    }

    @Test
    void unparseableRepliesGetOneFollowUpAndAreReportedNotGuessed() {
        var gen = new RuleJudge((ab, s) -> "I cannot decide.");
        var j = new PairwiseJudge(gen, JudgeTemplate.load("arena-hard"));
        var r = j.compareBothOrders("q", "x", "y");
        assertInstanceOf(Verdict.Unparseable.class, r.firstOrder().verdict());
        assertEquals(Preference.TIE, r.combined());
        assertEquals(4, j.stats().calls(), "2 orders + 1 follow-up each (Arena-Hard retry)");
        assertEquals("continue your judgment and finish by outputting a final verdict label", gen.seen().get(2).getLast().content());
    }

    @Test
    void followUpOnlyWhenNoLabelWasFoundAsJudgeBenchDoes() {
        // ScalerLab/JudgeBench utils/judges.py ArenaHard.get_score: no label -> (None, try_again=True);
        // several distinct labels -> (None, False): no second attempt
        var conflicting = new RuleJudge((ab, s) -> "Maybe [[A>B]], maybe [[B>A]].");
        var j = new PairwiseJudge(conflicting, JudgeTemplate.load("arena-hard"));
        var r = j.compareBothOrders("q", "x", "y");
        assertTrue(((Verdict.Unparseable) r.firstOrder().verdict()).reason().contains("conflicting"));
        assertEquals(2, j.stats().calls(), "conflicting labels: no follow-up");
        var unknown = new PairwiseJudge(new RuleJudge((ab, s) -> "[[A<B]]"), JudgeTemplate.load("arena-hard"));
        unknown.compareBothOrders("q", "x", "y");
        assertEquals(2, unknown.stats().calls(), "an unrecognised label is still a label: no follow-up");
    }

    @Test
    void votingTakesTheSeededMajorityAndReportsTies() {
        // A noisy judge: picks the longer answer with probability 0.8, depending only on the seed.
        BiFunction<String[], Long, String> noisy = (ab, seed) -> {
            boolean longerIsA = ab[0].length() > ab[1].length();
            boolean right = new SplittableRandom(seed).nextDouble() < 0.8;
            return verdict(right == longerIsA);
        };
        JudgeTemplate t = JudgeTemplate.load("arena-hard");
        var judge = new PairwiseJudge(new RuleJudge(noisy), t, new SamplingParams(64, 0.7, 1.0, 100));
        var v = judge.vote("q", "the longer one", "short", 9, true);
        assertEquals(18, v.judgments().size());
        assertEquals(18, v.votesFirst() + v.votesSecond() + v.abstained());
        assertEquals(Preference.A, v.winner());
        var again = new PairwiseJudge(new RuleJudge(noisy), t, new SamplingParams(64, 0.7, 1.0, 100)).vote("q", "the longer one", "short", 9, true);
        assertEquals(v.votesFirst(), again.votesFirst(), "same seeds, same votes");
        var tie = new PairwiseJudge(new RuleJudge((ab, s) -> s % 2 == 0 ? verdict(true) : verdict(false)), t, new SamplingParams(64, 0.7, 1.0, 0)).vote("q", "x", "y", 2, false);
        assertEquals(Preference.TIE, tie.winner());
        assertThrows(IllegalArgumentException.class, () -> new PairwiseJudge(new RuleJudge(noisy), t).vote("q", "a", "b", 3, false));
    }

    @Test
    void rankingAndBestOfNCountCalls() {
        var longer = new RuleJudge((ab, s) -> verdict(ab[0].length() > ab[1].length()));
        var judge = new PairwiseJudge(longer, JudgeTemplate.load("arena-hard"));
        List<String> rs = List.of("bb", "dddd", "a", "ccc");
        var ranked = Ranking.roundRobin(judge, "q", rs);
        assertEquals(List.of(1, 3, 0, 2), ranked.order());
        assertEquals(12, ranked.calls(), "N(N-1) with both orders");
        var best = Ranking.knockout(judge, "q", rs, false);
        assertEquals(1, best.best());
        assertEquals(3, best.calls(), "N-1 calls");
        assertEquals(6, Ranking.knockout(judge, "q", rs, true).calls());
        assertEquals(0, ranked.unparseableVerdicts());
    }

    @Test
    void rankingAndBestOfNCountUnparseableVerdictsInsteadOfCallingThemTies() {
        // decides by length, except that it cannot read anything involving the response "a" (no verdict label)
        var blind = new RuleJudge((ab, s) -> ab[0].equals("a") || ab[1].equals("a") ? "No idea." : verdict(ab[0].length() > ab[1].length()));
        var judge = new PairwiseJudge(blind, JudgeTemplate.load("arena-hard"));
        List<String> rs = List.of("bb", "a", "ccc");
        var ranked = Ranking.roundRobin(judge, "q", rs);
        assertEquals(4, ranked.unparseableVerdicts(), "both orders of 2 pairs");
        assertEquals(2, ranked.undecidedPairs());
        assertArrayEquals(new double[]{0, 0, 1}, ranked.scores(), "no half points for unreadable pairs");
        var best = Ranking.knockout(judge, "q", rs, false);
        assertEquals(1, best.unparseableVerdicts());
        assertEquals("1 vs 0: unparseable, 0 stays", best.bracket().getFirst());
        assertEquals("2 vs 0: 2 wins", best.bracket().get(1));
        assertEquals(2, best.best());
    }
}
