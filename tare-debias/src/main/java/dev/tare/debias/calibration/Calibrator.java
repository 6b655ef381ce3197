package dev.tare.debias.calibration;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One fitted calibration step for one feature: calibrated = score − alpha · b(feature).
 * For LWR and MEAN, b is a piecewise-linear curve through the fitted points {@code (xs[i], bias[i])} (xs strictly
 * increasing): at a fitted x it returns exactly that fit (the paper's bisect_left lookup on training values);
 * between fitted points it interpolates linearly; outside [xs[0], xs[last]] it is held constant at the end value
 * (the repo would take the next larger fit below the range and fail above it). For PENALTY, b(v) = coefficient · v.
 * {@code params} records the fit settings (frac, it, ratio, window, ...) for provenance, in the order the fit put them
 * (so a calibrator file is byte-identical from run to run; {@code Map.copyOf}'s order changes with each JVM).
 */
public record Calibrator(Method method, String feature, double alpha, double coefficient, double[] xs, double[] bias,
                         Map<String, Object> params) {
    public Calibrator {
        if (method == null || feature == null) throw new IllegalArgumentException("method and feature are required");
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("alpha must be finite");
        xs = xs == null ? new double[0] : xs.clone();
        bias = bias == null ? new double[0] : bias.clone();
        params = params == null ? Map.of() : orderedCopy(params);
        if (xs.length != bias.length) throw new IllegalArgumentException("xs and bias differ in length");
        if (method == Method.PENALTY) {
            if (!Double.isFinite(coefficient)) throw new IllegalArgumentException("penalty coefficient must be finite");
        } else {
            if (xs.length == 0) throw new IllegalArgumentException(method.cliName() + " calibrator for '" + feature + "' has no fitted points");
            for (int i = 0; i < xs.length; i++) {
                if (!Double.isFinite(xs[i]) || !Double.isFinite(bias[i]))
                    throw new IllegalArgumentException("non-finite fitted point " + i);
                if (i > 0 && !(xs[i] > xs[i - 1])) throw new IllegalArgumentException("fitted xs must be strictly increasing (index " + i + ")");
            }
        }
    }

    /** A constant per-unit penalty: b(v) = coefficient · v (the repo: 0.001 per character, alpha 1). */
    public static Calibrator penalty(String feature, double coefficient) {
        return new Calibrator(Method.PENALTY, feature, 1.0, coefficient, null, null, Map.of());
    }

    /** The estimated bias b(v) (before alpha). */
    public double bias(double v) {
        if (method == Method.PENALTY) return coefficient * v;
        int n = xs.length;
        if (v <= xs[0]) return bias[0];
        if (v >= xs[n - 1]) return bias[n - 1];
        int i = Arrays.binarySearch(xs, v);
        if (i >= 0) return bias[i];
        int hi = -i - 1, lo = hi - 1;
        double a = (v - xs[lo]) / (xs[hi] - xs[lo]);
        return a * bias[hi] + (1.0 - a) * bias[lo];
    }

    /** score − alpha · b(featureValue). */
    public double apply(double featureValue, double score) { return score - alpha * bias(featureValue); }

    @Override public boolean equals(Object o) {
        return o instanceof Calibrator c && method == c.method && feature.equals(c.feature)
                && Double.compare(alpha, c.alpha) == 0 && Double.compare(coefficient, c.coefficient) == 0
                && Arrays.equals(xs, c.xs) && Arrays.equals(bias, c.bias) && params.equals(c.params);
    }

    @Override public int hashCode() { return Arrays.hashCode(xs) * 31 + Arrays.hashCode(bias) + method.hashCode() + feature.hashCode(); }

    @Override public String toString() {
        return method.cliName() + "(" + feature + ", alpha=" + alpha + (method == Method.PENALTY ? ", coef=" + coefficient : ", points=" + xs.length) + ")";
    }

    /** An unmodifiable copy that keeps {@code params}' iteration order; null keys or values are refused, as by Map.copyOf. */
    private static Map<String, Object> orderedCopy(Map<String, Object> params) {
        Map<String, Object> copy = new LinkedHashMap<>();
        params.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "params key"), Objects.requireNonNull(v, "params value of " + k)));
        return Collections.unmodifiableMap(copy);
    }
}
