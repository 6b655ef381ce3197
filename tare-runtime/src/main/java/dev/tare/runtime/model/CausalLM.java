package dev.tare.runtime.model;

import dev.tare.runtime.kernel.LinearWeight;

import java.util.ArrayList;
import java.util.List;

/** A *ForCausalLM checkpoint: next-token logits (tied or separate lm_head, Gemma2 final soft-capping) and generation with a KV cache. */
public final class CausalLM implements Model {
    private final Transformer body;
    private final LinearWeight lmHead;
    private final AutoCloseable resources;
    private final Steering steering; // null: none

    CausalLM(Transformer body, LinearWeight lmHead, AutoCloseable resources) { this(body, lmHead, resources, null); }

    private CausalLM(Transformer body, LinearWeight lmHead, AutoCloseable resources, Steering steering) {
        this.body = body;
        this.lmHead = lmHead;
        this.resources = resources;
        this.steering = steering;
    }

    @Override public ModelConfig config() { return body.config(); }
    @Override public Transformer body() { return body; }

    @Override
    public CausalLM withLinears(LinearDecorator deco) { return new CausalLM(body.withLinears(deco), lmHead, resources, steering); }

    /**
     * A view of this model whose forward passes and generation ({@link #lastLogits}, {@link #generate},
     * {@link #generateBatch}) add the steering; {@code null} gives the unsteered model. The view shares the weights:
     * closing either closes both. A hook passed to a call runs after the steering (it sees the steered stream).
     */
    public CausalLM withSteering(Steering s) {
        if (s != null) s.checkFits(config());
        return new CausalLM(body, lmHead, resources, s);
    }

    /** The steering this view applies, if any. */
    public java.util.Optional<Steering> steering() { return java.util.Optional.ofNullable(steering); }

    /** The steering hook (if any) followed by {@code hook}. */
    private ResidualHook withSteeringHook(ResidualHook hook) {
        if (steering == null) return hook;
        return hook == ResidualHook.NONE ? steering.hook() : steering.hook().andThen(hook);
    }

    /**
     * transformers' output_hidden_states for one sequence (with this view's steering applied): [layers + 1][tokens ·
     * hidden]; index 0 = embeddings, l = after decoder layer l − 1, the last = final-normed.
     */
    public float[][] hiddenStates(int[] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("empty sequence");
        return HiddenStates.of(body, ids, withSteeringHook(ResidualHook.NONE));
    }

    /** Logits at the last position of each (unpadded) sequence, [batch][vocab]. */
    public float[][] lastLogits(int[][] ids) { return lastLogits(ids, ResidualHook.NONE); }

    /** Same with a residual hook (reading or steering). */
    public float[][] lastLogits(int[][] ids, ResidualHook given) {
        ResidualHook hook = withSteeringHook(given);
        float[][] out = new float[ids.length][];
        for (int[] chunk : Transformer.buckets(ids, RewardModel.DEFAULT_TOKEN_BUDGET)) {
            List<Transformer.Seq> seqs = new ArrayList<>();
            for (int i : chunk) {
                if (ids[i].length == 0) throw new IllegalArgumentException("sequence " + i + " is empty");
                seqs.add(new Transformer.Seq(ids[i], RewardModel.iota(0, ids[i].length), null));
            }
            int[] starts = new int[chunk.length];
            ResidualHook h = hook == ResidualHook.NONE ? hook : (layer, s, x, off, n, hid) -> hook.apply(layer, chunk[s], x, off, n, hid);
            float[] x = lastRows(seqs, starts, h);
            for (int c = 0; c < chunk.length; c++) out[chunk[c]] = logits(body.finalNorm(x, c));
        }
        return out;
    }

    /** The residual stream after the last layer at each sequence's last token, [sequences, hidden] ({@link Transformer#forwardRows}). */
    private float[] lastRows(List<Transformer.Seq> seqs, int[] starts, ResidualHook hook) {
        Transformer.packStarts(seqs, starts);
        int[] keep = new int[seqs.size()];
        for (int s = 0; s < keep.length; s++) keep[s] = starts[s] + seqs.get(s).ids().length - 1;
        return body.forwardRows(seqs, starts, hook, keep);
    }

    private float[] logits(float[] normed) {
        float[] y = new float[lmHead.outFeatures()];
        lmHead.forward(normed, 1, y);
        float cap = config().finalSoftcap();
        if (config().family() == ModelConfig.Family.GEMMA2 && cap > 0f)
            for (int i = 0; i < y.length; i++) y[i] = (float) Math.tanh(y[i] / cap) * cap;
        return y;
    }

    /**
     * Generates up to {@code maxNewTokens} tokens after {@code prompt} with a KV cache, stopping after any of
     * {@code stopIds}; returns only the new tokens.
     */
    public int[] generate(int[] prompt, int maxNewTokens, Sampling sampling, int... stopIds) {
        return generate(prompt, maxNewTokens, sampling, ResidualHook.NONE, stopIds);
    }

    /** Generation with a residual hook applied at every step (steering). */
    public int[] generate(int[] prompt, int maxNewTokens, Sampling sampling, ResidualHook given, int... stopIds) {
        ResidualHook hook = withSteeringHook(given);
        if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
        KvCache cache = body.newCache(prompt.length + maxNewTokens);
        Sampling.Picker picker = sampling.picker();
        int[] out = new int[maxNewTokens];
        int[] step = prompt;
        int produced = 0;
        while (produced < maxNewTokens) {
            int past = cache.length();
            int[] starts = new int[1];
            float[] x = lastRows(List.of(new Transformer.Seq(step, RewardModel.iota(past, step.length), cache)), starts, hook);
            int next = picker.pick(logits(body.finalNorm(x, 0)));
            out[produced++] = next;
            boolean stop = false;
            for (int s : stopIds) stop |= s == next;
            if (stop) break;
            step = new int[]{next};
        }
        return java.util.Arrays.copyOf(out, produced);
    }

    /**
     * Generates for several prompts together: the prompts are prefilled in token-budget chunks, then every step
     * runs all unfinished sequences through one forward pass (so the matmuls see M = batch), each with its own KV
     * cache and positions. {@code samplings.get(i)} drives prompt i (its own seeded picker); a sequence stops after
     * any of {@code stopIds} or {@code maxNewTokens}. Token for token the same as {@link #generate} per prompt.
     */
    public int[][] generateBatch(int[][] prompts, int maxNewTokens, List<Sampling> samplings, int... stopIds) {
        int n = prompts.length;
        ResidualHook hook = withSteeringHook(ResidualHook.NONE);
        if (samplings.size() != n) throw new IllegalArgumentException(n + " prompts but " + samplings.size() + " samplings");
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1");
        KvCache[] caches = new KvCache[n];
        Sampling.Picker[] pickers = new Sampling.Picker[n];
        int[][] out = new int[n][maxNewTokens];
        int[] produced = new int[n];
        boolean[] done = new boolean[n];
        int[] last = new int[n];
        for (int i = 0; i < n; i++) {
            if (prompts[i].length == 0) throw new IllegalArgumentException("prompt " + i + " is empty");
            caches[i] = body.newCache(prompts[i].length + maxNewTokens);
            pickers[i] = samplings.get(i).picker();
        }
        for (int[] chunk : Transformer.buckets(prompts, RewardModel.DEFAULT_TOKEN_BUDGET)) {
            List<Transformer.Seq> seqs = new ArrayList<>(chunk.length);
            for (int i : chunk) seqs.add(new Transformer.Seq(prompts[i], RewardModel.iota(0, prompts[i].length), caches[i]));
            int[] starts = new int[chunk.length];
            float[] x = lastRows(seqs, starts, hook);
            for (int c = 0; c < chunk.length; c++) {
                int i = chunk[c];
                accept(i, pickers[i].pick(logits(body.finalNorm(x, c))), out, produced, done, last, maxNewTokens, stopIds);
            }
        }
        while (true) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < n; i++) if (!done[i]) active.add(i);
            if (active.isEmpty()) break;
            List<Transformer.Seq> seqs = new ArrayList<>(active.size());
            for (int i : active) seqs.add(new Transformer.Seq(new int[]{last[i]}, new int[]{caches[i].length()}, caches[i]));
            int[] starts = new int[active.size()];
            float[] x = body.forward(seqs, starts, hook);
            for (int c = 0; c < active.size(); c++) {
                int i = active.get(c);
                accept(i, pickers[i].pick(logits(body.finalNorm(x, starts[c]))), out, produced, done, last, maxNewTokens, stopIds);
            }
        }
        int[][] result = new int[n][];
        for (int i = 0; i < n; i++) result[i] = java.util.Arrays.copyOf(out[i], produced[i]);
        return result;
    }

    private static void accept(int i, int next, int[][] out, int[] produced, boolean[] done, int[] last, int max, int[] stopIds) {
        out[i][produced[i]++] = next;
        last[i] = next;
        boolean stop = produced[i] >= max;
        for (int s : stopIds) stop |= s == next;
        done[i] = stop;
    }

    @Override public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
