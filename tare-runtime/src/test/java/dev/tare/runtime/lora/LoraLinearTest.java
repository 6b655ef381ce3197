package dev.tare.runtime.lora;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.model.Fixtures;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Both ways a LoRA term is applied, the row-by-row update of a small term and the two matrix products of a large one,
 * against the formula y = x·Wᵀ + λ·scaling·(x·Aᵀ)·Bᵀ in double precision (PEFT's own outputs are checked end to end
 * by LoraParityTest, whose adapters take the row path).
 */
class LoraLinearTest {
    @Test
    void smallAndLargeTermsEqualTheFormula() {
        LoraAdapter named = LoraAdapter.load(Fixtures.dir("lora-llama-seqcls-qkvo"));
        Random r = new Random(21);
        for (int[] shape : new int[][] {{4, 64, 64}, {8, 96, 40}, {16, 512, 512}, {32, 300, 700}}) {
            int rank = shape[0], in = shape[1], out = shape[2], rows = 13;
            float[] w = gaussian(r, out * in), a = gaussian(r, rank * in), b = gaussian(r, out * rank), x = gaussian(r, rows * in);
            double scaling = 2.0 / rank, lambda = -0.7;
            LoraAdapter.Module m = new LoraAdapter.Module("m", rank, in, out, scaling, a, b);
            LoraLinear.Term term = new LoraLinear.Term(named, m);
            assertEquals((long) rank * (in + out) * 4 <= LoraLinear.ROW_PATH_BYTES, term.byRow());
            LinearWeight base = Kernels.linear(MemorySegment.ofArray(w), DType.F32, out, in);
            LoraLinear lin = new LoraLinear(base, List.of(term), Map.of(named.name(), lambda));
            float[] y = new float[rows * out];
            lin.forward(x, rows, y);
            for (int i = 0; i < rows; i++) {
                double[] ax = new double[rank];
                for (int j = 0; j < rank; j++) for (int k = 0; k < in; k++) ax[j] += (double) x[i * in + k] * a[j * in + k];
                for (int o = 0; o < out; o++) {
                    double want = 0, delta = 0, mag = 0;
                    for (int k = 0; k < in; k++) {
                        want += (double) x[i * in + k] * w[o * in + k];
                        mag += Math.abs((double) x[i * in + k] * w[o * in + k]);
                    }
                    for (int j = 0; j < rank; j++) delta += ax[j] * b[o * rank + j];
                    want += lambda * scaling * delta;
                    assertEquals(want, y[i * out + o], 1e-5 * (mag + Math.abs(lambda * scaling * delta) + 1),
                            "rank " + rank + " " + in + "→" + out + " (" + (term.byRow() ? "row path" : "matrix path") + ") row " + i + " out " + o);
                }
            }
            // strength 0: the base layer's bits
            float[] y0 = new float[rows * out], yb = new float[rows * out];
            lin.bind(Map.of(named.name(), 0.0)).forward(x, rows, y0);
            base.forward(x, rows, yb);
            assertArrayEquals(yb, y0, 0f);
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
