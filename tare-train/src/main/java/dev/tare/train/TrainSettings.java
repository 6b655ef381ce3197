package dev.tare.train;

/**
 * How to train: the LoRA to add ({@code null}: full fine-tuning of every weight), epochs, peak learning rate and its
 * schedule (warm-up as a fraction of all optimizer steps, as transformers' {@code warmup_ratio}), AdamW's weight decay
 * (betas 0.9/0.999, eps 1e-8), clipping by global norm (≤ 0: off), pairs per optimizer step and per forward pass
 * (gradient accumulation when smaller), the pair loss, the seed of shuffling/dropout/init, and how often to checkpoint.
 * The defaults of {@code transformers.Trainer} where the method is silent: linear decay, no warm-up, no weight
 * decay, max grad norm 1.0.
 */
public record TrainSettings(LoraSpec lora, int epochs, double lr, Schedule schedule, double warmupRatio, double weightDecay,
                            double maxGradNorm, int batchPairs, int microPairs, BradleyTerry loss, long seed, int checkpointEvery) {
    public TrainSettings {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be ≥ 1, got " + epochs);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (!(warmupRatio >= 0 && warmupRatio < 1)) throw new IllegalArgumentException("warm-up ratio must be in [0, 1), got " + warmupRatio);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("weight decay must be ≥ 0, got " + weightDecay);
        if (Double.isNaN(maxGradNorm) || Double.isInfinite(maxGradNorm)) throw new IllegalArgumentException("max grad norm must be finite, got " + maxGradNorm);
        if (batchPairs < 1) throw new IllegalArgumentException("batch must be ≥ 1 pair, got " + batchPairs);
        if (microPairs < 1 || microPairs > batchPairs) throw new IllegalArgumentException("micro-batch must be in [1, batch=" + batchPairs + "], got " + microPairs);
        if (checkpointEvery < 0) throw new IllegalArgumentException("checkpoint interval must be ≥ 0 steps, got " + checkpointEvery);
        java.util.Objects.requireNonNull(schedule, "schedule");
        java.util.Objects.requireNonNull(loss, "loss");
    }

    public boolean full() { return lora == null; }
}
