package dev.tare.train;

import dev.tare.train.grad.Param;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.AdamW (single-tensor path, amsgrad off) in float32: decoupled weight decay p ← p·(1 − lr·wd), moments by
 * lerp, bias-corrected step p ← p − (lr/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + ε). Its state (moments, step count) is what a
 * checkpoint saves.
 */
public final class AdamW {
    private final double beta1, beta2, eps, weightDecay;
    private final Map<String, float[]> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private long step;

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be ≥ 0, got " + weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** torch's defaults but the weight decay: betas (0.9, 0.999), eps 1e-8. */
    public static AdamW withWeightDecay(double wd) { return new AdamW(0.9, 0.999, 1e-8, wd); }

    public long steps() { return step; }

    /** One update of every parameter at learning rate {@code lr} from its accumulated gradient. */
    public void step(List<Param> params, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step), bc2sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bc1), decay = (float) (1 - lr * weightDecay), w1 = (float) (1 - beta1), b2 = (float) beta2, w2 = (float) (1 - beta2);
        float bc2 = (float) bc2sqrt, e = (float) eps;
        for (Param p : params) {
            float[] x = p.value(), g = p.grad();
            float[] mm = m.computeIfAbsent(p.name(), k -> new float[x.length]);
            float[] vv = v.computeIfAbsent(p.name(), k -> new float[x.length]);
            for (int i = 0; i < x.length; i++) {
                if (weightDecay != 0) x[i] *= decay;
                mm[i] += w1 * (g[i] - mm[i]);
                vv[i] = vv[i] * b2 + w2 * g[i] * g[i];
                float denom = (float) Math.sqrt(vv[i]) / bc2 + e;
                x[i] -= stepSize * mm[i] / denom;
            }
            p.changed();
        }
    }

    /** The moments by parameter name (live arrays, for checkpoints). */
    public Map<String, float[]> firstMoments() { return m; }

    public Map<String, float[]> secondMoments() { return v; }

    /** Restores a checkpoint's state. */
    public void restore(long steps, Map<String, float[]> first, Map<String, float[]> second) {
        step = steps;
        m.clear();
        v.clear();
        first.forEach((k, a) -> m.put(k, a.clone()));
        second.forEach((k, a) -> v.put(k, a.clone()));
    }
}
