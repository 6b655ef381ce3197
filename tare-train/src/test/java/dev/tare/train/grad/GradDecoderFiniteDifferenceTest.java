package dev.tare.train.grad;

import dev.tare.train.grad.TinyDecoders.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole decoder's backward pass against central differences of its own forward scores, on tiny random checkpoints
 * of every family: L = Σ c·scores over three packed sequences (random c), perturbed along a random direction of each
 * trainable tensor and at single entries of it (its largest-gradient entry and random ones). LoRA A/B + head, every
 * base weight (trainAll: embeddings, norms, q/k norms, biases, projections, head), and LoRA with dropout at a fixed seed.
 */
class GradDecoderFiniteDifferenceTest {
    /**
     * Relative step: a perturbation of about this fraction of the tensor's typical entry. The errors are float32 forward
     * noise / step below it and O(step⁴) truncation above it (measured worst: 2.2e-3 at 2e-2; up to ~1e-2 of noise at
     * 1e-2 and below; 1.0e-2 at 3e-2 and 5.9e-2 at 5e-2 with dropout); wiring mistakes give errors of order 1 (tried: a wrong
     * norm variant, a dropped softcap or dropout factor, a missing embedding scale).
     */
    static final double STEP = 2e-2;
    /** Bounds on the errors (see {@link #check}): about 5× the worst measured. */
    static final double DIRECTION_TOL = 1e-2, ENTRY_TOL = 1e-2;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loraAndHeadGradients(Kind kind, @TempDir Path tmp) {
        try (GradDecoder d = GradDecoder.open(TinyDecoders.write(tmp, kind, 1))) {
            addRandomLora(d, 0.0, 5);
            d.trainHead();
            check(kind + " LoRA+head", d, 0L, false);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyBaseWeightGradient(Kind kind, @TempDir Path tmp) {
        try (GradDecoder d = GradDecoder.open(TinyDecoders.write(tmp, kind, 2))) {
            d.trainAll();
            check(kind + " full", d, 0L, false);
        }
    }

    /** With dropout the loss is that of the masks drawn from the seed; the backward must differentiate exactly that forward. */
    @Test
    void loraGradientsWithDropoutAtAFixedSeed(@TempDir Path tmp) {
        for (Kind kind : new Kind[]{Kind.LLAMA, Kind.GEMMA2}) {
            try (GradDecoder d = GradDecoder.open(TinyDecoders.write(tmp.resolve(kind.name()), kind, 3))) {
                addRandomLora(d, 0.3, 6);
                d.trainHead();
                check(kind + " LoRA dropout 0.3", d, 424242L, true);
            }
        }
    }

    /** LoRA on every linear module, rank 2, A and B random (B non-zero, so that A has a gradient), scaling 1.5. */
    static void addRandomLora(GradDecoder d, double dropout, long seed) {
        Random r = new Random(seed);
        int rank = 2;
        for (String m : d.linearModules()) {
            int[] s = d.linearShape(m);
            d.addLora(m, FiniteDifferences.gauss(r, rank * s[1], 1 / Math.sqrt(s[1])), FiniteDifferences.gauss(r, s[0] * rank, 0.5), rank, 1.5, dropout);
        }
    }

    static double loss(GradDecoder d, int[][] ids, float[][] c, long seed, boolean training) {
        float[][] s = d.forward(ids, seed, training).scores();
        double l = 0;
        for (int i = 0; i < s.length; i++) for (int j = 0; j < s[i].length; j++) l += (double) c[i][j] * s[i][j];
        return l;
    }

    /**
     * For every trainable tensor P with analytic gradient g: along a random direction v (entries N(0, rms(P)²)), the
     * Richardson central difference D of L(P + t·v) at t = 0 must match ⟨g, v⟩ to DIRECTION_TOL relative to
     * max(|⟨g, v⟩|, √Σ(g_i·v_i)²) (the second, the typical size of ⟨g, v⟩, guards against a direction that happens to
     * cancel); at single entries i the difference must match g[i] to ENTRY_TOL of max|g|.
     */
    static void check(String label, GradDecoder d, long seed, boolean training) {
        int[][] ids = TinyDecoders.ids();
        int labels = d.config().numLabels();
        Random rnd = new Random(label.hashCode());
        float[][] c = new float[ids.length][labels];
        for (float[] row : c) for (int j = 0; j < labels; j++) row[j] = (float) rnd.nextGaussian();
        d.trainable().forEach(Param::zeroGrad);
        GradDecoder.Pass pass = d.forward(ids, seed, training);
        d.backward(pass, c);
        double worstDir = 0, worstEntry = 0;
        String worstDirName = "", worstEntryName = "";
        int tensors = 0;
        for (Param p : d.trainable()) {
            tensors++;
            float[] g = p.grad().clone();
            float[] value = p.value();
            float[] base = value.clone();
            double rms = 0, gmax = 0;
            int argmax = 0;
            for (int i = 0; i < base.length; i++) {
                rms += (double) base[i] * base[i];
                if (Math.abs(g[i]) > gmax) {
                    gmax = Math.abs(g[i]);
                    argmax = i;
                }
            }
            rms = Math.max(Math.sqrt(rms / base.length), 0.1);
            assertTrue(gmax > 0, label + ": " + p.name() + " has an all-zero gradient: the test would not check it");

            double[] v = new double[base.length];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian() * rms;
            double analytic = FiniteDifferences.dot(g, v), typical = 0;
            for (int i = 0; i < v.length; i++) typical += g[i] * v[i] * g[i] * v[i];
            typical = Math.sqrt(typical);
            double fd = FiniteDifferences.derivative(t -> {
                for (int i = 0; i < value.length; i++) value[i] = (float) (base[i] + t * v[i]);
                p.changed();
                return loss(d, ids, c, seed, training);
            }, STEP);
            double dirErr = Math.abs(fd - analytic) / Math.max(Math.abs(analytic), typical);
            if (dirErr > worstDir) {
                worstDir = dirErr;
                worstDirName = p.name();
            }
            System.arraycopy(base, 0, value, 0, base.length);
            assertTrue(dirErr < DIRECTION_TOL, label + ": " + p.name() + " directional derivative " + analytic + " vs finite difference " + fd
                    + " (relative error " + dirErr + ")");

            int[] entries = {argmax, rnd.nextInt(base.length), rnd.nextInt(base.length), rnd.nextInt(base.length)};
            for (int i : entries) {
                double h = STEP * Math.max(Math.abs(base[i]), rms);
                double fe = FiniteDifferences.derivative(t -> {
                    value[i] = (float) (base[i] + t);
                    p.changed();
                    return loss(d, ids, c, seed, training);
                }, h);
                value[i] = base[i];
                double err = Math.abs(fe - g[i]) / gmax;
                if (err > worstEntry) {
                    worstEntry = err;
                    worstEntryName = p.name() + "[" + i + "]";
                }
                assertTrue(err < ENTRY_TOL, label + ": " + p.name() + "[" + i + "] gradient " + g[i] + " vs finite difference " + fe
                        + " (error " + err + " of max |g| " + gmax + ")");
            }
            p.changed();
        }
        System.out.printf("%s: %d tensors, worst directional error %.1e (%s), worst entry error %.1e of max|g| (%s)%n",
                label, tensors, worstDir, worstDirName, worstEntry, worstEntryName);
    }
}
