package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The config.json keys of ArmoRM's gated multi-objective head ({@code LlamaForRewardModelWithGating}): the number of
 * objectives, the gating softmax temperature, and the gating MLP's hidden width and number of hidden layers. All four
 * are required (the published code has defaults, but a checkpoint that omits one is refused rather than guessed).
 */
public record GatingConfig(int numObjectives, double temperature, int hiddenDim, int nHidden) {

    /** The 19 objectives of RLHFlow/ArmoRM-Llama3-8B-v0.1, in its regression_layer's row order (from its model card). */
    public static final List<String> ARMORM_OBJECTIVES = List.of(
            "helpsteer-helpfulness", "helpsteer-correctness", "helpsteer-coherence", "helpsteer-complexity", "helpsteer-verbosity",
            "ultrafeedback-overall_score", "ultrafeedback-instruction_following", "ultrafeedback-truthfulness",
            "ultrafeedback-honesty", "ultrafeedback-helpfulness", "beavertails-is_safe", "prometheus-score",
            "argilla-overall_quality", "argilla-judge_lm", "code-complexity", "code-style", "code-explanation",
            "code-instruction-following", "code-readability");

    public GatingConfig {
        if (numObjectives < 1 || nHidden < 0 || hiddenDim < 1 || !(temperature > 0) || !Double.isFinite(temperature))
            throw new IllegalArgumentException("invalid gating config " + numObjectives + "/" + temperature + "/" + hiddenDim + "/" + nHidden);
    }

    /** Objective names: ArmoRM's 19 when there are 19 objectives, else {@code obj0..objN-1}. */
    public List<String> objectiveNames() {
        if (numObjectives == ARMORM_OBJECTIVES.size()) return ARMORM_OBJECTIVES;
        List<String> r = new ArrayList<>(numObjectives);
        for (int i = 0; i < numObjectives; i++) r.add("obj" + i);
        return List.copyOf(r);
    }

    /** Reads the four keys from a config.json object, naming the file and key when one is missing or invalid. */
    static GatingConfig parse(Path file, JsonNode c) {
        int n = positiveInt(file, c, "num_objectives", 1);
        JsonNode t = c.get("gating_temperature");
        if (t == null || t.isNull()) throw new DataFormatException(file, 0, "gating_temperature", "missing (required by " + ModelConfig.GATED_ARCHITECTURE + ")");
        if (!t.isNumber() || !(t.asDouble() > 0) || !Double.isFinite(t.asDouble()))
            throw new DataFormatException(file, 0, "gating_temperature", "must be a positive number, got " + t);
        int hidden = positiveInt(file, c, "gating_hidden_dim", 1);
        int nHidden = positiveInt(file, c, "gating_n_hidden", 0);
        return new GatingConfig(n, t.asDouble(), hidden, nHidden);
    }

    private static int positiveInt(Path file, JsonNode c, String key, int min) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) throw new DataFormatException(file, 0, key, "missing (required by " + ModelConfig.GATED_ARCHITECTURE + ")");
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min)
            throw new DataFormatException(file, 0, key, "must be an integer ≥ " + min + ", got " + v);
        return v.asInt();
    }
}
