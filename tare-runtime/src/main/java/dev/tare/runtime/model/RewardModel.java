package dev.tare.runtime.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A *ForSequenceClassification checkpoint: scores token-id sequences, one float per label. The score token follows
 * {@link ScoreTokenRule} (default: current transformers' last-non-pad rule).
 */
public final class RewardModel implements Model {
    /** Default number of tokens packed into one forward pass. */
    public static final int DEFAULT_TOKEN_BUDGET = 2048;

    private final Transformer body;
    private final float[] head; // [numLabels, hidden]
    private final int numLabels;
    private final AutoCloseable resources;
    private final ScoreTokenRule rule;
    private final int tokenBudget;

    RewardModel(Transformer body, float[] head, int numLabels, AutoCloseable resources, ScoreTokenRule rule, int tokenBudget) {
        this.body = body;
        this.head = head;
        this.numLabels = numLabels;
        this.resources = resources;
        this.rule = rule;
        this.tokenBudget = tokenBudget;
    }

    @Override public ModelConfig config() { return body.config(); }
    @Override public Transformer body() { return body; }

    public int numLabels() { return numLabels; }

    public ScoreTokenRule scoreTokenRule() { return rule; }

    /** The same model (shared weights) reading scores by another rule. */
    public RewardModel withScoreTokenRule(ScoreTokenRule r) { return new RewardModel(body, head, numLabels, resources, r, tokenBudget); }

    /** The same model (shared weights) packing at most {@code tokens} tokens per forward pass (memory bound). */
    public RewardModel withTokenBudget(int tokens) {
        if (tokens < 1) throw new IllegalArgumentException("token budget must be ≥ 1");
        return new RewardModel(body, head, numLabels, resources, rule, tokens);
    }

    /** The same model (shared weights) with another score head [numLabels, hidden] (e.g. a LoRA adapter's copy). */
    public RewardModel withHead(float[] newHead) {
        if (newHead.length != head.length) throw new IllegalArgumentException("head has " + newHead.length + " floats, expected " + head.length);
        return new RewardModel(body, newHead.clone(), numLabels, resources, rule, tokenBudget);
    }

    @Override
    public RewardModel withLinears(LinearDecorator deco) { return new RewardModel(body.withLinears(deco), head, numLabels, resources, rule, tokenBudget); }

    /** The score head weights [numLabels, hidden] (a copy). */
    public float[] head() { return head.clone(); }

    /**
     * Refuses, before any work, a sequence longer than the model's max_position_embeddings: attention over it would
     * run past the positions the model was trained on (and its memory grows with the square of the length).
     */
    public void checkLengths(int[][] ids) {
        int max = config().maxPositionEmbeddings();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != null && ids[i].length > max) {
                throw new IllegalArgumentException("sequence " + i + " is " + ids[i].length + " tokens, over the model's "
                        + "max_position_embeddings " + max + " (" + config().file() + ")");
            }
        }
    }

    /** Scores unpadded sequences: result[i] has one float per label. */
    public float[][] score(int[][] ids) { return score(ids, ResidualHook.NONE); }

    /**
     * Scores unpadded sequences with a residual hook (reading or steering). Sequences are length-bucketed and packed,
     * so no compute is spent on padding. The score is read at {@link #scoreTokenRule()}'s index of each sequence.
     */
    public float[][] score(int[][] ids, ResidualHook hook) {
        int[][] positions = new int[ids.length][];
        int[] read = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == null || ids[i].length == 0) throw new IllegalArgumentException("sequence " + i + " is empty");
            positions[i] = iota(0, ids[i].length);
            read[i] = rule.index(ids[i], config().padTokenId());
        }
        return run(ids, positions, read, hook);
    }

    /**
     * Scores unpadded sequences as {@link #score(int[][])} does, computing shared token prefixes once: sequences are
     * grouped by their longest common prefix (at least {@code minShared} tokens, e.g. the responses of one prompt, or
     * one conversation scored under many λ), the prefix runs once into a KV cache and each sequence's remaining tokens
     * run on a copy of it. Equal to the unshared computation within float rounding (attention sums in another order).
     * A sequence whose score token lies inside the shared part keeps its own full pass.
     */
    public float[][] scoreSharingPrefixes(int[][] ids, int minShared) {
        checkLengths(ids);
        int n = ids.length;
        int[] read = new int[n];
        for (int i = 0; i < n; i++) {
            if (ids[i] == null || ids[i].length == 0) throw new IllegalArgumentException("sequence " + i + " is empty");
            read[i] = rule.index(ids[i], config().padTokenId());
        }
        PrefixPlan plan = PrefixPlan.of(ids, read, minShared);
        float[][] out = new float[n][];
        scoreGroups(ids, read, plan, out);
        if (!plan.alone().isEmpty()) {
            int[][] rest = new int[plan.alone().size()][];
            for (int k = 0; k < rest.length; k++) rest[k] = ids[plan.alone().get(k)];
            float[][] r = score(rest);
            for (int k = 0; k < rest.length; k++) out[plan.alone().get(k)] = r[k];
        }
        return out;
    }

    /** How {@link #scoreSharingPrefixes} splits {@code ids} under this model's score-token rule. */
    public PrefixPlan prefixPlan(int[][] ids, int minShared) {
        int[] read = new int[ids.length];
        for (int i = 0; i < ids.length; i++) read[i] = rule.index(ids[i], config().padTokenId());
        return PrefixPlan.of(ids, read, minShared);
    }

    /**
     * Every group's shared tokens once into its own cache (the prefixes packed together under the token budget), then
     * every member's remaining tokens on a copy of its group's cache (packed likewise), so the matrix products stay large.
     */
    private void scoreGroups(int[][] ids, int[] read, PrefixPlan plan, float[][] out) {
        int G = plan.groups().size();
        int[][] prefix = new int[G][];
        KvCache[] cache = new KvCache[G];
        for (int g = 0; g < G; g++) {
            int longest = 0;
            for (int i : plan.groups().get(g)) longest = Math.max(longest, ids[i].length);
            prefix[g] = java.util.Arrays.copyOf(ids[plan.groups().get(g)[0]], plan.shared()[g]);
            cache[g] = body.newCache(longest);
        }
        for (int[] chunk : Transformer.buckets(prefix, tokenBudget)) {
            List<Transformer.Seq> seqs = new ArrayList<>(chunk.length);
            for (int g : chunk) seqs.add(new Transformer.Seq(prefix[g], iota(0, prefix[g].length), cache[g]));
            body.forward(seqs, new int[chunk.length], ResidualHook.NONE);
        }
        List<int[]> members = new ArrayList<>();   // {sequence, group}
        for (int g = 0; g < G; g++) for (int i : plan.groups().get(g)) members.add(new int[]{i, g});
        int[][] suffix = new int[members.size()][];
        for (int m = 0; m < suffix.length; m++) {
            int i = members.get(m)[0], shared = plan.shared()[members.get(m)[1]];
            suffix[m] = java.util.Arrays.copyOfRange(ids[i], shared, ids[i].length);
        }
        int H = config().hiddenSize();
        for (int[] chunk : Transformer.buckets(suffix, tokenBudget)) {
            List<Transformer.Seq> seqs = new ArrayList<>(chunk.length);
            for (int m : chunk) {
                int i = members.get(m)[0], g = members.get(m)[1];
                seqs.add(new Transformer.Seq(suffix[m], iota(plan.shared()[g], suffix[m].length), cache[g].copy(ids[i].length)));
            }
            int[] starts = new int[chunk.length];
            float[] x = body.forward(seqs, starts, ResidualHook.NONE);
            for (int c = 0; c < chunk.length; c++) {
                int i = members.get(chunk[c])[0], g = members.get(chunk[c])[1];
                out[i] = head(body.finalNorm(x, starts[c] + read[i] - plan.shared()[g]), H);
            }
        }
    }

    private float[] head(float[] hn, int H) {
        float[] r = new float[numLabels];
        for (int l = 0; l < numLabels; l++) {
            float acc = 0f;
            for (int k = 0; k < H; k++) acc += hn[k] * head[l * H + k];
            r[l] = acc;
        }
        return r;
    }

    /**
     * transformers-style padded batch: {@code attentionMask} (null = all ones) must mark one contiguous run of real
     * tokens per row (left or right padding); {@code positionIds} null means positions 0..L−1 over the padded row, as
     * transformers does. The read index follows the rule on the padded ids and must fall on a real token.
     * With pad_token_id null only batch size 1 is accepted (as in transformers).
     */
    public float[][] scorePadded(int[][] inputIds, int[][] attentionMask, int[][] positionIds) {
        if (config().padTokenId() == null && inputIds.length > 1)
            throw new IllegalArgumentException("pad_token_id is not set in " + config().file() + ": cannot score a padded batch of " + inputIds.length + " rows (transformers refuses too)");
        int B = inputIds.length;
        int[][] ids = new int[B][], pos = new int[B][];
        int[] read = new int[B];
        for (int b = 0; b < B; b++) {
            int L = inputIds[b].length;
            int[] mask = attentionMask == null ? null : attentionMask[b];
            int first = -1, last = -1;
            for (int i = 0; i < L; i++) {
                if (mask == null || mask[i] != 0) {
                    if (first < 0) first = i;
                    else if (last != i - 1) throw new IllegalArgumentException("attention_mask row " + b + " is not one contiguous run of ones");
                    last = i;
                }
            }
            if (first < 0) throw new IllegalArgumentException("attention_mask row " + b + " has no real token");
            ids[b] = java.util.Arrays.copyOfRange(inputIds[b], first, last + 1);
            pos[b] = positionIds == null ? iota(first, last + 1 - first) : java.util.Arrays.copyOfRange(positionIds[b], first, last + 1);
            int idx = rule.index(inputIds[b], config().padTokenId());
            if (idx < first || idx > last)
                throw new IllegalArgumentException("row " + b + ": the score index " + idx + " (" + rule + ") falls on a padded position; transformers would read garbage there");
            read[b] = idx - first;
        }
        return run(ids, pos, read, ResidualHook.NONE);
    }

    private float[][] run(int[][] ids, int[][] positions, int[] read, ResidualHook hook) {
        checkLengths(ids);
        float[][] out = new float[ids.length][];
        int H = config().hiddenSize();
        for (int[] chunk : Transformer.buckets(ids, tokenBudget)) {
            List<Transformer.Seq> seqs = new ArrayList<>(chunk.length);
            for (int i : chunk) seqs.add(new Transformer.Seq(ids[i], positions[i], null));
            int[] starts = new int[chunk.length];
            ResidualHook h = hook == ResidualHook.NONE ? hook
                    : (layer, s, x, off, n, hid) -> hook.apply(layer, chunk[s], x, off, n, hid);
            float[] x = body.forward(seqs, starts, h);
            for (int c = 0; c < chunk.length; c++) {
                int i = chunk[c];
                out[i] = head(body.finalNorm(x, starts[c] + read[i]), H);
            }
        }
        return out;
    }

    /**
     * hidden_states as transformers returns them at every position of one sequence: index 0 = embeddings, i = after
     * layer i−1, numLayers = final-normed output. Result [numLayers+1][tokens·hidden].
     */
    public float[][] hiddenStates(int[] ids) { return HiddenStates.of(body, ids); }

    static int[] iota(int from, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = from + i;
        return r;
    }

    @Override public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
