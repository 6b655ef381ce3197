package dev.tare.metrics;

import dev.tare.data.pairs.Benchmark;
import dev.tare.metrics.rewardbench.PairsMetrics;
import dev.tare.metrics.rewardbench.PairsScores;
import dev.tare.metrics.rewardbench.RewardBench2Metrics;
import dev.tare.metrics.rewardbench.RewardBench2Scores;
import dev.tare.metrics.rewardbench.RewardBenchMetrics;
import dev.tare.metrics.rewardbench.RewardBenchScores;
import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;

import java.util.List;

/** How each benchmark turns per-example results into its typed scores with CIs: the one entry per benchmark. */
public enum BenchmarkScoring {
    /** RewardBench v1: section-weighted accuracy ({@link RewardBenchMetrics}). */
    REWARDBENCH(Benchmark.REWARDBENCH) {
        @Override public RewardBenchScores score(List<ScoredItem> items, Bootstrap boot) { return RewardBenchMetrics.compute(items, boot); }
    },
    /** RewardBench 2: best-of-N per subset and the Ties rule ({@link RewardBench2Metrics}). */
    REWARDBENCH2(Benchmark.REWARDBENCH2) {
        @Override public RewardBench2Scores score(List<ScoredItem> items, Bootstrap boot) { return RewardBench2Metrics.compute(items, boot); }
    },
    /** RM-Bench: the style matrix's Hard / Normal / Easy per domain ({@link RmBenchMetrics}). */
    RM_BENCH(Benchmark.RM_BENCH) {
        @Override public RmBenchScores score(List<ScoredItem> items, Bootstrap boot) { return RmBenchMetrics.compute(items, boot); }
    },
    /** Generic preference pairs: accuracy per subset and over all pairs ({@link PairsMetrics}). */
    PAIRS(Benchmark.PAIRS) {
        @Override public PairsScores score(List<ScoredItem> items, Bootstrap boot) { return PairsMetrics.compute(items, boot); }
    };

    private final Benchmark benchmark;

    BenchmarkScoring(Benchmark benchmark) { this.benchmark = benchmark; }

    /** The benchmark this scores. */
    public Benchmark benchmark() { return benchmark; }

    /** Scores the items; the CIs resample items with {@code boot}. */
    public abstract BenchmarkScores score(List<ScoredItem> items, Bootstrap boot);

    /** The scoring of a benchmark. */
    public static BenchmarkScoring of(Benchmark b) {
        for (BenchmarkScoring s : values()) if (s.benchmark == b) return s;
        throw new IllegalStateException("no scoring for benchmark " + b);
    }
}
