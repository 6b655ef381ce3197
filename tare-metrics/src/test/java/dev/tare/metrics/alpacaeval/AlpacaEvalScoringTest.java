package dev.tare.metrics.alpacaeval;

import dev.tare.data.SharedData;
import dev.tare.data.alpacaeval.AlpacaAnnotation;
import dev.tare.data.alpacaeval.AlpacaEvalReader;
import dev.tare.data.alpacaeval.AlpacaLeaderboardRow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Oracles: the AlpacaEval 2 leaderboard's published win rates, standard errors and LC win rates in ../shared. */
class AlpacaEvalScoringTest {
    static final List<String> VARIANTS = List.of("gpt-3.5-turbo-1106_concise", "gpt-3.5-turbo-1106", "gpt-3.5-turbo-1106_verbose");
    static Map<String, List<AlpacaAnnotation>> runs;
    static AlpacaPublished published;

    @BeforeAll static void load() {
        var ae = SharedData.data("alpacaeval");
        var lv = SharedData.data("alpacaeval-length-variants");
        assumeTrue(ae.isPresent() && lv.isPresent(), "../shared/data/alpacaeval(-length-variants) not present");
        runs = new LinkedHashMap<>();
        for (String m : List.of("FuseChat-Llama-3.1-8B-Instruct", "FuseChat-Qwen-2.5-7B-Instruct"))
            runs.put(m, AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(ae.get().resolve("results").resolve(m))));
        for (String m : VARIANTS)
            runs.put(m, AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(lv.get().resolve("results").resolve(m))));
        published = AlpacaPublished.read(ae.get().resolve("weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"),
                ae.get().resolve("length_controlled_v1_weights_baseline_gpt4_1106_preview.csv"));
    }

    @Test void rawWinRateAndStandardErrorEqualTheLeaderboard() {
        for (var e : runs.entrySet()) {
            AlpacaWinRate w = AlpacaWinRate.of(e.getValue());
            AlpacaLeaderboardRow row = published.leaderboard().get(e.getKey());
            assertEquals(row.winRate(), w.winRate(), 1e-9 * row.winRate(), e.getKey());
            assertEquals(row.standardError(), w.standardError(), 1e-9 * row.standardError(), e.getKey());
            assertEquals(row.discreteWinRate(), w.discreteWinRate(), 1e-9, e.getKey());
            assertEquals(List.of(row.nWins(), row.nWinsBase(), row.nDraws(), row.nTotal()),
                    List.of(w.nWins(), w.nWinsBase(), w.nDraws(), w.nTotal()), e.getKey());
        }
    }

    /** Difficulties estimated without the model's own annotations and without its published LC: a held-out check. */
    @Test void lcMatchesPublishedForEveryAnnotatedModelHeldOut() {
        double worstPublished = 0, worstFitted = 0;
        for (String m : runs.keySet()) {
            List<AlpacaPairs> others = new ArrayList<>();
            for (var e : runs.entrySet()) if (!e.getKey().equals(m)) others.add(AlpacaPairs.of(e.getValue()));
            var est = InstructionDifficulty.estimate(others, published.weights(), published.lcWinRates(), Set.copyOf(runs.keySet()));
            assertTrue(est.calibrationModels() > 150, "calibrated on " + est.calibrationModels());
            AlpacaPairs p = AlpacaPairs.of(runs.get(m));
            double[] d = est.alignedTo(p.instructions());
            var pred = LengthControlledGlm.predict(published.weights().get(m), published.weights().get("gpt4_1106_preview"), d);
            var fit = LengthControlledGlm.fit(p, d, AlpacaEvalScoring.gamed(published, p));
            double lc = published.leaderboard().get(m).lcWinRate();
            System.out.printf("%-32s published LC %6.2f  predicted %6.2f  fitted %6.2f (β %.2f vs %.2f)  calib rmse %.2f%n", m, lc,
                    pred.lcWinRate(), fit.lcWinRate(), fit.length(), published.weights().get(m).length(), est.calibrationRmse());
            worstPublished = Math.max(worstPublished, Math.abs(pred.lcWinRate() - lc));
            if (m.startsWith("FuseChat")) worstFitted = Math.max(worstFitted, Math.abs(fit.lcWinRate() - lc));
        }
        assertTrue(worstPublished < 1, "max |LC - published| = " + worstPublished);
        assertTrue(worstFitted < 1, "refit, FuseChat: max |LC - published| = " + worstFitted);
    }

    @Test void scoringAllRunsTogether() {
        var scores = AlpacaEvalScoring.score(new ArrayList<>(runs.values()), published);
        assertNull(scores.lcUnavailable());
        assertEquals(5, scores.difficulty().fromModels().size());
        for (AlpacaModelScores s : scores.models()) {
            assertEquals(LengthControlledGlm.Method.PUBLISHED_WEIGHTS, s.lc().method());
            assertEquals(LengthControlledGlm.Method.FITTED, s.fitted().method());
            assertEquals(s.published().lcWinRate(), s.lc().lcWinRate(), 1.0, s.model());
            assertTrue(s.lc().lcStandardError() > 0 && s.lc().lcStandardError() < 2, s.model() + " LC se " + s.lc().lcStandardError());
        }
        var lone = AlpacaEvalScoring.score(List.of(runs.get("gpt-3.5-turbo-1106")), published);
        assertNull(lone.models().getFirst().lc());
        assertTrue(lone.lcUnavailable().contains("at least two"));
    }

    private static double logit(double percent) { return Math.log(percent / (100 - percent)); }

    /**
     * AlpacaEval's sanity check: prompting one model for shorter or longer answers moves the raw win rate more than the
     * LC. On the odds scale (the GLM's), for gpt-3.5-turbo's concise / verbose runs; and, in points, for the gamed
     * copies of the baseline itself (whose raw win rates the leaderboard gives).
     */
    @Test void lengthVariantsMoveLessInLcThanInRawWinRate() {
        var scores = AlpacaEvalScoring.score(new ArrayList<>(runs.values()), published);
        Map<String, AlpacaModelScores> by = new LinkedHashMap<>();
        for (var s : scores.models()) by.put(s.model(), s);
        var concise = by.get(VARIANTS.getFirst()); var verbose = by.get(VARIANTS.getLast());
        double rawSpread = logit(verbose.raw().winRate()) - logit(concise.raw().winRate());
        for (var lc : List.of(new double[]{concise.lc().lcWinRate(), verbose.lc().lcWinRate()},
                new double[]{concise.fitted().lcWinRate(), verbose.fitted().lcWinRate()})) {
            double lcSpread = logit(lc[1]) - logit(lc[0]);
            System.out.printf("gpt-3.5 concise→verbose: raw %.2f→%.2f (log-odds +%.3f), LC %.2f→%.2f (log-odds +%.3f)%n",
                    concise.raw().winRate(), verbose.raw().winRate(), rawSpread, lc[0], lc[1], lcSpread);
            assertTrue(lcSpread < rawSpread, "LC log-odds spread " + lcSpread + " vs raw " + rawSpread);
        }
        var base = published.weights().get("gpt4_1106_preview");
        double[] d = scores.difficulty().difficulty();
        double lcV = LengthControlledGlm.predict(published.weights().get("gpt4_1106_preview_verbose"), base, d).lcWinRate();
        double lcC = LengthControlledGlm.predict(published.weights().get("gpt4_1106_preview_concise"), base, d).lcWinRate();
        double rawV = published.leaderboard().get("gpt4_1106_preview_verbose").winRate();
        double rawC = published.leaderboard().get("gpt4_1106_preview_concise").winRate();
        System.out.printf("gpt4_1106_preview concise→verbose: raw %.2f→%.2f, LC %.2f→%.2f%n", rawC, rawV, lcC, lcV);
        assertTrue(lcV - lcC < (rawV - rawC) / 3, "gamed baseline: LC moves " + (lcV - lcC) + ", raw " + (rawV - rawC));
    }
}
