package dev.tare.demo;

import dev.tare.data.AtomicFiles;
import dev.tare.data.Jsonl;
import dev.tare.data.PreferenceItem;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.demo.generate.SyntheticRmBench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The input of `tare demo --model`: a seeded sample of RM-Bench items, or, without RM-Bench data (a user's clone),
 * tare's own seeded synthetic RM-Bench-format items, flagged by {@link #synthetic} and {@link #notice}.
 */
public record RmBenchSample(List<PreferenceItem> items, String what, boolean synthetic, long seed) {
    /** {@code count} items (≤ 0: all; synthetic: 60) shuffled by {@code seed} from {@code data} (null: synthetic). */
    public static RmBenchSample draw(Path data, int count, long seed) {
        if (data == null) {
            int n = count > 0 ? count : 60;
            return new RmBenchSample(SyntheticRmBench.generate(n, seed), n + " synthetic RM-Bench-format items", true, seed);
        }
        List<PreferenceItem> all = RmBenchReader.readPath(data);
        List<PreferenceItem> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(seed));
        List<PreferenceItem> sample = count > 0 && count < shuffled.size() ? shuffled.subList(0, count) : shuffled;
        return new RmBenchSample(sample, sample.size() + " of " + all.size() + " RM-Bench items from " + data, false, seed);
    }

    /** The line that says the items are synthetic (for stdout); null for a real sample. */
    public String notice() { return synthetic ? SyntheticRmBench.notice(items.size(), seed) : null; }

    /** Writes the items as RM-Bench JSONL (id, domain, prompt, chosen[], rejected[]) into {@code dir}; returns the file. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(synthetic ? "rm-bench-synthetic.jsonl" : "rm-bench-sample.jsonl");
        AtomicFiles.writeText(file, w -> {
            for (PreferenceItem it : items) {
                var row = Jsonl.MAPPER.createObjectNode();
                row.put("id", it.id()).put("domain", it.meta().get("domain"));
                row.put("prompt", it.prompt().getLast().content());
                var c = row.putArray("chosen");
                it.chosen().forEach(c::add);
                var r = row.putArray("rejected");
                it.rejected().forEach(r::add);
                w.write(Jsonl.MAPPER.writeValueAsString(row));
                w.write('\n');
            }
        });
        return file;
    }
}
