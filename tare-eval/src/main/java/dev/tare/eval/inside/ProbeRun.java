package dev.tare.eval.inside;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.core.Progress;
import dev.tare.data.Jsonl;
import dev.tare.data.npy.NpyArray;
import dev.tare.metrics.probe.LayerProbe;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.IntervalJson;
import dev.tare.report.HtmlReport;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.Series;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-layer probes of one 0/1 label over an activation file: rows without the label are left out, folds are seeded
 * and grouped by the rows' group; every hidden-states index gets a {@link LayerProbe}.
 */
public record ProbeRun(String label, int rows, int positives, int folds, long seed, double c, List<LayerProbe> layers) {

    public static ProbeRun run(ActivationFile f, String label, int k, long seed, double c, Bootstrap boot, Progress progress) {
        List<Integer> use = new ArrayList<>();
        for (int i = 0; i < f.rows().size(); i++) if (f.rows().get(i).labels().containsKey(label)) use.add(i);
        if (use.isEmpty()) throw new IllegalArgumentException("no row carries the label '" + label + "'");
        int n = use.size(), pos = 0;
        int[] y = new int[n];
        List<String> groups = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            ActivationFile.Row r = f.rows().get(use.get(j));
            y[j] = r.labels().get(label);
            pos += y[j];
            groups.add(r.group());
        }
        if (pos == 0 || pos == n) throw new IllegalArgumentException("label '" + label + "' has one class only (" + pos + " of " + n + " rows are 1)");
        int[] fold = LayerProbe.groupedFolds(groups, k, seed);
        List<LayerProbe> out = new ArrayList<>();
        progress.setTotal(f.layers());
        for (int l = 0; l < f.layers(); l++) {
            double[][] x = new double[n][];
            for (int j = 0; j < n; j++) x[j] = f.vector(use.get(j), l);
            out.add(LayerProbe.run(x, y, fold, c, boot));
            progress.advance(1);
        }
        return new ProbeRun(label, n, pos, k, seed, c, List.copyOf(out));
    }

    /** Difference-of-means directions, float32 [layers + 1, hidden] (the input of {@code tare steer --direction}). */
    public NpyArray directions() {
        int L = layers.size(), H = layers.getFirst().diffOfMeans().length;
        float[] d = new float[L * H];
        for (int l = 0; l < L; l++) {
            double[] v = layers.get(l).diffOfMeans();
            for (int j = 0; j < H; j++) d[l * H + j] = (float) v[j];
        }
        return new NpyArray(new int[]{L, H}, d);
    }

    /** The probes' coefficients (fit on all rows), float32 [layers + 1, hidden]: a probe-weight steering direction. */
    public NpyArray weights() {
        int L = layers.size(), H = layers.getFirst().diffOfMeans().length;
        float[] d = new float[L * H];
        for (int l = 0; l < L; l++) {
            double[] v = layers.get(l).fit().coef();
            for (int j = 0; j < H; j++) d[l * H + j] = (float) v[j];
        }
        return new NpyArray(new int[]{L, H}, d);
    }

    /** probe.json: {@code "units": "fraction"}; accuracies and the majority baseline as fractions in [0, 1]. */
    public ObjectNode toJson() {
        ObjectNode o = dev.tare.metrics.Units.fraction(Jsonl.MAPPER.createObjectNode());
        o.put("label", label).put("rows", rows).put("positives", positives).put("folds", folds).put("seed", seed).put("C", c);
        ArrayNode a = o.putArray("layers");
        for (int l = 0; l < layers.size(); l++) {
            LayerProbe p = layers.get(l);
            ObjectNode r = a.addObject();
            r.put("hidden_states_index", l);
            r.set("accuracy", IntervalJson.SUMMARY.node(p.accuracy()));
            r.put("majority_baseline", p.majorityBaseline());
            ArrayNode fa = r.putArray("fold_accuracy");
            for (double x : p.foldAccuracy()) fa.add(x);
            r.put("intercept", p.fit().intercept());
            ArrayNode co = r.putArray("coef");
            for (double x : p.fit().coef()) co.add(x);
        }
        return o;
    }

    /** The accuracy-vs-layer page: out-of-fold accuracy with its CI band and the majority baseline. */
    public String html(String title) {
        int L = layers.size();
        double[] x = new double[L], acc = new double[L], lo = new double[L], hi = new double[L], base = new double[L];
        for (int l = 0; l < L; l++) {
            x[l] = l;
            acc[l] = layers.get(l).accuracy().value();
            lo[l] = layers.get(l).accuracy().lo();
            hi[l] = layers.get(l).accuracy().hi();
            base[l] = layers.get(l).majorityBaseline();
        }
        String chart = new LineChart("Probe accuracy vs layer (" + label + ")", "hidden-states index (0 = embeddings)", "out-of-fold accuracy")
                .series(new Series("accuracy", x, acc)).series(new Series("95% CI low", x, lo)).series(new Series("95% CI high", x, hi))
                .series(new Series("majority baseline", x, base)).yRange(0, 1).svg();
        int best = 0;
        for (int l = 1; l < L; l++) if (acc[l] > acc[best]) best = l;
        return new HtmlReport(title)
                .subtitle(rows + " rows (" + positives + " with " + label + " = 1), " + folds + " folds grouped by item (seed " + seed + "), L2 logistic C = " + c)
                .charts(chart)
                .paragraph(String.format("best: hidden-states index %d, accuracy %.3f [%.3f, %.3f] vs majority %.3f", best, acc[best], lo[best], hi[best], base[best]))
                .render();
    }
}
