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
    private final Steering steering; // null: none

    RewardModel(Transformer body, float[] head, int numLabels, AutoCloseable resources, ScoreTokenRule rule, int tokenBudget) {
        this(body, head, numLabels, resources, rule, tokenBudget, null);
    }

    private RewardModel(Transformer body, float[] head, int numLabels, AutoCloseable resources, ScoreTokenRule rule, int tokenBudget,
                        Steering steering) {
        this.steering = steering;
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
    public RewardModel withScoreTokenRule(ScoreTokenRule r) { return new RewardModel(body, head, numLabels, resources, r, tokenBudget, steering); }

    /** The same model (shared weights) packing at most {@code tokens} tokens per forward pass (memory bound). */
    public RewardModel withTokenBudget(int tokens) {
        if (tokens < 1) throw new IllegalArgumentException("token budget must be ≥ 1");
        return new RewardModel(body, head, numLabels, resources, rule, tokens, steering);
    }

    /** The same model (shared weights) with another score head [numLabels, hidden] (e.g. a LoRA adapter's copy). */
    public RewardModel withHead(float[] newHead) {
        if (newHead.length != head.length) throw new IllegalArgumentException("head has " + newHead.length + " floats, expected " + head.length);
        return new RewardModel(body, newHead.clone(), numLabels, resources, rule, tokenBudget, steering);
    }

    @Override
    public RewardModel withLinears(LinearDecorator deco) { return new RewardModel(body.withLinears(deco), head, numLabels, resources, rule, tokenBudget, steering); }

    /**
     * A view (shared weights; closing either closes both) whose scoring and hidden states add {@code s} to the
     * residual stream ({@code null}: unsteered). A hook passed to {@link #score(int[][], ResidualHook)} runs after it.
     */
    public RewardModel withSteering(Steering s) {
        if (s != null) s.checkFits(config());
        return new RewardModel(body, head, numLabels, resources, rule, tokenBudget, s);
    }

    /** The steering this view applies, if any. */
    public java.util.Optional<Steering> steering() { return java.util.Optional.ofNullable(steering); }

    private ResidualHook withSteeringHook(ResidualHook hook) {
        if (steering == null) return hook;
        return hook == ResidualHook.NONE ? steering.hook() : steering.hook().andThen(hook);
    }

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

    private float[][] run(int[][] ids, int[][] positions, int[] read, ResidualHook given) {
        ResidualHook hook = withSteeringHook(given);
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
                float[] hn = body.finalNorm(x, starts[c] + read[i]);
                float[] r = new float[numLabels];
                for (int l = 0; l < numLabels; l++) {
                    float acc = 0f;
                    for (int k = 0; k < H; k++) acc += hn[k] * head[l * H + k];
                    r[l] = acc;
                }
                out[i] = r;
            }
        }
        return out;
    }

    /**
     * hidden_states as transformers returns them at every position of one sequence: index 0 = embeddings, i = after
     * layer i−1, numLayers = final-normed output. Result [numLayers+1][tokens·hidden].
     */
    public float[][] hiddenStates(int[] ids) { return HiddenStates.of(body, ids, withSteeringHook(ResidualHook.NONE)); }

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
