package dev.tare.metrics.rewardbench;

import dev.tare.data.SharedData;
import dev.tare.data.rewardbench.InternLmRewardBenchScores;
import dev.tare.results.ScoredItem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Test helper: InternLM-XComposer2.5-7B-Reward's published RewardBench and RM-Bench scores from the shared folder. */
final class InternLmScores {
    static final String MODEL = InternLmRewardBenchScores.MODEL;

    private InternLmScores() {}

    /** The 2938 readable RewardBench records as tare results (see {@link InternLmRewardBenchScores}). */
    static Optional<List<ScoredItem>> rewardBench() {
        return InternLmRewardBenchScores.shared().map(l -> l.stream().map(s -> s.item(MODEL)).toList());
    }

    static Optional<Path> rmBench() {
        return SharedData.data("rm-scores").map(d -> d.resolve("internlm-xcomposer2d5-7b-reward/rm_bench/results.json")).filter(Files::exists);
    }
}
