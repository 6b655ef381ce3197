package dev.tare.serve;

import dev.tare.serve.source.ModelSource;
import dev.tare.serve.source.RewardSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployment's reward: Σ weightᵢ · sourceᵢ, where the model source's score first gets the configured corrections
 * (calibration). Each result lists the raw model score and every weighted component.
 */
public final class RewardPipeline {
    /** A source with its weight in the total. */
    public record Weighted(RewardSource source, double weight) {}

    private final List<Weighted> sources;
    private final List<ScoreCorrection> corrections;

    public RewardPipeline(List<Weighted> sources, List<ScoreCorrection> corrections) {
        if (sources.isEmpty()) throw new IllegalArgumentException("a deployment needs at least one reward source");
        this.sources = List.copyOf(sources);
        this.corrections = List.copyOf(corrections);
    }

    public List<Weighted> sources() { return sources; }

    /** How responses are cut out of rendered queries: well-known end markers plus the model's special tokens, if any. */
    public ResponseSplitter responseSplitter() {
        ResponseSplitter s = ResponseSplitter.wellKnown();
        for (Weighted w : sources) if (w.source() instanceof ModelSource m) s = s.with(m.specialTokenTexts());
        return s;
    }

    public List<RewardResult> evaluate(List<RewardItem> batch) {
        int n = batch.size();
        double[] total = new double[n];
        double[] raw = new double[n];
        java.util.Arrays.fill(raw, Double.NaN);
        List<Map<String, Double>> comps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) comps.add(new LinkedHashMap<>());
        for (Weighted w : sources) {
            double[] v = w.source().evaluate(batch);
            boolean model = w.source() instanceof ModelSource;
            for (int i = 0; i < n; i++) {
                double value = v[i];
                if (model) {
                    raw[i] = value;
                    comps.get(i).put(w.source().name(), w.weight() * value);
                    for (ScoreCorrection c : corrections) {
                        double d = c.delta(batch.get(i), raw[i]);
                        if (!Double.isFinite(d)) throw new IllegalStateException(c.name() + " gave a non-finite correction");
                        comps.get(i).put(c.name(), w.weight() * d);
                        value += d;
                    }
                } else {
                    comps.get(i).put(w.source().name(), w.weight() * value);
                }
                total[i] += w.weight() * value;
            }
        }
        List<RewardResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new RewardResult(total[i], raw[i], comps.get(i)));
        return out;
    }
}
