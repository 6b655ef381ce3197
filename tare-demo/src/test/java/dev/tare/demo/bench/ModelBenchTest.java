package dev.tare.demo.bench;

import dev.tare.demo.generate.RandomQwen2Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The model bench's warm-up runs until the forward time has settled (bounded), and its timed runs follow it. */
class ModelBenchTest {
    private static final ModelBench.Warmup W = ModelBench.Warmup.DEFAULT;

    @Test void warmUpContinuesWhileTheForwardStillGetsFaster() {
        assertTrue(W.more(new double[0], 0));
        assertTrue(W.more(new double[] {5, 4}, 9), "fewer than minRuns");
        assertTrue(W.more(new double[] {5, 4, 3, 3.1}, 15), "fewer than minRuns");
        assertTrue(W.more(new double[] {5, 4, 3, 2, 1.5}, 15.5), "1.5 is 25 % faster than the best before the last two (3)");
        // the last two (1.95, 2.05) are not 5 % faster than the best before them (2.0): settled
        assertFalse(W.more(new double[] {5, 4, 3, 2.0, 1.95, 2.05}, 18));
        // a noisy slow run alone does not end it while the other of the last two is still much faster
        assertTrue(W.more(new double[] {5, 4, 3, 2.0, 1.5, 2.6}, 18));
    }

    @Test void warmUpIsBounded() {
        double[] faster = new double[W.maxRuns()];
        for (int i = 0; i < faster.length; i++) faster[i] = 10.0 / (i + 1);
        assertFalse(W.more(faster, 30), "maxRuns");
        assertFalse(W.more(new double[] {90, 60, 30}, 180), "maxSeconds, even before minRuns");
        assertFalse(W.more(new double[] {200}, 200), "one forward longer than maxSeconds is enough");
        assertThrows(IllegalArgumentException.class, () -> new ModelBench.Warmup(2, 12, 0.05, 60));
        assertThrows(IllegalArgumentException.class, () -> new ModelBench.Warmup(3, 2, 0.05, 60));
        assertThrows(IllegalArgumentException.class, () -> new ModelBench.Warmup(3, 12, 1.0, 60));
        assertThrows(IllegalArgumentException.class, () -> new ModelBench.Warmup(3, 12, 0.05, 0));
    }

    @Test void timedRunsComeAfterTheWarmUp(@TempDir Path dir) throws Exception {
        var shape = new RandomQwen2Checkpoint.Shape(2, 64, 4, 2, 128, 300);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        RandomQwen2Checkpoint.write(dir, shape, 7L, quiet);
        int[][] ids = new int[2][24];
        for (int s = 0; s < 2; s++) for (int t = 0; t < 24; t++) ids[s][t] = (7 * s + 13 * t + 1) % shape.vocab();
        ModelBench.Result r = ModelBench.run(dir, ids, 2, quiet);
        assertTrue(r.warmupSeconds().length >= W.minRuns() && r.warmupSeconds().length <= W.maxRuns(), r.warmupSeconds().length + " warm-up runs");
        assertEquals(2, r.tokensPerSecond().length);
        assertTrue(r.tokensPerSecond()[0] > 0 && r.tokensPerSecond()[0] <= r.tokensPerSecond()[1]);
        assertEquals(2, r.scores().length);
        assertThrows(IllegalArgumentException.class, () -> ModelBench.run(dir, ids, 0, quiet));
    }
}
