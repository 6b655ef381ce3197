package dev.tare.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Message;

import java.util.List;

/**
 * One rollout to reward, as the server received it. Either {@code messages} (chat turns ending with the
 * assistant response) or {@code prompt}/{@code response} strings are set; {@code renderedQuery} is the
 * OpenRLHF "query" (prompt + response already rendered through the chat template), when the caller sent one.
 * {@code label} is the dataset label (ground truth for verifiable rewards), possibly null. {@code reply} is the
 * response with trailing end-of-turn markup stripped by {@link ResponseSplitter} (what verifiable rewards and
 * calibration features read); null when it was not derived (then the raw response is used) or could not be found.
 */
public record RewardItem(List<Message> messages, String prompt, String response, String renderedQuery, JsonNode label,
                         String reply) {
    public RewardItem {
        messages = messages == null ? null : List.copyOf(messages);
    }

    /** A native-API item: {@code reply} is the response (or the last assistant message) stripped by {@code splitter}. */
    public static RewardItem of(List<Message> messages, String prompt, String response, JsonNode label, ResponseSplitter splitter) {
        String raw = response != null ? response : messages != null && !messages.isEmpty() ? messages.getLast().content() : null;
        return new RewardItem(messages, prompt, response, null, label, raw == null ? null : splitter.stripEnd(raw));
    }

    /** An OpenRLHF item: {@code query} is scored as rendered, {@code reply} is what the splitter cut out (null: none found). */
    public static RewardItem rendered(String query, String prompt, JsonNode label, ResponseSplitter splitter) {
        return new RewardItem(null, prompt, null, query, label, splitter.split(query, prompt));
    }

    /**
     * The response text alone (for verifiable rewards and length features). For an OpenRLHF query it is the part
     * {@link ResponseSplitter} cut out; when none could be (no matching prompt, no known assistant header) this throws
     * {@link IllegalArgumentException} (a 422) rather than letting the whole query stand in for the response.
     */
    public String responseText() {
        if (reply != null) return reply;
        if (response != null) return response;
        if (messages != null && !messages.isEmpty()) return messages.getLast().content();
        if (renderedQuery != null)
            throw new IllegalArgumentException("cannot find the response in the rendered query: send 'prompts' (each query's rendered "
                    + "prompt prefix) or a query rendered with a known chat template (Llama 3, ChatML, Gemma assistant header)");
        return "";
    }

    /** The conversation to score, as sent (markup not stripped): the messages, or [user prompt, assistant response]. */
    public List<Message> conversation() {
        if (messages != null) return messages;
        return List.of(Message.user(prompt == null ? "" : prompt), Message.assistant(response != null ? response : responseText()));
    }

    /** Total characters of text the item carries (for request limits). */
    public long chars() {
        long n = 0;
        if (messages != null) for (Message m : messages) n += m.content().length();
        if (prompt != null) n += prompt.length();
        if (response != null) n += response.length();
        if (renderedQuery != null) n += renderedQuery.length();
        return n;
    }
}
