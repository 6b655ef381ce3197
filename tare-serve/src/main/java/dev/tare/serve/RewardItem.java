package dev.tare.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Message;

import java.util.List;

/**
 * One rollout to reward, as the server received it. Either {@code messages} (chat turns ending with the
 * assistant response) or {@code prompt}/{@code response} strings are set; {@code renderedQuery} is the
 * OpenRLHF "query" (prompt + response already rendered through the chat template), when the caller sent one.
 * {@code label} is the dataset label (ground truth for verifiable rewards), possibly null.
 */
public record RewardItem(List<Message> messages, String prompt, String response, String renderedQuery, JsonNode label) {
    public RewardItem {
        messages = messages == null ? null : List.copyOf(messages);
    }

    /**
     * The response text alone (for verifiable rewards and length features). For an OpenRLHF query it is the part
     * {@link ResponseSplitter} cut out; when none could be (no matching prompt, no known assistant header) this throws
     * {@link IllegalArgumentException} (a 422) rather than letting the whole query stand in for the response.
     */
    public String responseText() {
        if (response != null) return response;
        if (messages != null && !messages.isEmpty()) return messages.getLast().content();
        if (renderedQuery != null)
            throw new IllegalArgumentException("cannot find the response in the rendered query: send 'prompts' (each query's rendered "
                    + "prompt prefix) or a query rendered with a known chat template (Llama 3, ChatML, Gemma assistant header)");
        return "";
    }

    /** The conversation to score: the messages, or [user prompt, assistant response]. */
    public List<Message> conversation() {
        if (messages != null) return messages;
        return List.of(Message.user(prompt == null ? "" : prompt), Message.assistant(responseText()));
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
