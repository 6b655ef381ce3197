package dev.tare.demo;

import dev.tare.metrics.stats.Interval;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SimulationDemoTest {
    static final Simulation.Config BASE = Simulation.Config.defaults().withPairs(400);

    @Test
    void sameSeedSameData_labelsFollowTrueQuality() {
        List<Simulation.Pair> a = Simulation.generate(BASE), b = Simulation.generate(BASE);
        assertEquals(a, b);
        assertNotEquals(a, Simulation.generate(BASE.withSeed(BASE.seed() + 1)));
        for (Simulation.Pair p : a) assertTrue(p.chosen().quality() >= p.rejected().quality(), p.id());
        // texts and noise do not depend on the injected bias: only the rewards change
        List<Simulation.Pair> clean = Simulation.generate(BASE.withBias(0, 0));
        assertEquals(a.get(5).chosen().text(), clean.get(5).chosen().text());
        assertNotEquals(a.get(5).chosen().reward(), clean.get(5).chosen().reward());
    }

    @Test
    void injectedLengthBiasIsDetectedAndRemovedWhileAccuracyIsKept() {
        for (long seed : new long[]{1, 2}) {
            var r = SimulationDemo.run(BASE.withSeed(seed));
            Interval before = r.biased().lengthSpearman(), after = r.calibrated().lengthSpearman();
            assertTrue(before.lo() > 0.3, "seed " + seed + ": injected bias must be detected, got " + before);
            assertTrue(after.lo() <= 0 && after.hi() >= 0, "seed " + seed + ": CI must cover 0 after calibration, got " + after);
            assertTrue(r.biased().longerWins().lo() > 0.55, "longer-wins above chance before: " + r.biased().longerWins());
            assertTrue(r.calibrated().longerWins().lo() < 0.5 && r.calibrated().longerWins().hi() > 0.5, "longer-wins at chance after: " + r.calibrated().longerWins());
            assertTrue(r.biased().markdownSpearman().lo() > 0.1, "markdown bias detected: " + r.biased().markdownSpearman());
            assertTrue(r.calibrated().markdownSpearman().lo() < 0 && r.calibrated().markdownSpearman().hi() > 0, "markdown removed: " + r.calibrated().markdownSpearman());
            // accuracy is kept: not lower than before, and within 3 points of the same RM without the bias
            assertTrue(r.calibrated().accuracy().value() >= r.biased().accuracy().value());
            assertEquals(r.unbiased().accuracy().value(), r.calibrated().accuracy().value(), 0.03);
            // the truth has no length effect: true quality's correlation with length is near 0
            assertEquals(0, r.truth().lengthSpearman().value(), 0.1);
            assertEquals(1.0, r.truth().accuracy().value());
        }
    }

    @Test
    void measuredBiasGrowsWithTheInjectedBiasAndVanishesWithoutIt() {
        double prev = Double.NEGATIVE_INFINITY;
        for (double bias : new double[]{0, 0.3, 0.8, 1.5}) {
            double rho = SimulationDemo.lengthSpearman(Simulation.generate(BASE.withBias(bias, 0)));
            assertTrue(rho > prev, "Spearman must grow with the injected bias: " + rho + " after " + prev);
            if (bias == 0) assertEquals(0, rho, 0.1);
            prev = rho;
        }
    }

    @Test
    void accuracySweepPeaksNearFullCalibrationAndBiasHurtsShorterChosen() {
        var r = SimulationDemo.run(BASE);
        double[][] acc = r.accuracyByAlpha();
        int one = java.util.Arrays.binarySearch(SimulationDemo.ALPHAS, 1.0);
        assertTrue(acc[0][one] > acc[0][0], "calibration raises accuracy");
        assertTrue(acc[2][0] < acc[1][0], "uncalibrated: pairs with a shorter chosen response are the ones the bias gets wrong");
        assertTrue(acc[2][one] > acc[2][0]);
    }

    @Test
    void badConfigIsRejectedWithTheFieldName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Simulation.Config.defaults().withPairs(1));
        assertTrue(e.getMessage().contains("pairs"));
    }
}
