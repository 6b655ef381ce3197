package dev.tare.metrics.alpacaeval;

import dev.tare.data.alpacaeval.AlpacaAnnotation;
import dev.tare.data.alpacaeval.AlpacaGlmWeights;
import dev.tare.data.alpacaeval.AlpacaLeaderboardRow;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Scores AlpacaEval runs: raw win rate and standard error ({@link AlpacaWinRate}) for each model, and, given
 * AlpacaEval's published leaderboard and GLM weights and at least two annotated models, the length-controlled win rate
 * ({@link LengthControlledGlm}) on difficulties estimated jointly from all the runs ({@link InstructionDifficulty}).
 */
public final class AlpacaEvalScoring {
    private AlpacaEvalScoring() {}

    /** Scores each run (one model's annotations each); {@code published} may be null (raw metrics only). */
    public static AlpacaEvalScores score(List<List<AlpacaAnnotation>> runs, AlpacaPublished published) {
        if (runs.isEmpty()) throw new IllegalArgumentException("no AlpacaEval runs");
        Set<String> names = new HashSet<>();
        for (List<AlpacaAnnotation> r : runs)
            if (!names.add(r.getFirst().generator2())) throw new IllegalArgumentException("model " + r.getFirst().generator2() + " given twice");
        List<AlpacaPairs> pairs = runs.stream().map(AlpacaPairs::of).toList();
        List<AlpacaPairs> compared = pairs.stream().filter(p -> !p.model().equals(p.baseline())).toList();
        InstructionDifficulty.Estimate est = null;
        String why = null;
        if (published == null) why = "no published leaderboard / GLM weights to calibrate instruction difficulties on";
        else if (compared.size() < 2) why = "instruction difficulties need the annotations of at least two models (got " + compared.size() + ")";
        else est = InstructionDifficulty.estimate(compared, published.weights(), published.lcWinRates(), new LinkedHashSet<>(names));
        List<AlpacaModelScores> out = new ArrayList<>();
        for (int m = 0; m < runs.size(); m++) {
            AlpacaPairs p = pairs.get(m);
            AlpacaWinRate raw = AlpacaWinRate.of(runs.get(m));
            AlpacaLeaderboardRow row = published == null ? null : published.leaderboard().get(p.model());
            LengthControlledGlm.Fit lc = null, fitted = null;
            if (p.model().equals(p.baseline())) {
                lc = fitted = new LengthControlledGlm.Fit(0, 0, 0, 50, 0, LengthControlledGlm.Method.BASELINE);
            } else if (est != null) {
                double[] d = est.alignedTo(p.instructions());
                fitted = LengthControlledGlm.fit(p, d, gamed(published, p));
                AlpacaGlmWeights w = published.weights().get(p.model()), base = published.weights().get(p.baseline());
                lc = w != null && base != null ? LengthControlledGlm.predict(w, base, d) : fitted;
            }
            out.add(new AlpacaModelScores(p.model(), p.baseline(), raw, lc, fitted, p.meanModelLength(), row));
        }
        return new AlpacaEvalScores(List.copyOf(out), est, why);
    }

    /** The gamed baselines whose weights and lengths are published (all of them, or none). */
    static List<LengthControlledGlm.GamedBaseline> gamed(AlpacaPublished published, AlpacaPairs pairs) {
        List<LengthControlledGlm.GamedBaseline> out = new ArrayList<>();
        if (!pairs.baseline().equals("gpt4_1106_preview")) return out;
        for (String g : LengthControlledGlm.GAMED_BASELINES) {
            AlpacaGlmWeights w = published.weights().get(g);
            AlpacaLeaderboardRow r = published.leaderboard().get(g);
            if (w == null || r == null) return List.of();
            out.add(new LengthControlledGlm.GamedBaseline(w, r.avgLength() > pairs.meanBaselineLength()));
        }
        return out;
    }
}
