package dev.tare.data.gsm8k;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.data.Jsonl;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Preference pairs from GSM8K for training (e.g. a forget-LoRA that isolates a style bias): each question gets a
 * correct solution (the GSM8K worked answer) and an incorrect one (a {@link Gsm8kSlip} propagated to the final
 * answer), each rendered in the three {@link Gsm8kStyle}s, and three pairs per question per {@link Mode}:
 * <ul>
 *   <li>{@code style} (same correctness, chosen = plainer): 1 correct concise vs correct markdown, 2 incorrect concise
 *       vs incorrect markdown, 3 correct detailed vs correct markdown;</li>
 *   <li>{@code correctness} (same style, chosen = correct): 1 concise, 2 detailed, 3 markdown;</li>
 *   <li>{@code cross} (chosen = correct but plain, rejected = wrong but stylish): 1 correct concise vs wrong
 *       markdown, 2 correct concise vs wrong detailed, 3 correct detailed vs wrong markdown.</li>
 * </ul>
 * A question without a slip that reaches its answer is skipped in every mode (all three pairs or none), counted by
 * reason. Rows are the generic pairs format ({@code id, subset, prompt, chosen, rejected} + flat metadata) that
 * {@code DatasetReader.read("pairs", file)} loads.
 */
public final class Gsm8kPairs {
    private Gsm8kPairs() {}

    /** Which contrast the pairs carry. */
    public enum Mode {
        STYLE, CORRECTNESS, CROSS;

        /** The CLI / metadata name: style, correctness, cross. */
        public String label() { return name().toLowerCase(Locale.ROOT); }

        /** Looks a mode up by its label. */
        public static Mode parse(String s) {
            for (Mode m : values()) if (m.label().equalsIgnoreCase(s.strip())) return m;
            throw new IllegalArgumentException("unknown mode '" + s + "' (expected one of "
                    + Arrays.stream(values()).map(Mode::label).toList() + ")");
        }
    }

    /**
     * Why a question gave no pairs: its answer is negative (slips keep values non-negative, and a negative number is
     * not one text token), or no calculation reaches the answer and the answer is not written as a number in the steps
     * (a unit conversion in prose, "$100 000", a worked answer whose last result is not the {@code ####} answer).
     */
    public static final String NEGATIVE_ANSWER = "negative-answer", NOT_DERIVED = "answer-not-derived-or-stated";

    /** One side of a pair: its style and whether it is the correct solution. */
    public record Side(Gsm8kStyle style, boolean correct) {}

    /**
     * One pair row. {@code slip}, {@code perturbedStep}, {@code slipDetail} and {@code wrongAnswer} are null when both
     * sides are correct.
     */
    public record Pair(String id, String subset, String prompt, String chosen, String rejected, Side chosenSide,
                       Side rejectedSide, Integer perturbedStep, String slip, String slipDetail, String correctAnswer,
                       String wrongAnswer, long seed, long line) {

        /** The JSONL row: id, subset, prompt, chosen, rejected, then the flat metadata. */
        public ObjectNode toJson() {
            ObjectNode o = Jsonl.MAPPER.createObjectNode();
            o.put("id", id).put("subset", subset).put("prompt", prompt).put("chosen", chosen).put("rejected", rejected);
            o.put("chosen_style", chosenSide.style().label()).put("rejected_style", rejectedSide.style().label());
            o.put("chosen_correct", chosenSide.correct()).put("rejected_correct", rejectedSide.correct());
            o.put("perturbed_step", perturbedStep).put("slip", slip).put("slip_detail", slipDetail);
            o.put("correct_answer", correctAnswer).put("wrong_answer", wrongAnswer);
            o.put("seed", seed).put("source_line", line);
            return o;
        }
    }

    /** The pairs of one run, how many questions were read and used, and the skipped ones by reason. */
    public record Result(List<Pair> pairs, int questions, int used, Map<String, Integer> skipped) {
        public Result {
            pairs = List.copyOf(pairs);
            skipped = Map.copyOf(skipped);
        }

        /** "N pairs from U of Q questions (skipped: reason=count, ...)". */
        public String summary() {
            String skips = skipped.isEmpty() ? "none" : skipped.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
            return pairs.size() + " pairs from " + used + " of " + questions + " questions (skipped: " + skips + ")";
        }
    }

    /** The three (chosen, rejected) sides of each mode, in pair order k = 1..3. */
    static List<Side[]> sides(Mode mode) {
        Gsm8kStyle c = Gsm8kStyle.CONCISE, d = Gsm8kStyle.DETAILED, m = Gsm8kStyle.MARKDOWN;
        return switch (mode) {
            case STYLE -> List.of(pair(c, true, m, true), pair(c, false, m, false), pair(d, true, m, true));
            case CORRECTNESS -> List.of(pair(c, true, c, false), pair(d, true, d, false), pair(m, true, m, false));
            case CROSS -> List.of(pair(c, true, m, false), pair(c, true, d, false), pair(d, true, m, false));
        };
    }

    private static Side[] pair(Gsm8kStyle a, boolean ac, Gsm8kStyle b, boolean bc) {
        return new Side[]{new Side(a, ac), new Side(b, bc)};
    }

    /** How the incorrect solution is made. */
    public enum SlipRule {
        /** {@link Gsm8kSlip#find}: one calculation slipped and propagated to the final answer (an arithmetic error). */
        PROPAGATED,
        /** {@link Gsm8kSlip#answer}: the steps kept, the final answer disagreeing with the solution's own last result. */
        ANSWER
    }

    /**
     * Pairs of the first {@code limit} questions ({@code limit} ≤ 0: all) of a GSM8K file. Ids are
     * {@code gsm8k-<file name without .jsonl>-<line>-<mode>-<k>}; malformed rows are {@code DataFormatException}s
     * naming the file and line.
     */
    public static Result build(Path data, Mode mode, long seed, int limit) {
        List<Gsm8kItem> items = Gsm8kReader.read(data);
        if (limit > 0 && items.size() > limit) items = items.subList(0, limit);
        return build(items, data.getFileName().toString().replaceFirst("\\.jsonl$", ""), data, mode, seed, SlipRule.PROPAGATED);
    }

    /**
     * Pairs of {@code items} (e.g. {@link Gsm8kSynth}'s) with slips by {@code rule}: ids are
     * {@code gsm8k-<split>-<line>-<mode>-<k>}; {@code source} names the items' file in error messages.
     */
    public static Result build(List<Gsm8kItem> items, String split, Path source, Mode mode, long seed, SlipRule rule) {
        List<Pair> pairs = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        int used = 0;
        for (Gsm8kItem it : items) {
            Gsm8kSolution right = Gsm8kSolution.of(it, source);
            Optional<Gsm8kSlip> slip = slip(right, it, seed, rule);
            if (slip.isEmpty()) {
                skipped.merge(right.answerValue().signum() < 0 ? NEGATIVE_ANSWER : NOT_DERIVED, 1, Integer::sum);
                continue;
            }
            Gsm8kSlip s = slip.get();
            BigDecimal correct = right.answerValue(), wrong = s.wrong().answerValue();
            if (correct.compareTo(wrong) == 0)
                throw new IllegalStateException(source + ":" + it.line() + ": slip left the final answer at " + right.answer());
            used++;
            int k = 0;
            for (Side[] sd : sides(mode)) {
                k++;
                boolean anyWrong = !sd[0].correct() || !sd[1].correct();
                pairs.add(new Pair("gsm8k-" + split + "-" + it.line() + "-" + mode.label() + "-" + k, "gsm8k-" + mode.label(),
                        it.question(), render(sd[0], right, s), render(sd[1], right, s), sd[0], sd[1],
                        anyWrong ? s.step() : null, anyWrong ? s.kind().label() : null, anyWrong ? s.detail() : null,
                        right.answer(), anyWrong ? s.wrongAnswer() : null, seed, it.line()));
            }
        }
        return new Result(pairs, items.size(), used, skipped);
    }

    /** The slip of one item under {@code rule}, or empty when there is none. */
    public static Optional<Gsm8kSlip> slip(Gsm8kSolution right, Gsm8kItem it, long seed, SlipRule rule) {
        return switch (rule) {
            case PROPAGATED -> Gsm8kSlip.find(right, it.question(), seed, it.line());
            case ANSWER -> right.answerValue().signum() < 0 ? Optional.empty() : Gsm8kSlip.answer(right, seed, it.line());
        };
    }

    /**
     * One side's text: the right solution or the slipped one in the side's style (an answer slip keeps the right lines,
     * and both of its sides restate the last step's result in the answer sentence: {@link Gsm8kStyle#renderRestated}).
     */
    public static String render(Side side, Gsm8kSolution right, Gsm8kSlip slip) {
        if (slip.kind() == Gsm8kSlip.Kind.ANSWER) return side.style().renderRestated(side.correct() ? right : slip.wrong(), right);
        if (side.correct()) return side.style().render(right);
        return side.style().render(slip.wrong());
    }

    /** Writes the pairs as JSONL, all-or-nothing. */
    public static void write(Path out, List<Pair> pairs) {
        AtomicFiles.writeText(out, w -> {
            for (Pair p : pairs) {
                try {
                    w.write(Jsonl.MAPPER.writeValueAsString(p.toJson()));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                w.write('\n');
            }
        });
    }
}
