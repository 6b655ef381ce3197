package dev.tare.serve;

import dev.tare.bias.Feature;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.runtime.text.HfTokenizer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * A fitted calibrator file from `tare calibrate`, applied to the model score of each item's response. A {@code tokens}
 * step counts with the tokenizer recorded in the file (its tokenizer.json must still have the recorded SHA-256), or
 * with the approximate count when the file records none; {@code tokens} is null when no step needs a tokenizer.
 */
public record CalibrationCorrection(Path file, List<Calibrator> steps, ToIntFunction<String> tokens) implements ScoreCorrection {
    public static CalibrationCorrection load(Path file) {
        CalibratorFile.Loaded cal = CalibratorFile.load(file);
        for (Calibrator c : cal.steps()) Feature.parse(c.feature()); // fail at start-up, not on the first request
        HfTokenizer tok = CalibratorFile.tokenizerFor(file, cal, null);  // open for the server's lifetime
        return new CalibrationCorrection(file, cal.steps(), tok == null ? null : CalibratorFile.tokenCount(tok));
    }

    @Override public String name() { return "calibration"; }

    @Override
    public double delta(RewardItem item, double score) {
        String text = item.responseText();
        Map<String, Double> features = new HashMap<>();
        for (Calibrator c : steps) features.put(c.feature(), Feature.parse(c.feature()).of(text, tokens));
        return CalibratorFile.apply(steps, features, score) - score;
    }
}
