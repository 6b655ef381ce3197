package dev.tare.langchain4j;

/** Turns the raw reward of one response into a calibrated (debiased) reward, e.g. a {@link FittedCalibrator}. */
@FunctionalInterface
public interface ResponseCalibrator {
    /** The calibrated reward of {@code response}, whose raw reward is {@code reward}. */
    double calibrate(double reward, String response);
}
