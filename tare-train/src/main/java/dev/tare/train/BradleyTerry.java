package dev.tare.train;

/**
 * The Bradley-Terry pair loss −log σ(s_c − s_r − m), averaged over pairs; {@code undesired} swaps chosen and rejected
 * (the forget-LoRA direction: the adapter learns to prefer what the data marks as worse).
 */
public record BradleyTerry(double margin, boolean undesired) {
    public BradleyTerry {
        if (!Double.isFinite(margin)) throw new IllegalArgumentException("margin must be finite, got " + margin);
    }

    /** The loss of one batch and dL/ds for each chosen and rejected score. */
    public record Result(double loss, float[] dChosen, float[] dRejected, int correct) {}

    /**
     * Loss (mean over the {@code chosen.length} pairs) with gradients scaled by {@code 1/denominator} (the number of
     * pairs in the whole optimizer step, so accumulated micro-batches add up to the mean). {@code correct} counts pairs
     * whose (direction-adjusted) preferred score is higher.
     */
    public Result evaluate(float[] chosen, float[] rejected, int denominator) {
        int n = chosen.length;
        if (rejected.length != n) throw new IllegalArgumentException(n + " chosen scores but " + rejected.length + " rejected");
        double total = 0;
        int correct = 0;
        float[] dc = new float[n], dr = new float[n];
        for (int i = 0; i < n; i++) {
            double good = undesired ? rejected[i] : chosen[i], bad = undesired ? chosen[i] : rejected[i];
            double z = good - bad - margin;
            total += softplus(-z);
            if (good > bad) correct++;
            double dz = -sigmoid(-z) / denominator;
            if (undesired) {
                dr[i] = (float) dz;
                dc[i] = (float) -dz;
            } else {
                dc[i] = (float) dz;
                dr[i] = (float) -dz;
            }
        }
        return new Result(total / n, dc, dr, correct);
    }

    static double softplus(double x) { return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); }

    static double sigmoid(double x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }
}
