package dev.tare.data.rewardbench;

import dev.tare.data.DataFormatException;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.RowFields;
import dev.tare.data.pairs.RowSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RewardBench v1 rows ({@code id, prompt, chosen, rejected, subset}, optional {@code chosen_model, rejected_model})
 * from JSONL, JSON or Parquet. Also accepts the column-renamed re-save (question / response_A / response_B with
 * {@code label} 1 = A preferred, 2 = B preferred; required). Rows are keyed by (subset, id): ids repeat across subsets.
 * meta: {@code chosen_model}, {@code rejected_model}, {@code section} (for core subsets), {@code row} (0-based position).
 */
public final class RewardBenchReader {
    private RewardBenchReader() {}

    public static List<PreferenceItem> read(Path file) {
        return RowFields.uniqueItems(file, RewardBenchReader::item);
    }

    /** The item of one row at its 0-based position among the rows (what {@link #read} makes of it). */
    public static PreferenceItem item(RowSource.Row r, int position) {
        boolean renamed = !r.node().has("prompt") && r.node().has("question");
        String id = RowFields.id(r, "id");
        String subset = RowFields.text(r, "subset");
        var prompt = prompt(r, renamed ? "question" : "prompt");
        String chosen;
        String rejected;
        if (renamed) {
            String a = RowFields.text(r, "response_A");
            String b = RowFields.text(r, "response_B");
            int l = RowFields.integer(r, "label");   // no guess: a missing label is an error naming the field
            if (l == 1) { chosen = a; rejected = b; }
            else if (l == 2) { chosen = b; rejected = a; }
            else throw r.error("label", "expected 1 (response_A preferred) or 2 (response_B preferred), got " + l);
        } else {
            chosen = RowFields.text(r, "chosen");
            rejected = RowFields.text(r, "rejected");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (String k : List.of("chosen_model", "rejected_model")) {
            String v = RowFields.optText(r, k);
            if (v != null) meta.put(k, v);
        }
        String section = RewardBenchSubsets.sectionOf(subset);
        if (section != null) meta.put("section", section);
        meta.put("row", Integer.toString(position));
        return new PreferenceItem(id, subset, prompt, List.of(chosen), List.of(rejected), meta);
    }

    /**
     * The prompt: a string is one user turn; a message list (prior-sets rows) gets roles by position as reward-bench's
     * prepare_dialogue assigns them (even index user, odd index assistant, stored roles ignored), so it must have an
     * odd number of turns to end with the user.
     */
    static java.util.List<dev.tare.data.Message> prompt(RowSource.Row r, String field) {
        var v = r.node().get(field);
        if (v == null || v.isNull() || v.isTextual()) return RowFields.prompt(r, field);
        var msgs = RowFields.messages(r, field, v);
        if (msgs.size() % 2 == 0) throw r.error(field, "a multi-turn prompt needs an odd number of turns (user first and last), got " + msgs.size());
        var out = new java.util.ArrayList<dev.tare.data.Message>();
        for (int i = 0; i < msgs.size(); i++) out.add(new dev.tare.data.Message(i % 2 == 0 ? "user" : "assistant", msgs.get(i).content()));
        return out;
    }

    /** Checks that every core subset is present with its real row count (the full filtered split). */
    public static void requireComplete(Path file, List<PreferenceItem> items) {
        Map<String, Integer> counts = new HashMap<>();
        for (PreferenceItem it : items) counts.merge(it.subset(), 1, Integer::sum);
        for (var e : RewardBenchSubsets.ROW_COUNTS.entrySet()) {
            int got = counts.getOrDefault(e.getKey(), 0);
            if (got != e.getValue())
                throw new DataFormatException(file, 0, "subset", "subset '" + e.getKey() + "' has " + got + " rows, the filtered split has " + e.getValue());
        }
    }
}
