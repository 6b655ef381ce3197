package dev.tare.debias.alpacaeval;

import dev.tare.data.SharedData;
import dev.tare.data.alpacaeval.AlpacaAnnotation;
import dev.tare.data.alpacaeval.AlpacaEvalReader;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.metrics.stats.Bootstrap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RewardEvaluationTest {
    private static int len(String s) { return s.codePointCount(0, s.length()); }

    @Test void winsAndAgreementByHand() {
        double[] w = RewardEvaluation.wins(new double[]{2, 1, 3, 0}, new double[]{1, 1, 4, -1});
        assertArrayEquals(new double[]{1, 0.5, 0, 1}, w);
        // judge: model wins, tie (skipped), baseline wins, not judged (skipped)
        var a = RewardEvaluation.agreement(w, new double[]{0.9, 0.5, 0.2, Double.NaN}, new Bootstrap(50, 1, 0.95));
        assertEquals(100.0, a.value(), 1e-12); // RM win vs judge win: agree; RM loss vs judge loss: agree
        var b = RewardEvaluation.agreement(new double[]{0.5, 1, 1, 1}, new double[]{0.9, 0.5, 0.2, 0.7}, new Bootstrap(50, 1, 0.95));
        assertEquals(100.0 * (0.5 + 0 + 1) / 3, b.value(), 1e-12);
    }

    /**
     * Real AlpacaEval answers and judge preferences; the "reward model" knows the judge's verdict but is swamped by a
     * length term. A length-only RM's raw win rate is the share of longer answers; LOWESS calibration on length must
     * bring the mixed RM's per-example agreement with the judge up (on average over the models).
     */
    @Test void calibrationRemovesALengthDrivenReward() {
        var lv = SharedData.data("alpacaeval-length-variants");
        var ae = SharedData.data("alpacaeval");
        assumeTrue(lv.isPresent() && ae.isPresent(), "../shared/data/alpacaeval(-length-variants) not present");
        List<List<AlpacaAnnotation>> runs = new ArrayList<>();
        for (String m : List.of("gpt-3.5-turbo-1106_concise", "gpt-3.5-turbo-1106", "gpt-3.5-turbo-1106_verbose"))
            runs.add(AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(lv.get().resolve("results").resolve(m))));
        for (String m : List.of("FuseChat-Llama-3.1-8B-Instruct", "FuseChat-Qwen-2.5-7B-Instruct"))
            runs.add(AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(ae.get().resolve("results").resolve(m))));
        var lb = AlpacaEvalReader.readLeaderboard(ae.get().resolve("weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"));
        int n = runs.getFirst().size();
        double[] ref = new double[n];
        int[] refLen = new int[n];
        for (int i = 0; i < n; i++) { refLen[i] = len(runs.getFirst().get(i).output1()); ref[i] = 0.01 * refLen[i]; }
        List<ModelRewards> pure = new ArrayList<>(), mixed = new ArrayList<>();
        double[] longer = new double[runs.size()];
        for (int m = 0; m < runs.size(); m++) {
            var r = runs.get(m);
            double[] lengthOnly = new double[n], withQuality = new double[n], judge = new double[n];
            int[] l = new int[n];
            for (int i = 0; i < n; i++) {
                assertEquals(runs.getFirst().get(i).instruction(), r.get(i).instruction());
                l[i] = len(r.get(i).output2());
                judge[i] = r.get(i).modelWinProbability();
                lengthOnly[i] = 0.01 * l[i];
                withQuality[i] = 0.01 * l[i] + 3 * (judge[i] - 0.5);
                longer[m] += l[i] > refLen[i] ? 1 : l[i] == refLen[i] ? 0.5 : 0;
            }
            double lc = lb.get(r.getFirst().generator2()).lcWinRate();
            pure.add(new ModelRewards(r.getFirst().generator2(), lengthOnly, l, judge, lc));
            mixed.add(new ModelRewards(r.getFirst().generator2(), withQuality, l, judge, lc));
        }
        Bootstrap boot = new Bootstrap(200, 7, 0.95);
        var p = RewardEvaluation.evaluate("length", ref, refLen, pure, CalibrationSettings.defaults(), boot);
        for (int m = 0; m < runs.size(); m++)
            assertEquals(100 * longer[m] / n, p.models().get(m).rawWinRate().value(), 1e-9, "a length-only RM's win rate is the share of longer answers");
        var q = RewardEvaluation.evaluate("length+judge", ref, refLen, mixed, CalibrationSettings.defaults(), boot);
        double rawAgree = 0, calAgree = 0;
        for (ModelEvaluation e : q.models()) {
            rawAgree += e.rawAgreement().value() / q.models().size();
            calAgree += e.calibratedAgreement().value() / q.models().size();
            assertTrue(e.rawWinRate().lo() <= e.rawWinRate().value() && e.rawWinRate().value() <= e.rawWinRate().hi());
        }
        // the length term swamps the judge's verdict in the raw rewards; calibration on length brings it back
        assertTrue(calAgree > rawAgree + 5, "mean agreement with the judge: raw " + rawAgree + ", calibrated " + calAgree);
        assertEquals(5, q.calibrated().models());
        assertTrue(q.raw().spearman().lo() <= q.raw().spearman().value() && q.raw().spearman().value() <= q.raw().spearman().hi());
        System.out.print(q.table());
    }

    /**
     * A judge's combined verdicts (+2..−2) as rewards against a reference of 0: with every pair decided, evaluateJudge's
     * numbers (intervals included) are exactly the reward-model path's raw ones; a no-verdict pair (NaN) is left out.
     */
    @Test void judgeVerdictsReuseTheRewardStatistics() {
        java.util.Random rnd = new java.util.Random(3);
        int n = 60;
        List<ModelRewards> models = new ArrayList<>();
        for (int m = 0; m < 4; m++) {
            double[] s = new double[n], g = new double[n];
            int[] l = new int[n];
            for (int i = 0; i < n; i++) { s[i] = rnd.nextInt(5) - 2; g[i] = rnd.nextInt(3) / 2.0; l[i] = 10 + i; }
            models.add(new ModelRewards("m" + m, s, l, g, 10 * m + rnd.nextInt(10)));
        }
        Bootstrap boot = new Bootstrap(100, 5, 0.95);
        var j = RewardEvaluation.evaluateJudge("judge", models, boot);
        var r = RewardEvaluation.evaluate("rm", new double[n], new int[n], models, CalibrationSettings.defaults(), boot);
        for (int m = 0; m < 4; m++) {
            assertEquals(r.models().get(m).rawWinRate(), j.models().get(m).rawWinRate());
            assertEquals(r.models().get(m).rawAgreement(), j.models().get(m).rawAgreement());
            assertNull(j.models().get(m).calibratedWinRate());
            assertEquals(0, j.models().get(m).withoutVerdict());
        }
        assertEquals(r.raw(), j.raw());
        assertNull(j.calibrated());
        assertTrue(j.judge() && j.json().get("calibration").asText().startsWith("none"));

        double[] s = {2, 0, -1, Double.NaN, 1}, g = {1, 0, 1, 1, 0.5};
        var one = RewardEvaluation.evaluateJudge("judge", List.of(new ModelRewards("x", s, new int[5], g, Double.NaN)), boot);
        ModelEvaluation e = one.models().getFirst();
        assertEquals(100 * (1 + 0.5 + 0 + 1) / 4, e.rawWinRate().value(), 1e-12);
        assertEquals(100 * (1 + 0.5 + 0) / 3, e.rawAgreement().value(), 1e-12); // our tie ½; GPT-4 tie (0.5) and the no-verdict pair skipped
        assertEquals(1, e.withoutVerdict());
        assertEquals(5, e.pairs());
    }
}
