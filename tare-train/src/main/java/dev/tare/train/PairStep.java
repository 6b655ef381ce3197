package dev.tare.train;

import dev.tare.train.grad.GradDecoder;
import dev.tare.train.grad.Param;

import java.util.List;

/** One micro-batch of preference pairs through the decoder: both sides in one packed forward, the BT loss, the backward. */
public final class PairStep {
    private PairStep() {}

    /** The loss of a micro-batch, its pair accuracy and its token count. */
    public record Outcome(double loss, int correct, int pairs, int tokens) {}

    /**
     * Forward + backward of {@code pairs} ({chosen ids, rejected ids}); gradients are ADDED to the trainable parameters,
     * scaled by 1/{@code stepPairs} (the pairs of the whole optimizer step). Label 0 is the reward.
     */
    public static Outcome accumulate(GradDecoder d, BradleyTerry loss, List<int[][]> pairs, int stepPairs, long dropoutSeed, boolean training) {
        int n = pairs.size();
        int[][] ids = new int[2 * n][];
        for (int i = 0; i < n; i++) {
            ids[i] = pairs.get(i)[0];
            ids[n + i] = pairs.get(i)[1];
        }
        GradDecoder.Pass pass = d.forward(ids, dropoutSeed, training);
        float[] c = new float[n], r = new float[n];
        for (int i = 0; i < n; i++) {
            c[i] = pass.scores()[i][0];
            r[i] = pass.scores()[n + i][0];
        }
        BradleyTerry.Result res = loss.evaluate(c, r, stepPairs);
        int labels = d.config().numLabels();
        float[][] ds = new float[2 * n][labels];
        for (int i = 0; i < n; i++) {
            ds[i][0] = res.dChosen()[i];
            ds[n + i][0] = res.dRejected()[i];
        }
        d.backward(pass, ds);
        return new Outcome(res.loss(), res.correct(), n, pass.tokens());
    }

    /** Zeroes the gradients, then the mean loss and its gradient over all {@code pairs} at once (no dropout). */
    public static double lossAndGradients(GradDecoder d, BradleyTerry loss, List<int[][]> pairs) {
        d.trainable().forEach(Param::zeroGrad);
        return accumulate(d, loss, pairs, pairs.size(), 0L, false).loss();
    }
}
