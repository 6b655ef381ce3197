package dev.tare.scorers;

import dev.tare.data.Message;
import dev.tare.runtime.model.ObjectiveScores;

import java.util.List;

/**
 * A reward scorer whose reward decomposes into named objectives (a gated multi-objective head such as ArmoRM's):
 * per conversation the objective rewards, gating weights and coefficients, and the reward it reports for them.
 */
public interface ObjectiveScorer extends RewardScorer {
    /** Objective names in head order; empty when this scorer's model has no objectives. */
    List<String> objectiveNames();

    /** Each conversation's per-objective breakdown, in order (an error when {@link #objectiveNames()} is empty). */
    List<ObjectiveScores> explain(List<List<Message>> conversations);

    /** The reward this scorer reports for a breakdown (its score, or the re-weighted sum when objectives are re-weighted). */
    double reward(ObjectiveScores s);
}
