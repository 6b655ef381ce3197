package dev.tare.metrics.rmbench;

import dev.tare.metrics.stats.Interval;

import java.util.List;

/**
 * RM-Bench scores (fractions): per domain group (chat, math, code, safety) its matrix, Hard/Normal/Easy and domain
 * score with 95% bootstrap intervals; overall Hard/Normal/Easy/score = means over the domains present
 * ({@code complete} when all four are present: only then is it the official overall). {@code ties} counts the
 * comparisons with equal scores (counted as wrong). {@code pooled}: no item had a domain, so all items were scored as one
 * set (RM-Bench's {@code compute_accuracy} on rows without a {@code domain} field); {@code domains} then holds that one
 * set, named {@value RmBenchMetrics#POOLED}, the overall equals it and it is not the official per-domain average.
 */
public record RmBenchScores(String model, int items, int ties, List<Domain> domains, Interval hard, Interval normal,
                            Interval easy, Interval score, boolean complete, List<String> missingDomains, boolean pooled) {
    /** One domain group's results. */
    public record Domain(String name, int items, double[][] matrix, Interval hard, Interval normal, Interval easy,
                         Interval score) {}
}
