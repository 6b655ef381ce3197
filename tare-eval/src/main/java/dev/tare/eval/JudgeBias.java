package dev.tare.eval;

import dev.tare.bias.Feature;
import dev.tare.data.PreferenceItem;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.report.JsonSummary;
import dev.tare.results.ScoredItem;

import java.util.ArrayList;
import java.util.List;

/**
 * A pairwise judge's biases over result lines from {@link JudgeItemScorer} (any benchmark of single chosen/rejected
 * pairs: pairs, RewardBench, JudgeBench): position consistency (both orders decided and agreeing), the share of
 * decided A/B verdicts that pick the response shown first (0.5 = no position bias), that pick the longer response
 * of an unequal-length pair, and that pick the response with more markdown ({@link Feature#MARKDOWN}) of a pair
 * whose markdown counts differ; plus the tie and unparseable single-order verdicts, and the pairs with at least one
 * unparseable verdict (JudgeBench's n_nulls). Rates are fractions with 95% bootstrap CIs over verdicts.
 */
public record JudgeBias(Interval consistency, Interval firstShown, int decidedVerdicts, Interval longer, int longerVerdicts,
                        Interval markdown, int markdownVerdicts, int tieVerdicts, int unparseableVerdicts, int nullPairs) {

    /** {@code items[i]} is the dataset item of {@code results[i]}. */
    public static JudgeBias analyze(List<PreferenceItem> items, List<ScoredItem> results, Bootstrap boot) {
        if (items.size() != results.size()) throw new IllegalArgumentException("results have " + results.size() + " items, the dataset " + items.size());
        if (results.isEmpty()) throw new IllegalArgumentException("no judged items");
        double[] consistent = new double[results.size()];
        List<Double> first = new ArrayList<>(), longer = new ArrayList<>(), markdown = new ArrayList<>();
        int ties = 0, unparseable = 0, nulls = 0;
        for (int i = 0; i < results.size(); i++) {
            ScoredItem s = results.get(i);
            PreferenceItem p = items.get(i);
            if (!EvalRunner.key(p).equals(s.key())) throw new IllegalArgumentException("results line " + (i + 1) + " (" + s.key() + ") does not match dataset item " + (i + 1));
            Object c = s.extra().get("consistent");
            if (!(c instanceof Boolean)) throw new IllegalArgumentException("results line " + (i + 1) + ": no 'consistent' field; not a judge run");
            consistent[i] = (Boolean) c ? 1 : 0;
            double lc = Feature.CHARS.of(p.chosen().getFirst()), lr = Feature.CHARS.of(p.rejected().getFirst());
            double mc = Feature.MARKDOWN.of(p.chosen().getFirst()), mr = Feature.MARKDOWN.of(p.rejected().getFirst());
            // order 1 shows chosen first; order 2 shows rejected first (its verdict is stored flipped back)
            String[] v = {s.extraText("verdict_chosen_first"), s.extraText("verdict_chosen_second")};
            boolean anyNull = false;
            for (int o = 0; o < 2; o++) {
                if ("tie".equals(v[o])) { ties++; continue; }
                if (!"chosen".equals(v[o]) && !"rejected".equals(v[o])) { unparseable++; anyNull = true; continue; }
                boolean pickedChosen = "chosen".equals(v[o]);
                first.add((o == 0) == pickedChosen ? 1.0 : 0.0);
                if (lc != lr) longer.add(pickedChosen == (lc > lr) ? 1.0 : 0.0);
                if (mc != mr) markdown.add(pickedChosen == (mc > mr) ? 1.0 : 0.0);
            }
            if (anyNull) nulls++;
        }
        return new JudgeBias(boot.mean(consistent), mean(first, boot), first.size(), mean(longer, boot), longer.size(),
                mean(markdown, boot), markdown.size(), ties, unparseable, nulls);
    }

    private static Interval mean(List<Double> v, Bootstrap boot) {
        return v.isEmpty() ? Interval.point(Double.NaN) : boot.mean(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Adds {@code position}, {@code length} and {@code markdown} objects to a summary. */
    public void putTo(JsonSummary j) {
        j.object("position").put("consistency", consistency).put("first_shown_rate", firstShown)
                .put("decided_verdicts", (long) decidedVerdicts).put("tie_verdicts", (long) tieVerdicts)
                .put("unparseable_verdicts", (long) unparseableVerdicts).put("pairs_with_unparseable", (long) nullPairs);
        j.object("length").put("longer_rate", longer).put("verdicts", (long) longerVerdicts);
        j.object("markdown").put("more_markdown_rate", markdown).put("verdicts", (long) markdownVerdicts);
    }

    /** Key/value rows for report.html. */
    public List<String[]> htmlRows() {
        return List.of(new String[]{"Position consistency", EvalSummary.pctCi(consistency)},
                new String[]{"Picks the response shown first", EvalSummary.pctCi(firstShown) + " of " + decidedVerdicts + " decided verdicts"},
                new String[]{"Picks the longer response", EvalSummary.pctCi(longer) + " of " + longerVerdicts + " verdicts"},
                new String[]{"Picks the response with more markdown", EvalSummary.pctCi(markdown) + " of " + markdownVerdicts + " verdicts"},
                new String[]{"Unparseable verdicts", unparseableVerdicts + " (" + nullPairs + " pairs); " + tieVerdicts + " tie verdicts"});
    }

    /** The leaderboard-row tail: consistency, first-shown, longer and more-markdown percentages. */
    public String rowTail() {
        return "consistency " + EvalSummary.pct(consistency) + " | first-shown " + EvalSummary.pct(firstShown) + " | longer "
                + EvalSummary.pct(longer) + " | more-markdown " + EvalSummary.pct(markdown) + " |";
    }
}
