package dev.tare.scorers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.scorers.ScorerException;

import java.net.URI;

/**
 * Refuses rewards that are probabilities rather than raw reward-head outputs: an engine that applied sigmoid/softmax
 * (vLLM ≥ 0.10 without {@code use_activation: false}, or an older vLLM that ignores it) turns a one-label reward
 * model's logit into a value in [0, 1] that saturates to ties. Suspect: {@value #WINDOW} or more scores all in [0, 1],
 * or any score of exactly 0 or 1 while every score so far lies in [0, 1] (float32 sigmoid saturation); and, for
 * vllm-classify, a row of two or more classes in [0, 1] that sums to 1 (a softmax). Once it has seen a score outside
 * [0, 1] the model is known to be raw and it stays quiet. Thread-safe.
 */
final class ProbabilityGuard {
    /** Scores all in [0, 1] that make a response look like probabilities. */
    static final int WINDOW = 16;
    private final URI uri;
    private final boolean off;
    private long seen;
    private boolean raw;

    ProbabilityGuard(URI uri, boolean off) {
        this.uri = uri;
        this.off = off;
    }

    /** Checks one call's rewards (all finite) against everything seen so far. */
    synchronized void check(double[] scores) {
        if (off || raw) return;
        boolean saturated = false;
        for (double s : scores) {
            if (s < 0 || s > 1) {
                raw = true;
                return;
            }
            if (s == 0.0 || s == 1.0) saturated = true;
        }
        seen += scores.length;
        if (saturated || seen >= WINDOW) {
            throw new ScorerException("the rewards from " + uri + " look like probabilities (" + (saturated
                    ? "a score of exactly 0 or 1, every score so far in [0, 1]" : "all " + seen + " scores so far in [0, 1]")
                    + "): the server applied a sigmoid/softmax, which saturates into ties. vLLM >= 0.10 honours "
                    + "use_activation=false (tare sends it); for an older vLLM set activation-field=activation or softmax, "
                    + "for TEI check raw_scores. If the model really outputs probabilities, add probability=true to the spec.");
        }
    }

    /** A vllm-classify row of two or more classes, all in [0, 1], summing to 1, is a softmax: refused at once. */
    void checkSoftmax(JsonNode resp) {
        if (off) return;
        JsonNode probs = resp.path("data").path(0).path("probs");
        if (!probs.isArray() || probs.size() < 2) return;
        double sum = 0;
        for (JsonNode p : probs) {
            if (!p.isNumber()) return;
            double v = p.asDouble();
            if (v < 0 || v > 1) return;
            sum += v;
        }
        if (Math.abs(sum - 1) < 1e-5)
            throw new ScorerException("the classes from " + uri + " are softmax probabilities (" + probs.size()
                    + " classes summing to 1): the server ignored " + "use_activation=false. Upgrade vLLM to >= 0.10 or set "
                    + "activation-field=activation or softmax; if probabilities are wanted, add probability=true to the spec.");
    }
}
