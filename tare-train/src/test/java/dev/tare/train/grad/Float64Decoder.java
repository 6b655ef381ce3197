package dev.tare.train.grad;

import dev.tare.runtime.model.ModelConfig;
import dev.tare.runtime.model.Rope;
import dev.tare.runtime.model.ScoreTokenRule;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A float64 reference of the reward model's forward, written from the transformers definitions (no dropout): what
 * {@link GradDecoder}'s gradients are checked against by central differences precise to ~1e-9. Weights are read from a
 * GradDecoder's {@link GradDecoder#parameters()} (PEFT-named LoRA tensors with one scaling for all modules).
 */
final class Float64Decoder {
    private final ModelConfig cfg;
    private final double loraScaling;
    /** Parameters by name, as float64 copies (tests perturb them in place). */
    final Map<String, double[]> w = new LinkedHashMap<>();

    Float64Decoder(GradDecoder d, double loraScaling) {
        this.cfg = d.config();
        this.loraScaling = loraScaling;
        d.parameters().forEach((name, p) -> w.put(name, FiniteDifferences.toDouble(p.value())));
    }

    private boolean gemma() { return cfg.family() == ModelConfig.Family.GEMMA2; }

    /** scores[s][label]. */
    double[][] scores(int[][] ids) {
        int H = cfg.hiddenSize();
        double[][] out = new double[ids.length][];
        for (int s = 0; s < ids.length; s++) {
            int n = ids[s].length;
            double[] x = new double[n * H];
            double[] emb = w.get("model.embed_tokens.weight");
            double scale = gemma() ? (float) Math.sqrt(H) : 1;
            for (int t = 0; t < n; t++) for (int i = 0; i < H; i++) x[t * H + i] = emb[ids[s][t] * H + i] * scale;
            for (int l = 0; l < cfg.numLayers(); l++) x = layer(l, x, n);
            int read = ScoreTokenRule.DEFAULT.index(ids[s], cfg.padTokenId());
            double[] row = new double[H];
            System.arraycopy(x, read * H, row, 0, H);
            double[] hn = rms(row, 1, H, w.get("model.norm.weight"), gemma());
            double[] head = w.get("score.weight");
            out[s] = new double[cfg.numLabels()];
            for (int lab = 0; lab < cfg.numLabels(); lab++) for (int k = 0; k < H; k++) out[s][lab] += hn[k] * head[lab * H + k];
        }
        return out;
    }

    private double[] layer(int l, double[] x, int n) {
        int H = cfg.hiddenSize(), hd = cfg.headDim(), nh = cfg.numHeads(), kvh = cfg.numKvHeads();
        String p = "model.layers." + l + ".";
        double[] h1 = rms(x, n, H, w.get(p + "input_layernorm.weight"), gemma());
        double[] q = linear(p + "self_attn.q_proj", h1, n), k = linear(p + "self_attn.k_proj", h1, n), v = linear(p + "self_attn.v_proj", h1, n);
        if (cfg.family() == ModelConfig.Family.QWEN3) {
            q = rms(q, n * nh, hd, w.get(p + "self_attn.q_norm.weight"), false);
            k = rms(k, n * kvh, hd, w.get(p + "self_attn.k_norm.weight"), false);
        }
        float[] inv = Rope.of(cfg.ropeByLayer()[l], hd).invFreq();
        for (int t = 0; t < n; t++) {
            rotate(q, t * nh * hd, nh, hd, inv, t);
            rotate(k, t * kvh * hd, kvh, hd, inv, t);
        }
        double[] att = new double[n * nh * hd];
        int window = cfg.slidingWindow(l);
        double cap = cfg.attnSoftcap(), scale = cfg.attentionScale();
        for (int h = 0; h < nh; h++) {
            int g = h / (nh / kvh);
            for (int i = 0; i < n; i++) {
                int lo = window > 0 ? Math.max(0, i - window + 1) : 0;
                double[] sc = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = lo; j <= i; j++) {
                    double dot = 0;
                    for (int e = 0; e < hd; e++) dot += q[(i * nh + h) * hd + e] * k[(j * kvh + g) * hd + e];
                    dot *= scale;
                    if (cap > 0) dot = cap * Math.tanh(dot / cap);
                    sc[j] = dot;
                    max = Math.max(max, dot);
                }
                for (int j = lo; j <= i; j++) sum += sc[j] = Math.exp(sc[j] - max);
                for (int j = lo; j <= i; j++)
                    for (int e = 0; e < hd; e++) att[(i * nh + h) * hd + e] += sc[j] / sum * v[(j * kvh + g) * hd + e];
            }
        }
        double[] o = linear(p + "self_attn.o_proj", att, n);
        if (gemma()) o = rms(o, n, H, w.get(p + "post_attention_layernorm.weight"), true);
        double[] mid = new double[n * H];
        for (int i = 0; i < mid.length; i++) mid[i] = x[i] + o[i];
        double[] h2 = rms(mid, n, H, w.get(p + (gemma() ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight")), gemma());
        double[] gate = linear(p + "mlp.gate_proj", h2, n), up = linear(p + "mlp.up_proj", h2, n);
        boolean silu = cfg.activation() == ModelConfig.Activation.SILU;
        for (int i = 0; i < gate.length; i++) {
            double a = gate[i];
            double act = silu ? a / (1 + Math.exp(-a)) : 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)));
            gate[i] = act * up[i];
        }
        double[] down = linear(p + "mlp.down_proj", gate, n);
        if (gemma()) down = rms(down, n, H, w.get(p + "post_feedforward_layernorm.weight"), true);
        for (int i = 0; i < mid.length; i++) mid[i] += down[i];
        return mid;
    }

    /** x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ over n rows. */
    private double[] linear(String module, double[] x, int n) {
        double[] wt = w.get(module + ".weight"), b = w.get(module + ".bias");
        double[] a = w.get("base_model.model." + module + ".lora_A.default.weight"), bm = w.get("base_model.model." + module + ".lora_B.default.weight");
        int in = x.length / n, out = wt.length / in;
        double[] y = new double[n * out];
        for (int t = 0; t < n; t++) {
            double[] u = null;
            if (a != null) {
                int r = a.length / in;
                u = new double[r];
                for (int k = 0; k < r; k++) for (int i = 0; i < in; i++) u[k] += x[t * in + i] * a[k * in + i];
            }
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) s += x[t * in + i] * wt[o * in + i];
                if (u != null) for (int k = 0; k < u.length; k++) s += loraScaling * u[k] * bm[o * u.length + k];
                y[t * out + o] = s;
            }
        }
        return y;
    }

    private double[] rms(double[] x, int rows, int n, double[] weight, boolean onePlus) {
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < n; i++) ss += x[r * n + i] * x[r * n + i];
            double inv = 1 / Math.sqrt(ss / n + cfg.rmsNormEps());
            for (int i = 0; i < n; i++) y[r * n + i] = (onePlus ? 1 + weight[i] : weight[i]) * x[r * n + i] * inv;
        }
        return y;
    }

    /** transformers' rotate_half RoPE at position pos. */
    private static void rotate(double[] x, int off, int heads, int hd, float[] inv, int pos) {
        int half = hd / 2;
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < half; i++) {
                double ang = pos * (double) inv[i], c = Math.cos(ang), s = Math.sin(ang);
                int b = off + h * hd;
                double x1 = x[b + i], x2 = x[b + i + half];
                x[b + i] = x1 * c - x2 * s;
                x[b + i + half] = x2 * c + x1 * s;
            }
    }
}
