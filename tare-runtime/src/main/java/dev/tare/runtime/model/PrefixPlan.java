package dev.tare.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which sequences of a batch share a token prefix worth computing once: groups (indices into the batch) with the
 * length each group shares, and the sequences scored alone. Sequences are sorted by their ids and grouped greedily
 * with the first of a run while they share at least {@code minShared} tokens; the shared length never reaches a
 * member's last token or its score token.
 */
public record PrefixPlan(List<int[]> groups, int[] shared, List<Integer> alone) {
    /** The plan for {@code ids} whose score tokens are at {@code read}. */
    public static PrefixPlan of(int[][] ids, int[] read, int minShared) {
        if (minShared < 1) throw new IllegalArgumentException("minShared must be >= 1, got " + minShared);
        int n = ids.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Arrays.compare(ids[a], ids[b]));
        List<int[]> groups = new ArrayList<>();
        List<Integer> sharedList = new ArrayList<>(), alone = new ArrayList<>();
        for (int from = 0; from < n; ) {
            int first = order[from];
            int shared = Math.min(ids[first].length - 1, read[first]);
            int to = from + 1;
            while (to < n) {
                int c = order[to];
                int l = Math.min(Math.min(lcp(ids[first], ids[c]), ids[c].length - 1), read[c]);
                if (Math.min(shared, l) < minShared) break;
                shared = Math.min(shared, l);
                to++;
            }
            if (to - from < 2 || shared < minShared) {
                alone.add(first);
                from++;
                continue;
            }
            int[] g = new int[to - from];
            for (int k = from; k < to; k++) g[k - from] = order[k];
            groups.add(g);
            sharedList.add(shared);
            from = to;
        }
        return new PrefixPlan(List.copyOf(groups), sharedList.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(alone));
    }

    /** Tokens computed once instead of once per member. */
    public long tokensSaved() {
        long s = 0;
        for (int g = 0; g < groups.size(); g++) s += (long) (groups.get(g).length - 1) * shared[g];
        return s;
    }

    private static int lcp(int[] a, int[] b) {
        int m = Arrays.mismatch(a, b);
        return m < 0 ? a.length : m;
    }
}
