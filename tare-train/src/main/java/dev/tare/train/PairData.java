package dev.tare.train;

import dev.tare.data.PreferenceItem;
import dev.tare.runtime.text.ConversationEncoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Preference items → token pairs for training, encoded exactly as tare's local scorer encodes them (the model's chat
 * template, the same {@link ConversationEncoder}); and the seeded held-out split, by prompt, so that no held-out prompt
 * is trained on.
 */
public final class PairData {
    private PairData() {}

    /** The pairs, the items whose pairs were dropped for length (by id) and how many pairs that was. */
    public record Encoded(List<TokenPair> pairs, List<String> tooLong, int droppedPairs, Map<String, String> promptOf) {}

    /**
     * Every (chosen i, rejected j) combination of each item (a pairs file has one of each); a pair with a side over
     * {@code maxLength} tokens (> 0) is dropped and counted, never truncated (its score token would change).
     */
    public static Encoded encode(List<PreferenceItem> items, ConversationEncoder encoder, int maxLength) {
        List<TokenPair> out = new ArrayList<>();
        List<String> tooLong = new ArrayList<>();
        Map<String, String> promptOf = new LinkedHashMap<>();
        int dropped = 0;
        for (PreferenceItem it : items) {
            int[][] c = new int[it.chosen().size()][], r = new int[it.rejected().size()][];
            for (int i = 0; i < c.length; i++) c[i] = encoder.encode(it.conversation(it.chosen().get(i))).ids();
            for (int j = 0; j < r.length; j++) r[j] = encoder.encode(it.conversation(it.rejected().get(j))).ids();
            boolean multi = c.length * r.length > 1, any = false;
            for (int i = 0; i < c.length; i++)
                for (int j = 0; j < r.length; j++) {
                    if (maxLength > 0 && (c[i].length > maxLength || r[j].length > maxLength)) {
                        dropped++;
                        any = true;
                        continue;
                    }
                    String base = "default".equals(it.subset()) ? it.id() : it.subset() + "/" + it.id();
                    String id = multi ? base + "#" + i + "," + j : base;
                    out.add(new TokenPair(id, c[i], r[j]));
                    promptOf.put(id, it.prompt().toString());
                }
            if (any) tooLong.add(it.id());
        }
        return new Encoded(List.copyOf(out), List.copyOf(tooLong), dropped, promptOf);
    }

    /** A train/held-out split. */
    public record Split(List<TokenPair> train, List<TokenPair> heldOut) {}

    /**
     * Holds out about {@code fraction} of the distinct prompts (at least one when {@code fraction > 0} and there are
     * two or more), chosen by {@code seed}; every pair of a held-out prompt is held out.
     */
    public static Split split(List<TokenPair> pairs, Map<String, String> promptOf, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + fraction);
        List<String> prompts = pairs.stream().map(p -> promptOf.getOrDefault(p.id(), p.id())).distinct().toList();
        int k = fraction == 0 || prompts.size() < 2 ? 0 : Math.max(1, (int) Math.round(fraction * prompts.size()));
        List<String> shuffled = new ArrayList<>(prompts);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) java.util.Collections.swap(shuffled, i, rng.nextInt(i + 1));
        java.util.Set<String> held = new java.util.HashSet<>(shuffled.subList(0, k));
        List<TokenPair> train = new ArrayList<>(), out = new ArrayList<>();
        for (TokenPair p : pairs) (held.contains(promptOf.getOrDefault(p.id(), p.id())) ? out : train).add(p);
        if (train.isEmpty()) throw new IllegalArgumentException("no training pairs left after holding out " + out.size());
        return new Split(List.copyOf(train), List.copyOf(out));
    }
}
