package dev.tare.train;

import dev.tare.train.grad.Param;

import java.util.List;

/** Gradient clipping by global norm as {@code torch.nn.utils.clip_grad_norm_}: scale by max/(‖g‖ + 1e-6) when that is below 1. */
public final class GradClip {
    private GradClip() {}

    /** The global L2 norm of the gradients of {@code params}. */
    public static double norm(List<Param> params) {
        double s = 0;
        for (Param p : params) for (float g : p.grad()) s += (double) g * g;
        return Math.sqrt(s);
    }

    /** Clips in place to {@code maxNorm} (≤ 0: no clipping); returns the norm before clipping. */
    public static double clip(List<Param> params, double maxNorm) {
        double n = norm(params);
        if (maxNorm > 0) {
            double coef = maxNorm / (n + 1e-6);
            if (coef < 1) {
                float c = (float) coef;
                for (Param p : params) {
                    float[] g = p.grad();
                    for (int i = 0; i < g.length; i++) g[i] *= c;
                }
            }
        }
        if (!Double.isFinite(n)) throw new ArithmeticException("gradient norm is " + n + ": the loss diverged (lower --lr)");
        return n;
    }
}
