package dev.tare.debias.audit;

import java.util.ArrayList;
import java.util.List;

/** Which chosen-vs-rejected pairs of an item a "wins" rate (e.g. longer-wins) compares; the same for one pair per item. */
public enum Pairing {
    /** Every chosen x rejected combination of an item (eval: 9 per RM-Bench row, 1 x 3 per RewardBench 2 item). */
    ALL_COMBINATIONS {
        @Override List<int[]> pairs(int[] chosen, int[] rejected) {
            List<int[]> out = new ArrayList<>(chosen.length * rejected.length);
            for (int c : chosen) for (int r : rejected) out.add(new int[]{c, r});
            return out;
        }
    },
    /** Chosen i against rejected i only (calibrate: RM-Bench's same-style pairs, 3 per row). */
    SAME_INDEX {
        @Override List<int[]> pairs(int[] chosen, int[] rejected) {
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < Math.min(chosen.length, rejected.length); i++) out.add(new int[]{chosen[i], rejected[i]});
            return out;
        }
    };

    /** The compared {chosen, rejected} response positions of one item, given its chosen and rejected positions in order. */
    abstract List<int[]> pairs(int[] chosen, int[] rejected);
}
