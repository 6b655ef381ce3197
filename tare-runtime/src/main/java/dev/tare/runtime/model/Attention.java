package dev.tare.runtime.model;

import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.kernel.NativeMatmul;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Causal grouped-query attention of one layer over packed sequences (optionally sliding-window and soft-capped),
 * computed in float32 on Vector API register tiles.
 *
 * <p>Sequences with at least {@link #MIN_TILED} new tokens take the blocked path: each key/value head's keys are copied
 * once per layer into transposed panels of 2 vectors of keys ([keys / panel][head_dim][panel], zero-padded) and its
 * values into a [keys][padded head_dim] block. A job (64 query rows of one head) walks the keys in blocks of
 * {@link #KB_BYTES} of keys and values; per block, 4 query rows at a time (queries pre-multiplied by the softmax
 * scale) get their scores from a 4 × 4-vector tile over two key panels (4 × 2 with 256-bit vectors), keys outside a
 * row's range are set to −∞, and an online softmax (FlashAttention's running maximum m and sum l: the row's earlier
 * sums and outputs are multiplied by exp(m_old − m_new)) turns them into weights for P·V from a 4 × 4-vector tile.
 * Memory is O(rows-per-tile × block) per thread, never keys × keys. Fewer new tokens (generation steps) take per-key
 * dot products over the cache. Every operation is an element-wise FMA, add, multiply, compare or blend in a fixed
 * order (the running sums keep one float per lane until the row ends), so the result does not depend on whether the
 * JIT has compiled the code, nor on which other rows share a row's tile (their extra keys reach it as exact zeros).
 *
 * <p>In a layer on native bf16 weights ({@link dev.tare.runtime.kernel.LinearWeight#bf16Activations}, unless
 * {@code -Dtare.attention=f32}) the blocked-path sequences attend in bf16 instead, as transformers' bf16 sdpa does on
 * CPU ({@link #attendBf16}): per job (a sequence, a key/value head, 64 query rows) two oneDNN products on AMX /
 * AVX-512-BF16, S = Q·Kᵀ for all the group's query heads at once and O = P·V, with the softmax between them in f32 on
 * Vector API lanes; keys and values are rounded to bf16 once per layer, the queries once per layer in the jobs' order.
 * At 4 × 512 tokens of a Qwen2.5-0.5B shape on 2 threads: 10–11 ms per layer against 16–17 ms in f32 here.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Keys of one transposed key panel: the width of a score tile (2 vectors). */
    private static final int PANEL = 2 * L;
    /**
     * Whether P·V takes 4 vectors of head_dim per step and QKᵀ two key panels (16 accumulators: 512-bit CPUs have 32
     * vector registers); with 256-bit vectors (AVX2, 16 registers) two vectors and one panel per step (8 accumulators),
     * so that nothing spills.
     */
    private static final boolean WIDE_PV = S.vectorBitSize() >= 512;
    /** Query rows of one register tile. */
    private static final int ROWS = 4;
    /** Query rows of one parallel job (a multiple of {@link #ROWS}). */
    private static final int CHUNK = 64;
    /** New tokens of a sequence from which the blocked path is used. */
    static final int MIN_TILED = 16;
    /** Per-thread scratch of one job, grown to the largest block and head size seen. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /**
     * Bytes of keys plus values in one key block (2,048 keys at head_dim 16, 512 at 64, 256 at 128). Smaller blocks
     * that stay in L1 measured slower here (1.34 ns per query-key pair and head at 512 keys of head_dim 16 on one
     * core, 1.14 at 2,048): each block costs every row a maximum, a rescale and a lane sum.
     */
    static final int KB_BYTES = 256 * 1024;
    /** Keys of a bf16 product are padded to a multiple of this (zero rows), so that few product shapes are compiled. */
    static final int KEY_ALIGN = 64;

    private final int hd, nh, kvh, hdPad;
    private final float scale, cap;
    /** Keys of one block: {@link #KB_BYTES} of keys and values, rounded down to whole pairs of panels. */
    private final int kBlock;

    Attention(ModelConfig cfg) {
        hd = cfg.headDim();
        nh = cfg.numHeads();
        kvh = cfg.numKvHeads();
        hdPad = (hd + L - 1) / L * L;
        scale = cfg.attentionScale();
        cap = cfg.attnSoftcap();
        kBlock = Math.max(1, KB_BYTES / (hdPad * 4 * 2) / (2 * PANEL)) * 2 * PANEL;
    }

    /**
     * The key and value blocks of one forward's sequences, allocated on first use and reused by every layer: transposed
     * f32 key panels and padded value rows for the f32 path, bf16 rows in native memory for the bf16 path. Close it
     * after the forward (frees the native rows).
     */
    final class Blocks implements AutoCloseable {
        final int[] keys, stride, kOff, vOff;
        /** Per sequence: keys rounded up to {@link #KEY_ALIGN} (bf16 rows of one key/value head), and its first row. */
        final int[] padded, nOff;
        /** Per sequence: the first row of its bf16 queries (new tokens rounded up to 16, for each query head). */
        final long[] qOff;
        private final long kSize, vSize, nSize, qSize;
        float[] kt, vp;
        MemorySegment k16, v16, q16;
        private Arena arena;

        Blocks(List<Transformer.Seq> seqs) {
            int n = seqs.size();
            keys = new int[n];
            stride = new int[n];
            kOff = new int[n];
            vOff = new int[n];
            padded = new int[n];
            nOff = new int[n];
            qOff = new long[n];
            long kSize = 0, vSize = 0, nSize = 0, qSize = 0;
            for (int s = 0; s < n; s++) {
                Transformer.Seq sq = seqs.get(s);
                if (sq.ids().length < MIN_TILED) continue;
                keys[s] = (sq.cache() == null ? 0 : sq.cache().length) + sq.ids().length;
                stride[s] = (keys[s] + PANEL - 1) / PANEL * PANEL;   // whole panels of keys
                kOff[s] = Math.toIntExact(kSize);
                vOff[s] = Math.toIntExact(vSize);
                kSize += (long) kvh * hd * stride[s];
                vSize += (long) kvh * keys[s] * hdPad;
                padded[s] = (keys[s] + KEY_ALIGN - 1) / KEY_ALIGN * KEY_ALIGN;
                nOff[s] = Math.toIntExact(nSize);
                nSize += (long) kvh * padded[s];
                qOff[s] = qSize;
                qSize += (long) nh * ((sq.ids().length + 15) / 16 * 16);
            }
            this.qSize = qSize;
            this.kSize = kSize;
            this.vSize = vSize;
            this.nSize = nSize;
        }

        /** The f32 blocks, allocated on first use. */
        void ensureF32() {
            if (kt != null) return;
            kt = new float[Math.toIntExact(kSize)];
            vp = new float[Math.toIntExact(vSize)];
        }

        /** The bf16 rows ([Σ kvh·padded, head_dim] each for keys and values), allocated on first use. */
        void ensureBf16() {
            if (k16 != null) return;
            arena = Arena.ofShared();   // shared: the kernel threads fill and read them
            long bytes = Math.max(1, nSize * hd * 2);
            k16 = arena.allocate(bytes, 64);
            v16 = arena.allocate(bytes, 64);
            q16 = arena.allocate(Math.max(1, qSize * hd * 2), 64);
        }

        @Override public void close() {
            if (arena != null) arena.close();
            arena = null;
            k16 = v16 = q16 = null;
        }
    }

    Blocks blocks(List<Transformer.Seq> seqs) { return new Blocks(seqs); }

    /**
     * att ← softmax(q·kᵀ·scale [soft-capped], causal, within {@code window} when &gt; 0)·v for every head of every
     * sequence at layer {@code li}; keys and values come from the sequence's cache when it has one (already extended
     * by this layer's new tokens), else from {@code k}/{@code v} at the sequence's packed rows. With {@code mm} (not
     * null) sequences on the blocked path are attended in bf16 on its products ({@link #attendBf16}), the others in f32.
     */
    void forward(int li, int window, List<Transformer.Seq> seqs, int[] starts, float[] q, float[] k, float[] v,
                 float[] att, Blocks b, NativeMatmul mm) {
        long work = 0;
        int tiledJobs = 0, smallJobs = 0, per = mm != null ? kvh : nh;   // bf16 jobs take a key/value head's query heads at once
        for (Transformer.Seq sq : seqs) {
            long n = sq.ids().length, keys = (sq.cache() == null ? 0 : sq.cache().length) + n;
            work += n * keys * hd * nh;
            if (n >= MIN_TILED) tiledJobs += (int) ((n + CHUNK - 1) / CHUNK) * per;
            else smallJobs += nh;
        }
        boolean parallel = work >= Transformer.PARALLEL_ATTENTION_WORK;
        // 1. per (sequence, key/value head): transposed keys and padded values (f32), or bf16 rows
        copyKeys(li, seqs, starts, k, v, b, parallel, mm != null);
        // 2. jobs: (sequence, head, chunk of query rows) on the blocked path, (sequence, head) for short sequences
        int[] job = new int[(tiledJobs + smallJobs) * 3];
        int m = 0;
        for (int s = 0; s < seqs.size(); s++) {
            int n = seqs.get(s).ids().length;
            for (int head = 0; head < (n >= MIN_TILED ? per : nh); head++) {
                if (n >= MIN_TILED) {
                    for (int from = 0; from < n; from += CHUNK) {
                        job[m++] = s; job[m++] = head; job[m++] = from;
                    }
                } else {
                    job[m++] = s; job[m++] = head; job[m++] = -1;
                }
            }
        }
        int stride = nh * hd;
        if (mm != null) queriesToBf16(seqs, starts, q, b, parallel, job, m / 3);
        run(m / 3, parallel, j -> {
            int s = job[3 * j], head = job[3 * j + 1], from = job[3 * j + 2];
            if (from < 0) attendByKey(li, window, seqs.get(s), starts[s], head, q, k, v, att);
            else if (mm != null) {
                int to = Math.min(seqs.get(s).ids().length, from + CHUNK);
                attendBf16(mm, window, seqs.get(s), head, from, to, (starts[s] + from) * stride, q, att, b, s, true);
            } else attendTiled(window, seqs.get(s), starts[s], head, from, q, att, b, s);
        });
    }

    /**
     * Layer li's keys and values of the blocked-path sequences into b's transposed key panels and padded value rows (f32),
     * or rounded to bf16 into its native rows (zero rows up to each sequence's padded length).
     */
    private void copyKeys(int li, List<Transformer.Seq> seqs, int[] starts, float[] k, float[] v, Blocks b, boolean parallel,
                          boolean bf16) {
        int kvW = kvh * hd;
        if (bf16) b.ensureBf16();
        else b.ensureF32();
        run(seqs.size() * kvh, parallel, j -> {
            if (b.keys[j / kvh] == 0) return;
            int s = j / kvh, g = j % kvh;
            Transformer.Seq sq = seqs.get(s);
            KvCache c = sq.cache();
            float[] keys = c == null ? k : c.keys[li], vals = c == null ? v : c.values[li];
            int base = c == null ? starts[s] : 0;
            if (bf16) {
                long row0 = (long) b.nOff[s] + (long) g * b.padded[s];
                for (int t = 0; t < b.keys[s]; t++) {
                    int ko = (base + t) * kvW + g * hd;
                    NativeMatmul.toBf16(keys, ko, hd, b.k16, (row0 + t) * hd);
                    NativeMatmul.toBf16(vals, ko, hd, b.v16, (row0 + t) * hd);
                }
                long padFrom = 2 * (row0 + b.keys[s]) * hd, padTo = 2 * (row0 + b.padded[s]) * hd;   // finite: 0·pad must be 0
                b.k16.asSlice(padFrom, padTo - padFrom).fill((byte) 0);
                b.v16.asSlice(padFrom, padTo - padFrom).fill((byte) 0);
                return;
            }
            int tp = b.stride[s];
            int kb = b.kOff[s] + g * hd * tp, vb = b.vOff[s] + g * b.keys[s] * hdPad;
            for (int t = 0; t < b.keys[s]; t++) {
                int ko = (base + t) * kvW + g * hd, kp = kb + t / PANEL * hd * PANEL + t % PANEL;
                for (int d = 0; d < hd; d++) b.kt[kp + d * PANEL] = keys[ko + d];
                System.arraycopy(vals, ko, b.vp, vb + t * hdPad, hd);
            }
        });
    }

    /**
     * New tokens [from, to) (at most {@link #CHUNK}) of the query heads of key/value head {@code g} of sequence
     * {@code s} in bf16, as transformers' bf16 sdpa computes on CPU: the queries rounded to bf16, S = Q·Kᵀ with f32
     * sums (one product for all the group's heads: they share the keys), x = S·scale (soft-capped) in f32, p =
     * exp(x − max) over the row's keys in f32, P = p rounded to bf16 (0 outside the row's keys), O = P·V with f32
     * sums, divided by Σ p (the f32 values). The query of token {@code from} is at q[qRow0 + head·head_dim], a
     * token's row nh·head_dim further; att is laid out the same. Rows are padded to a multiple of 16 and keys to a
     * multiple of {@link #KEY_ALIGN} (zero queries, zero weights), so that few product shapes are compiled.
     */
    private void attendBf16(NativeMatmul mm, int window, Transformer.Seq seq, int g, int from, int to, int qRow0, float[] q,
                            float[] att, Blocks b, int s, boolean converted) {
        int n = seq.ids().length, past = b.keys[s] - n, heads = nh / kvh, rows = to - from;
        int rp = (rows + 15) / 16 * 16, M = heads * rp, N = Math.min(b.padded[s], (past + to + KEY_ALIGN - 1) / KEY_ALIGN * KEY_ALIGN);
        int stride = nh * hd;
        Bf16Scratch w = bf16Scratch(M, N);
        MemorySegment qs = w.q, sc = w.s, p = w.p, o = w.o;
        if (converted) qs = b.q16.asSlice(2L * hd * queryRow(b, s, n, g, from), 2L * M * hd);
        else for (int h = 0; h < heads; h++) queriesToBf16(q, qRow0 + (g * heads + h) * hd, stride, rows, rp, qs, (long) h * rp * hd);
        long kv = 2L * ((long) b.nOff[s] + (long) g * b.padded[s]) * hd;
        mm.timesTransposed(M, N, hd, qs, b.k16.asSlice(kv, 2L * N * hd), sc);
        for (int h = 0; h < heads; h++) weights(sc, p, h * rp, rows, rp, N, past + from, window, w.inv, w.row);
        mm.times(M, hd, N, p, b.v16.asSlice(kv, 2L * N * hd), o);
        for (int h = 0; h < heads; h++) normalisedOut(o, (long) h * rp * hd, w.inv, h * rp, rows, att, qRow0 + (g * heads + h) * hd, stride);
    }

    /**
     * The first bf16 query row of the job (sequence s of n new tokens, key/value head g, rows from {@code from}): per
     * sequence, per key/value head, per chunk of {@link #CHUNK} rows, the group's heads one after another, each with
     * the chunk's rows rounded up to 16 (zero rows after the last token): the job's product input as one matrix.
     */
    private long queryRow(Blocks b, int s, int n, int g, int from) {
        int heads = nh / kvh, n16 = (n + 15) / 16 * 16;
        return b.qOff[s] + (long) g * heads * n16 + (long) from * heads;
    }

    /**
     * The queries of the blocked-path sequences rounded to bf16 into b's query rows (see {@link #queryRow}) before the
     * jobs run, chunk by chunk for all heads (the first {@code jobs} of {@code job}, as {@link #forward} lists them),
     * zero rows where a chunk is padded. Converting inside each job instead cost 2.4 ns per element.
     */
    private void queriesToBf16(List<Transformer.Seq> seqs, int[] starts, float[] q, Blocks b, boolean parallel, int[] job, int jobs) {
        int heads = nh / kvh, stride = nh * hd;
        run(jobs, parallel, j -> {   // a bf16 job of key/value head 0 stands for its chunk of rows
            int s = job[3 * j], from = job[3 * j + 2];
            if (from < 0 || job[3 * j + 1] != 0) return;
            int n = seqs.get(s).ids().length, to = Math.min(n, from + CHUNK), rp = (to - from + 15) / 16 * 16;
            for (int g = 0; g < kvh; g++) {
                long row0 = queryRow(b, s, n, g, from);
                for (int h = 0; h < heads; h++)
                    queriesToBf16(q, (starts[s] + from) * stride + (g * heads + h) * hd, stride, to - from, rp, b.q16, (row0 + (long) h * rp) * hd);
            }
        });
    }

    /** dst's rows [0, rp) of head_dim bf16 ← the query rows q[q0 + i·stride, + head_dim) for i &lt; rows, zero rows after. */
    private void queriesToBf16(float[] q, int q0, int stride, int rows, int rp, MemorySegment dst, long at) {
        for (int i = 0; i < rows; i++) NativeMatmul.toBf16(q, q0 + i * stride, hd, dst, at + (long) i * hd);
        if (rp > rows) dst.asSlice(2 * (at + (long) rows * hd), 2L * (rp - rows) * hd).fill((byte) 0);
    }

    /**
     * Softmax weights of score rows [r0, r0 + rp) (N f32 each) into bf16 rows of p, unnormalised: row r0 + i is query
     * position qi0 + i, its keys [low(window, qi), qi]; 0 outside them and for padding rows i ≥ rows. inv[r] ← 1 / Σ.
     */
    private void weights(MemorySegment sc, MemorySegment p, int r0, int rows, int rp, int N, int qi0, int window, float[] inv, float[] row) {
        for (int i = 0; i < rp; i++) {
            int r = r0 + i;
            long at = (long) r * N;
            if (i >= rows) {
                p.asSlice(2 * at, 2L * N).fill((byte) 0);
                continue;
            }
            int qi = qi0 + i, lo = low(window, qi), c = qi + 1;
            if (lo > 0) p.asSlice(2 * at, 2L * lo).fill((byte) 0);
            if (cap > 0f || !(scale > 0f)) {   // soft-capped (tanh per score) or an unusual scale: on a Java row
                MemorySegment.copy(sc, ValueLayout.JAVA_FLOAT, 4L * (at + lo), row, lo, c - lo);
                inv[r] = softmax(row, lo, c - lo);   // the f32 per-key path's steps
                NativeMatmul.toBf16(row, lo, c - lo, p, at + lo);
            } else {   // max(s·scale) = max(s)·scale, both rounded (scale > 0: rounding is monotonic)
                float max = VecOps.max(sc, at + lo, c - lo) * scale;
                inv[r] = (float) (1.0 / VecOps.expScaledToBf16(sc, at + lo, c - lo, scale, max, p, at + lo));
            }
            if (c < N) p.asSlice(2 * (at + c), 2L * (N - c)).fill((byte) 0);
        }
    }

    /** att[a0 + i·stride, + head_dim) ← o's row (at + i·head_dim)·inv[r0 + i] for i &lt; rows. */
    private void normalisedOut(MemorySegment o, long at, float[] inv, int r0, int rows, float[] att, int a0, int stride) {
        for (int i = 0; i < rows; i++) {
            int ao = a0 + i * stride;
            long oo = 4 * (at + (long) i * hd);
            float f = inv[r0 + i];
            int d = 0;
            for (int bound = S.loopBound(hd); d < bound; d += L)
                FloatVector.fromMemorySegment(S, o, oo + 4L * d, ByteOrder.nativeOrder()).mul(f).intoArray(att, ao + d);
            for (; d < hd; d++) att[ao + d] = o.get(ValueLayout.JAVA_FLOAT, oo + 4L * d) * f;
        }
    }

    /** Per-thread native buffers of one bf16 job: queries, scores, weights and outputs, plus a row and the 1/Σ factors. */
    private static final class Bf16Scratch {
        MemorySegment q, s, p, o;
        float[] row = new float[0], inv = new float[0];
        long capacity = -1;
    }

    private static final ThreadLocal<Bf16Scratch> BF16_SCRATCH = ThreadLocal.withInitial(Bf16Scratch::new);

    private Bf16Scratch bf16Scratch(int M, int N) {
        Bf16Scratch w = BF16_SCRATCH.get();
        long need = (long) M * N;
        if (w.capacity < need || w.q.byteSize() < 2L * M * hd || w.inv.length < M) {
            long cap = Math.max(need, w.capacity);
            int m = Math.max(M, w.inv.length);
            Arena a = Arena.ofAuto();   // freed by the GC once replaced
            w.q = a.allocate(2L * m * Math.max(hd, 1), 64);
            w.o = a.allocate(4L * m * Math.max(hd, 1), 64);
            w.s = a.allocate(4L * cap, 64);
            w.p = a.allocate(2L * cap, 64);
            w.inv = new float[m];
            w.capacity = cap;
        }
        if (w.row.length < N) w.row = new float[N];
        return w;
    }

    /** body(j) for j in [0, n): over the kernel pool when {@code parallel}, else on this thread. */
    private static void run(int n, boolean parallel, java.util.function.IntConsumer body) {
        if (parallel) KernelPool.parallelFor(n, body);
        else for (int j = 0; j < n; j++) body.accept(j);
    }

    /** Rows [from, from + CHUNK) of one head of sequence {@code s}: key blocks outside, 4-row tiles inside. */
    private void attendTiled(int window, Transformer.Seq seq, int start, int head, int from, float[] q, float[] att,
                             Blocks b, int s) {
        int to = Math.min(seq.ids().length, from + CHUNK);
        attendTiled(window, seq, head, from, to, start * nh * hd + head * hd, q, att, b, s);
    }

    /**
     * New tokens [from, to) (at most {@link #CHUNK}) of one head of sequence {@code s}, query and output of token i at
     * q/att[base + i·heads·head_dim]: key blocks outside, 4-row tiles inside. A row's result does not depend on the
     * other rows of its tile (their extra keys reach it as exact zeros), so one row alone gives the same bits.
     */
    private void attendTiled(int window, Transformer.Seq seq, int head, int from, int to, int base, float[] q,
                             float[] att, Blocks b, int s) {
        int n = seq.ids().length, past = b.keys[s] - n, g = head / (nh / kvh);
        int kb = b.kOff[s] + g * hd * b.stride[s], vb = b.vOff[s] + g * b.keys[s] * hdPad;
        float[] kt = b.kt, vp = b.vp;
        int rows = (to - from + ROWS - 1) / ROWS * ROWS, stride = nh * hd;
        Scratch w = scratch();
        float[] qs = w.qs, sc = w.sc, out = w.out, m = w.m, alpha = w.alpha;
        float[] l = w.l;
        for (int r = 0; r < rows; r++) {   // a short last tile repeats its last row (computed, not written)
            int qo = base + Math.min(from + r, to - 1) * stride;
            for (int d = 0; d < hd; d++) qs[r * hd + d] = q[qo + d] * scale;
        }
        java.util.Arrays.fill(m, 0, rows, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(l, 0, rows * L, 0f);
        java.util.Arrays.fill(out, 0, rows * hdPad, 0f);
        int lastQi = past + to - 1;
        for (int k0 = low(window, past + from) / kBlock * kBlock; k0 <= lastQi; k0 += kBlock) {
            int k1 = k0 + kBlock - 1;   // inclusive
            for (int t = 0; t < rows; t += ROWS) {
                int qiFirst = past + Math.min(from + t, to - 1), qiLast = past + Math.min(from + t + ROWS - 1, to - 1);
                int jlo = Math.max(k0, low(window, qiFirst)), jhi = Math.min(k1, qiLast);
                if (jlo > jhi) continue;
                scores(qs, t * hd, kt, kb, jlo, jhi, k0, sc);
                int pa = jlo / PANEL * PANEL, pb = (jhi / PANEL + 1) * PANEL;
                for (int r = 0; r < ROWS; r++) {
                    int qi = past + Math.min(from + t + r, to - 1), lo = Math.max(low(window, qi), k0), hi = Math.min(qi, k1);
                    int off = r * kBlock - k0, st = t + r;
                    if (lo > hi) {   // none of this row's keys in the block
                        java.util.Arrays.fill(sc, off + pa, off + pb, 0f);
                        alpha[r] = 1f;
                        continue;
                    }
                    java.util.Arrays.fill(sc, off + pa, off + lo, Float.NEGATIVE_INFINITY);
                    java.util.Arrays.fill(sc, off + hi + 1, off + pb, Float.NEGATIVE_INFINITY);
                    if (cap > 0f) for (int j = off + lo; j <= off + hi; j++) sc[j] = (float) Math.tanh(sc[j] / cap) * cap;
                    float mOld = m[st], mNew = Math.max(mOld, VecOps.max(sc, off + pa, pb - pa));
                    float al = VecOps.exp(mOld - mNew);   // 0 for the first keys (mOld = -inf)
                    VecOps.expShiftInto(sc, off + pa, pb - pa, mNew, l, st * L, al);
                    m[st] = mNew;
                    alpha[r] = al;
                }
                values(sc, k0, vp, vb, jlo, jhi, alpha, out, t * hdPad);
            }
        }
        for (int r = 0; r < to - from; r++) {
            int ao = base + (from + r) * stride;
            double sum = 0;
            for (int i = 0; i < L; i++) sum += l[r * L + i];
            float inv = (float) (1.0 / sum);
            for (int d = 0; d < hd; d++) att[ao + d] = out[r * hdPad + d] * inv;
        }
    }

    /** First key position row {@code qi} may attend to. */
    private static int low(int window, int qi) { return window > 0 ? Math.max(0, qi - window + 1) : 0; }

    /**
     * sc[r·kBlock + j − k0] ← qs_r · k_j for the 4 rows (qs at qBase + r·hd) and the keys of every panel that holds one
     * of [lo, hi] (the panel's other keys are computed too; the caller masks them).
     */
    private void scores(float[] q, int qBase, float[] kt, int kb, int lo, int hi, int k0, float[] sc) {
        int q0 = qBase, q1 = q0 + hd, q2 = q1 + hd, q3 = q2 + hd, tp = kBlock;
        int j = lo / PANEL * PANEL;
        for (; WIDE_PV && j + PANEL <= hi; j += 2 * PANEL) {   // two panels (4 key vectors) per step, 512-bit only (16 accumulators)
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                    a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int d = 0, kr = kb + j * hd, kr2 = kr + hd * PANEL; d < hd; d++, kr += PANEL, kr2 += PANEL) {
                FloatVector k0v = FloatVector.fromArray(S, kt, kr), k1 = FloatVector.fromArray(S, kt, kr + L);
                FloatVector k2 = FloatVector.fromArray(S, kt, kr2), k3 = FloatVector.fromArray(S, kt, kr2 + L);
                FloatVector x = FloatVector.broadcast(S, q[q0 + d]);
                a00 = k0v.fma(x, a00); a01 = k1.fma(x, a01); a02 = k2.fma(x, a02); a03 = k3.fma(x, a03);
                x = FloatVector.broadcast(S, q[q1 + d]);
                a10 = k0v.fma(x, a10); a11 = k1.fma(x, a11); a12 = k2.fma(x, a12); a13 = k3.fma(x, a13);
                x = FloatVector.broadcast(S, q[q2 + d]);
                a20 = k0v.fma(x, a20); a21 = k1.fma(x, a21); a22 = k2.fma(x, a22); a23 = k3.fma(x, a23);
                x = FloatVector.broadcast(S, q[q3 + d]);
                a30 = k0v.fma(x, a30); a31 = k1.fma(x, a31); a32 = k2.fma(x, a32); a33 = k3.fma(x, a33);
            }
            int o = j - k0;
            a00.intoArray(sc, o); a01.intoArray(sc, o + L); a02.intoArray(sc, o + 2 * L); a03.intoArray(sc, o + 3 * L);
            a10.intoArray(sc, tp + o); a11.intoArray(sc, tp + o + L); a12.intoArray(sc, tp + o + 2 * L); a13.intoArray(sc, tp + o + 3 * L);
            a20.intoArray(sc, 2 * tp + o); a21.intoArray(sc, 2 * tp + o + L); a22.intoArray(sc, 2 * tp + o + 2 * L); a23.intoArray(sc, 2 * tp + o + 3 * L);
            a30.intoArray(sc, 3 * tp + o); a31.intoArray(sc, 3 * tp + o + L); a32.intoArray(sc, 3 * tp + o + 2 * L); a33.intoArray(sc, 3 * tp + o + 3 * L);
        }
        for (; j <= hi; j += PANEL) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            for (int d = 0, kr = kb + j * hd; d < hd; d++, kr += PANEL) {
                FloatVector k0v = FloatVector.fromArray(S, kt, kr), k1 = FloatVector.fromArray(S, kt, kr + L);
                FloatVector x = FloatVector.broadcast(S, q[q0 + d]);
                a00 = k0v.fma(x, a00);
                a01 = k1.fma(x, a01);
                x = FloatVector.broadcast(S, q[q1 + d]);
                a10 = k0v.fma(x, a10);
                a11 = k1.fma(x, a11);
                x = FloatVector.broadcast(S, q[q2 + d]);
                a20 = k0v.fma(x, a20);
                a21 = k1.fma(x, a21);
                x = FloatVector.broadcast(S, q[q3 + d]);
                a30 = k0v.fma(x, a30);
                a31 = k1.fma(x, a31);
            }
            int o = j - k0;
            a00.intoArray(sc, o);
            a01.intoArray(sc, o + L);
            a10.intoArray(sc, tp + o);
            a11.intoArray(sc, tp + o + L);
            a20.intoArray(sc, 2 * tp + o);
            a21.intoArray(sc, 2 * tp + o + L);
            a30.intoArray(sc, 3 * tp + o);
            a31.intoArray(sc, 3 * tp + o + L);
        }
    }

    /**
     * out_r ← alpha_r · out_r + Σ_{j in [lo, hi]} p[r·kBlock + j − k0] · v_j for the 4 rows at out[outOff + r·hdPad]
     * (p is 0 outside a row's keys).
     */
    private void values(float[] p, int k0, float[] vp, int vb, int lo, int hi, float[] alpha, float[] out, int outOff) {
        int tp = kBlock, pl = lo - k0, ph = hi - k0;
        int c = 0;
        for (; WIDE_PV && c + 4 * L <= hdPad; c += 4 * L) {
            int o0 = outOff + c, o1 = o0 + hdPad, o2 = o1 + hdPad, o3 = o2 + hdPad;
            FloatVector a00 = FloatVector.fromArray(S, out, o0).mul(alpha[0]), a01 = FloatVector.fromArray(S, out, o0 + L).mul(alpha[0]),
                    a02 = FloatVector.fromArray(S, out, o0 + 2 * L).mul(alpha[0]), a03 = FloatVector.fromArray(S, out, o0 + 3 * L).mul(alpha[0]),
                    a10 = FloatVector.fromArray(S, out, o1).mul(alpha[1]), a11 = FloatVector.fromArray(S, out, o1 + L).mul(alpha[1]),
                    a12 = FloatVector.fromArray(S, out, o1 + 2 * L).mul(alpha[1]), a13 = FloatVector.fromArray(S, out, o1 + 3 * L).mul(alpha[1]),
                    a20 = FloatVector.fromArray(S, out, o2).mul(alpha[2]), a21 = FloatVector.fromArray(S, out, o2 + L).mul(alpha[2]),
                    a22 = FloatVector.fromArray(S, out, o2 + 2 * L).mul(alpha[2]), a23 = FloatVector.fromArray(S, out, o2 + 3 * L).mul(alpha[2]),
                    a30 = FloatVector.fromArray(S, out, o3).mul(alpha[3]), a31 = FloatVector.fromArray(S, out, o3 + L).mul(alpha[3]),
                    a32 = FloatVector.fromArray(S, out, o3 + 2 * L).mul(alpha[3]), a33 = FloatVector.fromArray(S, out, o3 + 3 * L).mul(alpha[3]);
            for (int j = pl; j <= ph; j++) {
                int vr = vb + (j + k0) * hdPad + c;
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
            a00.intoArray(out, o0); a01.intoArray(out, o0 + L); a02.intoArray(out, o0 + 2 * L); a03.intoArray(out, o0 + 3 * L);
            a10.intoArray(out, o1); a11.intoArray(out, o1 + L); a12.intoArray(out, o1 + 2 * L); a13.intoArray(out, o1 + 3 * L);
            a20.intoArray(out, o2); a21.intoArray(out, o2 + L); a22.intoArray(out, o2 + 2 * L); a23.intoArray(out, o2 + 3 * L);
            a30.intoArray(out, o3); a31.intoArray(out, o3 + L); a32.intoArray(out, o3 + 2 * L); a33.intoArray(out, o3 + 3 * L);
        }
        for (; !WIDE_PV && c + 2 * L <= hdPad; c += 2 * L) {   // 256-bit: two vectors (8 accumulators, 11 registers) per step
            int o0 = outOff + c, o1 = o0 + hdPad, o2 = o1 + hdPad, o3 = o2 + hdPad;
            FloatVector a00 = FloatVector.fromArray(S, out, o0).mul(alpha[0]), a01 = FloatVector.fromArray(S, out, o0 + L).mul(alpha[0]),
                    a10 = FloatVector.fromArray(S, out, o1).mul(alpha[1]), a11 = FloatVector.fromArray(S, out, o1 + L).mul(alpha[1]),
                    a20 = FloatVector.fromArray(S, out, o2).mul(alpha[2]), a21 = FloatVector.fromArray(S, out, o2 + L).mul(alpha[2]),
                    a30 = FloatVector.fromArray(S, out, o3).mul(alpha[3]), a31 = FloatVector.fromArray(S, out, o3 + L).mul(alpha[3]);
            for (int j = pl, vr = vb + (pl + k0) * hdPad + c; j <= ph; j++, vr += hdPad) {
                FloatVector v0 = FloatVector.fromArray(S, vp, vr), v1 = FloatVector.fromArray(S, vp, vr + L);
                FloatVector x = FloatVector.broadcast(S, p[j]);
                a00 = v0.fma(x, a00); a01 = v1.fma(x, a01);
                x = FloatVector.broadcast(S, p[tp + j]);
                a10 = v0.fma(x, a10); a11 = v1.fma(x, a11);
                x = FloatVector.broadcast(S, p[2 * tp + j]);
                a20 = v0.fma(x, a20); a21 = v1.fma(x, a21);
                x = FloatVector.broadcast(S, p[3 * tp + j]);
                a30 = v0.fma(x, a30); a31 = v1.fma(x, a31);
            }
            a00.intoArray(out, o0); a01.intoArray(out, o0 + L);
            a10.intoArray(out, o1); a11.intoArray(out, o1 + L);
            a20.intoArray(out, o2); a21.intoArray(out, o2 + L);
            a30.intoArray(out, o3); a31.intoArray(out, o3 + L);
        }
        for (; c < hdPad; c += L) {   // one vector of head_dim per step
            int o0 = outOff + c;
            FloatVector a0 = FloatVector.fromArray(S, out, o0).mul(alpha[0]), a1 = FloatVector.fromArray(S, out, o0 + hdPad).mul(alpha[1]),
                    a2 = FloatVector.fromArray(S, out, o0 + 2 * hdPad).mul(alpha[2]), a3 = FloatVector.fromArray(S, out, o0 + 3 * hdPad).mul(alpha[3]);
            if (hdPad == L) {   // keys one vector apart: a constant stride, so the JIT drops the loads' range checks
                int vr0 = vb + k0 * L + c;
                for (int j = pl; j <= ph; j++) {
                    FloatVector v0 = FloatVector.fromArray(S, vp, vr0 + j * L);
                    a0 = v0.fma(FloatVector.broadcast(S, p[j]), a0);
                    a1 = v0.fma(FloatVector.broadcast(S, p[tp + j]), a1);
                    a2 = v0.fma(FloatVector.broadcast(S, p[2 * tp + j]), a2);
                    a3 = v0.fma(FloatVector.broadcast(S, p[3 * tp + j]), a3);
                }
            } else {
                for (int j = pl, vr = vb + (pl + k0) * hdPad + c; j <= ph; j++, vr += hdPad) {
                    FloatVector v0 = FloatVector.fromArray(S, vp, vr);
                    a0 = v0.fma(FloatVector.broadcast(S, p[j]), a0);
                    a1 = v0.fma(FloatVector.broadcast(S, p[tp + j]), a1);
                    a2 = v0.fma(FloatVector.broadcast(S, p[2 * tp + j]), a2);
                    a3 = v0.fma(FloatVector.broadcast(S, p[3 * tp + j]), a3);
                }
            }
            a0.intoArray(out, o0);
            a1.intoArray(out, o0 + hdPad);
            a2.intoArray(out, o0 + 2 * hdPad);
            a3.intoArray(out, o0 + 3 * hdPad);
        }
    }

    /** Per-thread buffers of one job: scaled queries, one key block's scores, output rows and the online softmax state. */
    private static final class Scratch {
        float[] qs = new float[0], sc = new float[0], out = new float[0], m = new float[CHUNK], alpha = new float[ROWS],
                l = new float[CHUNK * L];
    }

    private Scratch scratch() {
        Scratch w = SCRATCH.get();
        if (w.qs.length < CHUNK * hd || w.sc.length < ROWS * kBlock || w.out.length < CHUNK * hdPad) {
            w.qs = new float[Math.max(w.qs.length, CHUNK * hd)];
            w.sc = new float[Math.max(w.sc.length, ROWS * kBlock)];
            w.out = new float[Math.max(w.out.length, CHUNK * hdPad)];
        }
        return w;
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

    /**
     * att ← attention of the single query rows {@code q} (packed [rows, heads·head_dim]): row i is new token
     * {@code local[i]} of sequence {@code seqOf[i]}, attending to its sequence's keys up to itself (cache or packed
     * rows of {@code k}/{@code v}, as in {@link #forward}), each by the path {@link #forward} takes for its sequence:
     * in f32 the same bits as the row in a full pass; in bf16 ({@code mm} not null) the row's products may sum in
     * another order than within its block of rows (a difference of f32 rounding).
     */
    void rows(int li, int window, List<Transformer.Seq> seqs, int[] starts, int[] seqOf, int[] local, float[] q,
              float[] k, float[] v, float[] att, Blocks b, NativeMatmul mm) {
        long work = 0;
        for (int i = 0; i < seqOf.length; i++) {
            KvCache c = seqs.get(seqOf[i]).cache();
            work += (long) ((c == null ? 0 : c.length) + local[i] + 1) * hd * nh;
        }
        boolean parallel = work >= Transformer.PARALLEL_ATTENTION_WORK;
        copyKeys(li, seqs, starts, k, v, b, parallel, mm != null);
        run(seqOf.length * nh, parallel, j -> {
            int i = j / nh, head = j % nh, s = seqOf[i], off = i * nh * hd + head * hd;
            Transformer.Seq seq = seqs.get(s);
            // the path forward takes for this sequence (bf16: one job per key/value head takes its query heads)
            if (seq.ids().length < MIN_TILED) attendRow(li, window, seq, starts[s], head, local[i], q, off, k, v, att, off, new float[0]);
            else if (mm == null) attendTiled(window, seq, head, local[i], local[i] + 1, off - local[i] * nh * hd, q, att, b, s);
            else if (head < kvh) attendBf16(mm, window, seq, head, local[i], local[i] + 1, i * nh * hd, q, att, b, s, false);
        });
    }

    /** One head of a sequence with few new tokens: per-key dot products against the keys (cache or packed rows). */
    private void attendByKey(int li, int window, Transformer.Seq seq, int start, int head, float[] q, float[] k, float[] v,
                             float[] att) {
        float[] sc = new float[0];
        for (int i = 0; i < seq.ids().length; i++) {
            int off = (start + i) * nh * hd + head * hd;
            sc = attendRow(li, window, seq, start, head, i, q, off, k, v, att, off, sc);
        }
    }

    /**
     * att[ao..ao+hd) ← one head's attention for new token {@code i} of a sequence, its query at q[qo..]: per-key dot
     * products against the keys (cache or packed rows). {@code sc} is scratch; returns it (grown when too small).
     */
    private float[] attendRow(int li, int window, Transformer.Seq seq, int start, int head, int i, float[] q, int qo,
                              float[] k, float[] v, float[] att, int ao, float[] sc) {
        int kvHead = head / (nh / kvh);
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
        int qi = past + i;
        if (sc.length < qi + 1) sc = new float[Math.max(qi + 1, past + seq.ids().length)];
        int lo = low(window, qi);
        for (int j = lo; j <= qi; j++) sc[j] = VecOps.dot(q, qo, keys, (kBase + j) * kvW + kvHead * hd, hd);
        float inv = softmax(sc, lo, qi - lo + 1);
        for (int d = 0; d < hd; d++) att[ao + d] = 0f;
        for (int j = lo; j <= qi; j++) VecOps.axpy(sc[j] * inv, vals, (kBase + j) * kvW + kvHead * hd, att, ao, hd);
        return sc;
    }
}
