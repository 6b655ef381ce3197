package dev.tare.train;

/**
 * Learning-rate schedules as transformers' {@code get_linear_schedule_with_warmup} / {@code
 * get_constant_schedule_with_warmup} compute them: the factor at optimizer step s (0-based) is s/warmup during warm-up,
 * then 1 (constant) or (total − s)/(total − warmup), floored at 0 (linear decay).
 */
public enum Schedule {
    CONSTANT, LINEAR;

    /** The learning rate of step {@code step} (0-based) of {@code total}, peak {@code lr}, {@code warmup} warm-up steps. */
    public double lr(double lr, long step, long total, long warmup) {
        if (step < warmup) return lr * step / Math.max(1, warmup);
        return switch (this) {
            case CONSTANT -> lr;
            case LINEAR -> lr * Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
        };
    }
}
