package dev.tare.runtime.model;

import dev.tare.runtime.kernel.KernelPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.List;

/**
 * Causal grouped-query attention of one layer over packed sequences (optionally sliding-window and soft-capped),
 * computed in float32 on Vector API register tiles.
 *
 * <p>Sequences with at least {@link #MIN_TILED} new tokens take the blocked path: each key/value head's keys are copied
 * once per layer into transposed panels of 2 vectors of keys ([keys / panel][head_dim][panel], zero-padded) and its values into a [keys][padded head_dim]
 * block; then 4 query rows at a time get their scores from a 4 × 4-vector tile over two key panels (4 × 2 with 256-bit
 * vectors; one key-vector load feeds 4 fused multiply-adds), a row softmax over only that row's allowed keys, and P·V from a 4 × 4-vector tile (one broadcast
 * probability per row and key feeds 4 vector FMAs). Memory is O(rows-per-tile × keys) per thread, never keys × keys.
 * Fewer new tokens (generation steps) take per-key dot products over the cache. Every operation is an element-wise
 * FMA, add or multiply (no lane reductions), so the result does not depend on whether the JIT has compiled the code.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Keys of one transposed key panel: the width of a score tile (2 vectors). */
    private static final int PANEL = 2 * L;
    /**
     * Whether P·V takes 4 vectors of head_dim per step and QKᵀ two key panels (16 accumulators: 512-bit CPUs have 32
     * vector registers); with 256-bit vectors (AVX2, 16 registers) one vector and one panel per step, so that nothing
     * spills.
     */
    private static final boolean WIDE_PV = S.vectorBitSize() >= 512;
    /** Query rows of one register tile. */
    private static final int ROWS = 4;
    /** Query rows of one parallel job (a multiple of {@link #ROWS}). */
    private static final int CHUNK = 64;
    /** New tokens of a sequence from which the blocked path is used. */
    static final int MIN_TILED = 16;
    /** Per-thread scores and output rows, grown to the largest sequence seen. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private final int hd, nh, kvh, hdPad;
    private final float scale, cap;

    Attention(ModelConfig cfg) {
        hd = cfg.headDim();
        nh = cfg.numHeads();
        kvh = cfg.numKvHeads();
        hdPad = (hd + L - 1) / L * L;
        scale = cfg.attentionScale();
        cap = cfg.attnSoftcap();
    }

    /** The transposed key and padded value blocks of one forward's sequences, allocated once and reused by every layer. */
    final class Blocks {
        final int[] keys, stride, kOff, vOff;
        final float[] kt, vp;

        Blocks(List<Transformer.Seq> seqs) {
            int n = seqs.size();
            keys = new int[n];
            stride = new int[n];
            kOff = new int[n];
            vOff = new int[n];
            long kSize = 0, vSize = 0;
            for (int s = 0; s < n; s++) {
                Transformer.Seq sq = seqs.get(s);
                if (sq.ids().length < MIN_TILED) continue;
                keys[s] = (sq.cache() == null ? 0 : sq.cache().length) + sq.ids().length;
                stride[s] = (keys[s] + PANEL - 1) / PANEL * PANEL;   // whole panels of keys
                kOff[s] = Math.toIntExact(kSize);
                vOff[s] = Math.toIntExact(vSize);
                kSize += (long) kvh * hd * stride[s];
                vSize += (long) kvh * keys[s] * hdPad;
            }
            kt = new float[Math.toIntExact(kSize)];
            vp = new float[Math.toIntExact(vSize)];
        }
    }

    Blocks blocks(List<Transformer.Seq> seqs) { return new Blocks(seqs); }

    /**
     * att ← softmax(q·kᵀ·scale [soft-capped], causal, within {@code window} when &gt; 0)·v for every head of every
     * sequence at layer {@code li}; keys and values come from the sequence's cache when it has one (already extended
     * by this layer's new tokens), else from {@code k}/{@code v} at the sequence's packed rows.
     */
    void forward(int li, int window, List<Transformer.Seq> seqs, int[] starts, float[] q, float[] k, float[] v,
                 float[] att, Blocks b) {
        int kvW = kvh * hd;
        long work = 0;
        int tiledJobs = 0, smallJobs = 0;
        for (Transformer.Seq sq : seqs) {
            long n = sq.ids().length, keys = (sq.cache() == null ? 0 : sq.cache().length) + n;
            work += n * keys * hd * nh;
            if (n >= MIN_TILED) tiledJobs += (int) ((n + CHUNK - 1) / CHUNK) * nh;
            else smallJobs += nh;
        }
        boolean parallel = work >= Transformer.PARALLEL_ATTENTION_WORK;
        // 1. per (sequence, key/value head): transposed keys and padded values
        run(seqs.size() * kvh, parallel, j -> {
            if (b.keys[j / kvh] == 0) return;
            int s = j / kvh, g = j % kvh;
            Transformer.Seq sq = seqs.get(s);
            KvCache c = sq.cache();
            float[] keys = c == null ? k : c.keys[li], vals = c == null ? v : c.values[li];
            int base = c == null ? starts[s] : 0, tp = b.stride[s];
            int kb = b.kOff[s] + g * hd * tp, vb = b.vOff[s] + g * b.keys[s] * hdPad;
            for (int t = 0; t < b.keys[s]; t++) {
                int ko = (base + t) * kvW + g * hd, kp = kb + t / PANEL * hd * PANEL + t % PANEL;
                for (int d = 0; d < hd; d++) b.kt[kp + d * PANEL] = keys[ko + d];
                System.arraycopy(vals, ko, b.vp, vb + t * hdPad, hd);
            }
        });
        // 2. jobs: (sequence, head, chunk of query rows) on the blocked path, (sequence, head) for short sequences
        int[] job = new int[(tiledJobs + smallJobs) * 3];
        int m = 0;
        for (int s = 0; s < seqs.size(); s++) {
            int n = seqs.get(s).ids().length;
            for (int head = 0; head < nh; head++) {
                if (n >= MIN_TILED) {
                    for (int from = 0; from < n; from += CHUNK) {
                        job[m++] = s; job[m++] = head; job[m++] = from;
                    }
                } else {
                    job[m++] = s; job[m++] = head; job[m++] = -1;
                }
            }
        }
        run(m / 3, parallel, j -> {
            int s = job[3 * j], head = job[3 * j + 1], from = job[3 * j + 2];
            if (from < 0) attendByKey(li, window, seqs.get(s), starts[s], head, q, k, v, att);
            else attendTiled(window, seqs.get(s), starts[s], head, from, q, att, b, s);
        });
    }

    /** body(j) for j in [0, n): over the kernel pool when {@code parallel}, else on this thread. */
    private static void run(int n, boolean parallel, java.util.function.IntConsumer body) {
        if (parallel) KernelPool.parallelFor(n, body);
        else for (int j = 0; j < n; j++) body.accept(j);
    }

    /** Rows [from, from + CHUNK) of one head of sequence {@code s}, 4 at a time. */
    private void attendTiled(int window, Transformer.Seq seq, int start, int head, int from, float[] q, float[] att,
                             Blocks b, int s) {
        int n = seq.ids().length, past = b.keys[s] - n, tp = b.stride[s], g = head / (nh / kvh);
        int kb = b.kOff[s] + g * hd * tp, vb = b.vOff[s] + g * b.keys[s] * hdPad;
        float[] kt = b.kt, vp = b.vp;
        int scSize = ROWS * tp;
        float[] scratch = SCRATCH.get();
        if (scratch.length < scSize + ROWS * hdPad) {
            scratch = new float[scSize + ROWS * hdPad];
            SCRATCH.set(scratch);
        }
        float[] sc = scratch;
        int outOff = scSize;
        int[] qo = new int[ROWS], lo = new int[ROWS], qi = new int[ROWS];
        float[] inv = new float[ROWS];
        int to = Math.min(n, from + CHUNK);
        for (int i0 = from; i0 < to; i0 += ROWS) {
            for (int r = 0; r < ROWS; r++) {
                int i = Math.min(i0 + r, to - 1);   // a short last tile repeats its last row (computed, not written)
                qo[r] = (start + i) * nh * hd + head * hd;
                qi[r] = past + i;
                lo[r] = window > 0 ? Math.max(0, qi[r] - window + 1) : 0;
            }
            int keyLo = lo[0], keyHi = qi[ROWS - 1];
            scores(q, qo, kt, kb, tp, keyLo, keyHi, sc);
            for (int r = 0; r < ROWS; r++) {
                int off = r * tp;
                inv[r] = softmax(sc, off + lo[r], qi[r] - lo[r] + 1);
                java.util.Arrays.fill(sc, off + keyLo, off + lo[r], 0f);
                java.util.Arrays.fill(sc, off + qi[r] + 1, off + keyHi + 1, 0f);
            }
            values(sc, tp, vp, vb, keyLo, keyHi, inv, sc, outOff);
            for (int r = 0; r < ROWS && i0 + r < to; r++)
                System.arraycopy(sc, outOff + r * hdPad, att, qo[r], hd);   // att rows are laid out as q rows
        }
    }

    /**
     * sc[r·tp + j] ← q_r · k_j for the 4 rows and the keys of every panel that holds one of [lo, hi] (the panel's other
     * keys, before lo or after hi, are computed too and never read).
     */
    private void scores(float[] q, int[] qo, float[] kt, int kb, int tp, int lo, int hi, float[] sc) {
        int q0 = qo[0], q1 = qo[1], q2 = qo[2], q3 = qo[3];
        int j = lo / PANEL * PANEL;
        for (; WIDE_PV && j + PANEL <= hi; j += 2 * PANEL) {   // two panels (4 key vectors) per step, 512-bit only (16 accumulators)
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                    a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int d = 0, kr = kb + j * hd, kr2 = kr + hd * PANEL; d < hd; d++, kr += PANEL, kr2 += PANEL) {
                FloatVector k0 = FloatVector.fromArray(S, kt, kr), k1 = FloatVector.fromArray(S, kt, kr + L);
                FloatVector k2 = FloatVector.fromArray(S, kt, kr2), k3 = FloatVector.fromArray(S, kt, kr2 + L);
                FloatVector x = FloatVector.broadcast(S, q[q0 + d]);
                a00 = k0.fma(x, a00); a01 = k1.fma(x, a01); a02 = k2.fma(x, a02); a03 = k3.fma(x, a03);
                x = FloatVector.broadcast(S, q[q1 + d]);
                a10 = k0.fma(x, a10); a11 = k1.fma(x, a11); a12 = k2.fma(x, a12); a13 = k3.fma(x, a13);
                x = FloatVector.broadcast(S, q[q2 + d]);
                a20 = k0.fma(x, a20); a21 = k1.fma(x, a21); a22 = k2.fma(x, a22); a23 = k3.fma(x, a23);
                x = FloatVector.broadcast(S, q[q3 + d]);
                a30 = k0.fma(x, a30); a31 = k1.fma(x, a31); a32 = k2.fma(x, a32); a33 = k3.fma(x, a33);
            }
            a00.intoArray(sc, j); a01.intoArray(sc, j + L); a02.intoArray(sc, j + 2 * L); a03.intoArray(sc, j + 3 * L);
            a10.intoArray(sc, tp + j); a11.intoArray(sc, tp + j + L); a12.intoArray(sc, tp + j + 2 * L); a13.intoArray(sc, tp + j + 3 * L);
            a20.intoArray(sc, 2 * tp + j); a21.intoArray(sc, 2 * tp + j + L); a22.intoArray(sc, 2 * tp + j + 2 * L); a23.intoArray(sc, 2 * tp + j + 3 * L);
            a30.intoArray(sc, 3 * tp + j); a31.intoArray(sc, 3 * tp + j + L); a32.intoArray(sc, 3 * tp + j + 2 * L); a33.intoArray(sc, 3 * tp + j + 3 * L);
        }
        for (; j <= hi; j += PANEL) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            for (int d = 0, kr = kb + j * hd; d < hd; d++, kr += PANEL) {
                FloatVector k0 = FloatVector.fromArray(S, kt, kr), k1 = FloatVector.fromArray(S, kt, kr + L);
                FloatVector x = FloatVector.broadcast(S, q[q0 + d]);
                a00 = k0.fma(x, a00);
                a01 = k1.fma(x, a01);
                x = FloatVector.broadcast(S, q[q1 + d]);
                a10 = k0.fma(x, a10);
                a11 = k1.fma(x, a11);
                x = FloatVector.broadcast(S, q[q2 + d]);
                a20 = k0.fma(x, a20);
                a21 = k1.fma(x, a21);
                x = FloatVector.broadcast(S, q[q3 + d]);
                a30 = k0.fma(x, a30);
                a31 = k1.fma(x, a31);
            }
            a00.intoArray(sc, j);
            a01.intoArray(sc, j + L);
            a10.intoArray(sc, tp + j);
            a11.intoArray(sc, tp + j + L);
            a20.intoArray(sc, 2 * tp + j);
            a21.intoArray(sc, 2 * tp + j + L);
            a30.intoArray(sc, 3 * tp + j);
            a31.intoArray(sc, 3 * tp + j + L);
        }
    }

    /** out[r·hdPad + d] ← inv_r · Σ_{j in [lo, hi]} p[r·tp + j] · v_j[d] for the 4 rows (p is 0 outside a row's keys). */
    private void values(float[] p, int tp, float[] vp, int vb, int lo, int hi, float[] inv, float[] out, int outOff) {
        int c = 0;
        for (; WIDE_PV && c + 4 * L <= hdPad; c += 4 * L) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                    a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int j = lo; j <= hi; j++) {
                int vr = vb + j * hdPad + c;
                FloatVector v0 = FloatVector.fromArray(S, vp, vr), v1 = FloatVector.fromArray(S, vp, vr + L),
                        v2 = FloatVector.fromArray(S, vp, vr + 2 * L), v3 = FloatVector.fromArray(S, vp, vr + 3 * L);
                FloatVector x = FloatVector.broadcast(S, p[j]);
                a00 = v0.fma(x, a00); a01 = v1.fma(x, a01); a02 = v2.fma(x, a02); a03 = v3.fma(x, a03);
                x = FloatVector.broadcast(S, p[tp + j]);
                a10 = v0.fma(x, a10); a11 = v1.fma(x, a11); a12 = v2.fma(x, a12); a13 = v3.fma(x, a13);
                x = FloatVector.broadcast(S, p[2 * tp + j]);
                a20 = v0.fma(x, a20); a21 = v1.fma(x, a21); a22 = v2.fma(x, a22); a23 = v3.fma(x, a23);
                x = FloatVector.broadcast(S, p[3 * tp + j]);
                a30 = v0.fma(x, a30); a31 = v1.fma(x, a31); a32 = v2.fma(x, a32); a33 = v3.fma(x, a33);
            }
            int o0 = outOff + c, o1 = o0 + hdPad, o2 = o1 + hdPad, o3 = o2 + hdPad;
            a00.mul(inv[0]).intoArray(out, o0); a01.mul(inv[0]).intoArray(out, o0 + L);
            a02.mul(inv[0]).intoArray(out, o0 + 2 * L); a03.mul(inv[0]).intoArray(out, o0 + 3 * L);
            a10.mul(inv[1]).intoArray(out, o1); a11.mul(inv[1]).intoArray(out, o1 + L);
            a12.mul(inv[1]).intoArray(out, o1 + 2 * L); a13.mul(inv[1]).intoArray(out, o1 + 3 * L);
            a20.mul(inv[2]).intoArray(out, o2); a21.mul(inv[2]).intoArray(out, o2 + L);
            a22.mul(inv[2]).intoArray(out, o2 + 2 * L); a23.mul(inv[2]).intoArray(out, o2 + 3 * L);
            a30.mul(inv[3]).intoArray(out, o3); a31.mul(inv[3]).intoArray(out, o3 + L);
            a32.mul(inv[3]).intoArray(out, o3 + 2 * L); a33.mul(inv[3]).intoArray(out, o3 + 3 * L);
        }
        for (; c < hdPad; c += L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int j = lo; j <= hi; j++) {
                FloatVector v0 = FloatVector.fromArray(S, vp, vb + j * hdPad + c);
                a0 = v0.fma(FloatVector.broadcast(S, p[j]), a0);
                a1 = v0.fma(FloatVector.broadcast(S, p[tp + j]), a1);
                a2 = v0.fma(FloatVector.broadcast(S, p[2 * tp + j]), a2);
                a3 = v0.fma(FloatVector.broadcast(S, p[3 * tp + j]), a3);
            }
            a0.mul(inv[0]).intoArray(out, outOff + c);
            a1.mul(inv[1]).intoArray(out, outOff + hdPad + c);
            a2.mul(inv[2]).intoArray(out, outOff + 2 * hdPad + c);
            a3.mul(inv[3]).intoArray(out, outOff + 3 * hdPad + c);
        }
    }

    /**
     * sc[from + j] ← exp(s_j − max s) for the raw dot products there, s = dot·scale (soft-capped when the model caps);
     * returns 1 / Σ: the factor that turns the row into probabilities.
     */
    private float softmax(float[] sc, int from, int len) {
        float max;
        if (cap > 0f) {
            max = Float.NEGATIVE_INFINITY;
            for (int j = from; j < from + len; j++) {
                float x = (float) Math.tanh(sc[j] * scale / cap) * cap;
                sc[j] = x;
                if (x > max) max = x;
            }
        } else {
            max = VecOps.scaleMax(sc, from, len, scale);
        }
        return (float) (1.0 / VecOps.expShift(sc, from, len, max));
    }

    /** One head of a sequence with few new tokens: per-key dot products against the keys (cache or packed rows). */
    private void attendByKey(int li, int window, Transformer.Seq seq, int start, int head, float[] q, float[] k, float[] v,
                             float[] att) {
        int kvHead = head / (nh / kvh);
        int n = seq.ids().length;
        int kvW = kvh * hd;
        float[] keys, vals;
        int past, kBase;
        KvCache c = seq.cache();
        if (c != null) {
            past = c.length;
            keys = c.keys[li];
            vals = c.values[li];
            kBase = 0;
        } else {
            past = 0;
            keys = k;
            vals = v;
            kBase = start;
        }
        float[] sc = new float[past + n];
        for (int i = 0; i < n; i++) {
            int qi = past + i;
            int qo = (start + i) * nh * hd + head * hd;
            int lo = window > 0 ? Math.max(0, qi - window + 1) : 0;
            for (int j = lo; j <= qi; j++) sc[j] = VecOps.dot(q, qo, keys, (kBase + j) * kvW + kvHead * hd, hd);
            float inv = softmax(sc, lo, qi - lo + 1);
            int ao = (start + i) * nh * hd + head * hd;
            for (int d = 0; d < hd; d++) att[ao + d] = 0f;
            for (int j = lo; j <= qi; j++) VecOps.axpy(sc[j] * inv, vals, (kBase + j) * kvW + kvHead * hd, att, ao, hd);
        }
    }
}
