package dev.tare.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.report.JsonSummary;
import dev.tare.scorers.judge.JudgeStats;

/**
 * The {@code cost} block of a judge run's summary.json: calls, prompt_tokens, completion_tokens, seconds and
 * completion_tokens_per_second (null before any timed call). Counts this process only: a resumed run's earlier
 * part is not included.
 */
public final class JudgeCost {
    private JudgeCost() {}

    public static void put(JsonSummary parent, JudgeStats s) {
        parent.object("cost").put("calls", s.calls()).put("prompt_tokens", s.promptTokens()).put("completion_tokens", s.completionTokens())
                .put("seconds", s.seconds()).put("completion_tokens_per_second", s.completionTokensPerSecond());
    }

    /** The same block into a Jackson object. */
    public static void put(ObjectNode parent, JudgeStats s) {
        JsonSummary j = new JsonSummary();
        put(j, s);
        parent.set("cost", j.node().get("cost"));
    }
}
