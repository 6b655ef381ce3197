package dev.tare.cli.bbq;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Jsonl;
import dev.tare.metrics.Units;
import dev.tare.metrics.bbq.BbqAudit;
import dev.tare.metrics.bbq.BbqScores;
import dev.tare.metrics.stats.Interval;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.options.JsonFileOption;
import dev.tare.cli.options.JsonOption;
import dev.tare.cli.options.SeedOption;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** `tare bbq score`: BBQ accuracy and bias scores of one model's predictions, per category and overall. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score BBQ predictions: acc_ambig, acc_disambig, abstain_disambig, commit_bias_ambig, s_dis, s_amb",
                "(percent, 95%% bootstrap intervals), per category and all items pooled ('overall'). --json / --out: fractions."})
public final class BbqScoreCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "BBQ data dir with <Category>.jsonl (e.g. ../shared/data/bbq/data). "
            + "Optional when every prediction row carries the item fields.")
    Path data;

    @Option(names = "--predictions", required = true, paramLabel = "FILE", description = "Predictions jsonl (or a dir of them) with category, example_id and the prediction field.")
    Path predictions;

    @Option(names = "--prediction-field", required = true, paramLabel = "NAME", description = "Field holding the prediction, e.g. unifiedqa-t5-11b_pred_race.")
    String field;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|letter",
            description = "text: free text matched as the BBQ authors do; letter: A/B/C. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--question-only", description = "The predictions were made from the question alone (no context): drop the "
            + "disambiguated rows, as the BBQ authors' analysis does. Implied by a field name ending in _qonly (the authors' naming).")
    boolean questionOnly;

    @Mixin JsonOption json;
    @Mixin JsonFileOption out;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;

    @Override public Integer call() {
        BbqAudit.Format fmt = switch (format.toLowerCase(Locale.ROOT)) {
            case "text" -> BbqAudit.Format.TEXT;
            case "letter" -> BbqAudit.Format.LETTER;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--format must be 'text' or 'letter', got '" + format + "'");
        };
        BbqAudit.Result r = BbqAudit.run(data, predictions, field, fmt, questionOnly || BbqAudit.isQuestionOnlyField(field),
                bootstrap.with(seed.seed()));
        ObjectNode root = toJson(r);
        String text = root.toPrettyString();
        out.write(text);
        PrintWriter w = spec.commandLine().getOut();
        if (json.json()) w.println(text);
        else printTable(w, r);
        w.flush();
        return 0;
    }

    /**
     * The JSON shape other tooling relies on: {units: "fraction", category: {acc_ambig, ..., s_amb, ci95: {...}, n_ambig,
     * n_disambig}, overall: {...}}. Accuracies and rates are fractions in [0, 1], the bias scores (s_dis, s_amb,
     * acc_gap_disambig) fractions in [-1, 1] ({@link Units}); the table shows percent as the BBQ paper does. Every
     * object but {@code units} is a category or {@code overall}.
     */
    public static ObjectNode toJson(BbqAudit.Result r) {
        ObjectNode root = Units.fraction(Jsonl.MAPPER.createObjectNode());
        for (var e : r.categories().entrySet()) root.set(e.getKey(), scores(e.getValue()));
        ObjectNode overall = scores(r.overall());
        overall.put("predictions", r.predictions());
        overall.put("unmatched", r.unmatched());
        overall.put("no_target", r.noTarget());
        overall.put("items_from_prediction_rows", r.itemsFromPredictionRows());
        overall.put("question_only", r.questionOnly());
        if (r.questionOnly()) overall.put("question_only_dropped_disambig", r.questionOnlyDropped());
        root.set("overall", overall);
        return root;
    }

    private static ObjectNode scores(BbqScores s) {
        ObjectNode o = Jsonl.MAPPER.createObjectNode();
        Map<String, Interval> m = metrics(s);
        ObjectNode ci = Jsonl.MAPPER.createObjectNode();
        for (var e : m.entrySet()) {
            num(o, e.getKey(), e.getValue().value());
            ArrayNode a = ci.putArray(e.getKey());
            for (double x : new double[]{e.getValue().lo(), e.getValue().hi()})
                if (Double.isNaN(x)) a.addNull(); else a.add(Units.toFraction(x));   // BbqScores are percent
        }
        o.set("ci95", ci);
        o.put("n_ambig", s.nAmbig());
        o.put("n_disambig", s.nDisambig());
        return o;
    }

    private static void num(ObjectNode o, String k, double v) {
        if (Double.isNaN(v)) o.putNull(k); else o.put(k, Units.toFraction(v));   // BbqScores are percent
    }

    private static Map<String, Interval> metrics(BbqScores s) {
        Map<String, Interval> m = new LinkedHashMap<>();
        m.put("acc_ambig", s.accAmbig());
        m.put("acc_disambig", s.accDisambig());
        m.put("abstain_disambig", s.abstainDisambig());
        m.put("commit_bias_ambig", s.commitBiasAmbig());
        m.put("s_dis", s.sDis());
        m.put("s_amb", s.sAmb());
        m.put("acc_gap_disambig", s.accGapDisambig());
        return m;
    }

    public static void printTable(PrintWriter w, BbqAudit.Result r) {
        w.printf("%-22s %6s %6s %8s %8s %8s %11s %7s %22s%n", "category", "n_amb", "n_dis", "acc_amb", "acc_dis",
                "abst_dis", "commit_bias", "s_dis", "s_amb [95% CI]");
        for (var e : r.categories().entrySet()) row(w, e.getKey(), e.getValue());
        row(w, "overall", r.overall());
        w.printf("%d predictions; %d unmatched (dropped); %d items without a determinable target (dropped)%n",
                r.predictions(), r.unmatched(), r.noTarget());
        if (r.questionOnly())
            w.printf("question-only predictions (no context): %d disambiguated rows dropped, as the BBQ authors' analysis does; "
                    + "only the ambiguous-context scores are defined (n/a above)%n", r.questionOnlyDropped());
        w.println("percent; s_amb = (1 - acc_amb) * commit_bias; s_dis = commit bias on disambiguated items");
    }

    private static void row(PrintWriter w, String name, BbqScores s) {
        w.printf("%-22s %6d %6d %8s %8s %8s %11s %7s %7s [%5s, %5s]%n", name, s.nAmbig(), s.nDisambig(),
                f1(s.accAmbig().value()), f1(s.accDisambig().value()), f1(s.abstainDisambig().value()), f1(s.commitBiasAmbig().value()),
                f1(s.sDis().value()), f1(s.sAmb().value()), f1(s.sAmb().lo()), f1(s.sAmb().hi()));
    }

    /** One decimal, or "n/a" for an undefined value (e.g. disambiguated scores of question-only predictions). */
    private static String f1(double v) { return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v); }
}
