package dev.tare.train.grad;

/** The MLP gate activations (SiLU, gelu_pytorch_tanh) and their derivatives. */
final class Activations {
    private static final double C = 0.7978845608028654, K = 0.044715;

    private Activations() {}

    static float value(float a, boolean silu) {
        if (silu) return a / (1f + (float) Math.exp(-a));
        double inner = C * (a + K * a * a * a);
        return (float) (0.5 * a * (1.0 + Math.tanh(inner)));
    }

    static float derivative(float a, boolean silu) {
        if (silu) {
            double s = 1.0 / (1.0 + Math.exp(-a));
            return (float) (s * (1.0 + a * (1.0 - s)));
        }
        double t = Math.tanh(C * (a + K * a * a * a));
        return (float) (0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * C * (1.0 + 3.0 * K * a * a));
    }
}
