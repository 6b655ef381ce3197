package dev.tare.spark;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.bias.Feature;
import dev.tare.data.AtomicFiles;
import dev.tare.data.Jsonl;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.results.ScoredItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Relabels preference pairs by a (calibrated) reward: a pair whose reward gap r(chosen) − r(rejected) is below −margin
 * is flipped, above +margin kept, and within ±margin left as labelled ({@code keep}) or dropped ({@code drop}). Writes
 * the DPO file TRL and OpenRLHF read ({@code prompt}, {@code chosen}, {@code rejected}: strings when every prompt is one
 * user turn, else message lists) and reports the flips by length and markdown.
 */
public final class Relabel {
    /** What happens to a pair whose gap is within the margin. */
    public enum Ambiguous { KEEP, DROP;
        /** keep | drop. */
        public static Ambiguous parse(String s) {
            for (Ambiguous a : values()) if (a.name().equalsIgnoreCase(s)) return a;
            throw new IllegalArgumentException("--ambiguous must be keep or drop, got '" + s + "'");
        }
    }

    /** One output pair, in DPO order. */
    public record DpoPair(List<Message> prompt, String chosen, String rejected) {}

    /**
     * The counts: pairs read, written, kept as labelled, flipped, within the margin, dropped; and over the flips how
     * often the new chosen response is the shorter one (chars) and the one with less markdown, with mean lengths.
     */
    public record Report(int pairs, int written, int kept, int flipped, int withinMargin, int dropped,
                         int flipsNewChosenShorter, int flipsNewChosenLessMarkdown, double flipsMeanCharsNewChosen,
                         double flipsMeanCharsNewRejected) {
        /** The report as JSON. */
        public ObjectNode json(double margin, String ambiguous) {
            ObjectNode o = Jsonl.MAPPER.createObjectNode();
            o.put("margin", margin);
            o.put("ambiguous", ambiguous);
            o.put("pairs", pairs);
            o.put("written", written);
            o.put("kept", kept);
            o.put("flipped", flipped);
            o.put("within_margin", withinMargin);
            o.put("dropped", dropped);
            ObjectNode f = o.putObject("flips");
            f.put("new_chosen_shorter", flipsNewChosenShorter);
            f.put("new_chosen_less_markdown", flipsNewChosenLessMarkdown);
            f.put("mean_chars_new_chosen", flipsMeanCharsNewChosen);
            f.put("mean_chars_new_rejected", flipsMeanCharsNewRejected);
            return o;
        }
    }

    /** A relabelling: the pairs to write and the report. */
    public record Outcome(List<DpoPair> pairs, Report report) {
        public Outcome { pairs = List.copyOf(pairs); }
    }

    private Relabel() {}

    /** Relabels {@code items} by {@code scored} (same order, one chosen and one rejected score each). */
    public static Outcome run(List<PreferenceItem> items, List<ScoredItem> scored, double margin, Ambiguous ambiguous) {
        if (!(margin >= 0)) throw new IllegalArgumentException("--margin must be >= 0, got " + margin);
        if (items.size() != scored.size())
            throw new IllegalArgumentException(scored.size() + " scored items for " + items.size() + " pairs");
        List<DpoPair> out = new ArrayList<>();
        int kept = 0, flipped = 0, within = 0, dropped = 0, shorter = 0, lessMd = 0;
        double charsNew = 0, charsOld = 0;
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem p = items.get(i);
            ScoredItem s = scored.get(i);
            if (!s.key().equals(new ScoredItem.Key(p.meta().get("domain"), p.subset(), p.id())))
                throw new IllegalArgumentException("scored item " + (i + 1) + " is " + s.key() + " but pair " + (i + 1) + " is " + p.subset() + "/" + p.id());
            if (p.chosen().size() != 1 || p.rejected().size() != 1)
                throw new IllegalArgumentException("item " + p.subset() + "/" + p.id() + " is not a pair (relabel needs 1 chosen, 1 rejected)");
            String c = p.chosen().getFirst(), r = p.rejected().getFirst();
            double gap = s.chosen() - s.rejected();
            if (gap < -margin) {
                flipped++;
                out.add(new DpoPair(p.prompt(), r, c));
                double lc = Feature.CHARS.of(r), lr = Feature.CHARS.of(c);
                charsNew += lc;
                charsOld += lr;
                if (lc < lr) shorter++;
                if (Feature.MARKDOWN.of(r) < Feature.MARKDOWN.of(c)) lessMd++;
            } else if (gap > margin) {
                kept++;
                out.add(new DpoPair(p.prompt(), c, r));
            } else {
                within++;
                if (ambiguous == Ambiguous.KEEP) out.add(new DpoPair(p.prompt(), c, r));
                else dropped++;
            }
        }
        return new Outcome(out, new Report(items.size(), out.size(), kept, flipped, within, dropped, shorter, lessMd,
                flipped == 0 ? Double.NaN : charsNew / flipped, flipped == 0 ? Double.NaN : charsOld / flipped));
    }

    /** Writes the DPO JSONL all at once (strings when every prompt is a single user turn, else conversational rows). */
    public static void writeDpo(Path file, List<DpoPair> pairs) {
        boolean plain = pairs.stream().allMatch(p -> p.prompt().size() == 1 && "user".equals(p.prompt().getFirst().role()));
        AtomicFiles.writeText(file, w -> {
            for (DpoPair p : pairs) {
                ObjectNode o = Jsonl.MAPPER.createObjectNode();
                if (plain) {
                    o.put("prompt", p.prompt().getFirst().content());
                    o.put("chosen", p.chosen());
                    o.put("rejected", p.rejected());
                } else {
                    ArrayNode pr = o.putArray("prompt");
                    for (Message m : p.prompt()) pr.addObject().put("role", m.role()).put("content", m.content());
                    o.putArray("chosen").addObject().put("role", "assistant").put("content", p.chosen());
                    o.putArray("rejected").addObject().put("role", "assistant").put("content", p.rejected());
                }
                w.write(Jsonl.MAPPER.writeValueAsString(o));
                w.write('\n');
            }
        });
    }
}
