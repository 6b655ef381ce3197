package dev.tare.runtime.model;

import java.util.Arrays;

/**
 * Activation steering: {@code alpha · vector} added to the residual stream after decoder layer {@code layer} at every
 * position (prompt and generated), as a transformers forward hook on {@code model.layers[layer]} does.
 */
public record Steering(int layer, float[] vector, double alpha) {
    public Steering {
        if (layer < 0) throw new IllegalArgumentException("steering layer must be >= 0, got " + layer);
        if (vector == null || vector.length == 0) throw new IllegalArgumentException("steering vector is empty");
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("steering alpha must be finite, got " + alpha);
        for (int i = 0; i < vector.length; i++)
            if (!Float.isFinite(vector[i])) throw new IllegalArgumentException("steering vector entry " + i + " is " + vector[i]);
        vector = vector.clone();
    }

    @Override public float[] vector() { return vector.clone(); }

    /** The same steering with another strength. */
    public Steering withAlpha(double a) { return new Steering(layer, vector, a); }

    /** The vector with its component along {@code u} removed: v − (v·u)/(u·u)·u (computed in double). */
    public static float[] orthogonalise(float[] v, float[] u) {
        if (v.length != u.length) throw new IllegalArgumentException("cannot orthogonalise a " + v.length + "-vector against a " + u.length + "-vector");
        double vu = 0, uu = 0;
        for (int i = 0; i < v.length; i++) {
            vu += (double) v[i] * u[i];
            uu += (double) u[i] * u[i];
        }
        if (uu == 0) throw new IllegalArgumentException("cannot orthogonalise against a zero vector");
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] - vu / uu * u[i]);
        return out;
    }

    /** This steering with the vector orthogonalised against {@code u}. */
    public Steering orthogonalisedAgainst(float[] u) { return new Steering(layer, orthogonalise(vector, u), alpha); }

    /** The residual hook that applies it (checks the layer exists and the hidden size matches when it runs). */
    public ResidualHook hook() { return ResidualHook.addVector(layer, vector, (float) alpha); }

    /** Fails unless this steering fits a model with {@code numLayers} layers of width {@code hidden}. */
    void checkFits(ModelConfig cfg) {
        if (layer >= cfg.numLayers())
            throw new IllegalArgumentException("steering layer " + layer + " but the model has " + cfg.numLayers() + " decoder layers");
        if (vector.length != cfg.hiddenSize())
            throw new IllegalArgumentException("steering vector has " + vector.length + " entries, hidden size is " + cfg.hiddenSize());
    }

    @Override public boolean equals(Object o) {
        return o instanceof Steering s && s.layer == layer && s.alpha == alpha && Arrays.equals(s.vector, vector);
    }

    @Override public int hashCode() { return 31 * (31 * layer + Double.hashCode(alpha)) + Arrays.hashCode(vector); }

    @Override public String toString() { return "Steering[layer=" + layer + ", alpha=" + alpha + ", |v|=" + vector.length + "]"; }
}
