package dev.tare.spark;

import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The reward scorers of this JVM, one per spec: an executor opens (memory-maps) a local model once and every task on
 * it shares it, as tare eval's parallel batches share one; closed when the JVM exits.
 */
public final class ScorerCache {
    private static final ConcurrentHashMap<String, RewardScorer> OPEN = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.values().forEach(RewardScorer::close), "tare-scorer-close"));
    }

    private ScorerCache() {}

    /** The scorer of {@code spec}, opened on first use in this JVM. */
    public static RewardScorer get(String spec) {
        return OPEN.computeIfAbsent(spec, s -> ScorerSpec.parse(s).rewardScorer(System::getenv));
    }
}
