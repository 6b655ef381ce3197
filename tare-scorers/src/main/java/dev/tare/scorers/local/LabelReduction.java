package dev.tare.scorers.local;

import java.util.Arrays;

/** How a sequence classifier's per-label logits become one reward: one label, or a weighted sum (multi-objective heads). */
public sealed interface LabelReduction {
    /** The reward from one row of logits; {@code numLabels} is checked against the head. */
    double reduce(float[] logits);

    /** Checks that this reduction fits a head with {@code numLabels} outputs. */
    void check(int numLabels);

    /** As written in a scorer spec: {@code label=N} or {@code weights=w0;w1;...}. */
    String spec();

    /** The per-label weights of this reduction over a {@code numLabels} head (one-hot for a single label). */
    double[] weights(int numLabels);

    /** Label {@code index} (label 0 is the usual single-output reward). */
    static LabelReduction label(int index) { return new Label(index); }

    /** Σ weights[i] · logits[i]. */
    static LabelReduction weighted(double... weights) { return new Weighted(weights.clone()); }

    /** Parses "0", "label:2" or "weights:0.5,0.3,0.2". */
    static LabelReduction parse(String spec) {
        String s = spec.strip();
        try {
            if (s.startsWith("weights:")) {
                return weighted(Arrays.stream(s.substring(8).split(",")).mapToDouble(x -> Double.parseDouble(x.strip())).toArray());
            }
            return label(Integer.parseInt(s.startsWith("label:") ? s.substring(6).strip() : s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("label reduction '" + spec + "': expected N, label:N or weights:w0,w1,...");
        }
    }

    /** One label's logit. */
    record Label(int index) implements LabelReduction {
        public Label {
            if (index < 0) throw new IllegalArgumentException("label index must be ≥ 0, got " + index);
        }

        @Override public double reduce(float[] logits) { return logits[index]; }

        @Override public String spec() { return "label=" + index; }

        @Override public double[] weights(int numLabels) {
            check(numLabels);
            double[] w = new double[numLabels];
            w[index] = 1;
            return w;
        }

        @Override public void check(int numLabels) {
            if (index >= numLabels) throw new IllegalArgumentException("label " + index + " chosen but the head has " + numLabels + " label(s)");
        }
    }

    /** A weighted sum of all labels. */
    record Weighted(double[] weights) implements LabelReduction {
        @Override public double reduce(float[] logits) {
            double s = 0;
            for (int i = 0; i < weights.length; i++) s += weights[i] * logits[i];
            return s;
        }

        @Override public void check(int numLabels) {
            if (weights.length != numLabels) throw new IllegalArgumentException(weights.length + " weights given but the head has " + numLabels + " label(s)");
        }

        @Override public String toString() { return "Weighted" + Arrays.toString(weights); }

        @Override public double[] weights(int numLabels) {
            check(numLabels);
            return weights.clone();
        }

        @Override public String spec() {
            StringBuilder b = new StringBuilder("weights=");
            for (int i = 0; i < weights.length; i++) b.append(i == 0 ? "" : ";").append(weights[i]);
            return b.toString();
        }
    }
}
