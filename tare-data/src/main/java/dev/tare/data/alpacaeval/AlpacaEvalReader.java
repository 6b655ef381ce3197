package dev.tare.data.alpacaeval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.pairs.RowFields;
import dev.tare.data.pairs.RowSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict readers of AlpacaEval results as tatsu-lab/alpaca_eval publishes them: {@code results/<model>/model_outputs.json},
 * the judge's {@code annotations.json} (directly in the model's folder or in an annotator sub-folder such as
 * {@code weighted_alpaca_eval_gpt4_turbo/}), the leaderboard CSV and the length-controlled GLM weights CSV. Every problem
 * is a {@link DataFormatException} naming the file, the row and the field.
 */
public final class AlpacaEvalReader {
    /** The annotator sub-folder AlpacaEval 2 writes its judge's annotations to. */
    public static final String DEFAULT_ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo";
    /** The leaderboard CSV's header, in order (the first column, the model name, has an empty header). */
    static final List<String> LEADERBOARD_HEADER = List.of("", "win_rate", "standard_error", "n_wins", "n_wins_base",
            "n_draws", "n_total", "discrete_win_rate", "mode", "avg_length", "length_controlled_winrate", "lc_standard_error");
    /** The GLM weights CSV's header, in order. */
    static final List<String> WEIGHTS_HEADER = List.of("", "np.tanh(std_delta_len)", "instruction_difficulty",
            "not_gamed_baseline.astype(float)");

    private AlpacaEvalReader() {}

    /**
     * The annotations of one model: all rows must name the same baseline ({@code generator_1}), model
     * ({@code generator_2}) and annotator, and no instruction may repeat.
     */
    public static List<AlpacaAnnotation> readAnnotations(Path file) {
        List<AlpacaAnnotation> out = new ArrayList<>();
        Map<String, Long> seen = new java.util.HashMap<>();
        AlpacaAnnotation first = null;
        for (RowSource.Row r : RowSource.read(file)) {
            String instruction = RowFields.text(r, "instruction");
            AlpacaAnnotation a = new AlpacaAnnotation(instruction, RowFields.text(r, "dataset"),
                    RowFields.text(r, "output_1"), RowFields.text(r, "generator_1"), RowFields.text(r, "output_2"),
                    RowFields.text(r, "generator_2"), RowFields.text(r, "annotator"), preference(r));
            Long prev = seen.put(instruction, r.number());
            if (prev != null) throw r.error("instruction", "repeated, first at row " + prev);
            if (first == null) first = a;
            else {
                if (!a.generator1().equals(first.generator1()))
                    throw r.error("generator_1", "'" + a.generator1() + "' differs from row 1's '" + first.generator1() + "' (one baseline per file)");
                if (!a.generator2().equals(first.generator2()))
                    throw r.error("generator_2", "'" + a.generator2() + "' differs from row 1's '" + first.generator2() + "' (one model per file)");
                if (!a.annotator().equals(first.annotator()))
                    throw r.error("annotator", "'" + a.annotator() + "' differs from row 1's '" + first.annotator() + "' (one judge per file)");
            }
            out.add(a);
        }
        if (out.isEmpty()) throw new DataFormatException(file, 0, null, "no annotations");
        return List.copyOf(out);
    }

    /** AlpacaEval's preference: a number in [1, 2], 0 (legacy draw, read as 1.5) or null (no judgment, NaN). */
    private static double preference(RowSource.Row r) {
        JsonNode v = r.node().get("preference");
        if (v == null) throw r.error("preference", "missing");
        if (v.isNull()) return Double.NaN;
        double p;
        if (v.isNumber()) p = v.asDouble();
        else throw r.error("preference", "expected a number or null, got " + v.getNodeType());
        if (p == 0) return 1.5;
        if (!(p >= 1 && p <= 2)) throw r.error("preference", p + " is outside AlpacaEval's [1, 2] (1 = baseline wins, 2 = model wins)");
        return p;
    }

    /** A model's outputs: one generator per file, no repeated instruction. */
    public static List<AlpacaModelOutput> readModelOutputs(Path file) {
        List<AlpacaModelOutput> out = new ArrayList<>();
        Map<String, Long> seen = new java.util.HashMap<>();
        for (RowSource.Row r : RowSource.read(file)) {
            AlpacaModelOutput o = new AlpacaModelOutput(RowFields.text(r, "instruction"), RowFields.text(r, "dataset"),
                    RowFields.text(r, "output"), RowFields.text(r, "generator"));
            Long prev = seen.put(o.instruction(), r.number());
            if (prev != null) throw r.error("instruction", "repeated, first at row " + prev);
            if (!out.isEmpty() && !o.generator().equals(out.getFirst().generator()))
                throw r.error("generator", "'" + o.generator() + "' differs from row 1's '" + out.getFirst().generator() + "' (one model per file)");
            out.add(o);
        }
        if (out.isEmpty()) throw new DataFormatException(file, 0, null, "no model outputs");
        return List.copyOf(out);
    }

    /**
     * The annotations file of a results folder: {@code DIR/annotations.json}, else
     * {@code DIR/weighted_alpaca_eval_gpt4_turbo/annotations.json}, else the only {@code DIR/<annotator>/annotations.json}.
     */
    public static Path annotationsOf(Path dir) {
        if (Files.isRegularFile(dir) && dir.getFileName().toString().endsWith(".json")) return dir;
        Path direct = dir.resolve("annotations.json");
        if (Files.isRegularFile(direct)) return direct;
        Path dflt = dir.resolve(DEFAULT_ANNOTATOR).resolve("annotations.json");
        if (Files.isRegularFile(dflt)) return dflt;
        if (!Files.isDirectory(dir)) throw new UncheckedIOException(new java.io.FileNotFoundException("no such results folder: " + dir));
        List<Path> found = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path sub : s.sorted().toList()) if (Files.isRegularFile(sub.resolve("annotations.json"))) found.add(sub.resolve("annotations.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (found.size() == 1) return found.getFirst();
        throw new IllegalArgumentException(dir + ": " + (found.isEmpty() ? "no annotations.json (looked in the folder and its annotator sub-folders)"
                : "several annotator folders " + found + "; name one"));
    }

    /** An AlpacaEval leaderboard CSV, model name to row, in file order; no model may repeat. */
    public static Map<String, AlpacaLeaderboardRow> readLeaderboard(Path file) {
        Map<String, AlpacaLeaderboardRow> out = new LinkedHashMap<>();
        List<String[]> rows = csv(file, LEADERBOARD_HEADER);
        for (int i = 0; i < rows.size(); i++) {
            String[] c = rows.get(i);
            long line = i + 2;
            String model = c[0];
            if (model.isEmpty()) throw new DataFormatException(file, line, "(model)", "empty model name");
            AlpacaLeaderboardRow row = new AlpacaLeaderboardRow(model, num(file, line, "win_rate", c[1], false),
                    num(file, line, "standard_error", c[2], false), count(file, line, "n_wins", c[3]),
                    count(file, line, "n_wins_base", c[4]), count(file, line, "n_draws", c[5]), count(file, line, "n_total", c[6]),
                    num(file, line, "discrete_win_rate", c[7], false), c[8], count(file, line, "avg_length", c[9]),
                    num(file, line, "length_controlled_winrate", c[10], true), num(file, line, "lc_standard_error", c[11], true));
            if (out.put(model, row) != null) throw new DataFormatException(file, line, "(model)", "model '" + model + "' repeated");
        }
        return out;
    }

    /**
     * The length-controlled GLM weights CSV, model name to weights. AlpacaEval appends a model's row again when it refits
     * it (and keeps the last row); a repeated model is accepted only with identical coefficients.
     */
    public static Map<String, AlpacaGlmWeights> readGlmWeights(Path file) {
        Map<String, AlpacaGlmWeights> out = new LinkedHashMap<>();
        List<String[]> rows = csv(file, WEIGHTS_HEADER);
        for (int i = 0; i < rows.size(); i++) {
            String[] c = rows.get(i);
            long line = i + 2;
            if (c[0].isEmpty()) throw new DataFormatException(file, line, "(model)", "empty model name");
            AlpacaGlmWeights w = new AlpacaGlmWeights(c[0], num(file, line, WEIGHTS_HEADER.get(1), c[1], false),
                    num(file, line, WEIGHTS_HEADER.get(2), c[2], false), num(file, line, WEIGHTS_HEADER.get(3), c[3], false));
            AlpacaGlmWeights prev = out.put(w.name(), w);
            if (prev != null && !prev.equals(w))
                throw new DataFormatException(file, line, "(model)", "model '" + w.name() + "' repeated with different coefficients");
        }
        return out;
    }

    /** The data rows of a plain comma-separated file (no quoting: AlpacaEval's CSVs have none) with the given header. */
    private static List<String[]> csv(Path file, List<String> header) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) throw new DataFormatException(file, 1, null, "empty file (expected the header " + header + ")");
        List<String> got = Arrays.asList(lines.getFirst().split(",", -1));
        if (!got.equals(header)) throw new DataFormatException(file, 1, null, "header " + got + " is not " + header);
        List<String[]> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String s = lines.get(i);
            if (s.isEmpty() && i == lines.size() - 1) break;
            if (s.indexOf('"') >= 0) throw new DataFormatException(file, i + 1, null, "quoted fields are not supported in this CSV");
            String[] c = s.split(",", -1);
            if (c.length != header.size())
                throw new DataFormatException(file, i + 1, null, c.length + " fields, expected " + header.size());
            out.add(c);
        }
        if (out.isEmpty()) throw new DataFormatException(file, 2, null, "no data rows");
        return out;
    }

    private static double num(Path file, long line, String field, String s, boolean optional) {
        if (s.isEmpty()) {
            if (optional) return Double.NaN;
            throw new DataFormatException(file, line, field, "missing");
        }
        try {
            double v = Double.parseDouble(s);
            if (!Double.isFinite(v)) throw new DataFormatException(file, line, field, "'" + s + "' is not finite");
            return v;
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, line, field, "'" + s + "' is not a number");
        }
    }

    private static int count(Path file, long line, String field, String s) {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) throw new DataFormatException(file, line, field, "negative count " + v);
            return v;
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, line, field, "'" + s + "' is not a whole number");
        }
    }
}
