package dev.tare.serve.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.gsm8k.Gsm8kAnswers;
import dev.tare.serve.RewardItem;


/**
 * Verifiable GSM8K reward: 1 when the response's last number equals the gold answer numerically, else 0.
 * The label is the gold answer: a number, or a GSM8K worked solution ending in "#### N". {@code onMissingLabel}
 * decides what an unlabelled item gets.
 */
public record Gsm8kSource(MissingLabel onMissingLabel) implements VerifiableSource {
    public Gsm8kSource {
        java.util.Objects.requireNonNull(onMissingLabel, "onMissingLabel");
    }

    /** With the default missing-label policy. */
    public Gsm8kSource() { this(MissingLabel.DEFAULT); }

    @Override public String name() { return "gsm8k"; }

    @Override
    public double reward(RewardItem item) {
        JsonNode label = item.label();
        if (label == null || label.isNull() || !(label.isTextual() || label.isNumber()))
            throw new IllegalArgumentException("gsm8k needs a label with the gold answer");
        String text = label.asText();
        String gold = text.contains("####") ? Gsm8kAnswers.gold(text).orElse("") : text.strip();
        if (Gsm8kAnswers.normalize(gold).isEmpty())
            throw new IllegalArgumentException("gsm8k label '" + text + "' has no numeric gold answer");
        return Gsm8kAnswers.isCorrect(item.responseText(), gold) ? 1.0 : 0.0;
    }
}
