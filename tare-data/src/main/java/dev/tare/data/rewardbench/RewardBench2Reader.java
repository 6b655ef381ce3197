package dev.tare.data.rewardbench;

import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.RowFields;
import dev.tare.data.pairs.RowSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * RewardBench 2 rows (allenai/reward-bench-2, split test): {@code id} (string), {@code prompt}, {@code chosen} (list),
 * {@code rejected} (list), {@code subset}, optional {@code num_correct} / {@code total_completions} (checked against
 * the lists). Non-Ties subsets have exactly 1 chosen; Ties rows carry ids "ref:N" / "tied:N" and may have several
 * chosen. meta: {@code num_correct}, {@code total_completions}, and for Ties {@code ties_type} / {@code ties_pid}.
 */
public final class RewardBench2Reader {
    /** The six subsets of RewardBench 2, in paper order. */
    public static final List<String> SUBSETS = List.of("Factuality", "Precise IF", "Math", "Safety", "Focus", "Ties");
    private static final Pattern TIES_ID = Pattern.compile("(ref|tied):(.+)");

    private RewardBench2Reader() {}

    public static List<PreferenceItem> read(Path file) {
        return RowFields.uniqueItems(file, (r, i) -> item(r));
    }

    static PreferenceItem item(RowSource.Row r) {
        String id = RowFields.id(r, "id");
        String subset = RowFields.text(r, "subset");
        if (!SUBSETS.contains(subset)) throw r.error("subset", "unknown RewardBench 2 subset '" + subset + "' (expected one of " + SUBSETS + ")");
        var prompt = RowFields.prompt(r, "prompt");
        boolean ties = subset.equals("Ties");
        List<String> chosen = RowFields.texts(r, "chosen", 1, ties ? Integer.MAX_VALUE : 1);
        List<String> rejected = RowFields.texts(r, "rejected", 1, Integer.MAX_VALUE);
        if (r.node().hasNonNull("num_correct") && RowFields.integer(r, "num_correct") != chosen.size())
            throw r.error("num_correct", "is " + RowFields.integer(r, "num_correct") + " but 'chosen' has " + chosen.size() + " entries");
        int total = chosen.size() + rejected.size();
        if (r.node().hasNonNull("total_completions") && RowFields.integer(r, "total_completions") != total)
            throw r.error("total_completions", "is " + RowFields.integer(r, "total_completions") + " but chosen + rejected = " + total);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("num_correct", Integer.toString(chosen.size()));
        meta.put("total_completions", Integer.toString(total));
        if (ties) {
            var m = TIES_ID.matcher(id);
            if (!m.matches()) throw r.error("id", "Ties ids must be 'ref:<pid>' or 'tied:<pid>', got '" + id + "'");
            if (m.group(1).equals("ref") && chosen.size() != 1) throw r.error("chosen", "a 'ref:' Ties row has exactly 1 correct answer, got " + chosen.size());
            meta.put("ties_type", m.group(1));
            meta.put("ties_pid", m.group(2));
        }
        return new PreferenceItem(id, subset, prompt, chosen, rejected, meta);
    }
}
