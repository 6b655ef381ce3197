package dev.tare.runtime.model;

import java.util.List;

/** Collects transformers-style output_hidden_states for one sequence through a {@link ResidualHook}. */
final class HiddenStates {
    private HiddenStates() {}

    static float[][] of(Transformer body, int[] ids) { return of(body, ids, ResidualHook.NONE); }

    /** Same, with {@code before} (e.g. steering) applied to the stream before it is read. */
    static float[][] of(Transformer body, int[] ids, ResidualHook before) {
        int L = body.config().numLayers(), H = body.config().hiddenSize(), n = ids.length;
        float[][] out = new float[L + 1][];
        ResidualHook read = (layer, s, x, off, tokens, hid) -> {
            if (layer + 1 < L) out[layer + 1] = java.util.Arrays.copyOfRange(x, off, off + tokens * hid);
        };
        ResidualHook hook = before == ResidualHook.NONE ? read : before.andThen(read);
        int[] starts = new int[1];
        float[] x = body.forward(List.of(new Transformer.Seq(ids, RewardModel.iota(0, n), null)), starts, hook);
        float[] fin = new float[n * H];
        for (int t = 0; t < n; t++) System.arraycopy(body.finalNorm(x, t), 0, fin, t * H, H);
        out[L] = fin;
        return out;
    }
}
