package dev.tare.metrics;

import dev.tare.metrics.stats.Interval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark's headline score and its named parts (sections, subsets, domains), as fractions with CIs: the view that
 * eval summaries, leaderboard rows and judge summaries show of any {@link BenchmarkScores}.
 * {@code missingParts}: parts with no item at all (n/a; the score then averages the parts present and is partial);
 * {@code scoreLabel}: what the score is (e.g. "partial: mean of 2 of 4 sections"), or null.
 */
public record ScoreOverview(Interval score, Map<String, Interval> parts, List<String> notes, List<String> missingParts, String scoreLabel) {
    public ScoreOverview {
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        notes = List.copyOf(notes);
        missingParts = List.copyOf(missingParts);
    }

    public ScoreOverview(Interval score, Map<String, Interval> parts, List<String> notes) { this(score, parts, notes, List.of(), null); }

    /** Whether some part has no item, so that the score covers only the parts present. */
    public boolean partial() { return !missingParts.isEmpty(); }
}
