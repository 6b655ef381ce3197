package dev.tare.eval.inside;

import dev.tare.data.Message;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One input of an activation run: an id, a group (items of one group share a cross-validation fold), the chat
 * prompt, an optional fixed response (null: the model generates one greedily), labels known up front, and an optional
 * function that derives more labels (0/1, or absent) from the response.
 */
public record ActivationItem(String id, String group, List<Message> prompt, String response, Map<String, Integer> labels,
                             Function<String, Map<String, Integer>> replyLabels) {
    public ActivationItem {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("activation item without an id");
        if (group == null || group.isBlank()) group = id;
        prompt = List.copyOf(prompt);
        labels = Map.copyOf(labels);
    }
}
