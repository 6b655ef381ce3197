package dev.tare.runtime.model;

import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;

import java.util.ArrayList;
import java.util.List;

/**
 * The decoder body shared by all heads: embeddings, decoder layers (Llama/Mistral/Qwen2/Qwen3/Gemma2 variants) and the
 * final norm, computed in float32 over packed sequences (only real tokens, no padding).
 */
public final class Transformer {
    private final ModelConfig cfg;
    private final Tensor embed;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final Rope[] rope; // per layer (layers with equal parameters share one)
    private final boolean gemma;
    private final float embedScale;
    private final Attention attention;
    /** Multiply-adds of attention in one layer above which heads run in parallel. */
    static final long PARALLEL_ATTENTION_WORK = 1L << 20;
    /** Per-forward activation buffers, reused by later forwards instead of becoming garbage (heap growth = RSS). */
    private final java.util.concurrent.ConcurrentLinkedDeque<Workspace> workspaces;
    /**
     * Workspaces for more tokens than this are not kept after their forward (one very long input must not pin its
     * memory); twice the default bucket, so that ordinary batches always reuse theirs (an 8B model: ~0.8 GB).
     */
    private static final int KEEP_WORKSPACE_TOKENS = 2 * RewardModel.DEFAULT_TOKEN_BUDGET;

    /** The intermediate activations of one forward over up to {@code tokens} packed tokens. */
    private static final class Workspace {
        final int tokens;
        final float[] h, q, k, v, att, o, g, u;

        Workspace(int tokens, int H, int nh, int kvh, int hd, int I) {
            this.tokens = tokens;
            h = new float[tokens * H];
            q = new float[tokens * nh * hd];
            k = new float[tokens * kvh * hd];
            v = new float[tokens * kvh * hd];
            att = new float[tokens * nh * hd];
            o = new float[tokens * H];
            g = new float[tokens * I];
            u = new float[tokens * I];
        }
    }

    private Workspace takeWorkspace(int tokens) {
        for (Workspace w; (w = workspaces.pollFirst()) != null; )
            if (w.tokens >= tokens) return w;   // smaller ones are dropped: the new one replaces them
        return new Workspace(Math.max(tokens, 16), cfg.hiddenSize(), cfg.numHeads(), cfg.numKvHeads(), cfg.headDim(),
                cfg.intermediateSize());
    }

    private void returnWorkspace(Workspace w) {
        if (w.tokens <= KEEP_WORKSPACE_TOKENS) workspaces.offerFirst(w);
    }

    private static final class Layer {
        LinearWeight q, k, v, o, gate, up, down;
        float[] qb, kb, vb, ob, gateB, upB, downB;
        float[] inNorm, postAttnNorm, preFfnNorm, postFfnNorm, qNorm, kNorm;
        int window;

        /** The same layer (shared arrays) with each linear layer passed through {@code deco}; {@code p} = "model.layers.i.". */
        Layer decorated(String p, LinearDecorator deco) {
            Layer L = new Layer();
            L.q = deco.decorate(p + "self_attn.q_proj", q);
            L.k = deco.decorate(p + "self_attn.k_proj", k);
            L.v = deco.decorate(p + "self_attn.v_proj", v);
            L.o = deco.decorate(p + "self_attn.o_proj", o);
            L.gate = deco.decorate(p + "mlp.gate_proj", gate);
            L.up = deco.decorate(p + "mlp.up_proj", up);
            L.down = deco.decorate(p + "mlp.down_proj", down);
            L.qb = qb; L.kb = kb; L.vb = vb; L.ob = ob; L.gateB = gateB; L.upB = upB; L.downB = downB;
            L.inNorm = inNorm; L.postAttnNorm = postAttnNorm; L.preFfnNorm = preFfnNorm; L.postFfnNorm = postFfnNorm;
            L.qNorm = qNorm; L.kNorm = kNorm;
            L.window = window;
            return L;
        }
    }

    /** One sequence of a packed forward: token ids, RoPE positions and an optional cache to extend. */
    record Seq(int[] ids, int[] positions, KvCache cache) {}

    Transformer(ModelConfig cfg, WeightStore w, LinearDecorator deco) {
        this.cfg = cfg;
        workspaces = new java.util.concurrent.ConcurrentLinkedDeque<>();
        int h = cfg.hiddenSize(), hd = cfg.headDim(), nh = cfg.numHeads(), kv = cfg.numKvHeads(), in = cfg.intermediateSize();
        gemma = cfg.family() == ModelConfig.Family.GEMMA2;
        embed = w.require("model.embed_tokens.weight").requireShape(cfg.vocabSize(), h);
        dev.tare.runtime.kernel.MemoryAdvice.random(embed.data());   // row lookups: no read-ahead of neighbouring rows
        embedScale = gemma ? (float) Math.sqrt(h) : 1f;
        attention = new Attention(cfg);
        rope = new Rope[cfg.numLayers()];
        java.util.Map<ModelConfig.RopeParams, Rope> ropes = new java.util.HashMap<>();
        for (int i = 0; i < rope.length; i++) rope[i] = ropes.computeIfAbsent(cfg.ropeByLayer()[i], p -> new Rope(p, hd));
        layers = new Layer[cfg.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            Layer L = new Layer();
            L.q = linear(w, deco, p + "self_attn.q_proj", nh * hd, h);
            L.k = linear(w, deco, p + "self_attn.k_proj", kv * hd, h);
            L.v = linear(w, deco, p + "self_attn.v_proj", kv * hd, h);
            L.o = linear(w, deco, p + "self_attn.o_proj", h, nh * hd);
            L.gate = linear(w, deco, p + "mlp.gate_proj", in, h);
            L.up = linear(w, deco, p + "mlp.up_proj", in, h);
            L.down = linear(w, deco, p + "mlp.down_proj", h, in);
            if (cfg.qkvBias()) {
                L.qb = vec(w, p + "self_attn.q_proj.bias", nh * hd);
                L.kb = vec(w, p + "self_attn.k_proj.bias", kv * hd);
                L.vb = vec(w, p + "self_attn.v_proj.bias", kv * hd);
            }
            if (cfg.oBias()) L.ob = vec(w, p + "self_attn.o_proj.bias", h);
            if (cfg.mlpBias()) {
                L.gateB = vec(w, p + "mlp.gate_proj.bias", in);
                L.upB = vec(w, p + "mlp.up_proj.bias", in);
                L.downB = vec(w, p + "mlp.down_proj.bias", h);
            }
            L.inNorm = vec(w, p + "input_layernorm.weight", h);
            L.postAttnNorm = vec(w, p + "post_attention_layernorm.weight", h);
            if (gemma) {
                L.preFfnNorm = vec(w, p + "pre_feedforward_layernorm.weight", h);
                L.postFfnNorm = vec(w, p + "post_feedforward_layernorm.weight", h);
            }
            if (cfg.family() == ModelConfig.Family.QWEN3) {
                L.qNorm = vec(w, p + "self_attn.q_norm.weight", hd);
                L.kNorm = vec(w, p + "self_attn.k_norm.weight", hd);
            }
            L.window = cfg.slidingWindow(i);
            layers[i] = L;
        }
        finalNorm = vec(w, "model.norm.weight", h);
        for (String name : w.tensors().keySet()) {
            if (!name.startsWith("model.layers.")) continue;
            int end = name.indexOf('.', "model.layers.".length());
            String idx = end < 0 ? "" : name.substring("model.layers.".length(), end);
            if (!idx.chars().allMatch(Character::isDigit) || idx.isEmpty() || Integer.parseInt(idx) >= layers.length)
                throw new dev.tare.runtime.safetensors.SafetensorsException(w.source(), name,
                        "belongs to no decoder layer of this config (num_hidden_layers = " + layers.length + ")");
        }
    }

    /** A view of {@code t}: the same weights, norms and activation buffers, with its linear layers passed through {@code deco}. */
    private Transformer(Transformer t, LinearDecorator deco) {
        cfg = t.cfg;
        embed = t.embed;
        finalNorm = t.finalNorm;
        rope = t.rope;
        gemma = t.gemma;
        embedScale = t.embedScale;
        attention = t.attention;
        workspaces = t.workspaces;
        layers = new Layer[t.layers.length];
        for (int i = 0; i < layers.length; i++) layers[i] = t.layers[i].decorated("model.layers." + i + ".", deco);
    }

    /**
     * The same body with every decoder linear layer replaced by {@code deco(module, current layer)} (e.g. LoRA layers
     * bound to other strengths); nothing is copied, and the two bodies can run at the same time.
     */
    Transformer withLinears(LinearDecorator deco) { return new Transformer(this, deco); }

    private static LinearWeight linear(WeightStore w, LinearDecorator deco, String module, int out, int in) {
        Tensor t = w.require(module + ".weight").requireShape(out, in);
        return deco.decorate(module, Kernels.linear(t.data(), t.dtype(), out, in));
    }

    private static float[] vec(WeightStore w, String name, int n) {
        return w.require(name).requireShape(n).toFloats();
    }

    public ModelConfig config() { return cfg; }

    /** The RoPE inverse frequencies in use (layer 0's). */
    public float[] ropeInvFreq() { return rope[0].invFreq(); }

    /** The embedding matrix (also the tied output head). */
    Tensor embedTensor() { return embed; }

    /** A fresh, empty cache for one generated sequence. */
    KvCache newCache(int capacity) { return new KvCache(layers.length, cfg.numKvHeads() * cfg.headDim(), capacity); }

    /**
     * Runs the decoder over packed sequences and returns the residual stream after the last layer (NOT final-normed),
     * [Σ tokens, hidden]; sequence s occupies rows from {@code starts[s]}.
     */
    float[] forward(List<Seq> seqs, int[] starts, ResidualHook hook) { return forward(seqs, starts, hook, null); }

    /**
     * {@link #forward} for a caller that reads only the packed rows {@code keep} (ascending, distinct; e.g. each
     * sequence's score token, or none when only the caches are wanted): returns their residual stream after the last
     * layer, [keep.length, hidden], with the same bits as those rows of {@link #forward}'s result. Without a hook the last
     * layer computes keys and values for every row (so caches are complete) and the rest (queries, attention, output
     * projection, MLP) for the kept rows only, on the same attention path and matrix kernel as a full pass; a hook sees
     * every row of every layer, so with one the pass is full. Every row is still a key of its sequence, so a reward
     * model's work drops by about a layer's worth of attention and MLP.
     */
    float[] forwardRows(List<Seq> seqs, int[] starts, ResidualHook hook, int[] keep) {
        int T = packStarts(seqs, starts);
        for (int i = 0; i < keep.length; i++)
            if (keep[i] < 0 || keep[i] >= T || (i > 0 && keep[i] <= keep[i - 1]))
                throw new IllegalArgumentException("rows to keep must be ascending, distinct and in [0, " + T + "): " + java.util.Arrays.toString(keep));
        float[] x = forward(seqs, starts, hook, hook == ResidualHook.NONE ? keep : null);
        int H = cfg.hiddenSize();
        float[] out = new float[keep.length * H];
        for (int i = 0; i < keep.length; i++) System.arraycopy(x, keep[i] * H, out, i * H, H);
        return out;
    }

    /** starts[s] ← the packed row where sequence s begins (the layout every forward uses); returns the total rows. */
    static int packStarts(List<Seq> seqs, int[] starts) {
        int T = 0;
        for (int s = 0; s < seqs.size(); s++) {
            starts[s] = T;
            T += seqs.get(s).ids().length;
        }
        return T;
    }

    private float[] forward(List<Seq> seqs, int[] starts, ResidualHook hook, int[] keep) {
        int H = cfg.hiddenSize();
        int T = packStarts(seqs, starts);
        float[] x = new float[T * H];
        for (int s = 0; s < seqs.size(); s++) {
            int[] ids = seqs.get(s).ids();
            for (int t = 0; t < ids.length; t++) {
                int id = ids[t];
                if (id < 0 || id >= cfg.vocabSize())
                    throw new IllegalArgumentException("token id " + id + " at position " + t + " of sequence " + s + " is outside the vocabulary [0, " + cfg.vocabSize() + ")");
                long base = (long) id * H;
                int o = (starts[s] + t) * H;
                for (int i = 0; i < H; i++) x[o + i] = embed.get(base + i) * embedScale;
            }
        }
        dev.tare.runtime.kernel.MemoryAdvice.release(embed.data());
        callHook(hook, -1, seqs, starts, x);
        Workspace ws = takeWorkspace(T);
        try {
            layers(seqs, starts, hook, x, T, ws, keep);
        } finally {
            returnWorkspace(ws);
        }
        for (Seq s : seqs) if (s.cache() != null) s.cache().length += s.ids().length;
        return x;
    }

    /**
     * The decoder layers over the embedded packed tokens {@code x} (updated in place), with buffers from {@code ws};
     * with {@code keep} (not null) the last layer updates only those rows of x (see {@link #forwardRows}).
     */
    private void layers(List<Seq> seqs, int[] starts, ResidualHook hook, float[] x, int T, Workspace ws, int[] keep) {
        try (Attention.Blocks blocks = attention.blocks(seqs)) {
            layers(seqs, starts, hook, x, T, ws, keep, blocks);
        }
    }

    /**
     * The bf16 products for layer L's attention where its q, k and v round their inputs to bf16 (native bf16 weights)
     * and {@code -D}{@value Kernels#ATTENTION_PROPERTY} allows it; null: attention in f32.
     */
    private static dev.tare.runtime.kernel.NativeMatmul attentionProducts(Layer L) {
        if (!L.q.bf16Activations() || !L.k.bf16Activations() || !L.v.bf16Activations() || !Kernels.bf16AttentionAllowed()) return null;
        return dev.tare.runtime.kernel.NativeMatmul.bf16().orElse(null);
    }

    private void layers(List<Seq> seqs, int[] starts, ResidualHook hook, float[] x, int T, Workspace ws, int[] keep,
                        Attention.Blocks blocks) {
        int hd = cfg.headDim(), nh = cfg.numHeads(), kvh = cfg.numKvHeads();
        float[] h = ws.h, q = ws.q, k = ws.k, v = ws.v, att = ws.att;
        final int total = T;
        int[] rowPos = new int[T];
        for (int s = 0; s < seqs.size(); s++) System.arraycopy(seqs.get(s).positions(), 0, rowPos, starts[s], seqs.get(s).positions().length);
        for (int li = 0; li < layers.length; li++) {
            Layer L = layers[li];
            if (keep != null && li == layers.length - 1) {
                lastLayerRows(li, L, seqs, starts, rowPos, x, T, ws, blocks, keep);
                break;
            }
            rmsNorm(x, h, total, L.inNorm);
            Kernels.forwardAll(h, T, new LinearWeight[] {L.q, L.k, L.v}, new float[][] {q, k, v});
            addBias(q, T, L.qb);
            addBias(k, T, L.kb);
            addBias(v, T, L.vb);
            if (L.qNorm != null) {
                headNorm(q, T * nh, L.qNorm);
                headNorm(k, T * kvh, L.kNorm);
            }
            Rope rp = rope[li];
            KernelPool.forRanges(T, (long) (nh + kvh) * hd, (from, to) -> {
                for (int r = from; r < to; r++) rp.apply(q, r * nh * hd, nh, k, r * kvh * hd, kvh, rowPos[r]);
            });
            appendToCaches(li, seqs, starts, k, v);
            attention.forward(li, L.window, seqs, starts, q, k, v, att, blocks, attentionProducts(L));
            afterAttention(L, x, att, T, ws);
            callHook(hook, li, seqs, starts, x);
        }
    }

    /**
     * Layer {@code li} for a caller that reads only rows {@code keep}: norm, keys and values (with RoPE, into the caches)
     * for all T rows; queries, attention, output projection and MLP for the kept rows, packed at the front of the
     * workspace buffers; their residual rows of x are updated, the others are left as they were.
     */
    private void lastLayerRows(int li, Layer L, List<Seq> seqs, int[] starts, int[] rowPos, float[] x, int T, Workspace ws,
                               Attention.Blocks blocks, int[] keep) {
        int H = cfg.hiddenSize(), hd = cfg.headDim(), nh = cfg.numHeads(), kvh = cfg.numKvHeads();
        int K = keep.length;
        float[] h = ws.h, q = ws.q, k = ws.k, v = ws.v, att = ws.att;
        rmsNorm(x, h, T, L.inNorm);
        Kernels.forwardAll(h, T, new LinearWeight[] {L.k, L.v}, new float[][] {k, v});
        addBias(k, T, L.kb);
        addBias(v, T, L.vb);
        if (L.kNorm != null) headNorm(k, T * kvh, L.kNorm);
        Rope rp = rope[li];
        KernelPool.forRanges(T, (long) kvh * hd, (from, to) -> {
            for (int r = from; r < to; r++) rp.apply(k, r * kvh * hd, kvh, rowPos[r]);
        });
        appendToCaches(li, seqs, starts, k, v);
        if (K == 0) return;
        for (int i = 0; i < K; i++) System.arraycopy(h, keep[i] * H, h, i * H, H);   // ascending: never overwrites a later source
        // a single kept row takes the matrix-vector kernel, which sums in the matrix tile's order: the same bits as
        // in the full pass (PackedLinearTest.oneRowGetsTheSameBitsAsInAMatrixProduct)
        L.q.forward(h, K, q);
        addBias(q, K, L.qb);
        if (L.qNorm != null) headNorm(q, K * nh, L.qNorm);
        for (int i = 0; i < K; i++) rp.apply(q, i * nh * hd, nh, rowPos[keep[i]]);
        int[] seqOf = new int[K], local = new int[K];
        for (int i = 0, s = 0; i < K; i++) {
            while (s + 1 < seqs.size() && keep[i] >= starts[s + 1]) s++;
            seqOf[i] = s;
            local[i] = keep[i] - starts[s];
        }
        attention.rows(li, L.window, seqs, starts, seqOf, local, q, k, v, att, blocks, attentionProducts(L));
        float[] xk = new float[K * H];
        for (int i = 0; i < K; i++) System.arraycopy(x, keep[i] * H, xk, i * H, H);
        afterAttention(L, xk, att, K, ws);
        for (int i = 0; i < K; i++) System.arraycopy(xk, i * H, x, keep[i] * H, H);
    }

    /** Appends layer li's new keys and values of every sequence that has a cache to it. */
    private void appendToCaches(int li, List<Seq> seqs, int[] starts, float[] k, float[] v) {
        int kvW = cfg.numKvHeads() * cfg.headDim();
        for (int s = 0; s < seqs.size(); s++) {
            KvCache c = seqs.get(s).cache();
            if (c == null) continue;
            int n = seqs.get(s).ids().length;
            c.ensure(c.length + n);
            System.arraycopy(k, starts[s] * kvW, c.keys[li], c.length * kvW, n * kvW);
            System.arraycopy(v, starts[s] * kvW, c.values[li], c.length * kvW, n * kvW);
        }
    }

    /**
     * The rest of a layer after attention, over {@code rows} rows: output projection (+ Gemma's post-attention norm),
     * residual add and pre-MLP norm, gated MLP (+ Gemma's post-MLP norm), residual add into x.
     */
    private void afterAttention(Layer L, float[] x, float[] att, int rows, Workspace ws) {
        int H = cfg.hiddenSize(), I = cfg.intermediateSize();
        float[] h = ws.h, o = ws.o, g = ws.g, u = ws.u;
        // native kernels add o's and the MLP's products to x, and take SiLU(gate)·up, while they copy them out (same bits)
        if (L.ob == null && !gemma && Kernels.forwardAdd(L.o, att, rows, x)) {
            rmsNorm(x, h, rows, L.postAttnNorm);
        } else {
            L.o.forward(att, rows, o);
            addBias(o, rows, L.ob);
            if (gemma) rmsNorm(o, o, rows, L.postAttnNorm);
            addNorm(x, o, h, rows, gemma ? L.preFfnNorm : L.postAttnNorm);
        }
        boolean silu = cfg.activation() == ModelConfig.Activation.SILU;
        if (silu && !gemma && L.gateB == null && L.upB == null && L.downB == null
                && Kernels.gatedMlpAdd(L.gate, L.up, L.down, h, rows, x, VecOps::siluMul)) return;
        L.gate.forward(h, rows, g);
        L.up.forward(h, rows, u);
        addBias(g, rows, L.gateB);
        addBias(u, rows, L.upB);
        KernelPool.forRanges(rows, I, (from, to) -> activate(g, u, from * I, (to - from) * I, silu));
        if (L.downB == null && !gemma && Kernels.forwardAdd(L.down, g, rows, x)) return;
        L.down.forward(g, rows, o);
        addBias(o, rows, L.downB);
        if (gemma) rmsNorm(o, o, rows, L.postFfnNorm);
        KernelPool.forRanges(rows, H, (from, to) -> {
            for (int i = from * H; i < to * H; i++) x[i] += o[i];
        });
    }

    /** g ← act(g)·u on [from, from+n): SiLU, or gelu_pytorch_tanh. */
    private static void activate(float[] g, float[] u, int from, int n, boolean silu) {
        if (silu) {
            VecOps.siluMul(g, u, from, n);
        } else {
            for (int i = from; i < from + n; i++) {
                float a = g[i];
                double inner = 0.7978845608028654 * (a + 0.044715 * a * a * a);
                g[i] = (float) (0.5 * a * (1.0 + Math.tanh(inner))) * u[i];
            }
        }
    }

    private void callHook(ResidualHook hook, int layer, List<Seq> seqs, int[] starts, float[] x) {
        if (hook == ResidualHook.NONE) return;
        int H = cfg.hiddenSize();
        for (int s = 0; s < seqs.size(); s++) hook.apply(layer, s, x, starts[s] * H, seqs.get(s).ids().length, H);
    }

    /** Final RMSNorm of row {@code row} of {@code x} into a new array. */
    float[] finalNorm(float[] x, int row) {
        int H = cfg.hiddenSize();
        float[] in = new float[H];
        System.arraycopy(x, row * H, in, 0, H);
        float[] out = new float[H];
        rmsNorm(in, out, 1, finalNorm);
        return out;
    }

    private void rmsNorm(float[] in, float[] out, int rows, float[] w) {
        KernelPool.forRanges(rows, cfg.hiddenSize(), (from, to) -> rmsNormRows(in, out, from, to, w));
    }

    /** x ← x + o, then h ← rmsNorm(x), row by row. */
    private void addNorm(float[] x, float[] o, float[] h, int rows, float[] w) {
        int H = cfg.hiddenSize();
        KernelPool.forRanges(rows, H, (from, to) -> {
            for (int i = from * H; i < to * H; i++) x[i] += o[i];
            rmsNormRows(x, h, from, to, w);
        });
    }

    private void rmsNormRows(float[] in, float[] out, int from, int to, float[] w) {
        int H = cfg.hiddenSize();
        float eps = (float) cfg.rmsNormEps();
        for (int r = from; r < to; r++) {
            int o = r * H;
            double ss = VecOps.sumSquares(in, o, H);
            float var = (float) (ss / H);
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            if (gemma) for (int i = 0; i < H; i++) out[o + i] = in[o + i] * inv * (1f + w[i]);
            else for (int i = 0; i < H; i++) out[o + i] = w[i] * (in[o + i] * inv);
        }
    }

    private void headNorm(float[] x, int vectors, float[] w) {
        int hd = cfg.headDim();
        float eps = (float) cfg.rmsNormEps();
        for (int r = 0; r < vectors; r++) {
            int o = r * hd;
            double ss = VecOps.sumSquares(x, o, hd);
            float inv = (float) (1.0 / Math.sqrt((float) (ss / hd) + eps));
            for (int i = 0; i < hd; i++) x[o + i] = w[i] * (x[o + i] * inv);
        }
    }

    private static void addBias(float[] y, int rows, float[] b) {
        if (b == null) return;
        int n = b.length;
        KernelPool.forRanges(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) for (int i = 0; i < n; i++) y[r * n + i] += b[i];
        });
    }

    /** Splits sequence lengths into chunks of at most {@code tokenBudget} tokens (a longer sequence is its own chunk), longest first. */
    static List<int[]> buckets(int[][] ids, int tokenBudget) {
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(ids[b].length, ids[a].length));
        List<int[]> out = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        int tokens = 0;
        for (int idx : order) {
            int n = ids[idx].length;
            if (!cur.isEmpty() && tokens + n > tokenBudget) {
                out.add(cur.stream().mapToInt(Integer::intValue).toArray());
                cur.clear();
                tokens = 0;
            }
            cur.add(idx);
            tokens += n;
        }
        if (!cur.isEmpty()) out.add(cur.stream().mapToInt(Integer::intValue).toArray());
        return out;
    }
}
