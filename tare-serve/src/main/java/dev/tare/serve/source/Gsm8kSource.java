package dev.tare.serve.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.gsm8k.Gsm8kAnswers;
import dev.tare.serve.RewardItem;

import java.util.List;

/**
 * Verifiable GSM8K reward: 1 when the response's last number equals the gold answer numerically, else 0.
 * The label is the gold answer: a number, or a GSM8K worked solution ending in "#### N".
 */
public record Gsm8kSource() implements RewardSource {
    @Override public String name() { return "gsm8k"; }

    @Override
    public double[] evaluate(List<RewardItem> batch) {
        double[] out = new double[batch.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode label = batch.get(i).label();
            if (label == null || label.isNull() || !(label.isTextual() || label.isNumber()))
                throw new IllegalArgumentException("item " + i + ": gsm8k needs a label with the gold answer");
            String text = label.asText();
            String gold = text.contains("####") ? Gsm8kAnswers.gold(text).orElse("") : text.strip();
            if (Gsm8kAnswers.normalize(gold).isEmpty())
                throw new IllegalArgumentException("item " + i + ": gsm8k label '" + text + "' has no numeric gold answer");
            out[i] = Gsm8kAnswers.isCorrect(RewardSource.response(batch.get(i), i), gold) ? 1.0 : 0.0;
        }
        return out;
    }
}
