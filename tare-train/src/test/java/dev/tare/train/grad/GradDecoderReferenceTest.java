package dev.tare.train.grad;

import dev.tare.train.grad.TinyDecoders.Kind;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GradDecoder's float32 gradients against central differences of a float64 reference decoder ({@link Float64Decoder},
 * itself checked against GradDecoder's scores): far less noisy than differences of the float32 forward, so the bounds
 * are tight enough to catch a slightly wrong term, for every trainable tensor of every family.
 */
class GradDecoderReferenceTest {
    static final double SCALING = 1.5;
    /** Bound on the gradient errors (measured worst 5.4e-6 over all families and tensors: float32 rounding). */
    static final double TOL = 1e-4;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loraAndHeadGradients(Kind kind, @TempDir Path tmp) {
        try (GradDecoder d = GradDecoder.open(TinyDecoders.write(tmp, kind, 41))) {
            GradDecoderFiniteDifferenceTest.addRandomLora(d, 0.0, 42);   // scaling 1.5
            d.trainHead();
            check(kind + " LoRA+head", d);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyBaseWeightGradient(Kind kind, @TempDir Path tmp) {
        try (GradDecoder d = GradDecoder.open(TinyDecoders.write(tmp, kind, 43))) {
            d.trainAll();
            check(kind + " full", d);
        }
    }

    static double loss(Float64Decoder ref, int[][] ids, float[][] c) {
        double[][] s = ref.scores(ids);
        double l = 0;
        for (int i = 0; i < s.length; i++) for (int j = 0; j < s[i].length; j++) l += c[i][j] * s[i][j];
        return l;
    }

    static void check(String label, GradDecoder d) {
        int[][] ids = TinyDecoders.ids();
        int labels = d.config().numLabels();
        Random rnd = new Random(label.hashCode());
        float[][] c = new float[ids.length][labels];
        for (float[] row : c) for (int j = 0; j < labels; j++) row[j] = (float) rnd.nextGaussian();
        d.trainable().forEach(Param::zeroGrad);
        GradDecoder.Pass pass = d.forward(ids, 0L, false);
        d.backward(pass, c);

        Float64Decoder ref = new Float64Decoder(d, SCALING);
        double[][] want = ref.scores(ids);
        double fwd = 0;
        for (int s = 0; s < ids.length; s++)
            for (int j = 0; j < labels; j++) fwd = Math.max(fwd, Math.abs(pass.scores()[s][j] - want[s][j]) / Math.max(1, Math.abs(want[s][j])));
        assertTrue(fwd < 1e-5, label + ": the float64 reference's scores differ from GradDecoder's by " + fwd);

        double worstDir = 0, worstEntry = 0;
        String worstDirName = "", worstEntryName = "";
        for (Param p : d.trainable()) {
            float[] g = p.grad();
            double[] x = ref.w.get(p.name());
            double[] base = x.clone();
            double rms = 0, gmax = 0;
            int argmax = 0;
            for (int i = 0; i < base.length; i++) {
                rms += base[i] * base[i];
                if (Math.abs(g[i]) > gmax) {
                    gmax = Math.abs(g[i]);
                    argmax = i;
                }
            }
            rms = Math.max(Math.sqrt(rms / base.length), 0.1);
            assertTrue(gmax > 0, label + ": " + p.name() + " has an all-zero gradient");
            double h = 1e-3 * rms;

            double[] v = new double[base.length];
            double typical = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextGaussian();
                typical += g[i] * v[i] * g[i] * v[i];
            }
            double analytic = FiniteDifferences.dot(g, v);
            double fd = FiniteDifferences.derivative(t -> {
                for (int i = 0; i < x.length; i++) x[i] = base[i] + t * v[i];
                return loss(ref, ids, c);
            }, h);
            System.arraycopy(base, 0, x, 0, x.length);
            double dirErr = Math.abs(fd - analytic) / Math.max(Math.abs(analytic), Math.sqrt(typical));
            if (dirErr > worstDir) {
                worstDir = dirErr;
                worstDirName = p.name();
            }
            assertTrue(dirErr < TOL, label + ": " + p.name() + " directional derivative " + analytic + " vs float64 finite difference " + fd);

            int[] entries = new int[6];
            entries[0] = argmax;
            for (int e = 1; e < entries.length; e++) entries[e] = rnd.nextInt(base.length);
            for (int i : entries) {
                double fe = FiniteDifferences.derivative(t -> {
                    x[i] = base[i] + t;
                    return loss(ref, ids, c);
                }, h);
                x[i] = base[i];
                double err = Math.abs(fe - g[i]) / gmax;
                if (err > worstEntry) {
                    worstEntry = err;
                    worstEntryName = p.name() + "[" + i + "]";
                }
                assertTrue(err < TOL, label + ": " + p.name() + "[" + i + "] gradient " + g[i] + " vs float64 finite difference " + fe + " (max |g| " + gmax + ")");
            }
        }
        System.out.printf("%s vs float64 reference: forward %.1e, %d tensors, worst directional error %.1e (%s), worst entry error %.1e of max|g| (%s)%n",
                label, fwd, d.trainable().size(), worstDir, worstDirName, worstEntry, worstEntryName);
    }
}
