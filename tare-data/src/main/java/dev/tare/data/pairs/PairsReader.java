package dev.tare.data.pairs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generic preference pairs (JSONL, JSON or Parquet). Each row has {@code chosen} and {@code rejected} either as
 * strings (with {@code prompt} a string or a message list) or as chat message lists ending with the assistant turn
 * (the shared turns before it are the prompt; a {@code prompt} field, if also given, must match them).
 * {@code id} defaults to the row number, {@code subset} to "default"; other scalar fields go to meta.
 */
public final class PairsReader {
    private PairsReader() {}

    public static List<PreferenceItem> read(Path file) {
        return RowFields.uniqueItems(file, (r, i) -> item(r));
    }

    /** The item of one row (what {@link #read} makes of it). */
    public static PreferenceItem item(RowSource.Row r) {
        String id = r.node().hasNonNull("id") ? RowFields.id(r, "id") : Long.toString(r.number());
        String subset = r.node().hasNonNull("subset") ? RowFields.text(r, "subset") : "default";
        JsonNode c = r.node().get("chosen");
        JsonNode rj = r.node().get("rejected");
        if (c == null || c.isNull()) throw r.error("chosen", "missing");
        if (rj == null || rj.isNull()) throw r.error("rejected", "missing");
        List<Message> prompt;
        String chosen;
        String rejected;
        if (c.isTextual() && rj.isTextual()) {
            if (!r.node().hasNonNull("prompt")) throw r.error("prompt", "missing (chosen/rejected are plain strings)");
            prompt = RowFields.prompt(r, "prompt");
            chosen = c.asText();
            rejected = rj.asText();
        } else if (c.isArray() && rj.isArray()) {
            List<Message> cm = RowFields.messages(r, "chosen", c);
            List<Message> rm = RowFields.messages(r, "rejected", rj);
            chosen = lastAssistant(r, "chosen", cm);
            rejected = lastAssistant(r, "rejected", rm);
            List<Message> cp = cm.subList(0, cm.size() - 1);
            List<Message> rp = rm.subList(0, rm.size() - 1);
            if (r.node().hasNonNull("prompt")) {
                List<Message> p = RowFields.prompt(r, "prompt");
                if (!cp.isEmpty() && !cp.equals(p)) throw r.error("chosen", "turns before the last one differ from 'prompt'");
                if (!rp.isEmpty() && !rp.equals(p)) throw r.error("rejected", "turns before the last one differ from 'prompt'");
                prompt = p;
            } else {
                if (!cp.equals(rp)) throw r.error("rejected", "conversation before the last turn differs from 'chosen' (give a 'prompt' field)");
                if (cp.isEmpty()) throw r.error("chosen", "no prompt turns before the assistant answer (give a 'prompt' field)");
                if (!"user".equals(cp.get(cp.size() - 1).role())) throw r.error("chosen", "the turn before the answer must be a user turn");
                prompt = cp;
            }
        } else {
            // blame the field that is neither a string nor a message list; else (one of each) the mismatch
            for (var f : List.of(java.util.Map.entry("chosen", c), java.util.Map.entry("rejected", rj))) {
                if (!f.getValue().isTextual() && !f.getValue().isArray()) {
                    throw r.error(f.getKey(), "expected a string or a list of messages, got " + f.getValue().getNodeType());
                }
            }
            throw r.error("rejected", "is a " + (rj.isArray() ? "message list" : "string") + " but 'chosen' is a "
                    + (c.isArray() ? "message list" : "string") + ": they must both be strings or both be message lists");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        var fields = r.node().fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (List.of("id", "subset", "prompt", "chosen", "rejected").contains(e.getKey())) continue;
            if (e.getValue().isValueNode() && !e.getValue().isNull()) meta.put(e.getKey(), e.getValue().asText());
        }
        return new PreferenceItem(id, subset, prompt, List.of(chosen), List.of(rejected), meta);
    }

    private static String lastAssistant(RowSource.Row r, String field, List<Message> msgs) {
        if (msgs.isEmpty()) throw r.error(field, "empty message list");
        Message last = msgs.get(msgs.size() - 1);
        if (!"assistant".equals(last.role())) throw r.error(field + "[" + (msgs.size() - 1) + "].role", "the last turn must be the assistant's answer, got '" + last.role() + "'");
        return last.content();
    }
}
