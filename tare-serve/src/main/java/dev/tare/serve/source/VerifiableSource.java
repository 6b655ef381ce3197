package dev.tare.serve.source;

import dev.tare.serve.RewardItem;

import java.util.List;

/** A reward checked against the item's label (GSM8K answer, BBQ letter); scored item by item so one bad label fails alone. */
public sealed interface VerifiableSource extends RewardSource permits BbqLetterSource, Gsm8kSource {
    /** The item's reward; {@link IllegalArgumentException} (a 422 for that item alone) for a bad label or no findable response. */
    double reward(RewardItem item);

    /** What to do when an item has no label. */
    MissingLabel onMissingLabel();

    /** The batch at once, failing on the first bad item (message prefixed with its index). */
    @Override
    default double[] evaluate(List<RewardItem> batch) {
        double[] out = new double[batch.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = reward(batch.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("item " + i + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
