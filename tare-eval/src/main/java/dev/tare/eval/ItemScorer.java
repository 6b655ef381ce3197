package dev.tare.eval;

import dev.tare.data.PreferenceItem;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.RewardScorer;

import java.util.List;

/** Scores whole benchmark items, one batch per call: a reward model (every response) or a pairwise judge. */
public interface ItemScorer {
    /** The model name written into every result line. */
    String name();

    /** Preferred batch size, counted in responses (a pair counts 2). */
    int preferredBatchSize();

    /** Settings recorded in every result line (e.g. {@code score_token}); see {@link RewardScorer#provenance()}. */
    default java.util.Map<String, Object> provenance() { return java.util.Map.of(); }

    /** The scorer's identity, recorded in every result line and checked on resume; see {@link RewardScorer#identity()}. */
    default java.util.Map<String, String> identity() { return java.util.Map.of(); }

    /** One result per item, in order. */
    List<ScoredItem> score(List<PreferenceItem> batch);

    /**
     * A reward model scoring every chosen and rejected response; a scorer with objectives ({@link
     * dev.tare.scorers.ObjectiveScorer}) also records each response's breakdown ({@link ObjectiveColumns}).
     */
    static ItemScorer of(RewardScorer scorer) {
        if (scorer instanceof dev.tare.scorers.ObjectiveScorer os && !os.objectiveNames().isEmpty()) {
            return new ItemScorer() {
                @Override public String name() { return scorer.name(); }
                @Override public int preferredBatchSize() { return scorer.preferredBatchSize(); }
                @Override public java.util.Map<String, Object> provenance() {
                    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(scorer.provenance());
                    m.put(ObjectiveColumns.NAMES, os.objectiveNames());
                    return m;
                }
                @Override public java.util.Map<String, String> identity() { return scorer.identity(); }
                @Override public List<ScoredItem> score(List<PreferenceItem> batch) { return EvalRunner.scoreBatchExplained(batch, os); }
            };
        }
        return new ItemScorer() {
            @Override public String name() { return scorer.name(); }
            @Override public int preferredBatchSize() { return scorer.preferredBatchSize(); }
            @Override public java.util.Map<String, Object> provenance() { return scorer.provenance(); }
            @Override public java.util.Map<String, String> identity() { return scorer.identity(); }
            @Override public List<ScoredItem> score(List<PreferenceItem> batch) { return EvalRunner.scoreBatch(batch, scorer, scorer.name()); }
        };
    }
}
