package dev.tare.serve;

import java.util.Map;

/**
 * The reward for one item: the final value, the raw reward-model score before corrections (NaN when no model
 * source is configured), each component's contribution (already weighted) so callers see what was applied, and
 * per-item numeric logs (one {@code <source>_label_missing} 0/1 flag per verifiable source, the same keys for every
 * item of a deployment). {@code error} is null unless this item alone failed (a bad or missing label, no findable
 * response): then the reward is NaN and the item is answered as an error, not a number.
 */
public record RewardResult(double reward, double rawScore, Map<String, Double> components, Map<String, Double> logs, String error) {
    public RewardResult {
        components = Map.copyOf(components);
        logs = Map.copyOf(logs);
    }

    public RewardResult(double reward, double rawScore, Map<String, Double> components) {
        this(reward, rawScore, components, Map.of(), null);
    }

    /** An item that failed on its own (422 for that item). */
    public static RewardResult failed(String error) {
        return new RewardResult(Double.NaN, Double.NaN, Map.of(), Map.of(), error);
    }

    public boolean ok() { return error == null; }
}
