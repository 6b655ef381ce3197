package dev.tare.eval.inside;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.core.Progress;
import dev.tare.data.Jsonl;
import dev.tare.data.bbq.BbqItem;
import dev.tare.eval.bbq.GenerativeBbq;
import dev.tare.metrics.Units;
import dev.tare.metrics.bbq.BbqAudit;
import dev.tare.metrics.bbq.BbqScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;
import dev.tare.report.HtmlReport;
import dev.tare.report.Table;
import dev.tare.report.chart.LineChart;
import dev.tare.report.chart.ScatterChart;
import dev.tare.report.chart.Series;
import dev.tare.runtime.model.Steering;
import dev.tare.scorers.judge.SamplingParams;
import dev.tare.scorers.local.LocalChatGenerator;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An α sweep of activation steering on generative BBQ: per α, the generator steered by α·v after one layer answers
 * every item (predictions in {@code alpha_<α>/predictions.jsonl}, resumable) and the BBQ audit scores them.
 */
public final class SteerSweep {
    private SteerSweep() {}

    /** One α: the generation outcome and the pooled BBQ scores (null when no reply was a letter). */
    public record Row(double alpha, GenerativeBbq.Outcome outcome, BbqScores scores) {}

    public static List<Row> run(List<BbqItem> items, Path dataDir, LocalChatGenerator gen, Steering direction, double[] alphas,
                                SamplingParams params, int batch, Path out, boolean resume, Bootstrap boot) {
        List<Row> rows = new ArrayList<>();
        for (double a : alphas) {
            Path preds = out.resolve("alpha_" + fmt(a)).resolve("predictions.jsonl");
            GenerativeBbq.Outcome o;
            try (LocalChatGenerator g = gen.withSteering(direction.withAlpha(a)); Progress p = Progress.stderr("steer a=" + fmt(a), items.size())) {
                o = GenerativeBbq.run(items, g, params, batch, preds, resume, p);
            }
            BbqScores s = null;
            if (o.unparseable() < o.resumed() + o.generated())
                s = BbqAudit.run(dataDir, preds, "prediction", BbqAudit.Format.LETTER, boot).overall();
            rows.add(new Row(a, o, s));
        }
        return rows;
    }

    static String fmt(double a) {
        return a == Math.rint(a) ? String.valueOf((long) a) : String.valueOf(a);
    }

    /** The metrics of the per-α table, in column order. */
    static Map<String, Interval> metrics(BbqScores s) {
        Map<String, Interval> m = new LinkedHashMap<>();
        m.put("acc_ambig", s.accAmbig());
        m.put("acc_disambig", s.accDisambig());
        m.put("abstain_disambig", s.abstainDisambig());
        m.put("commit_bias_ambig", s.commitBiasAmbig());
        m.put("s_AMB", s.sAmb());
        m.put("s_DIS", s.sDis());
        return m;
    }

    public static void printTable(PrintWriter w, List<Row> rows) {
        w.printf("%7s %8s", "alpha", "unparsed");
        for (String k : List.of("acc_ambig", "acc_disambig", "abstain_disambig", "commit_bias_ambig", "s_AMB", "s_DIS")) w.printf(" %22s", k);
        w.println();
        for (Row r : rows) {
            w.printf("%7s %8d", fmt(r.alpha()), r.outcome().unparseable());
            if (r.scores() == null) {
                w.println("  no reply was a single letter A/B/C: nothing to score");
                continue;
            }
            for (Interval iv : metrics(r.scores()).values()) w.printf(" %22s", cell(iv));
            w.println();
        }
        w.println("percent with 95% bootstrap CIs; s_AMB = (1 - acc_ambig) * commit_bias_ambig; s_DIS = commit bias on disambiguated items");
    }

    static String cell(Interval iv) {
        if (Double.isNaN(iv.value())) return "n/a";
        return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", iv.value(), iv.lo(), iv.hi()); // BbqScores are in percent
    }

    /** steer.json: {@code "units": "fraction"}; the BBQ scores (percent in the table and report) as fractions. */
    public static ObjectNode toJson(Steering s, List<Row> rows) {
        ObjectNode o = Units.fraction(Jsonl.MAPPER.createObjectNode());
        o.put("layer", s.layer());
        ArrayNode a = o.putArray("alphas");
        for (Row r : rows) {
            ObjectNode x = a.addObject();
            x.put("alpha", r.alpha()).put("items", r.outcome().resumed() + r.outcome().generated()).put("unparseable", r.outcome().unparseable());
            if (r.scores() != null) for (var e : metrics(r.scores()).entrySet()) x.set(e.getKey(), IntervalJson.SUMMARY.node(Units.toFraction(e.getValue())));
            else x.putNull("scores");
        }
        return o;
    }

    /** The report: the per-α table, bias/accuracy vs α, and the frontier (conditional bias vs coverage on ambiguous items). */
    public static String html(String title, Steering s, List<Row> rows) {
        List<Row> scored = rows.stream().filter(r -> r.scores() != null).toList();
        Table.Builder t = Table.builder("per-α BBQ scores (percent, 95% CI)", "alpha", "unparseable", "acc_ambig", "acc_disambig", "abstain_disambig", "commit_bias_ambig", "s_AMB", "s_DIS");
        for (Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(fmt(r.alpha()), String.valueOf(r.outcome().unparseable())));
            if (r.scores() == null) for (int i = 0; i < 6; i++) cells.add("n/a");
            else for (Interval iv : metrics(r.scores()).values()) cells.add(cell(iv));
            t.row(cells);
        }
        HtmlReport rep = new HtmlReport(title).subtitle("α·v added after decoder layer " + s.layer() + " at every position; generative BBQ per α")
                .table(t.build());
        int n = scored.size();
        if (n > 0) {
            double[] al = new double[n], sa = new double[n], sd = new double[n], acA = new double[n], acD = new double[n], cov = new double[n], cb = new double[n];
            for (int i = 0; i < n; i++) {
                BbqScores b = scored.get(i).scores();
                al[i] = scored.get(i).alpha();
                sa[i] = b.sAmb().value();
                sd[i] = b.sDis().value();
                acA[i] = b.accAmbig().value();
                acD[i] = b.accDisambig().value();
                cov[i] = 100 - b.accAmbig().value();
                cb[i] = b.commitBiasAmbig().value();
            }
            rep.charts(new LineChart("Bias and accuracy vs α", "α", "percent").series(new Series("s_AMB", al, sa)).series(new Series("s_DIS", al, sd))
                            .series(new Series("acc_ambig", al, acA)).series(new Series("acc_disambig", al, acD)).svg(),
                    new ScatterChart("Frontier: conditional bias vs coverage (ambiguous items)", "coverage = commit rate on ambiguous items (%)",
                            "commit_bias_ambig (%)").points(new Series("α", cov, cb)).curve(new Series("sweep", cov, cb)).svg());
        } else {
            rep.note("no α produced a parseable reply: nothing to plot");
        }
        return rep.render();
    }
}
