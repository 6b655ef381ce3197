package dev.tare.debias.calibration;

import dev.tare.data.PreferenceItem;
import dev.tare.data.rewardbench.InternLmRewardBenchScores;
import dev.tare.results.ScoredItem;

import java.util.List;
import java.util.Optional;

/** Test helper: InternLM-XComposer2.5-7B-Reward's readable RewardBench records (shared folder) as results and their rows. */
final class InternLmRewardBench {
    record Data(List<ScoredItem> items, List<PreferenceItem> rows) {}

    private InternLmRewardBench() {}

    static Optional<Data> load() {
        return InternLmRewardBenchScores.shared().map(l -> new Data(
                l.stream().map(s -> s.item(InternLmRewardBenchScores.MODEL)).toList(),
                l.stream().map(InternLmRewardBenchScores.Scored::row).toList()));
    }
}
