package dev.tare.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.tare.data.Message;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tare {@link RewardScorer} as a LangChain4j {@link ScoringModel}: each segment is scored as the assistant's reply
 * to the query (a user turn), in batches of the scorer's preferred size, optionally calibrated (debiased) per response.
 * Scores are rewards (unbounded logits for a local model): higher is better, so it can rerank. The caller keeps
 * ownership of the scorer (and closes it). Thread-safe when the scorer and calibrator are.
 */
public final class TareScoringModel implements ScoringModel {
    private final RewardScorer scorer;
    private final ResponseCalibrator calibrator;
    private final Map<String, Object> metadata;

    private TareScoringModel(RewardScorer scorer, ResponseCalibrator calibrator) {
        this.scorer = scorer;
        this.calibrator = calibrator;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scorer", scorer.name());
        m.putAll(scorer.provenance());
        m.put("calibrated", calibrator != null);
        this.metadata = Collections.unmodifiableMap(m);
    }

    /** The raw rewards of {@code scorer}, uncalibrated. */
    public static TareScoringModel of(RewardScorer scorer) { return builder().scorer(scorer).build(); }

    public static Builder builder() { return new Builder(); }

    public RewardScorer scorer() { return scorer; }

    public Optional<ResponseCalibrator> calibrator() { return Optional.ofNullable(calibrator); }

    /** The conversation one segment is scored as: {@code [user(query), assistant(segment text)]}. */
    public static List<Message> conversation(String query, TextSegment segment) {
        return List.of(Message.user(query), Message.assistant(segment.text()));
    }

    /**
     * One reward per segment, in input order (an empty list scores nothing). The response carries no token usage;
     * its metadata names the scorer, its provenance (e.g. {@code score_token}) and whether rewards were calibrated.
     * A null or blank query, a null list or a null segment is an {@link IllegalArgumentException}; a scorer or
     * calibrator failure is a {@link ScorerException} whose message starts with the failing segment's index.
     */
    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        if (query == null || query.isBlank()) throw new IllegalArgumentException("query must not be null or blank");
        if (segments == null) throw new IllegalArgumentException("segments must not be null");
        List<List<Message>> conversations = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            TextSegment s = segments.get(i);
            if (s == null) throw new IllegalArgumentException("segment " + i + " is null");
            conversations.add(conversation(query, s));
        }
        int batch = Math.max(1, scorer.preferredBatchSize());
        List<Double> scores = new ArrayList<>(segments.size());
        for (int from = 0; from < conversations.size(); from += batch) {
            int to = Math.min(from + batch, conversations.size());
            double[] raw = scoreBatch(conversations.subList(from, to), from);
            for (int k = 0; k < raw.length; k++) scores.add(finish(from + k, raw[k], segments.get(from + k).text()));
        }
        return Response.from(List.copyOf(scores), null, null, metadata);
    }

    /** As {@link #scoreAll} for one segment, keeping the metadata (the interface's default drops it). */
    @Override
    public Response<Double> score(TextSegment segment, String query) {
        Response<List<Double>> r = scoreAll(Collections.singletonList(segment), query);
        return Response.from(r.content().getFirst(), r.tokenUsage(), r.finishReason(), r.metadata());
    }

    /** Scores one batch; when it fails, each of its segments is tried alone to name the one that fails. */
    private double[] scoreBatch(List<List<Message>> batch, int from) {
        double[] raw;
        try {
            raw = scorer.score(batch);
        } catch (RuntimeException e) {
            if (batch.size() > 1) {
                for (int k = 0; k < batch.size(); k++) {
                    try {
                        scorer.score(List.of(batch.get(k)));
                    } catch (RuntimeException alone) {
                        throw failure("segment " + (from + k) + ": ", alone);
                    }
                }
            }
            throw failure(batch.size() == 1 ? "segment " + from + ": "
                    : "segments " + from + ".." + (from + batch.size() - 1) + " (failed together; each alone scored): ", e);
        }
        if (raw == null || raw.length != batch.size())
            throw new ScorerException("segments " + from + ".." + (from + batch.size() - 1) + ": " + scorer.name() + " returned "
                    + (raw == null ? "null" : raw.length + " rewards") + " for " + batch.size() + " conversations");
        return raw;
    }

    /** The segment's reward after the calibrator, checked to be finite. */
    private double finish(int index, double raw, String text) {
        if (!Double.isFinite(raw)) throw new ScorerException("segment " + index + ": " + scorer.name() + " returned a non-finite reward " + raw);
        if (calibrator == null) return raw;
        double c;
        try {
            c = calibrator.calibrate(raw, text);
        } catch (RuntimeException e) {
            throw failure("segment " + index + ": calibration failed: ", e);
        }
        if (!Double.isFinite(c)) throw new ScorerException("segment " + index + ": the calibrator returned a non-finite reward " + c + " for raw reward " + raw);
        return c;
    }

    private static ScorerException failure(String prefix, RuntimeException e) {
        return e instanceof ScorerException se ? se.prefixed(prefix) : new ScorerException(prefix + e, false, e);
    }

    @Override public String toString() {
        return "TareScoringModel[" + scorer.name() + (calibrator == null ? "" : ", " + calibrator) + "]";
    }

    /** Builds a {@link TareScoringModel}: a scorer (required) and an optional calibrator. */
    public static final class Builder {
        private RewardScorer scorer;
        private ResponseCalibrator calibrator;

        private Builder() {}

        public Builder scorer(RewardScorer scorer) { this.scorer = scorer; return this; }

        /** Applied to each raw reward with the segment's text; null for none (raw rewards). */
        public Builder calibrator(ResponseCalibrator calibrator) { this.calibrator = calibrator; return this; }

        public TareScoringModel build() {
            if (scorer == null) throw new IllegalArgumentException("a scorer is required");
            return new TareScoringModel(scorer, calibrator);
        }
    }
}
