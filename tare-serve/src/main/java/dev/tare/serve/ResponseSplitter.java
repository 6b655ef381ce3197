package dev.tare.serve;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Cuts the response out of an OpenRLHF rendered query and strips its trailing end-of-turn/EOS/PAD markup
 * (OpenRLHF decodes with {@code skip_special_tokens=False}, so replies arrive as "B&lt;|eot_id|&gt;" or "A&lt;|im_end|&gt;\n").
 * The response is {@code query[len(prompt):]} when the query starts with its prompt, else the text after the last
 * assistant header of a well-known chat template (Llama 3, ChatML, Gemma), else unknown (null).
 */
public record ResponseSplitter(List<String> endMarkers) {
    /** End-of-turn / end-of-text markers of common chat models, stripped even without a tokenizer. */
    public static final List<String> WELL_KNOWN_END_MARKERS = List.of(
            "<|eot_id|>", "<|im_end|>", "<|end_of_text|>", "</s>", "<eos>", "<end_of_turn>", "<|endoftext|>", "<|end|>");

    /** Assistant-turn headers of the Llama 3, ChatML (Qwen) and Gemma chat templates. */
    public static final List<String> ASSISTANT_HEADERS = List.of(
            "<|start_header_id|>assistant<|end_header_id|>\n\n", "<|im_start|>assistant\n", "<start_of_turn>model\n");

    public ResponseSplitter {
        Set<String> uniq = new LinkedHashSet<>();
        for (String m : endMarkers) if (m != null && !m.isBlank()) uniq.add(m);
        List<String> sorted = new ArrayList<>(uniq);
        sorted.sort(Comparator.comparingInt(String::length).reversed()); // "<|end_of_text|>" before "<|end|>"-like prefixes
        endMarkers = List.copyOf(sorted);
    }

    /** The well-known markers only (no tokenizer configured). */
    public static ResponseSplitter wellKnown() { return new ResponseSplitter(WELL_KNOWN_END_MARKERS); }

    /** These markers plus a tokenizer's special tokens. */
    public ResponseSplitter with(Collection<String> specialTokens) {
        List<String> all = new ArrayList<>(endMarkers);
        all.addAll(specialTokens);
        return new ResponseSplitter(all);
    }

    /** The cleaned response of a rendered query, or null when it cannot be located. */
    public String split(String query, String prompt) {
        String raw = null;
        if (prompt != null && query.startsWith(prompt)) {
            raw = query.substring(prompt.length());
        } else {
            int end = -1;
            for (String h : ASSISTANT_HEADERS) {
                int i = query.lastIndexOf(h);
                if (i >= 0) end = Math.max(end, i + h.length());
            }
            if (end >= 0) raw = query.substring(end);
        }
        return raw == null ? null : stripEnd(raw);
    }

    /** Removes trailing whitespace and end markers, repeatedly ("A&lt;|im_end|&gt;\n&lt;|endoftext|&gt;" → "A"). */
    public String stripEnd(String text) {
        String s = text.stripTrailing();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String m : endMarkers) {
                if (s.endsWith(m)) {
                    s = s.substring(0, s.length() - m.length()).stripTrailing();
                    changed = true;
                    break;
                }
            }
        }
        return s;
    }
}
