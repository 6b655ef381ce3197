package dev.tare.runtime.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A *ForSequenceClassification checkpoint: scores token-id sequences, one float per label. The score token follows
 * {@link ScoreTokenRule} (default: current transformers' last-non-pad rule). An ArmoRM-style gated multi-objective
 * checkpoint ({@code LlamaForRewardModelWithGating}) is one too: its one "label" is the mixed score, and
 * {@link #objectives} gives the per-objective rewards, gating weights and coefficients behind it.
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
    private final GatedHead gated; // null: a linear score head
    private final Steering steering; // null: none

    RewardModel(Transformer body, float[] head, int numLabels, AutoCloseable resources, ScoreTokenRule rule, int tokenBudget) {
        this(body, head, numLabels, resources, rule, tokenBudget, null, null);
    }

    /** A gated multi-objective model (one output: the score). */
    RewardModel(Transformer body, GatedHead gated, AutoCloseable resources, ScoreTokenRule rule, int tokenBudget) {
        this(body, null, 1, resources, rule, tokenBudget, gated, null);
    }

    private RewardModel(Transformer body, float[] head, int numLabels, AutoCloseable resources, ScoreTokenRule rule, int tokenBudget,
                        GatedHead gated, Steering steering) {
        this.gated = gated;
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
    public RewardModel withScoreTokenRule(ScoreTokenRule r) { return new RewardModel(body, head, numLabels, resources, r, tokenBudget, gated, steering); }

    /** The same model (shared weights) packing at most {@code tokens} tokens per forward pass (memory bound). */
    public RewardModel withTokenBudget(int tokens) {
        if (tokens < 1) throw new IllegalArgumentException("token budget must be ≥ 1");
        return new RewardModel(body, head, numLabels, resources, rule, tokens, gated, steering);
    }

    /** The same model (shared weights) with another score head [numLabels, hidden] (e.g. a LoRA adapter's copy). */
    public RewardModel withHead(float[] newHead) {
        requireLinearHead("replacing the score head");
        if (newHead.length != head.length) throw new IllegalArgumentException("head has " + newHead.length + " floats, expected " + head.length);
        return new RewardModel(body, newHead.clone(), numLabels, resources, rule, tokenBudget, null, steering);
    }

    @Override
    public RewardModel withLinears(LinearDecorator deco) { return new RewardModel(body.withLinears(deco), head, numLabels, resources, rule, tokenBudget, gated, steering); }

    /**
     * A view (shared weights; closing either closes both) whose scoring and hidden states add {@code s} to the
     * residual stream ({@code null}: unsteered). A hook passed to {@link #score(int[][], ResidualHook)} runs after it.
     */
    public RewardModel withSteering(Steering s) {
        if (s != null) s.checkFits(config());
        return new RewardModel(body, head, numLabels, resources, rule, tokenBudget, gated, s);
    }

    /** The steering this view applies, if any. */
    public java.util.Optional<Steering> steering() { return java.util.Optional.ofNullable(steering); }

    private ResidualHook withSteeringHook(ResidualHook hook) {
        if (steering == null) return hook;
        return hook == ResidualHook.NONE ? steering.hook() : steering.hook().andThen(hook);
    }

    /** The score head weights [numLabels, hidden] (a copy); a gated multi-objective model has none (an error). */
    public float[] head() {
        requireLinearHead("reading the score head");
        return head.clone();
    }

    /**
     * The rule this model reads its score token by unless told otherwise: current transformers' ({@link
     * ScoreTokenRule#DEFAULT}) for a transformers head; for ArmoRM's gated head its published code's own rule, one
     * before the first pad id ({@link ScoreTokenRule#FIRST_PAD_MINUS_ONE}), whatever the transformers version.
     */
    public ScoreTokenRule defaultScoreTokenRule() { return gated != null ? ScoreTokenRule.FIRST_PAD_MINUS_ONE : ScoreTokenRule.DEFAULT; }

    /** Whether this is a gated multi-objective model (ArmoRM's {@code LlamaForRewardModelWithGating}). */
    public boolean isGated() { return gated != null; }

    /** The gated head's config (objectives, temperature, MLP shape); empty for a linear score head. */
    public java.util.Optional<GatingConfig> gating() { return java.util.Optional.ofNullable(gated).map(GatedHead::config); }

    /**
     * The gating position of a gated model for one sequence: where the LAST Llama 3
     * {@code <|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n} starts (an error when there is none).
     */
    public static int gatingPosition(int[] ids) { return GatedHead.gatingPosition(ids); }

    private void requireLinearHead(String what) {
        if (gated != null) throw new UnsupportedOperationException(config().file() + ": " + what + " is not possible for "
                + ModelConfig.GATED_ARCHITECTURE + " (a gated multi-objective head, not a linear score head)");
    }

    /**
     * Per-objective rewards, gating weights, coefficients and score of a gated model for unpadded sequences: rewards at
     * {@link #scoreTokenRule()}'s token, gating at {@link #gatingPosition}. Fails for a linear-head model, and for a
     * sequence without the assistant header (naming the row).
     */
    public List<ObjectiveScores> objectives(int[][] ids) {
        if (gated == null) throw new UnsupportedOperationException(config().file() + " holds " + config().architecture()
                + ": per-objective scores need " + ModelConfig.GATED_ARCHITECTURE + " (use score() for a linear head's labels)");
        int[][] positions = new int[ids.length][];
        int[] read = new int[ids.length], gate = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == null || ids[i].length == 0) throw new IllegalArgumentException("sequence " + i + " is empty");
            positions[i] = iota(0, ids[i].length);
            read[i] = rule.index(ids[i], config().padTokenId());
            try {
                gate[i] = GatedHead.gatingPosition(ids[i]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sequence " + i + ": " + e.getMessage(), e);
            }
        }
        ObjectiveScores[] out = new ObjectiveScores[ids.length];
        forward(ids, positions, read, gate, withSteeringHook(ResidualHook.NONE), (i, atScore, atGate) -> out[i] = gated.apply(atScore, atGate));
        return List.of(out);
    }

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
        // a gated head reads the prompt's assistant header too, and steering acts on every position: no prefix to share
        if (gated != null || steering != null) return score(ids);
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
            body.forwardRows(seqs, new int[chunk.length], ResidualHook.NONE, new int[0]);   // only the caches are wanted
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
            Transformer.packStarts(seqs, starts);
            int[] keep = new int[chunk.length];   // each member's read row: ascending, as members are packed in order
            for (int c = 0; c < chunk.length; c++) {
                int i = members.get(chunk[c])[0], g = members.get(chunk[c])[1];
                keep[c] = starts[c] + read[i] - plan.shared()[g];
            }
            float[] x = body.forwardRows(seqs, starts, ResidualHook.NONE, keep);
            for (int c = 0; c < chunk.length; c++) out[members.get(chunk[c])[0]] = head(body.finalNorm(x, c), H);
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

    private float[][] run(int[][] ids, int[][] positions, int[] read, ResidualHook given) {
        ResidualHook hook = withSteeringHook(given);
        float[][] out = new float[ids.length][];
        int[] gate = null;
        if (gated != null) {
            gate = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                try {
                    gate[i] = GatedHead.gatingPosition(ids[i]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("sequence " + i + ": " + e.getMessage(), e);
                }
            }
        }
        int H = config().hiddenSize();
        forward(ids, positions, read, gate, hook, (i, hn, hg) -> {
            if (gated != null) {
                out[i] = new float[]{gated.apply(hn, hg).score()};
                return;
            }
            float[] r = new float[numLabels];
            for (int l = 0; l < numLabels; l++) {
                float acc = 0f;
                for (int k = 0; k < H; k++) acc += hn[k] * head[l * H + k];
                r[l] = acc;
            }
            out[i] = r;
        });
        return out;
    }

    /** Receives sequence i's final-normed hidden state at its read index and (gated models) at its gating position. */
    private interface ReadSink { void accept(int i, float[] atRead, float[] atGate); }

    /** Runs the decoder over length-bucketed packs and hands each sequence's final-normed read (and gate) rows to {@code sink}. */
    private void forward(int[][] ids, int[][] positions, int[] read, int[] gate, ResidualHook hook, ReadSink sink) {
        checkLengths(ids);
        for (int[] chunk : Transformer.buckets(ids, tokenBudget)) {
            List<Transformer.Seq> seqs = new ArrayList<>(chunk.length);
            for (int i : chunk) seqs.add(new Transformer.Seq(ids[i], positions[i], null));
            int[] starts = new int[chunk.length];
            ResidualHook h = hook == ResidualHook.NONE ? hook
                    : (layer, s, x, off, n, hid) -> hook.apply(layer, chunk[s], x, off, n, hid);
            Transformer.packStarts(seqs, starts);
            java.util.TreeSet<Integer> rows = new java.util.TreeSet<>();   // the read (and gate) rows, ascending
            for (int c = 0; c < chunk.length; c++) {
                rows.add(starts[c] + read[chunk[c]]);
                if (gate != null) rows.add(starts[c] + gate[chunk[c]]);
            }
            int[] keep = rows.stream().mapToInt(Integer::intValue).toArray();
            float[] x = body.forwardRows(seqs, starts, h, keep);
            for (int c = 0; c < chunk.length; c++) {
                int i = chunk[c];
                float[] hn = body.finalNorm(x, java.util.Arrays.binarySearch(keep, starts[c] + read[i]));
                float[] hg = gate == null ? null : body.finalNorm(x, java.util.Arrays.binarySearch(keep, starts[c] + gate[i]));
                sink.accept(i, hn, hg);
            }
        }
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
