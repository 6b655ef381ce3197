package dev.tare.eval;

import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.data.judgebench.JudgeOutput;
import dev.tare.data.judgebench.JudgePair;
import dev.tare.data.judgebench.Judgment;
import dev.tare.metrics.judgebench.JudgeBenchMetrics;
import dev.tare.metrics.judgebench.JudgeBenchScores;
import dev.tare.metrics.Units;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import dev.tare.report.Table;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.judge.JudgeStats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JudgeBench through the eval runner: pairs become items (chosen = the labelled better response, subset = the
 * category, meta {@code source}, {@code label}); afterwards each result line is turned back into JudgeBench games
 * and scored with JudgeBench's rules. A reward model plays one game (its two scores, A as stored first; equal
 * scores decide "B>A" exactly as JudgeBench's reward-model judges do); a judge
 * plays both orders, the second flipped back, as JudgeBench runs judges.
 */
public final class JudgeBenchEval {
    private JudgeBenchEval() {}

    /** The pairs as items, in file order. */
    public static List<PreferenceItem> items(List<JudgePair> pairs) {
        List<PreferenceItem> out = new ArrayList<>(pairs.size());
        for (JudgePair p : pairs) {
            boolean aBetter = "A>B".equals(p.label());
            if (!aBetter && !"B>A".equals(p.label())) throw new IllegalArgumentException("pair " + p.pairId() + ": label '" + p.label() + "' is not A>B or B>A");
            JudgePair.Category c = p.category();
            out.add(new PreferenceItem(p.pairId(), c == null ? p.source() : c.key, List.of(Message.user(p.question())),
                    List.of(aBetter ? p.responseA() : p.responseB()), List.of(aBetter ? p.responseB() : p.responseA()),
                    Map.of("source", p.source(), "label", p.label())));
        }
        return out;
    }

    /** Result lines back to JudgeBench outputs (games relative to the stored A/B order). */
    public static List<JudgeOutput> outputs(List<JudgePair> pairs, List<ScoredItem> results, String judgeName) {
        if (pairs.size() != results.size()) throw new IllegalArgumentException(results.size() + " results for " + pairs.size() + " pairs");
        List<JudgeOutput> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            JudgePair p = pairs.get(i);
            ScoredItem s = results.get(i);
            if (!s.id().equals(p.pairId())) throw new IllegalArgumentException("results line " + (i + 1) + " is pair " + s.id() + ", expected " + p.pairId());
            boolean aChosen = "A>B".equals(p.label());
            List<Judgment> games = new ArrayList<>();
            if (s.extra().containsKey("consistent")) { // a judge: verdicts relative to the chosen response
                games.add(new Judgment(decision(s.extraText("verdict_chosen_first"), aChosen), s.model(), "", "", List.of()));
                // game 2 showed the pair swapped; JudgeBench stores its decision as shown, so flip it back to shown order
                games.add(new Judgment(JudgeBenchMetrics.flip(decision(s.extraText("verdict_chosen_second"), aChosen)), s.model(), "", "", List.of()));
            } else {
                double a = aChosen ? s.chosen() : s.rejected(), b = aChosen ? s.rejected() : s.chosen();
                // JudgeBench utils/judges.py (InternLM2Reward, GRMReward, SkyworkReward): 'A>B' if score_A > score_B
                // else 'B>A', so equal scores are "B>A", never a tie
                String d = a > b ? "A>B" : "B>A";
                games.add(new Judgment(d, s.model(), "", "", List.of(a, b)));
            }
            out.add(new JudgeOutput(p, judgeName, games, i + 1));
        }
        return out;
    }

    /** A verdict about the chosen response as a decision in the stored A/B order. */
    private static String decision(String verdict, boolean aChosen) {
        return switch (verdict) {
            case "chosen" -> aChosen ? "A>B" : "B>A";
            case "rejected" -> aChosen ? "B>A" : "A>B";
            case "tie" -> "A=B";
            default -> null;
        };
    }

    /** JudgeBench's scores of these outputs. */
    public static JudgeBenchScores score(List<JudgeOutput> outputs, Bootstrap boot) {
        return JudgeBenchMetrics.score(outputs, boot);
    }

    public static String leaderboardRow(String model, JudgeBenchScores s, JudgeBias bias) {
        StringBuilder sb = new StringBuilder("| ").append(model).append(" | judgebench | ")
                .append(String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", s.overall().value(), s.overall().lo(), s.overall().hi())).append(" | ");
        s.categories().forEach((k, v) -> sb.append(k).append(String.format(Locale.ROOT, " %.1f | ", v)));
        sb.append(String.format(Locale.ROOT, "category mean %.1f |", s.categoryMean()));
        if (bias != null) sb.append(' ').append(bias.rowTail());
        else if (s.twoGamePairs() > 0) sb.append(String.format(Locale.ROOT, " consistency %.1f |", s.positionConsistency()));
        return sb.toString();
    }

    /**
     * summary.json (every score and rate a fraction in [0, 1], {@code "units": "fraction"}) and report.html (percent).
     * For a judge, {@code bias} (first-shown, longer, more-markdown rates, unparseable verdicts) and {@code cost} (this
     * run's calls and tokens) are added; both are null for a reward model. Written
     * as one set ({@link EvalReport#writePair}): summary.json is written last; its presence means the folder's summary
     * files are complete.
     */
    public static void write(String model, JudgeBenchScores s, JudgeBias bias, JudgeStats cost, EvalReport.RunInfo info, Path dir) {
        JsonSummary j = JsonSummary.fractions();   // JudgeBenchScores are percent (as the report shows them): scaled here
        j.put("model", model).put("benchmark", "judgebench").put("scorer", info.scorer()).put("data", info.data())
                .put("results", info.resultsFile()).put("items", (long) s.pairs());
        j.put("overall_pair_weighted", Units.toFraction(s.overall())).put("category_mean", Units.toFraction(s.categoryMean()));
        JsonSummary c = j.object("categories");
        s.categories().forEach((k, v) -> c.put(k, Units.toFraction(v)));
        j.object("counts").put("correct", (long) s.correct()).put("incorrect", (long) s.incorrect()).put("tie", (long) s.tie())
                .put("two_game_pairs", (long) s.twoGamePairs()).put("inconsistent", (long) s.inconsistent()).put("nulls", (long) s.nulls());
        if (s.twoGamePairs() > 0) j.put("position_consistency", Units.toFraction(s.positionConsistency()));
        if (bias != null) bias.putTo(j);
        if (cost != null) JudgeCost.put(j, cost);
        HtmlReport h = new HtmlReport("tare eval: " + model + " on JudgeBench");
        h.subtitle(s.pairs() + " pairs; percent");
        List<String[]> kv = new ArrayList<>(List.of(new String[]{"Scorer", info.scorer()}, new String[]{"Data", info.data()},
                new String[]{"Overall (pair-weighted, JudgeBench metrics.py)", String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", s.overall().value(), s.overall().lo(), s.overall().hi())},
                new String[]{"Category mean (published tables)", String.format(Locale.ROOT, "%.2f", s.categoryMean())}));
        if (bias != null) kv.addAll(bias.htmlRows());
        if (cost != null) kv.add(new String[]{"Judge cost (this run)", cost.toString()});
        h.keyValues(kv);
        Table.Builder t = Table.builder("Per category", "category", "score", "pairs");
        s.categories().forEach((k, v) -> t.row(k, String.format(Locale.ROOT, "%.2f", v), String.valueOf(s.categoryPairs().get(k))));
        h.table(t.build());
        EvalReport.writePair(dir, j, h);
    }
}
