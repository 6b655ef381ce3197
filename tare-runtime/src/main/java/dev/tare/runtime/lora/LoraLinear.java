package dev.tare.runtime.lora;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.model.VecOps;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * A base linear layer plus unmerged LoRA terms bound to signed strengths: y = x·Wᵀ + Σ λ·scale·(x·Aᵀ)·Bᵀ. Immutable:
 * {@link #bind} gives the same layer at other strengths, sharing the base weights and the packed A and B (never
 * copied). A term at λ = 0 is skipped, so strength 0 reproduces the base layer bit for bit.
 */
public final class LoraLinear implements LinearWeight {
    /**
     * One adapter's term on this layer: A [r, in] and B [out, r] packed for the matrix kernels, and Bᵀ [r, out] for
     * the row-by-row update that small terms take.
     */
    record Term(LoraAdapter adapter, LoraAdapter.Module module, LinearWeight a, LinearWeight b, float[] bt) {
        Term(LoraAdapter adapter, LoraAdapter.Module m) {
            this(adapter, m, Kernels.linear(MemorySegment.ofArray(m.a()), DType.F32, m.rank(), m.in()),
                    Kernels.linear(MemorySegment.ofArray(m.b()), DType.F32, m.out(), m.rank()), transpose(m.b(), m.out(), m.rank()));
        }

        /** Whether A and B together fit in a core's L1 cache: then each row is updated on its own (r dot products,
         *  r scaled adds), with no [rows, r] and [rows, out] intermediates and no padding of r to the kernels' panels. */
        boolean byRow() { return (long) module.rank() * (module.in() + module.out()) * Float.BYTES <= ROW_PATH_BYTES; }
    }

    /** Bytes of A and B up to which a term takes the row-by-row update. */
    static final long ROW_PATH_BYTES = 32 * 1024;

    private static float[] transpose(float[] b, int out, int r) {
        float[] t = new float[b.length];
        for (int o = 0; o < out; o++) for (int j = 0; j < r; j++) t[j * out + o] = b[o * r + j];
        return t;
    }

    private final LinearWeight base;
    private final List<Term> terms;
    /** Per term, λ·alpha/r in float32. */
    private final float[] scales;

    /** The layer with each term at its adapter's strength in {@code strengths} (by adapter name; every term's adapter must be there). */
    LoraLinear(LinearWeight base, List<Term> terms, Map<String, Double> strengths) {
        this.base = base;
        this.terms = List.copyOf(terms);
        this.scales = new float[this.terms.size()];
        for (int i = 0; i < scales.length; i++) {
            Term t = this.terms.get(i);
            Double lambda = strengths.get(t.adapter().name());
            if (lambda == null) throw new IllegalArgumentException("no strength for adapter '" + t.adapter().name() + "'");
            scales[i] = (float) (lambda * t.module().scaling());
        }
    }

    /** The same layer (shared weights) at other strengths. */
    LoraLinear bind(Map<String, Double> strengths) { return new LoraLinear(base, terms, strengths); }

    @Override public int outFeatures() { return base.outFeatures(); }
    @Override public int inFeatures() { return base.inFeatures(); }
    /** The base weight's: its product dominates, and the layer's attention follows it. */
    @Override public boolean bf16Activations() { return base.bf16Activations(); }

    /**
     * y = x·Wᵀ, then for each active term y += s·((x·Aᵀ)·Bᵀ): row by row for a small term (y_row += Σ_j (s·(x_row·A_j))·Bᵀ_j,
     * rows spread over the kernel pool), else with both products on the packed kernels.
     */
    @Override
    public void forward(float[] x, int rows, float[] y) {
        base.forward(x, rows, y);
        int out = outFeatures(), in = inFeatures();
        for (int i = 0; i < scales.length; i++) {
            float s = scales[i];
            if (s == 0f) continue;
            Term t = terms.get(i);
            int r = t.module().rank();
            if (t.byRow()) {
                float[] a = t.module().a(), bt = t.bt();
                KernelPool.forRanges(rows, (long) r * (in + out), (from, to) -> {
                    float[] c = new float[r];
                    for (int row = from; row < to; row++) {
                        for (int j = 0; j < r; j++) c[j] = s * VecOps.dot(x, row * in, a, j * in, in);
                        for (int j = 0; j < r; j++) VecOps.axpy(c[j], bt, j * out, y, row * out, out);
                    }
                });
                continue;
            }
            float[] ax = new float[rows * t.module().rank()];
            t.a().forward(x, rows, ax);
            float[] bax = new float[rows * out];
            t.b().forward(ax, rows, bax);
            for (int j = 0; j < rows * out; j++) y[j] += s * bax[j];
        }
    }

    @Override
    public float get(int o, int k) {
        float w = base.get(o, k);
        for (int i = 0; i < scales.length; i++) w += scales[i] * delta(terms.get(i).module(), o, k);
        return w;
    }

    /** (B·A)[o][k] in float32. */
    static float delta(LoraAdapter.Module m, int o, int k) {
        float acc = 0f;
        int r = m.rank(), in = m.in();
        for (int j = 0; j < r; j++) acc += m.b()[o * r + j] * m.a()[j * in + k];
        return acc;
    }
}
