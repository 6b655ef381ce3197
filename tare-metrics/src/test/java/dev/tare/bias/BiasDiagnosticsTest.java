package dev.tare.bias;

import dev.tare.metrics.stats.Bootstrap;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class BiasDiagnosticsTest {
    @Test
    void longerWinsCountsOnlyPairsOfDifferentLength() {
        double[] cl = {10, 20, 5, 7, 9}, rl = {5, 30, 5, 3, 12};
        double[] cs = {1.0, 2.0, 9.0, 0.5, 1.0}, rs = {0.0, 3.0, 0.0, 0.5, 0.0};
        // pair 0: longer=chosen 1>0 win; pair 1: longer=rejected 3>2 win; pair 2: equal length, skipped;
        // pair 3: longer=chosen, score tie -> not a win; pair 4: longer=rejected 0<1 -> loss
        var lw = BiasDiagnostics.longerWins(cl, rl, cs, rs, Bootstrap.defaults());
        assertEquals(5, lw.pairs());
        assertEquals(4, lw.eligible());
        assertEquals(0.5, lw.rate().value(), 0.0);
        assertTrue(lw.rate().lo() <= 0.5 && lw.rate().hi() >= 0.5);
    }

    @Test
    void correlationPointEstimatesAndIntervalsCoverThem() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 400;
        double[] len = new double[n], score = new double[n];
        for (int i = 0; i < n; i++) { len[i] = 50 + r.nextInt(2000); score[i] = 0.001 * len[i] + r.nextGaussian(); }
        var fc = BiasDiagnostics.correlation("chars", len, score, new Bootstrap(200, 1, 0.95));
        assertEquals(Correlation.spearman(len, score), fc.spearman().value(), 0.0);
        assertEquals(Correlation.kendallTauB(len, score), fc.kendall().value(), 0.0);
        assertTrue(fc.spearman().lo() < fc.spearman().value() && fc.spearman().value() < fc.spearman().hi());
        assertTrue(fc.kendall().lo() > 0, "a clear positive length bias has a CI above 0");
        // Kendall's tau is smaller in magnitude than Spearman's rho for this kind of monotone association
        assertTrue(Math.abs(fc.kendall().value()) < Math.abs(fc.spearman().value()));
    }

    @Test
    void intervalsResampleItemsSoRepeatedResponsesDoNotNarrowThem() {
        SplittableRandom r = new SplittableRandom(11);
        int k = 80;
        double[] len = new double[2 * k], score = new double[2 * k];
        for (int i = 0; i < k; i++) {
            double prompt = r.nextGaussian();   // a per-prompt effect shared by its chosen and rejected responses
            for (int side = 0; side < 2; side++) {
                len[side * k + i] = 100 + r.nextInt(900);
                score[side * k + i] = prompt + 0.002 * len[side * k + i] + 0.5 * r.nextGaussian();
            }
        }
        Bootstrap boot = new Bootstrap(400, 5, 0.95);
        var pairs = BiasDiagnostics.correlation("chars", len, score, BiasDiagnostics.pairItems(k), boot);
        // the same pairs with every response written out 4 times under its own item: 4x the responses, same information
        int copies = 4;
        double[] len4 = new double[copies * 2 * k], score4 = new double[len4.length];
        int[] item4 = new int[len4.length];
        for (int c = 0; c < copies; c++)
            for (int j = 0; j < 2 * k; j++) {
                len4[c * 2 * k + j] = len[j];
                score4[c * 2 * k + j] = score[j];
                item4[c * 2 * k + j] = j % k;
            }
        var dup = BiasDiagnostics.correlation("chars", len4, score4, item4, boot);
        assertEquals(copies * 2 * k, dup.n());
        // Spearman is invariant to repeating every point equally often, so an item-level bootstrap gives the same interval
        assertEquals(pairs.spearman().value(), dup.spearman().value(), 1e-9);
        assertEquals(pairs.spearman().lo(), dup.spearman().lo(), 1e-9);
        assertEquals(pairs.spearman().hi(), dup.spearman().hi(), 1e-9);
        double w = dup.kendall().hi() - dup.kendall().lo(), w0 = pairs.kendall().hi() - pairs.kendall().lo();
        assertTrue(w > 0.8 * w0, "Kendall interval did not shrink: " + w + " vs " + w0);
        // resampling responses one by one treats the copies as new evidence and narrows the interval about 2x
        var naive = BiasDiagnostics.correlation("chars", len4, score4, boot);
        double wNaive = naive.spearman().hi() - naive.spearman().lo(), wItems = dup.spearman().hi() - dup.spearman().lo();
        assertTrue(wNaive < 0.7 * wItems, "response-level width " + wNaive + " vs item-level " + wItems);
    }

    @Test
    void longerWinsResamplesItemsWhenAnItemHasSeveralPairs() {
        SplittableRandom r = new SplittableRandom(4);
        int k = 120;
        double[] cl = new double[k], rl = new double[k], cs = new double[k], rs = new double[k];
        for (int i = 0; i < k; i++) { cl[i] = 1 + r.nextInt(50); rl[i] = 1 + r.nextInt(50); cs[i] = r.nextGaussian() + 0.01 * cl[i]; rs[i] = r.nextGaussian() + 0.01 * rl[i]; }
        Bootstrap boot = new Bootstrap(300, 9, 0.95);
        var one = BiasDiagnostics.longerWins(cl, rl, cs, rs, boot);
        // each item's pair written three times (like RM-Bench's three style pairs when they happen to coincide)
        double[] cl3 = new double[3 * k], rl3 = new double[3 * k], cs3 = new double[3 * k], rs3 = new double[3 * k];
        int[] item = new int[3 * k];
        for (int i = 0; i < 3 * k; i++) { cl3[i] = cl[i / 3]; rl3[i] = rl[i / 3]; cs3[i] = cs[i / 3]; rs3[i] = rs[i / 3]; item[i] = i / 3; }
        var three = BiasDiagnostics.longerWins(cl3, rl3, cs3, rs3, item, boot);
        assertEquals(3 * one.eligible(), three.eligible());
        assertEquals(one.rate().value(), three.rate().value(), 1e-12);
        assertEquals(one.rate().lo(), three.rate().lo(), 1e-12);
        assertEquals(one.rate().hi(), three.rate().hi(), 1e-12);
        var naive = BiasDiagnostics.longerWins(cl3, rl3, cs3, rs3, boot);
        assertTrue(naive.rate().hi() - naive.rate().lo() < 0.75 * (three.rate().hi() - three.rate().lo()), "pair-level resampling is too narrow");
    }
}
