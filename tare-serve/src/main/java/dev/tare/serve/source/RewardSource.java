package dev.tare.serve.source;

import dev.tare.serve.RewardItem;

import java.util.List;

/** One source of reward in a deployment (a reward model, a verifiable checker); evaluates a batch at once. */
public sealed interface RewardSource permits ModelSource, VerifiableSource {
    /** Name used in the response's components and in metrics. */
    String name();

    /** One value per item; never NaN (throw instead). */
    double[] evaluate(List<RewardItem> batch);

    /** The item's response text; a missing one is the caller's fault (422), named by item index. */
    static String response(RewardItem item, int index) {
        try {
            return item.responseText();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("item " + index + ": " + e.getMessage(), e);
        }
    }
}
