package dev.tare.langchain4j;

import dev.tare.bias.Feature;
import dev.tare.data.DataFormatException;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.runtime.text.HfTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * A fitted calibration chain from {@code tare calibrate} applied to one response: each step subtracts alpha · b(feature)
 * with the feature (chars, tokens, headers, lists, bold, markdown) measured on the response text, exactly as
 * {@code tare calibrate --apply} and {@code tare serve} do. Thread-safe; {@link #close()} frees a tokenizer it opened.
 */
public final class FittedCalibrator implements ResponseCalibrator, AutoCloseable {
    private final List<Calibrator> steps;
    private final List<Feature> features;
    private final ToIntFunction<String> tokens;
    private final HfTokenizer owned;

    private FittedCalibrator(List<Calibrator> steps, ToIntFunction<String> tokens, HfTokenizer owned) {
        if (steps == null || steps.isEmpty()) throw new IllegalArgumentException("a calibrator needs at least one step");
        List<Feature> fs = new ArrayList<>();
        for (Calibrator c : steps) fs.add(Feature.parse(c.feature()));
        this.steps = List.copyOf(steps);
        this.features = List.copyOf(fs);
        this.tokens = tokens;
        this.owned = owned;
    }

    /**
     * Loads a calibrator file written by {@code tare calibrate}. A tokens step counts with the tokenizer the file
     * records (its tokenizer.json must still have the recorded SHA-256), or approximately when it records none.
     */
    public static FittedCalibrator load(Path file) { return load(file, null); }

    /** As {@link #load(Path)}, with the recorded tokenizer read from {@code tokenizerDir} (same SHA-256 required). */
    public static FittedCalibrator load(Path file, Path tokenizerDir) {
        CalibratorFile.Loaded cal = CalibratorFile.load(file);
        for (int k = 0; k < cal.steps().size(); k++) {
            try {
                Feature.parse(cal.steps().get(k).feature());
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(file, 0, "steps[" + k + "].feature", e.getMessage(), e);
            }
        }
        HfTokenizer tok = CalibratorFile.tokenizerFor(file, cal, tokenizerDir);
        return new FittedCalibrator(cal.steps(), tok == null ? null : CalibratorFile.tokenCount(tok), tok);
    }

    /** Steps in memory (e.g. from {@code RewardCalibration}); {@code tokens} counts a tokens step (null: the approximate count). */
    public static FittedCalibrator of(List<Calibrator> steps, ToIntFunction<String> tokens) {
        return new FittedCalibrator(steps, tokens, null);
    }

    public List<Calibrator> steps() { return steps; }

    @Override public double calibrate(double reward, String response) {
        Map<String, Double> values = new HashMap<>();
        for (int k = 0; k < steps.size(); k++) {
            String name = steps.get(k).feature();
            if (!values.containsKey(name)) values.put(name, features.get(k).of(response, tokens));
        }
        return CalibratorFile.apply(steps, values, reward);
    }

    @Override public void close() {
        if (owned != null) owned.close();
    }

    @Override public String toString() { return "FittedCalibrator" + steps; }
}
