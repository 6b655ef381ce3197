package dev.tare.data.gsm8k;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Jsonl;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads GSM8K train/test jsonl (`question`, `answer` ending in `#### N`) and the example model solutions file. */
public final class Gsm8kReader {
    private Gsm8kReader() {}

    /**
     * Problems of train.jsonl / test.jsonl, each with its 1-based line; a missing question/answer or an answer without
     * `#### N` is an error naming file:line:field.
     */
    public static List<Gsm8kItem> read(Path file) {
        return Jsonl.read(file, (line, n) -> {
            String question = line.text("question");
            String answer = line.text("answer");
            String gold = Gsm8kAnswers.gold(answer).orElseThrow(() -> line.error("answer", "no final answer after '####'"));
            if (Gsm8kAnswers.normalize(gold).isEmpty()) throw line.error("answer", "final answer '" + gold + "' is not a number");
            return new Gsm8kItem(question, answer, gold, line.number());
        });
    }

    /** One solution of example_model_solutions.jsonl: the model key, its text and the authors' is_correct. */
    public record Solution(String model, String text, boolean isCorrect) {}

    /** One row of example_model_solutions.jsonl: question, ground-truth text, solutions by model key. */
    public record SolutionRow(String question, String groundTruth, Map<String, Solution> solutions, long line) {}

    /** Rows of example_model_solutions.jsonl (every field other than question/ground_truth is a solution). */
    public static List<SolutionRow> readSolutions(Path file) {
        return Jsonl.read(file, (line, n) -> {
            Map<String, Solution> sols = new LinkedHashMap<>();
            for (var it = n.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                String k = e.getKey();
                if (k.equals("question") || k.equals("ground_truth")) continue;
                JsonNode v = e.getValue();
                JsonNode c = v.get("is_correct"), s = v.get("solution");
                if (!v.isObject() || c == null || !c.isBoolean() || s == null || !s.isTextual())
                    throw line.error(k, "expected {is_correct: bool, solution: string}");
                sols.put(k, new Solution(k, s.asText(), c.asBoolean()));
            }
            return new SolutionRow(line.text("question"), line.text("ground_truth"), sols, line.number());
        });
    }
}
