package dev.tare.debias.audit;

import dev.tare.metrics.BenchmarkScoring;

import java.util.List;

/**
 * What a bias audit measures on each side (before and after calibration): the benchmark's scoring, the features whose
 * rank correlation with reward it reports, the features whose "wins" rate it reports (e.g. chars: the longer response
 * wins; a 0/1 markdown indicator: the markdown response wins) over the item pairs {@code pairing} picks, and the
 * calibration in between.
 */
public record AuditPlan(BenchmarkScoring scoring, Calibration calibration, List<String> correlate, List<String> wins, Pairing pairing) {
    public AuditPlan {
        correlate = List.copyOf(correlate);
        wins = List.copyOf(wins);
    }

    /** The same plan with another calibration. */
    public AuditPlan with(Calibration c) { return new AuditPlan(scoring, c, correlate, wins, pairing); }
}
