package dev.tare.scorers;

import java.util.List;

/**
 * A scorer that can also score text already rendered through the chat template (e.g. an RL trainer's full
 * "query" string that includes special tokens). Implementations tokenize such text without adding special tokens.
 */
public interface RenderedTextScorer extends RewardScorer {
    /** One reward per rendered text, in order. */
    double[] scoreRendered(List<String> renderedTexts);

    /** Whether this scorer can take rendered text at all (a remote endpoint that only takes chat messages cannot). */
    default boolean scoresRenderedText() { return true; }

    /** The tokenizer's special-token texts (end-of-turn, EOS, PAD...), to strip off responses split from rendered text; empty if unknown. */
    default java.util.Set<String> specialTokenTexts() { return java.util.Set.of(); }
}
