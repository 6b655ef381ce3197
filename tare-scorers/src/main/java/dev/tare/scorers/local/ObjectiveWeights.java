package dev.tare.scorers.local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Per-objective weights of a gated multi-objective head (scorer option {@code objectives=}): the reward becomes
 * Σ wᵢ · rewardᵢ · coefficientᵢ, every objective not named keeping weight 1. Written {@code -NAME} (mask: weight 0)
 * or {@code NAME:W}, entries joined by {@code ;}, e.g. {@code objectives=-helpsteer-verbosity;code-style:0.5}.
 */
public record ObjectiveWeights(Map<String, Double> weights) {
    public ObjectiveWeights {
        if (weights.isEmpty()) throw new IllegalArgumentException("objectives=: no objective named");
        for (var e : weights.entrySet())
            if (!Double.isFinite(e.getValue())) throw new IllegalArgumentException("objectives=: weight of " + e.getKey() + " is not finite");
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** Parses {@code -NAME;NAME:W;...}; a name given twice or a bad number is an error. */
    public static ObjectiveWeights parse(String spec) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String raw : spec.split(";")) {
            String p = raw.strip();
            if (p.isEmpty()) continue;
            String name;
            double w;
            if (p.startsWith("-")) {
                name = p.substring(1).strip();
                w = 0;
            } else {
                int c = p.lastIndexOf(':');
                if (c <= 0) throw new IllegalArgumentException("objectives=" + spec + ": '" + p + "' is neither -NAME (mask) nor NAME:WEIGHT");
                name = p.substring(0, c).strip();
                try {
                    w = Double.parseDouble(p.substring(c + 1).strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("objectives=" + spec + ": weight '" + p.substring(c + 1) + "' of " + name + " is not a number");
                }
            }
            if (name.isEmpty()) throw new IllegalArgumentException("objectives=" + spec + ": empty objective name in '" + p + "'");
            if (m.put(name, w) != null) throw new IllegalArgumentException("objectives=" + spec + ": " + name + " given twice");
        }
        return new ObjectiveWeights(m);
    }

    /** One objective at weight {@code w}, the others at 1. */
    public static ObjectiveWeights of(String name, double w) { return new ObjectiveWeights(Map.of(name, w)); }

    /** The weight vector over {@code names} (head order); a name that is no objective is an error listing them. */
    public double[] resolve(List<String> names) {
        double[] r = new double[names.size()];
        java.util.Arrays.fill(r, 1.0);
        for (var e : weights.entrySet()) {
            int i = names.indexOf(e.getKey());
            if (i < 0) throw new IllegalArgumentException("objectives=: '" + e.getKey() + "' is not an objective of this model " + names);
            r[i] = e.getValue();
        }
        return r;
    }

    /** As written in a scorer spec (without the key). */
    public String spec() {
        StringJoiner j = new StringJoiner(";");
        weights.forEach((k, v) -> j.add(v == 0 ? "-" + k : k + ":" + v));
        return j.toString();
    }
}
