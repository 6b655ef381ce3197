package dev.tare.eval.inside;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.core.Progress;
import dev.tare.data.Jsonl;
import dev.tare.data.PreferenceItem;
import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.model.Steering;
import dev.tare.scorers.local.LocalRewardScorer;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Activation steering of a reward model along a style direction from RM-Bench's style variants ([concise, detailed
 * plain, detailed markdown] per response): the direction is the mean, over every chosen and rejected response, of
 * the residual stream after decoder layer L at the score token of the more-styled variant minus the less-styled one;
 * per α the steered RM scores all six responses of each item, giving RM-Bench Hard / Normal / Easy, the mean reward
 * change and the reward gap of the style.
 */
public final class RmSteerSweep {
    private RmSteerSweep() {}

    /** The style contrast: markdown = detailed markdown − detailed plain; length = detailed plain − concise. */
    public enum Style {
        MARKDOWN(2, 1), LENGTH(1, 0);

        final int more, less;

        Style(int more, int less) {
            this.more = more;
            this.less = less;
        }

        public static Style parse(String s) {
            for (Style x : values()) if (x.name().equalsIgnoreCase(s.trim())) return x;
            throw new IllegalArgumentException("style must be markdown or length, got '" + s + "'");
        }
    }

    /**
     * One row of the comparison table: a debias lever ({@code steer α=…}, a LOWESS calibration, another scorer), its
     * RM-Bench scores, the mean reward change vs the unsteered RM and the mean reward gap (more − less styled);
     * {@code alpha} is NaN on the rows that are not steering.
     */
    public record Row(String lever, double alpha, RmBenchScores scores, double meanRewardChange, double styleGap) {
        public boolean steering() { return !Double.isNaN(alpha); }
    }

    /** Another lever scored on the same items for the table, e.g. base − λ·LoRA given as a scorer spec. */
    public record Other(String name, dev.tare.scorers.RewardScorer scorer) {}

    /** The feature a style's calibration row corrects: code points for length, the paper's markdown count for markdown. */
    public static dev.tare.bias.Feature feature(Style style) {
        return style == Style.LENGTH ? dev.tare.bias.Feature.CHARS : dev.tare.bias.Feature.MARKDOWN;
    }

    /** The style direction after decoder layer {@code layer} (the input of a {@link Steering}). */
    public static float[] direction(List<PreferenceItem> items, LocalRewardScorer rm, int layer, Style style, Progress progress) {
        RewardModel m = rm.model().withSteering(null);
        if (layer < 0 || layer >= m.config().numLayers())
            throw new IllegalArgumentException("layer " + layer + ": the model has decoder layers 0.." + (m.config().numLayers() - 1));
        int H = m.config().hiddenSize();
        double[] sum = new double[H];
        int n = 0;
        progress.setTotal(items.size());
        for (PreferenceItem it : items) {
            for (List<String> side : List.of(it.chosen(), it.rejected())) {
                if (side.size() != 3) throw new IllegalArgumentException(it.id() + ": RM-Bench items have 3 style variants, got " + side.size());
                float[] more = at(m, rm, it, side.get(style.more), layer), less = at(m, rm, it, side.get(style.less), layer);
                for (int i = 0; i < H; i++) sum[i] += more[i] - less[i];
                n++;
            }
            progress.advance(1);
        }
        float[] v = new float[H];
        for (int i = 0; i < H; i++) v[i] = (float) (sum[i] / n);
        return v;
    }

    /** The raw residual stream after decoder layer {@code layer} at the token the score is read from. */
    private static float[] at(RewardModel m, LocalRewardScorer rm, PreferenceItem it, String response, int layer) {
        int[] ids;
        try {
            ids = rm.encode(it.conversation(response)).ids();
        } catch (dev.tare.scorers.ScorerException e) {
            throw e.prefixed("item " + it.id() + ": ");
        }
        int max = m.config().maxPositionEmbeddings();
        if (ids.length > max)
            throw new IllegalArgumentException("item " + it.id() + ": a response variant is " + ids.length + " tokens, over the model's "
                    + "max_position_embeddings " + max + " (" + m.config().file() + "); pass --max-length N (at most " + max
                    + ") to truncate its prompt, or leave the item out");
        int t = m.scoreTokenRule().index(ids, m.config().padTokenId());
        float[] hs = m.hiddenStates(ids)[layer + 1];
        int H = m.config().hiddenSize();
        float[] out = new float[H];
        System.arraycopy(hs, t * H, out, 0, H);
        return out;
    }

    /** Scores every item's six responses unsteered (the reference of the reward change) and with the steering at each α. */
    public static List<Row> run(List<PreferenceItem> items, LocalRewardScorer rm, Steering direction, Style style, double[] alphas,
                                Bootstrap boot, Progress progress) {
        return run(items, rm, direction, style, alphas, false, List.of(), boot, progress);
    }

    /**
     * The steering rows, then the levers to compare on the same items and the same bootstrap: with {@code calibrate}
     * the unsteered RM's rewards LOWESS-calibrated on the style's feature ({@link #feature}; RC-LWR fitted on all six
     * responses of every item, in-sample, as {@code tare calibrate} with its defaults), and each of {@code others}
     * (e.g. {@code local:RM,adapter=forget-lora,lambda=-1}).
     */
    public static List<Row> run(List<PreferenceItem> items, LocalRewardScorer rm, Steering direction, Style style, double[] alphas,
                                boolean calibrate, List<Other> others, Bootstrap boot, Progress progress) {
        if (items.isEmpty()) throw new IllegalArgumentException("no RM-Bench items");
        progress.setTotal((long) (alphas.length + 1 + others.size()) * items.size());
        double[][] base = scores(items, rm.withSteering(null), progress);
        List<Row> rows = new ArrayList<>();
        for (double a : alphas) {
            double[][] s = a == 0 ? base : scores(items, rm.withSteering(direction.withAlpha(a)), progress);
            if (a == 0) progress.advance(items.size());
            rows.add(row("steer alpha=" + SteerSweep.fmt(a), a, items, rm.name(), s, base, style, boot));
        }
        if (calibrate) {
            dev.tare.bias.Feature f = feature(style);
            rows.add(row("LOWESS on " + f.cliName(), Double.NaN, items, rm.name(), calibrated(items, base, f), base, style, boot));
        }
        for (Other o : others) rows.add(row(o.name(), Double.NaN, items, o.scorer().name(), scores(items, o.scorer(), progress), base, style, boot));
        return rows;
    }

    private static Row row(String lever, double alpha, List<PreferenceItem> items, String model, double[][] s, double[][] base,
                           Style style, Bootstrap boot) {
        List<ScoredItem> scored = new ArrayList<>();
        double change = 0;
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem it = items.get(i);
            List<Double> c = List.of(s[i][0], s[i][1], s[i][2]), r = List.of(s[i][3], s[i][4], s[i][5]);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("domain", it.meta().get("domain"));
            scored.add(new ScoredItem(it.id(), it.subset(), model, c, r, null, extra));
            for (int k = 0; k < 6; k++) change += s[i][k] - base[i][k];
        }
        change /= 6.0 * items.size();
        return new Row(lever, alpha, RmBenchMetrics.compute(scored, boot), change, styleGap(s, style));
    }

    /** The six rewards of every item LOWESS-calibrated on {@code f} over all responses (RC-LWR, default settings). */
    static double[][] calibrated(List<PreferenceItem> items, double[][] base, dev.tare.bias.Feature f) {
        int n = items.size() * 6;
        double[] scores = new double[n], feat = new double[n];
        int[] item = new int[n];
        boolean[] chosen = new boolean[n];
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem it = items.get(i);
            for (int k = 0; k < 6; k++) {
                int r = 6 * i + k;
                scores[r] = base[i][k];
                feat[r] = f.of(k < 3 ? it.chosen().get(k) : it.rejected().get(k - 3));
                item[r] = i;
                chosen[r] = k < 3;
            }
        }
        var res = dev.tare.debias.calibration.RewardCalibration.calibrate(dev.tare.debias.calibration.Method.LWR,
                new dev.tare.debias.calibration.ResponsePool(scores, item, chosen), Map.of(f.cliName(), feat),
                dev.tare.debias.calibration.CalibrationSettings.defaults());
        double[][] out = new double[items.size()][6];
        for (int r = 0; r < n; r++) out[r / 6][r % 6] = res.scores()[r];
        return out;
    }

    /** Mean reward gap (more − less styled) over every chosen and rejected response of each row's scores. */
    public static double styleGap(double[][] s, Style style) {
        double g = 0;
        for (double[] x : s) g += (x[style.more] - x[style.less]) + (x[3 + style.more] - x[3 + style.less]);
        return g / (2.0 * s.length);
    }

    public static void printTable(PrintWriter w, List<Row> rows) {
        int width = Math.max(5, rows.stream().mapToInt(r -> r.lever().length()).max().orElse(5));
        w.printf("%-" + width + "s %22s %22s %22s %22s %14s %10s%n", "lever", "hard [95% CI]", "normal", "easy", "average", "reward change", "style gap");
        for (Row r : rows) {
            RmBenchScores s = r.scores();
            w.printf("%-" + width + "s %22s %22s %22s %22s %14.4f %10.4f%n", r.lever(), cell(s.hard()), cell(s.normal()), cell(s.easy()),
                    cell(s.score()), r.meanRewardChange(), r.styleGap());
        }
        w.println("RM-Bench accuracy in percent with 95% bootstrap CIs (one bootstrap seed for every row); reward change = mean over "
                + "all responses vs the unsteered RM; style gap = mean reward of the more-styled minus the less-styled variant");
    }

    static String cell(Interval iv) {
        return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", 100 * iv.value(), 100 * iv.lo(), 100 * iv.hi());
    }

    /** steer.json: {@code "units": "fraction"}, the RM-Bench accuracies as fractions in [0, 1]. */
    public static ObjectNode toJson(Steering s, Style style, List<Row> rows) {
        ObjectNode o = dev.tare.metrics.Units.fraction(Jsonl.MAPPER.createObjectNode());
        o.put("layer", s.layer()).put("style", style.name().toLowerCase(Locale.ROOT));
        ArrayNode a = o.putArray("alphas");
        ArrayNode cmp = o.putArray("compare");
        for (Row r : rows) {
            ObjectNode x = r.steering() ? a.addObject() : cmp.addObject();
            if (r.steering()) x.put("alpha", r.alpha());
            else x.put("lever", r.lever());
            x.set("hard", IntervalJson.SUMMARY.node(r.scores().hard()));
            x.set("normal", IntervalJson.SUMMARY.node(r.scores().normal()));
            x.set("easy", IntervalJson.SUMMARY.node(r.scores().easy()));
            x.set("average", IntervalJson.SUMMARY.node(r.scores().score()));
            x.put("mean_reward_change", r.meanRewardChange()).put("style_gap", r.styleGap());
        }
        return o;
    }

    private static double[][] scores(List<PreferenceItem> items, dev.tare.scorers.RewardScorer rm, Progress progress) {
        double[][] out = new double[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem it = items.get(i);
            List<List<dev.tare.data.Message>> conv = new ArrayList<>(6);
            for (String x : it.chosen()) conv.add(it.conversation(x));
            for (String x : it.rejected()) conv.add(it.conversation(x));
            if (conv.size() != 6) throw new IllegalArgumentException(it.id() + ": RM-Bench items have 3 chosen and 3 rejected variants");
            try {
                out[i] = rm.score(conv);
            } catch (dev.tare.scorers.ScorerException e) {
                int k = e.conversation();
                if (k < 0) throw e.prefixed("item " + it.id() + ": ");
                throw e.at("item " + it.id() + " (" + (k < 3 ? "chosen" : "rejected") + " variant " + (k % 3 + 1) + " of 3): ");
            }
            progress.advance(1);
        }
        return out;
    }
}
