package dev.tare.train.grad;

import dev.tare.runtime.model.ModelConfig;
import dev.tare.runtime.model.Rope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backward pass maps dL/d(rotated q, k) through {@link Rope#applyTransposed}: it must be the exact adjoint of
 * {@link Rope#apply} (the matrices are transposes entry for entry, so ⟨apply(x), y⟩ = ⟨x, applyTransposed(y)⟩), and
 * since a rotation is orthogonal, also its inverse. For default, linear and llama3-scaled frequencies.
 */
class RopeAdjointTest {

    static Rope rope(String type, double theta, int hd) {
        ModelConfig.RopeScaling s = switch (type) {
            case "default" -> null;
            case "linear" -> new ModelConfig.RopeScaling("linear", 4.0, 0, 0, 0);
            case "llama3" -> new ModelConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 8192);
            default -> throw new IllegalArgumentException(type);
        };
        return Rope.of(new ModelConfig.RopeParams(theta, s), hd);
    }

    @ParameterizedTest(name = "{0} theta={1} head_dim={2}")
    @CsvSource({"default, 10000, 8", "default, 1000000, 64", "linear, 10000, 16", "llama3, 500000, 128"})
    void applyTransposedIsTheAdjointAndInverseOfApply(String type, double theta, int hd) {
        Rope rope = rope(type, theta, hd);
        int heads = 3, n = heads * hd;
        Random rnd = new Random(hd + (long) theta);
        double worstAdjoint = 0, worstInverse = 0;
        for (int pos : new int[]{0, 1, 2, 7, 300, 5000, 131071}) {
            // entry for entry: column j of apply = row j of applyTransposed, bit for bit (one head suffices: heads share the rotation)
            float[][] m = new float[hd][], mt = new float[hd][];   // m[j] = apply(e_j), mt[j] = applyTransposed(e_j)
            for (int j = 0; j < hd; j++) {
                m[j] = new float[n];
                m[j][j] = 1f;
                mt[j] = m[j].clone();
                rope.apply(m[j], 0, heads, pos);
                rope.applyTransposed(mt[j], 0, heads, pos);
            }
            for (int i = 0; i < hd; i++)
                for (int j = 0; j < hd; j++)
                    assertEquals(m[j][i], mt[i][j], 0f, "apply[" + i + "][" + j + "] vs applyTransposed[" + j + "][" + i + "] at position " + pos);
            float[] x = FiniteDifferences.gauss(rnd, n + 5), y = FiniteDifferences.gauss(rnd, n + 5);
            float[] rx = x.clone(), ty = y.clone();
            rope.apply(rx, 5, heads, pos);
            rope.applyTransposed(ty, 5, heads, pos);
            for (int i = 0; i < 5; i++) assertEquals(x[i], rx[i], 0f, "apply touched a value before the offset");
            double lhs = 0, rhs = 0, nx = 0, ny = 0;
            for (int i = 5; i < n + 5; i++) {
                lhs += (double) rx[i] * y[i];
                rhs += (double) x[i] * ty[i];
                nx += (double) x[i] * x[i];
                ny += (double) y[i] * y[i];
            }
            double adj = Math.abs(lhs - rhs) / Math.sqrt(nx * ny);
            worstAdjoint = Math.max(worstAdjoint, adj);
            assertTrue(adj < 1e-6, "<apply(x), y> = " + lhs + " but <x, applyTransposed(y)> = " + rhs + " at position " + pos);
            float[] back = rx.clone();
            rope.applyTransposed(back, 5, heads, pos);
            double inv = 0;
            for (int i = 0; i < n + 5; i++) inv = Math.max(inv, Math.abs(back[i] - x[i]));
            worstInverse = Math.max(worstInverse, inv);
            assertTrue(inv < 1e-5, "applyTransposed(apply(x)) differs from x by " + inv + " at position " + pos);
        }
        System.out.printf("RoPE %s theta=%.0f hd=%d: worst adjoint error %.1e, inverse error %.1e%n", type, theta, hd, worstAdjoint, worstInverse);
    }
}
