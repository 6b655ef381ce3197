package dev.tare.scorers;

import dev.tare.data.Message;

import java.util.List;

/**
 * Anything that turns conversations into scalar rewards: a local checkpoint, a remote endpoint, a judge.
 * Each conversation is the prompt turns followed by the assistant response being scored.
 * Implementations are thread-safe; {@link #score} may be called from several threads.
 */
public interface RewardScorer extends AutoCloseable {
    /** A short name for result files and reports (model directory name, endpoint model name). */
    String name();

    /** One reward per conversation, in order. Throws {@link ScorerException} rather than returning NaN. */
    double[] score(List<List<Message>> conversations);

    /** How many conversations one call should carry for good throughput. */
    default int preferredBatchSize() { return 8; }

    /**
     * Settings that change the rewards and that a results file or summary must record (e.g. {@code score_token} of a
     * local model); empty by default. Keys are JSON field names, values strings or numbers.
     */
    default java.util.Map<String, Object> provenance() { return java.util.Map.of(); }

    /**
     * What the rewards depend on beyond {@link #name()} and {@link #provenance()}, as named digests (model config,
     * weights, tokenizer, adapter and λ, settings); a resumed run refuses a file made with any other. Empty = unknown.
     */
    default java.util.Map<String, String> identity() { return java.util.Map.of(); }

    @Override default void close() {}
}
