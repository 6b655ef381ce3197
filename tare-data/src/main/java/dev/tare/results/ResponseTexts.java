package dev.tare.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The response texts a results row carries, for length and markdown features. {@code chosen} / {@code rejected} (a
 * string or a list of strings) are responses. RewardBench's {@code text_chosen} / {@code text_rejected} are not: in the
 * leaderboard's per-model files they are whole conversations rendered with the model's chat template (template markup +
 * prompt + response, see reward-bench's {@code prepare_dialogue_from_tokenizer}), so their length is mostly the prompt's
 * and would give the wrong length feature (for InternLM-XComposer2.5-Reward on RewardBench, Spearman(reward, length)
 * is +0.020 on the responses and -0.032 on the same conversations rendered with reward-bench's tulu template). They are used only in reward-bench's
 * message-list form (custom dialogues), whose last message is the assistant response itself; a rendered string is
 * never taken as a response: callers join the dataset instead or refuse with {@link #RENDERED_ONLY}.
 */
public final class ResponseTexts {
    private ResponseTexts() {}

    /** Why a row with only rendered text_chosen / text_rejected has no usable response text. */
    public static final String RENDERED_ONLY = "the row carries text_chosen/text_rejected only: RewardBench renders those as the whole "
            + "conversation (chat template + prompt + response), not the response, so their length is not the response length";

    /** The chosen response texts of a row, or null when it carries none usable. */
    public static List<String> chosen(ScoredItem it) { return of(it, "chosen", "text_chosen"); }

    /** The rejected response texts of a row, or null when it carries none usable. */
    public static List<String> rejected(ScoredItem it) { return of(it, "rejected", "text_rejected"); }

    /** Whether the row has rendered text_chosen / text_rejected strings (and so no usable response for that side). */
    public static boolean renderedOnly(ScoredItem it) {
        return (chosen(it) == null && it.extra().get("text_chosen") instanceof String)
                || (rejected(it) == null && it.extra().get("text_rejected") instanceof String);
    }

    private static List<String> of(ScoredItem it, String response, String conversation) {
        List<String> r = strings(it.extra().get(response));
        if (r != null) return r;
        return lastAssistant(it.extra().get(conversation));
    }

    /** A string, or a non-empty list of strings. */
    private static List<String> strings(Object v) {
        if (v instanceof String s) return List.of(s);
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof String)) {
            List<String> out = new ArrayList<>(l.size());
            for (Object x : l) out.add((String) x);
            return List.copyOf(out);
        }
        return null;
    }

    /** reward-bench's message-list form: prompt messages then {role: assistant, content: response}; else null. */
    private static List<String> lastAssistant(Object v) {
        if (!(v instanceof List<?> l) || l.isEmpty() || !(l.getLast() instanceof Map<?, ?> last)) return null;
        if (!"assistant".equals(last.get("role")) || !(last.get("content") instanceof String content)) return null;
        return List.of(content);
    }
}
