package dev.tare.serve;

import dev.tare.serve.source.ModelSource;
import dev.tare.serve.source.MissingLabel;
import dev.tare.serve.source.RewardSource;
import dev.tare.serve.source.VerifiableSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployment's reward: Σ weightᵢ · sourceᵢ, where the model source's score first gets the configured corrections
 * (calibration). Each result lists the raw model score, every weighted component and the label-missing flags.
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

    /**
     * One result per item. The model source scores the batch at once (its failure fails the batch, which the batcher
     * then retries request by request); verifiable sources score item by item, so a bad or missing label fails only its
     * own item ({@link RewardResult#error()}), and a missing label follows the source's {@link MissingLabel} policy.
     */
    public List<RewardResult> evaluate(List<RewardItem> batch) {
        int n = batch.size();
        double[] total = new double[n];
        double[] raw = new double[n];
        java.util.Arrays.fill(raw, Double.NaN);
        String[] errors = new String[n];
        boolean[] scored = new boolean[n];
        List<List<String>> skipped = new ArrayList<>(n);
        List<Map<String, Double>> comps = new ArrayList<>(n);
        List<Map<String, Double>> logs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            comps.add(new LinkedHashMap<>());
            logs.add(new LinkedHashMap<>());
            skipped.add(new ArrayList<>());
        }
        for (Weighted w : sources) {
            if (w.source() instanceof VerifiableSource v) {
                String flag = v.name() + "_label_missing";
                for (int i = 0; i < n; i++) {
                    RewardItem item = batch.get(i);
                    boolean missing = MissingLabel.isMissing(item.label());
                    logs.get(i).put(flag, missing ? 1.0 : 0.0);
                    if (errors[i] != null) continue;
                    if (missing) {
                        switch (v.onMissingLabel()) {
                            case ERROR -> errors[i] = v.name() + " needs a label and none was sent (on_missing_label is \"error\"; "
                                    + "OpenRLHF sends \"\" unless --data.label_key is set)";
                            case ZERO -> { comps.get(i).put(v.name(), 0.0); scored[i] = true; }
                            case SKIP -> { // contributes nothing; the component stays (0) so OpenRLHF's extra_logs keys never vary
                                comps.get(i).put(v.name(), 0.0);
                                skipped.get(i).add(v.name());
                            }
                        }
                        continue;
                    }
                    try {
                        double value = v.reward(item);
                        if (!Double.isFinite(value)) throw new IllegalStateException(v.name() + " gave a non-finite reward");
                        comps.get(i).put(v.name(), w.weight() * value);
                        total[i] += w.weight() * value;
                        scored[i] = true;
                    } catch (IllegalArgumentException e) {
                        errors[i] = e.getMessage();
                    }
                }
                continue;
            }
            double[] v = w.source().evaluate(batch);
            for (int i = 0; i < n; i++) {
                double value = v[i];
                raw[i] = value;
                scored[i] = true;
                comps.get(i).put(w.source().name(), w.weight() * value);
                for (ScoreCorrection c : corrections) {
                    double d = c.delta(batch.get(i), raw[i]);
                    if (!Double.isFinite(d)) throw new IllegalStateException(c.name() + " gave a non-finite correction");
                    comps.get(i).put(c.name(), w.weight() * d);
                    value += d;
                }
                total[i] += w.weight() * value;
            }
        }
        List<RewardResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (errors[i] == null && !scored[i])
                errors[i] = String.join(" and ", skipped.get(i)) + " needs a label and none was sent; on_missing_label \"skip\" left no "
                        + "source to score this item (OpenRLHF sends \"\" unless --data.label_key is set: set it, or use on_missing_label \"zero\")";
            out.add(errors[i] != null ? RewardResult.failed(errors[i]) : new RewardResult(total[i], raw[i], comps.get(i), logs.get(i), null));
        }
        return out;
    }
}
