package dev.tare.debias.audit;

import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.debias.calibration.RewardCalibration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How an audit re-scores the responses: fit a chain of calibration steps on them, or apply fitted steps unchanged. */
public sealed interface Calibration {
    /** The calibrated scores (pool order) and the steps that made them. */
    RewardCalibration.Result rescore(AuditInput in);

    /** The names of the features the steps read, each once, in step order. */
    List<String> features();

    /**
     * Fits the chain in order, step k with {@code settings.get(k)}, each on the scores the previous step left
     * (LOWESS, windowed mean or penalty: {@link RewardCalibration}).
     */
    record Fit(List<RewardCalibration.Step> chain, List<CalibrationSettings> settings) implements Calibration {
        public Fit {
            chain = List.copyOf(chain);
            settings = List.copyOf(settings);
            if (chain.isEmpty()) throw new IllegalArgumentException("no calibration step given");
            if (settings.size() != chain.size())
                throw new IllegalArgumentException(settings.size() + " settings for " + chain.size() + " calibration steps");
        }

        /** Every step with the same settings. */
        public static Fit of(List<RewardCalibration.Step> chain, CalibrationSettings settings) {
            return new Fit(chain, Collections.nCopies(chain.size(), settings));
        }

        /** The same chain with every step's strength set to {@code alpha}. */
        public Fit withAlpha(double alpha) { return new Fit(chain, settings.stream().map(s -> s.withAlpha(alpha)).toList()); }

        @Override public RewardCalibration.Result rescore(AuditInput in) {
            double[] scores = in.pool().scores();
            List<Calibrator> steps = new ArrayList<>();
            for (int k = 0; k < chain.size(); k++) {
                var r = RewardCalibration.calibrate(List.of(chain.get(k)), in.pool().withScores(scores), in.features(), settings.get(k));
                steps.addAll(r.steps());
                scores = r.scores();
            }
            return new RewardCalibration.Result(List.copyOf(steps), scores);
        }

        @Override public List<String> features() { return distinct(chain.stream().map(RewardCalibration.Step::feature).toList()); }
    }

    /** Applies fitted steps without refitting: each response gets {@link CalibratorFile#apply} (e.g. on held-out items). */
    record Apply(List<Calibrator> steps) implements Calibration {
        public Apply {
            steps = List.copyOf(steps);
            if (steps.isEmpty()) throw new IllegalArgumentException("the calibrator has no steps");
        }

        @Override public RewardCalibration.Result rescore(AuditInput in) {
            double[] raw = in.pool().scores(), scores = new double[raw.length];
            Map<String, Double> fv = new LinkedHashMap<>();
            for (int i = 0; i < raw.length; i++) {
                for (var e : in.features().entrySet()) fv.put(e.getKey(), e.getValue()[i]);
                scores[i] = CalibratorFile.apply(steps, fv, raw[i]);
            }
            return new RewardCalibration.Result(steps, scores);
        }

        @Override public List<String> features() { return distinct(steps.stream().map(Calibrator::feature).toList()); }
    }

    private static List<String> distinct(List<String> names) { return names.stream().distinct().toList(); }
}
