package dev.tare.metrics.rmbench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.metrics.BenchmarkScores;
import dev.tare.metrics.ScoreOverview;
import dev.tare.metrics.ScoresJson;
import dev.tare.metrics.stats.Interval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.tare.metrics.ScoresText.modelLabel;
import static dev.tare.metrics.ScoresText.pct;

/**
 * RM-Bench scores (fractions): per domain group (chat, math, code, safety) its matrix, Hard/Normal/Easy and domain
 * score with 95% bootstrap intervals; overall Hard/Normal/Easy/score = means over the domains present
 * ({@code complete} when all four are present: only then is it the official overall). {@code ties} counts the
 * comparisons with equal scores (counted as wrong). {@code pooled}: no item had a domain, so all items were scored as one
 * set (RM-Bench's {@code compute_accuracy} on rows without a {@code domain} field); {@code domains} then holds that one
 * set, named {@value RmBenchMetrics#POOLED}, the overall equals it and it is not the official per-domain average.
 */
public record RmBenchScores(String model, int items, int ties, List<Domain> domains, Interval hard, Interval normal,
                            Interval easy, Interval score, boolean complete, List<String> missingDomains, boolean pooled)
        implements BenchmarkScores {
    /** What a pooled report is (results without a domain field). */
    public static final String POOLED_NOTE = "no 'domain' field in the results: all items scored as one set, as RM-Bench's compute_accuracy "
            + "does for such files (hard/normal/easy of the pooled matrix; not the official mean over the four domains)";

    /** One domain group's results. */
    public record Domain(String name, int items, double[][] matrix, Interval hard, Interval normal, Interval easy,
                         Interval score) {}

    /** Parts: Hard, Normal, Easy, then each domain's score (none when pooled). */
    @Override public ScoreOverview overview() {
        Map<String, Interval> parts = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        parts.put("Hard", hard);
        parts.put("Normal", normal);
        parts.put("Easy", easy);
        if (pooled) notes.add("no domain on the items: all scored as one set (RM-Bench's compute_accuracy without domains), "
                + "not the official mean over domains");
        else for (Domain d : domains) parts.put(d.name(), d.score());
        if (!complete && !pooled) notes.add("incomplete: missing domains " + String.join(", ", missingDomains)
                + " (the overall is then a mean over the domains present, not the official overall)");
        if (ties > 0) notes.add(ties + " comparisons with equal scores (counted as wrong)");
        return new ScoreOverview(score, parts, notes);
    }

    @Override public ObjectNode json() {
        ObjectNode o = ScoresJson.object(model, items);
        o.put("tied_comparisons", ties);
        o.set("score", ScoresJson.ci(score));
        o.set("hard", ScoresJson.ci(hard));
        o.set("normal", ScoresJson.ci(normal));
        o.set("easy", ScoresJson.ci(easy));
        o.put("complete", complete);
        o.put("pooled", pooled);
        if (pooled) o.put("note", POOLED_NOTE);
        ArrayNode d = o.putArray("domains");
        for (var dom : domains) {
            ObjectNode x = d.addObject();
            x.put("domain", dom.name());
            x.put("items", dom.items());
            x.set("score", ScoresJson.ci(dom.score()));
            x.set("hard", ScoresJson.ci(dom.hard()));
            x.set("normal", ScoresJson.ci(dom.normal()));
            x.set("easy", ScoresJson.ci(dom.easy()));
            x.set("matrix", ScoresJson.tree(dom.matrix()));
        }
        o.set("missing_domains", ScoresJson.tree(missingDomains));
        return o;
    }

    @Override public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "RM-Bench%s  items=%d  tied comparisons=%d (counted wrong)%n", modelLabel(model), items, ties));
        if (pooled) sb.append(POOLED_NOTE).append(System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "  %-10s %-26s %-26s %-26s %s%n", "domain", "score", "hard", "normal", "easy"));
        for (var d : domains)
            sb.append(String.format(Locale.ROOT, "  %-10s %-26s %-26s %-26s %s%n", d.name() + "", pct(d.score()), pct(d.hard()), pct(d.normal()), pct(d.easy())));
        if (pooled) return sb.toString().stripTrailing();
        sb.append(String.format(Locale.ROOT, "  %-10s %-26s %-26s %-26s %s%n", complete ? "overall" : "partial", pct(score), pct(hard), pct(normal), pct(easy)));
        if (!missingDomains.isEmpty()) sb.append(String.format("%nmissing domains (overall is not official): %s%n", missingDomains));
        return sb.toString().stripTrailing();
    }
}
