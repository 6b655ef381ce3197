package dev.tare.runtime.model;

import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * ArmoRM's head ({@code LlamaForRewardModelWithGating}) on the final-normed hidden states: {@code regression_layer}
 * (no bias) at the score token gives the objective rewards; the gating MLP ({@code gating_n_hidden} × Linear+ReLU, then
 * Linear) at the start of the last assistant header gives softmax(x / temperature) × logit_scale; the score mixes the
 * rewards through {@code reward_transform_matrix}. Immutable.
 */
final class GatedHead {
    /** {@code <|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n} in the Llama 3 vocabulary. */
    static final int[] ASSISTANT_PATTERN = {128009, 128006, 78191, 128007, 271};

    private final GatingConfig cfg;
    private final int hidden;
    private final float[] regression;   // [n, H]
    private final float[][] weights;    // layer i: [dims[i+1], dims[i]]
    private final float[][] biases;     // layer i: [dims[i+1]]
    private final int[] dims;
    private final float logitScale;
    private final float[] transform;    // [n, n]

    private GatedHead(GatingConfig cfg, int hidden, float[] regression, float[][] weights, float[][] biases, int[] dims,
                      float logitScale, float[] transform) {
        this.cfg = cfg;
        this.hidden = hidden;
        this.regression = regression;
        this.weights = weights;
        this.biases = biases;
        this.dims = dims;
        this.logitScale = logitScale;
        this.transform = transform;
    }

    GatingConfig config() { return cfg; }

    /** Reads the head tensors, checking every shape against config.json and refusing unknown non-body tensors. */
    static GatedHead load(WeightStore w, ModelConfig mc) {
        GatingConfig g = mc.gating();
        int n = g.numObjectives(), H = mc.hiddenSize(), L = g.nHidden() + 1;
        if (w.find("regression_layer.bias").isPresent())
            throw new SafetensorsException(w.source(), "regression_layer.bias", "ArmoRM's regression_layer has no bias; refusing an unknown layout");
        float[] reg = w.require("regression_layer.weight").requireShape(n, H).toFloats();
        int[] dims = new int[L + 1];
        dims[0] = H;
        for (int i = 1; i < L; i++) dims[i] = g.hiddenDim();
        dims[L] = n;
        float[][] ws = new float[L][], bs = new float[L][];
        for (int i = 0; i < L; i++) {
            ws[i] = w.require("gating.layers." + i + ".weight").requireShape(dims[i + 1], dims[i]).toFloats();
            bs[i] = w.require("gating.layers." + i + ".bias").requireShape(dims[i + 1]).toFloats();
        }
        Tensor ls = w.require("gating.logit_scale");
        if (ls.elements() != 1 || ls.shape().length > 1)
            throw new SafetensorsException(w.source(), "gating.logit_scale", "shape " + Arrays.toString(ls.shape()) + " but ArmoRM's is [1]");
        float[] t = w.require("reward_transform_matrix").requireShape(n, n).toFloats();
        TreeSet<String> unknown = new TreeSet<>();
        for (String name : w.tensors().keySet()) {
            if (name.startsWith("model.") || name.equals("regression_layer.weight") || name.equals("gating.logit_scale")
                    || name.equals("reward_transform_matrix")) continue;
            if (name.matches("gating\\.layers\\.\\d+\\.(weight|bias)") && Integer.parseInt(name.split("\\.")[2]) < L) continue;
            unknown.add(name);
        }
        if (!unknown.isEmpty())
            throw new SafetensorsException(w.source(), unknown.first(), "not part of " + ModelConfig.GATED_ARCHITECTURE + " with gating_n_hidden="
                    + g.nHidden() + " (unexpected tensors " + unknown + "); refusing an unknown layout");
        for (float[] a : new float[][]{reg, t, {ls.get(0)}})
            for (float v : a) if (!Float.isFinite(v)) throw new SafetensorsException(w.source(), null, "non-finite value in the gated head");
        return new GatedHead(g, H, reg, ws, bs, dims, ls.get(0), t);
    }

    /**
     * Where the gating network reads: the start of the LAST {@link #ASSISTANT_PATTERN} in {@code ids}. Fails when the
     * ids hold no Llama 3 assistant header (the published code raises too).
     */
    static int gatingPosition(int[] ids) {
        int m = ASSISTANT_PATTERN.length;
        outer:
        for (int j = ids.length - m; j >= 0; j--) {
            for (int k = 0; k < m; k++) if (ids[j + k] != ASSISTANT_PATTERN[k]) continue outer;
            return j;
        }
        throw new IllegalArgumentException("no '<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n' (ids "
                + Arrays.toString(ASSISTANT_PATTERN) + ") in the " + ids.length + " token ids: " + ModelConfig.GATED_ARCHITECTURE
                + " reads its gating weights there (render the conversation with the Llama 3 chat template, a user turn before the assistant's)");
    }

    /** The head on the final-normed hidden state at the score token ({@code atScore}) and at the gating position ({@code atGate}). */
    ObjectiveScores apply(float[] atScore, float[] atGate) {
        int n = cfg.numObjectives(), H = hidden;
        float[] rewards = new float[n];
        for (int o = 0; o < n; o++) {
            double acc = 0;
            for (int k = 0; k < H; k++) acc += (double) atScore[k] * regression[o * H + k];
            rewards[o] = (float) acc;
        }
        double[] x = new double[H];
        for (int k = 0; k < H; k++) x[k] = atGate[k];
        int L = weights.length;
        for (int l = 0; l < L; l++) {
            int in = dims[l], out = dims[l + 1];
            double[] y = new double[out];
            for (int r = 0; r < out; r++) {
                double acc = biases[l][r];
                for (int k = 0; k < in; k++) acc += weights[l][r * in + k] * x[k];
                y[r] = l < L - 1 ? Math.max(0, acc) : acc;
            }
            x = y;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < n; o++) max = Math.max(max, x[o] / cfg.temperature());
        double sum = 0;
        double[] e = new double[n];
        for (int o = 0; o < n; o++) sum += e[o] = Math.exp(x[o] / cfg.temperature() - max);
        float[] gate = new float[n];
        for (int o = 0; o < n; o++) gate[o] = (float) (e[o] / sum * logitScale);
        float[] coeffs = new float[n];
        double score = 0;
        for (int i = 0; i < n; i++) {
            double c = 0;
            for (int j = 0; j < n; j++) c += (double) gate[j] * transform[i * n + j]; // (gate @ Tᵀ)[i] = Σ_j T[i][j] gate[j]
            coeffs[i] = (float) c;
            score += rewards[i] * c; // Σ_j gate_j (rewards @ T)_j = Σ_i rewards_i Σ_j T[i][j] gate_j
        }
        return new ObjectiveScores(rewards, gate, coeffs, (float) score);
    }
}
