package dev.tare.metrics.alpacaeval;

import dev.tare.data.alpacaeval.AlpacaEvalReader;
import dev.tare.data.alpacaeval.AlpacaGlmWeights;
import dev.tare.data.alpacaeval.AlpacaLeaderboardRow;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** AlpacaEval's published numbers: the leaderboard CSV's rows and the length-controlled GLM weights CSV, by model. */
public record AlpacaPublished(Map<String, AlpacaLeaderboardRow> leaderboard, Map<String, AlpacaGlmWeights> weights) {
    /** Reads the leaderboard CSV and the GLM weights CSV. */
    public static AlpacaPublished read(Path leaderboardCsv, Path weightsCsv) {
        return new AlpacaPublished(AlpacaEvalReader.readLeaderboard(leaderboardCsv), AlpacaEvalReader.readGlmWeights(weightsCsv));
    }

    /** The published LC win rate (percent) of every model that has one. */
    public Map<String, Double> lcWinRates() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (AlpacaLeaderboardRow r : leaderboard.values()) if (!Double.isNaN(r.lcWinRate())) out.put(r.model(), r.lcWinRate());
        return out;
    }
}
