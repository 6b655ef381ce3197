package dev.tare.report.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;
import dev.tare.metrics.Units;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON summaries tare's commands write into leaderboard entries, every score converted to percent:
 * {@code tare eval}'s summary.json (score and calibrated score, length Spearman ρ, longer-wins rate, markdown ρ),
 * {@code tare metrics --out} (RewardBench / RM-Bench score), {@code tare judgebench score --out} (overall and position
 * consistency), {@code tare bbq score --out} (pooled accuracy on ambiguous and disambiguated items and the bias score
 * s_amb) and {@code tare alpacaeval --out} (one entry per model: win rate and LC with ±1.96·SE intervals).
 * <p>
 * The unit is read from the file's {@code units} field ({@link Units}): {@code "fraction"} (every summary tare writes
 * now, but alpacaeval's) is multiplied by 100, {@code "percent"} (alpacaeval's) is taken as is; any other value is a
 * {@link DataFormatException}. Older files without {@code units} are still read by the rule of the tare that wrote them,
 * per kind: eval and metrics summaries in fractions, judgebench score and bbq score JSON in percent (alpacaeval's
 * always carried {@code "units": "percent"}). Correlations are not scaled. Any other JSON is a
 * {@link DataFormatException} naming the file.
 */
public final class RunSummaries {
    /** One run's values: the run (model) name, the file it came from, and its cells by column. */
    public record Entry(String run, Path file, Map<Column, Cell> cells) {}

    private static final ObjectMapper M = Jsonl.MAPPER;

    private RunSummaries() {}

    /** The entries of one summary file. */
    public static List<Entry> read(Path file) {
        JsonNode j;
        try {
            j = M.readTree(Files.readString(file));
        } catch (IOException e) {
            if (e instanceof com.fasterxml.jackson.core.JsonProcessingException)
                throw new DataFormatException(file, 0, null, "malformed JSON: " + e.getMessage(), e);
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (j == null || !j.isObject()) throw new DataFormatException(file, 0, null, "expected a JSON object (a tare summary)");
        if (j.has("scorer") && j.has("scores") && j.has("bias")) return List.of(eval(file, j, toPercent(file, j, 100)));
        if (j.has("benchmark") && j.has("results_files") && j.has("score")) return List.of(metrics(file, j, toPercent(file, j, 100)));
        if (j.has("protocol") && j.has("judge_model") && j.has("overall")) return List.of(judgeBench(file, j, toPercent(file, j, 1)));
        if (j.has("overall") && j.path("overall").has("acc_ambig")) return List.of(bbq(file, j, toPercent(file, j, 1)));
        if (j.has("models") && j.hasNonNull(Units.FIELD) && j.path("models").path(0).has("win_rate")) return alpacaEval(file, j, toPercent(file, j, 1));
        throw new DataFormatException(file, 0, null, "not a summary tare compare knows (tare eval summary.json, or the --out JSON of "
                + "tare metrics, judgebench score, bbq score, alpacaeval)");
    }

    /**
     * The factor that turns the file's scores into percent: 100 for {@code "units": "fraction"}, 1 for {@code "percent"},
     * {@code legacy} (the kind's unit before files said so) when the file has no {@code units} field.
     */
    static double toPercent(Path file, JsonNode j, double legacy) {
        JsonNode u = j.get(Units.FIELD);
        if (u == null || u.isNull()) return legacy;
        if (Units.FRACTION.equals(u.asText())) return 100;
        if (Units.PERCENT.equals(u.asText())) return 1;
        throw new DataFormatException(file, 0, Units.FIELD, "expected \"" + Units.FRACTION + "\" or \"" + Units.PERCENT + "\", got " + u);
    }

    private static Entry eval(Path file, JsonNode j, double k) {
        String b = text(file, j, "benchmark");
        Map<Column, Cell> c = new LinkedHashMap<>();
        c.put(Column.percent(b), interval(file, j.path("scores"), "score").times(k));
        c.put(Column.percent(b + " calibrated"), interval(file, j.path("calibrated_scores"), "score").times(k));
        JsonNode bias = j.path("bias");
        if (bias.has("chars")) c.put(Column.correlation(b + " length ρ"), interval(file, bias.path("chars"), "spearman"));
        if (bias.has("longer_wins")) c.put(Column.biasPercent(b + " longer wins"), interval(file, bias.path("longer_wins"), "rate").times(k));
        if (bias.has("markdown")) c.put(Column.correlation(b + " markdown ρ"), interval(file, bias.path("markdown"), "spearman"));
        return new Entry(runName(file, j.path("model")), file, c);
    }

    private static Entry metrics(Path file, JsonNode j, double k) {
        Map<Column, Cell> c = new LinkedHashMap<>();
        c.put(Column.percent(text(file, j, "benchmark")), interval(file, j, "score").times(k));
        return new Entry(runName(file, j.path("model")), file, c);
    }

    private static Entry judgeBench(Path file, JsonNode j, double k) {
        Map<Column, Cell> c = new LinkedHashMap<>();
        c.put(Column.percent("JudgeBench"), pair(file, j, "overall").times(k));
        if (j.has("position_consistency")) c.put(Column.biasPercent("JudgeBench position consistency"), pair(file, j, "position_consistency").times(k));
        String name = text(file, j, "judge_model") + (j.hasNonNull("judge_name") ? " (" + j.get("judge_name").asText() + ")" : "");
        return new Entry(name, file, c);
    }

    private static Entry bbq(Path file, JsonNode j, double k) {
        JsonNode o = j.path("overall");
        Map<Column, Cell> c = new LinkedHashMap<>();
        c.put(Column.percent("BBQ acc ambig"), pair(file, o, "acc_ambig").times(k));
        c.put(Column.percent("BBQ acc disambig"), pair(file, o, "acc_disambig").times(k));
        c.put(Column.biasPercent("BBQ s_amb"), pair(file, o, "s_amb").times(k));
        return new Entry(runName(file, j.path("model")), file, c);
    }

    private static List<Entry> alpacaEval(Path file, JsonNode j, double k) {
        List<Entry> out = new ArrayList<>();
        for (JsonNode m : j.get("models")) {
            Map<Column, Cell> c = new LinkedHashMap<>();
            c.put(Column.percent("AlpacaEval win rate"), bySe(file, m, "win_rate", "standard_error").times(k));
            if (m.hasNonNull("lc_win_rate")) c.put(Column.percent("AlpacaEval LC"), bySe(file, m, "lc_win_rate", "lc_standard_error").times(k));
            out.add(new Entry(text(file, m, "model"), file, c));
        }
        return out;
    }

    /** value ± 1.96 · se. */
    private static Cell bySe(Path file, JsonNode o, String value, String se) {
        double v = number(file, o, value), s = number(file, o, se);
        return new Cell(v, v - 1.96 * s, v + 1.96 * s);
    }

    /** A number with its interval from the sibling {@code ci95: {name: [lo, hi]}} (no interval when absent). */
    private static Cell pair(Path file, JsonNode o, String name) {
        double v = number(file, o, name);
        JsonNode ci = o.path("ci95").path(name);
        if (ci.isArray() && ci.size() == 2 && ci.get(0).isNumber() && ci.get(1).isNumber()) return new Cell(v, ci.get(0).asDouble(), ci.get(1).asDouble());
        return Cell.of(v);
    }

    /** An {@code {value, lo, hi}} object (IntervalJson), or a bare number; null values read as NaN. */
    private static Cell interval(Path file, JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null) throw new DataFormatException(file, 0, field, "missing");
        if (v.isNull()) return Cell.of(Double.NaN);
        if (v.isNumber()) return Cell.of(v.asDouble());
        if (!v.isObject() || !v.has("value")) throw new DataFormatException(file, 0, field, "expected a number or {value, lo, hi}");
        return new Cell(num(v.get("value")), num(v.get("lo")), num(v.get("hi")));
    }

    private static double num(JsonNode v) { return v == null || !v.isNumber() ? Double.NaN : v.asDouble(); }

    private static double number(Path file, JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isNumber()) throw new DataFormatException(file, 0, field, v == null ? "missing" : "expected a number");
        return v.asDouble();
    }

    private static String text(Path file, JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new DataFormatException(file, 0, field, v == null ? "missing" : "expected a string");
        return v.asText();
    }

    /** The summary's model name, else the file name without .json (summary.json: its folder's name). */
    private static String runName(Path file, JsonNode model) {
        if (model != null && model.isTextual() && !model.asText().isBlank()) return model.asText();
        String n = file.getFileName().toString();
        if (n.equals("summary.json") && file.toAbsolutePath().getParent() != null) return file.toAbsolutePath().getParent().getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }
}
