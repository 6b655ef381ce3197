package dev.tare.metrics.judgebench;

import dev.tare.data.judgebench.JudgeOutput;
import dev.tare.data.judgebench.JudgePair;
import dev.tare.data.judgebench.Judgment;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Bootstrap intervals over pairs for the per-category scores, the category mean and position consistency. */
class JudgeBenchIntervalsTest {
    static Judgment game(String d) { return new Judgment(d, "", "", "", List.of()); }

    /** Pairs of four categories (sizes 400/200/100/0 + 100 coding all right); the first game is right with probability p. */
    static List<JudgeOutput> outputs(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<JudgeOutput> out = new ArrayList<>();
        String[] sources = {"mmlu-pro-law", "livebench-reasoning", "livebench-math", "livecodebench"};
        int[] sizes = {400, 200, 100, 100};
        double[] p = {0.6, 0.7, 0.8, 1.0};
        for (int c = 0; c < 4; c++)
            for (int i = 0; i < sizes[c]; i++) {
                String label = r.nextBoolean() ? "A>B" : "B>A";
                String wrong = label.equals("A>B") ? "B>A" : "A>B";
                String g1 = r.nextDouble() < p[c] ? label : wrong;
                // the swapped game (stored unflipped): agrees with the first game 3 times in 4 (always for coding)
                String g2flipped = c == 3 || r.nextDouble() < 0.75 ? g1 : (g1.equals("A>B") ? "B>A" : "A>B");
                String g2 = JudgeBenchMetrics.flip(g2flipped);
                JudgePair pair = new JudgePair(c + "-" + i, "", sources[c], "q", "m", "a", "b", label);
                out.add(new JudgeOutput(pair, "t", List.of(game(g1), game(g2)), out.size() + 1));
            }
        return out;
    }

    @Test
    void everyReportedScoreHasAnIntervalAroundIt() {
        Bootstrap boot = new Bootstrap(500, 3, 0.95);
        JudgeBenchScores s = JudgeBenchMetrics.score(outputs(1), boot);
        assertEquals(List.of("overall", "knowledge", "reasoning", "math", "coding", "category_mean", "position_consistency"),
                List.copyOf(s.ci95().keySet()));
        for (var e : s.categories().entrySet()) {
            Interval iv = s.ci95().get(e.getKey());
            assertEquals(e.getValue(), iv.value(), 1e-9, e.getKey());
            assertTrue(iv.lo() <= iv.value() && iv.value() <= iv.hi(), e.getKey() + " " + iv);
        }
        assertEquals(s.categoryMean(), s.ci95().get("category_mean").value(), 1e-9);
        assertEquals(s.positionConsistency(), s.ci95().get("position_consistency").value(), 1e-9);
        // a category the judge always gets right has no spread
        assertEquals(100.0, s.ci95().get("coding").lo());
        assertEquals(100.0, s.ci95().get("coding").hi());
        // widths follow the binomial standard error 1.96*sqrt(p(1-p)/n) (within 25%): the interval is over each category's pairs
        for (String k : List.of("knowledge", "reasoning", "math")) {
            double p = s.categories().get(k) / 100, n = s.categoryPairs().get(k);
            double expected = 2 * 1.96 * Math.sqrt(p * (1 - p) / n) * 100;
            double got = s.ci95().get(k).hi() - s.ci95().get(k).lo();
            assertEquals(expected, got, 0.25 * expected, k);
        }
        double pc = s.positionConsistency() / 100;
        double expected = 2 * 1.96 * Math.sqrt(pc * (1 - pc) / s.twoGamePairs()) * 100;
        Interval piv = s.ci95().get("position_consistency");
        assertEquals(expected, piv.hi() - piv.lo(), 0.25 * expected);
        // the category mean averages four estimates: narrower than its noisiest category (knowledge is the largest, so compare to math)
        Interval cm = s.ci95().get("category_mean");
        assertTrue(cm.hi() - cm.lo() < s.ci95().get("math").hi() - s.ci95().get("math").lo());
        // seeded: the same seed gives the same intervals
        assertEquals(s.ci95(), JudgeBenchMetrics.score(outputs(1), boot).ci95());
    }

    @Test
    void missingCategoriesAndSingleGamesGetNoInterval() {
        List<JudgeOutput> one = outputs(2).stream().filter(o -> o.pair().source().startsWith("livebench-math"))
                .map(o -> new JudgeOutput(o.pair(), "t", List.of(o.games().getFirst()), o.line())).toList();
        JudgeBenchScores s = JudgeBenchMetrics.score(one, new Bootstrap(100, 3, 0.95));
        assertEquals(List.of("overall", "math", "category_mean"), List.copyOf(s.ci95().keySet()));
        assertEquals(s.ci95().get("math").value(), s.ci95().get("category_mean").value(), 1e-9);
    }
}
