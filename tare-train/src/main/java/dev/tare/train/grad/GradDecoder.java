package dev.tare.train.grad;

import dev.tare.runtime.kernel.KernelPool;
import dev.tare.runtime.model.ModelConfig;
import dev.tare.runtime.model.Rope;
import dev.tare.runtime.model.ScoreTokenRule;
import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A *ForSequenceClassification decoder (Llama, Mistral, Qwen2, Qwen3, Gemma2) in float32 with a backward pass: the
 * scores of packed sequences and the gradient of a loss on them w.r.t. every trainable parameter (LoRA A/B, the score
 * head, or every base weight). Layer inputs are kept; each layer's intermediates are recomputed during backward
 * (activation memory = layers × tokens × hidden + one layer). It computes the same forward as the runtime's
 * {@code Transformer} (tested against it and against PyTorch autograd).
 */
public final class GradDecoder implements AutoCloseable {
    /** Multiply-adds of attention in one layer above which (sequence, head) jobs run on the kernel pool. */
    private static final long PARALLEL_WORK = 1L << 18;

    private final ModelConfig cfg;
    private final WeightStore store;
    private final Param embed;
    private final Layer[] layers;
    private final Param finalNorm;
    private final Param head;
    private final boolean gemma;
    private final float embedScale;
    private final ScoreTokenRule rule;

    /** One decoder layer's parameters. */
    static final class Layer {
        Linear q, k, v, o, gate, up, down;
        Param inNorm, attnOutNorm, mlpInNorm, mlpOutNorm, qNorm, kNorm;
        int window;
        Rope rope;

        List<Linear> linears() { return List.of(q, k, v, o, gate, up, down); }
    }

    private GradDecoder(ModelConfig cfg, WeightStore w) {
        this.cfg = cfg;
        this.store = w;
        if (cfg.head() != ModelConfig.Head.SEQUENCE_CLASSIFICATION)
            throw new IllegalArgumentException(cfg.file() + ": " + cfg.architecture() + " is not a *ForSequenceClassification reward model; tare trains reward heads");
        gemma = cfg.family() == ModelConfig.Family.GEMMA2;
        int H = cfg.hiddenSize(), hd = cfg.headDim(), nh = cfg.numHeads(), kv = cfg.numKvHeads(), I = cfg.intermediateSize();
        embed = param(w, "model.embed_tokens.weight", cfg.vocabSize(), H);
        embedScale = gemma ? (float) Math.sqrt(H) : 1f;
        layers = new Layer[cfg.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            Layer L = new Layer();
            L.q = linear(w, p + "self_attn.q_proj", nh * hd, H, cfg.qkvBias());
            L.k = linear(w, p + "self_attn.k_proj", kv * hd, H, cfg.qkvBias());
            L.v = linear(w, p + "self_attn.v_proj", kv * hd, H, cfg.qkvBias());
            L.o = linear(w, p + "self_attn.o_proj", H, nh * hd, cfg.oBias());
            L.gate = linear(w, p + "mlp.gate_proj", I, H, cfg.mlpBias());
            L.up = linear(w, p + "mlp.up_proj", I, H, cfg.mlpBias());
            L.down = linear(w, p + "mlp.down_proj", H, I, cfg.mlpBias());
            L.inNorm = param(w, p + "input_layernorm.weight", H);
            if (gemma) {
                L.attnOutNorm = param(w, p + "post_attention_layernorm.weight", H);
                L.mlpInNorm = param(w, p + "pre_feedforward_layernorm.weight", H);
                L.mlpOutNorm = param(w, p + "post_feedforward_layernorm.weight", H);
            } else {
                L.mlpInNorm = param(w, p + "post_attention_layernorm.weight", H);
            }
            if (cfg.family() == ModelConfig.Family.QWEN3) {
                L.qNorm = param(w, p + "self_attn.q_norm.weight", hd);
                L.kNorm = param(w, p + "self_attn.k_norm.weight", hd);
            }
            L.window = cfg.slidingWindow(i);
            L.rope = Rope.of(cfg.ropeByLayer()[i], hd);
            layers[i] = L;
        }
        finalNorm = param(w, "model.norm.weight", H);
        head = param(w, "score.weight", cfg.numLabels(), H);
        if (w.find("score.bias").isPresent())
            throw new SafetensorsException(w.source(), "score.bias", "score heads in transformers have no bias; refusing an unknown layout");
        rule = ScoreTokenRule.DEFAULT;
    }

    /** Opens checkpoint {@code dir} with every parameter frozen (see {@link #trainAll}, {@link #addLora}, {@link #trainHead}). */
    public static GradDecoder open(Path dir) {
        ModelConfig cfg = ModelConfig.read(dir);
        WeightStore w = WeightStore.open(dir);
        try {
            return new GradDecoder(cfg, w);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private static Param param(WeightStore w, String name, long... shape) {
        return Param.of(w.require(name).requireShape(shape));
    }

    private static Linear linear(WeightStore w, String module, int out, int in, boolean bias) {
        return new Linear(module, param(w, module + ".weight", out, in), bias ? param(w, module + ".bias", out) : null);
    }

    public ModelConfig config() { return cfg; }

    /** Every parameter by its checkpoint name (LoRA tensors by PEFT's names), in a fixed order. */
    public Map<String, Param> parameters() {
        Map<String, Param> all = new LinkedHashMap<>();
        all.put(embed.name(), embed);
        for (Layer L : layers) {
            for (Linear l : L.linears()) {
                all.put(l.w.name(), l.w);
                if (l.bias != null) all.put(l.bias.name(), l.bias);
                if (l.lora != null) {
                    all.put(l.lora.a().name(), l.lora.a());
                    all.put(l.lora.b().name(), l.lora.b());
                }
            }
            for (Param p : new Param[]{L.inNorm, L.attnOutNorm, L.mlpInNorm, L.mlpOutNorm, L.qNorm, L.kNorm})
                if (p != null) all.put(p.name(), p);
        }
        all.put(finalNorm.name(), finalNorm);
        all.put(head.name(), head);
        return Collections.unmodifiableMap(all);
    }

    /** The trainable parameters, in {@link #parameters()} order. */
    public List<Param> trainable() { return parameters().values().stream().filter(Param::trainable).toList(); }

    /** Makes every base weight trainable (full fine-tuning). */
    public void trainAll() { parameters().values().forEach(Param::train); }

    /** Makes the score head trainable (PEFT's SEQ_CLS modules_to_save copy). */
    public Param trainHead() { return head.train(); }

    public Param head() { return head; }

    /** The decoder linear modules (e.g. {@code model.layers.0.self_attn.q_proj}), in layer order. */
    public List<String> linearModules() {
        List<String> out = new ArrayList<>();
        for (Layer L : layers) for (Linear l : L.linears()) out.add(l.module);
        return out;
    }

    /** [out, in] of a decoder linear module. */
    public int[] linearShape(String module) { return find(module).w.shape(); }

    /**
     * Attaches a trainable LoRA term to {@code module}: A [r, in] and B [out, r] (taken, not copied), scaling and dropout
     * as PEFT computes them. The tensors are named as PEFT names its parameters
     * ({@code base_model.model.<module>.lora_A.default.weight}).
     */
    public void addLora(String module, float[] a, float[] b, int r, double scaling, double dropout) {
        Linear l = find(module);
        if (l.lora != null) throw new IllegalArgumentException(module + " already has a LoRA term");
        if (a.length != r * l.in() || b.length != l.out() * r)
            throw new IllegalArgumentException(module + ": LoRA shapes A " + a.length + " / B " + b.length + " do not fit r=" + r + " on [" + l.out() + ", " + l.in() + "]");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        String p = "base_model.model." + module;
        l.lora = new Linear.Lora(Param.of(p + ".lora_A.default.weight", a, r, l.in()).train(),
                Param.of(p + ".lora_B.default.weight", b, l.out(), r).train(), (float) scaling, (float) dropout);
    }

    private Linear find(String module) {
        for (Layer L : layers) for (Linear l : L.linears()) if (l.module.equals(module)) return l;
        throw new IllegalArgumentException("no linear module '" + module + "' in " + cfg.file().getParent() + " (have e.g. " + layers[0].q.module + ")");
    }

    /** One forward pass over packed sequences, kept for {@link #backward}. */
    public static final class Pass {
        final int[][] ids;
        final int[] starts;
        final int[] read;
        final int tokens;
        final float[][] inputs;   // inputs[l] = residual stream entering layer l; inputs[layers] = after the last
        final float[][] normed;   // final-normed hidden state at each sequence's score token
        final float[][] scores;
        final long seed;
        final boolean training;

        Pass(int[][] ids, int[] starts, int[] read, int tokens, float[][] inputs, float[][] normed, float[][] scores, long seed, boolean training) {
            this.ids = ids;
            this.starts = starts;
            this.read = read;
            this.tokens = tokens;
            this.inputs = inputs;
            this.normed = normed;
            this.scores = scores;
            this.seed = seed;
            this.training = training;
        }

        /** scores[s][label] of each sequence. */
        public float[][] scores() { return scores; }

        public int tokens() { return tokens; }
    }

    /**
     * Scores {@code ids} (each unpadded, scored at the runtime's score-token rule) in one packed forward. With
     * {@code training} LoRA dropout is on, its masks drawn from {@code seed}.
     */
    public Pass forward(int[][] ids, long seed, boolean training) {
        int H = cfg.hiddenSize();
        int[] starts = new int[ids.length], read = new int[ids.length];
        int T = 0;
        for (int s = 0; s < ids.length; s++) {
            if (ids[s] == null || ids[s].length == 0) throw new IllegalArgumentException("sequence " + s + " is empty");
            starts[s] = T;
            T += ids[s].length;
            read[s] = rule.index(ids[s], cfg.padTokenId());
        }
        float[] x = new float[T * H];
        for (int s = 0; s < ids.length; s++)
            for (int t = 0; t < ids[s].length; t++) {
                int id = ids[s][t];
                if (id < 0 || id >= cfg.vocabSize())
                    throw new IllegalArgumentException("token id " + id + " at position " + t + " of sequence " + s + " is outside the vocabulary [0, " + cfg.vocabSize() + ")");
                long base = (long) id * H;
                int o = (starts[s] + t) * H;
                for (int i = 0; i < H; i++) x[o + i] = embed.get(base + i) * embedScale;
            }
        float[][] inputs = new float[layers.length + 1][];
        inputs[0] = x;
        Batch b = new Batch(ids, starts, T);
        for (int l = 0; l < layers.length; l++)
            inputs[l + 1] = layer(l, inputs[l], b, seed, training).xout;
        float[] last = inputs[layers.length];
        float[] hw = head.value();
        int labels = cfg.numLabels();
        float[][] normed = new float[ids.length][], scores = new float[ids.length][];
        for (int s = 0; s < ids.length; s++) {
            float[] row = new float[H];
            System.arraycopy(last, (starts[s] + read[s]) * H, row, 0, H);
            float[] hn = new float[H];
            Norms.rms(row, hn, 1, H, finalNorm.value(), gemma, (float) cfg.rmsNormEps());
            normed[s] = hn;
            scores[s] = new float[labels];
            for (int l = 0; l < labels; l++) {
                float acc = 0f;
                for (int k = 0; k < H; k++) acc += hn[k] * hw[l * H + k];
                scores[s][l] = acc;
            }
        }
        return new Pass(ids, starts, read, T, inputs, normed, scores, seed, training);
    }

    /** Accumulates into the trainable parameters' gradients the backward pass of {@code p} for dL/dscores = {@code dScores}. */
    public void backward(Pass p, float[][] dScores) {
        int H = cfg.hiddenSize(), labels = cfg.numLabels();
        float[] dx = new float[p.tokens * H];
        float[] hw = head.value();
        for (int s = 0; s < p.ids.length; s++) {
            float[] dhn = new float[H];
            for (int l = 0; l < labels; l++) {
                float g = dScores[s][l];
                if (g == 0f) continue;
                if (head.trainable()) for (int k = 0; k < H; k++) head.grad()[l * H + k] += g * p.normed[s][k];
                for (int k = 0; k < H; k++) dhn[k] += g * hw[l * H + k];
            }
            int row = (p.starts[s] + p.read[s]) * H;
            float[] xr = new float[H];
            System.arraycopy(p.inputs[layers.length], row, xr, 0, H);
            float[] dxr = Norms.rmsBackward(xr, dhn, 1, H, finalNorm, gemma, (float) cfg.rmsNormEps());
            for (int k = 0; k < H; k++) dx[row + k] += dxr[k];
        }
        Batch b = new Batch(p.ids, p.starts, p.tokens);
        for (int l = layers.length - 1; l >= 0; l--) {
            LayerTape tape = layer(l, p.inputs[l], b, p.seed, p.training);
            dx = layerBackward(l, p.inputs[l], tape, dx, b);
        }
        if (embed.trainable()) {
            float[] g = embed.grad();
            for (int s = 0; s < p.ids.length; s++)
                for (int t = 0; t < p.ids[s].length; t++) {
                    int o = (p.starts[s] + t) * H, e = p.ids[s][t] * H;
                    for (int i = 0; i < H; i++) g[e + i] += dx[o + i] * embedScale;
                }
        }
    }

    /** The packed sequences of one pass. */
    private record Batch(int[][] ids, int[] starts, int tokens) {}

    /** A layer's intermediates, recomputed in backward. */
    private static final class LayerTape {
        float[] h1, qPre, kPre, q, k, v, att, oPre, xmid, h2, g, u, act, dPre, xout;
        Linear.Tape tq, tk, tv, to, tg, tu, td;
    }

    private long layerSeed(long seed, int l) { return seed * 0x9E3779B97F4A7C15L + l * 0xC2B2AE3D27D4EB4FL; }

    private LayerTape layer(int li, float[] x, Batch b, long seed, boolean training) {
        Layer L = layers[li];
        int H = cfg.hiddenSize(), hd = cfg.headDim(), nh = cfg.numHeads(), kvh = cfg.numKvHeads(), I = cfg.intermediateSize();
        int T = b.tokens();
        float eps = (float) cfg.rmsNormEps();
        long ls = layerSeed(seed, li);
        LayerTape t = new LayerTape();
        t.h1 = new float[T * H];
        Norms.rms(x, t.h1, T, H, L.inNorm.value(), gemma, eps);
        t.qPre = new float[T * nh * hd];
        t.kPre = new float[T * kvh * hd];
        t.v = new float[T * kvh * hd];
        t.tq = L.q.forward(t.h1, T, t.qPre, ls, training);
        t.tk = L.k.forward(t.h1, T, t.kPre, ls, training);
        t.tv = L.v.forward(t.h1, T, t.v, ls, training);
        t.q = t.qPre.clone();
        t.k = t.kPre.clone();
        if (L.qNorm != null) {
            Norms.rms(t.qPre, t.q, T * nh, hd, L.qNorm.value(), false, eps);
            Norms.rms(t.kPre, t.k, T * kvh, hd, L.kNorm.value(), false, eps);
        }
        for (int s = 0; s < b.ids().length; s++)
            for (int i = 0; i < b.ids()[s].length; i++) {
                int r = b.starts()[s] + i;
                L.rope.apply(t.q, r * nh * hd, nh, i);
                L.rope.apply(t.k, r * kvh * hd, kvh, i);
            }
        t.att = new float[T * nh * hd];
        Attention att = attention(L);
        jobs(b, nh, (s, head) -> att.forward(b.starts()[s], b.ids()[s].length, head, t.q, t.k, t.v, t.att));
        t.oPre = new float[T * H];
        t.to = L.o.forward(t.att, T, t.oPre, ls, training);
        float[] o = t.oPre;
        if (gemma) {
            o = new float[T * H];
            Norms.rms(t.oPre, o, T, H, L.attnOutNorm.value(), true, eps);
        }
        t.xmid = new float[T * H];
        for (int i = 0; i < T * H; i++) t.xmid[i] = x[i] + o[i];
        t.h2 = new float[T * H];
        Norms.rms(t.xmid, t.h2, T, H, L.mlpInNorm.value(), gemma, eps);
        t.g = new float[T * I];
        t.u = new float[T * I];
        t.tg = L.gate.forward(t.h2, T, t.g, ls, training);
        t.tu = L.up.forward(t.h2, T, t.u, ls, training);
        t.act = new float[T * I];
        boolean silu = cfg.activation() == ModelConfig.Activation.SILU;
        for (int i = 0; i < T * I; i++) t.act[i] = Activations.value(t.g[i], silu) * t.u[i];
        t.dPre = new float[T * H];
        t.td = L.down.forward(t.act, T, t.dPre, ls, training);
        float[] d = t.dPre;
        if (gemma) {
            d = new float[T * H];
            Norms.rms(t.dPre, d, T, H, L.mlpOutNorm.value(), true, eps);
        }
        t.xout = new float[T * H];
        for (int i = 0; i < T * H; i++) t.xout[i] = t.xmid[i] + d[i];
        return t;
    }

    /** dL/d(layer input) from dL/d(layer output) {@code dy}; accumulates the layer's parameter gradients. */
    private float[] layerBackward(int li, float[] x, LayerTape t, float[] dy, Batch b) {
        Layer L = layers[li];
        int H = cfg.hiddenSize(), hd = cfg.headDim(), nh = cfg.numHeads(), kvh = cfg.numKvHeads(), I = cfg.intermediateSize();
        int T = b.tokens();
        float eps = (float) cfg.rmsNormEps();
        float[] dD = gemma ? Norms.rmsBackward(t.dPre, dy, T, H, L.mlpOutNorm, true, eps) : dy;
        float[] dAct = new float[T * I];
        L.down.backward(t.act, dD, T, dAct, t.td);
        boolean silu = cfg.activation() == ModelConfig.Activation.SILU;
        float[] dG = new float[T * I], dU = new float[T * I];
        for (int i = 0; i < T * I; i++) {
            float a = t.g[i];
            dU[i] = dAct[i] * Activations.value(a, silu);
            dG[i] = dAct[i] * t.u[i] * Activations.derivative(a, silu);
        }
        float[] dh2 = new float[T * H];
        L.gate.backward(t.h2, dG, T, dh2, t.tg);
        L.up.backward(t.h2, dU, T, dh2, t.tu);
        float[] dxmid = Norms.rmsBackward(t.xmid, dh2, T, H, L.mlpInNorm, gemma, eps);
        for (int i = 0; i < T * H; i++) dxmid[i] += dy[i];
        float[] dO = gemma ? Norms.rmsBackward(t.oPre, dxmid, T, H, L.attnOutNorm, true, eps) : dxmid;
        float[] dAtt = new float[T * nh * hd];
        L.o.backward(t.att, dO, T, dAtt, t.to);
        float[] dqRot = new float[T * nh * hd], dkRot = new float[T * kvh * hd], dv = new float[T * kvh * hd];
        Attention att = attention(L);
        int group = nh / kvh;
        jobs(b, kvh, (s, kvHead) -> {
            for (int head = kvHead * group; head < (kvHead + 1) * group; head++)
                att.backward(b.starts()[s], b.ids()[s].length, head, t.q, t.k, t.v, dAtt, dqRot, dkRot, dv);
        });
        float[] dq = dqRot, dk = dkRot;
        for (int s = 0; s < b.ids().length; s++)
            for (int i = 0; i < b.ids()[s].length; i++) {
                int r = b.starts()[s] + i;
                L.rope.applyTransposed(dq, r * nh * hd, nh, i);
                L.rope.applyTransposed(dk, r * kvh * hd, kvh, i);
            }
        if (L.qNorm != null) {
            dq = Norms.rmsBackward(t.qPre, dq, T * nh, hd, L.qNorm, false, eps);
            dk = Norms.rmsBackward(t.kPre, dk, T * kvh, hd, L.kNorm, false, eps);
        }
        float[] dh1 = new float[T * H];
        L.q.backward(t.h1, dq, T, dh1, t.tq);
        L.k.backward(t.h1, dk, T, dh1, t.tk);
        L.v.backward(t.h1, dv, T, dh1, t.tv);
        float[] dx = Norms.rmsBackward(x, dh1, T, H, L.inNorm, gemma, eps);
        for (int i = 0; i < T * H; i++) dx[i] += dxmid[i];
        return dx;
    }

    private Attention attention(Layer L) {
        return new Attention(cfg.headDim(), cfg.numHeads(), cfg.numKvHeads(), cfg.attentionScale(), cfg.attnSoftcap(), L.window);
    }

    /** A job per (sequence, index in [0, n)), on the kernel pool when the layer's attention work is large. */
    private void jobs(Batch b, int n, java.util.function.BiConsumer<Integer, Integer> job) {
        long work = 0;
        for (int[] s : b.ids()) work += (long) s.length * s.length * cfg.headDim() * cfg.numHeads();
        int count = b.ids().length * n;
        if (work >= PARALLEL_WORK) KernelPool.parallelFor(count, i -> job.accept(i / n, i % n));
        else for (int i = 0; i < count; i++) job.accept(i / n, i % n);
    }

    @Override public void close() { store.close(); }
}
