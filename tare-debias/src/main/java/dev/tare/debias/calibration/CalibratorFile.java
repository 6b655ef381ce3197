package dev.tare.debias.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.data.DataFormatException;
import dev.tare.runtime.text.HfTokenizer;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * JSON file of a fitted calibration chain (steps applied in order), written atomically:
 * {@code {"format":"tare-calibrator","version":1,"steps":[{"method":"lwr","feature":"chars","alpha":1.0,
 * "coefficient":0.0,"params":{...},"points":[[x,b],...]}]}}, plus {@code "tokenizer":{"path":DIR,"sha256":HEX}} when a
 * {@code tokens} step was fitted with a real tokenizer (absent: the tokenizer-free approximate count).
 */
public final class CalibratorFile {
    public static final String FORMAT = "tare-calibrator";
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private CalibratorFile() {}

    /** Applies each step in order to one response: features by name. */
    public static double apply(List<Calibrator> steps, Map<String, Double> features, double score) {
        double s = score;
        for (Calibrator c : steps) {
            Double v = features.get(c.feature());
            if (v == null) throw new IllegalArgumentException("calibrator needs feature '" + c.feature() + "'");
            s = c.apply(v, s);
        }
        return s;
    }

    /** The repo's {@code tokenizer.encode(s, max_length=8192)} truncation of the tokens feature. */
    public static final int MAX_TOKENS = 8192;

    /** The tokenizer a {@code tokens} step was fitted with: its folder and the SHA-256 (hex) of its tokenizer.json. */
    public record TokenizerRef(String path, String sha256) {
        /** Hashes {@code dir/tokenizer.json}. */
        public static TokenizerRef of(Path dir) {
            Path json = dir.resolve("tokenizer.json");
            return new TokenizerRef(dir.toAbsolutePath().normalize().toString(), CalibratorFile.sha256(json));
        }
    }

    /** A calibrator file's steps and, when a tokens step was fitted with a real tokenizer, that tokenizer. */
    public record Loaded(List<Calibrator> steps, TokenizerRef tokenizer) {
        public boolean usesTokens() { return steps.stream().anyMatch(c -> c.feature().equalsIgnoreCase("tokens")); }
    }

    public static ObjectNode toJson(List<Calibrator> steps) { return toJson(steps, null); }

    /** {@code tokenizer} (may be null: the approximate count) is recorded only when a step uses the tokens feature. */
    public static ObjectNode toJson(List<Calibrator> steps, TokenizerRef tokenizer) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        if (tokenizer != null && new Loaded(steps, null).usesTokens()) {
            ObjectNode t = root.putObject("tokenizer");
            t.put("path", tokenizer.path());
            t.put("sha256", tokenizer.sha256());
        }
        ArrayNode arr = root.putArray("steps");
        for (Calibrator c : steps) {
            ObjectNode o = arr.addObject();
            o.put("method", c.method().cliName());
            o.put("feature", c.feature());
            o.put("alpha", c.alpha());
            o.put("coefficient", c.coefficient());
            o.set("params", MAPPER.valueToTree(c.params()));
            ArrayNode pts = o.putArray("points");
            for (int i = 0; i < c.xs().length; i++) pts.addArray().add(c.xs()[i]).add(c.bias()[i]);
        }
        return root;
    }

    public static void write(Path file, List<Calibrator> steps) { write(file, steps, null); }

    public static void write(Path file, List<Calibrator> steps, TokenizerRef tokenizer) {
        ObjectNode json = toJson(steps, tokenizer);
        String text;
        try {
            text = MAPPER.writeValueAsString(json) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        AtomicFiles.writeString(file, text);
    }

    /** Largest calibration strength |alpha| a file may hold (1 removes the fitted bias; a sweep may over-correct). */
    public static final double MAX_ALPHA = 100;
    /** Largest correction |alpha · b| a fitted point (or a penalty per feature unit) may give: far beyond any reward scale. */
    public static final double MAX_CORRECTION = 1e6;

    public static List<Calibrator> read(Path file) { return load(file).steps(); }

    /**
     * Opens the tokenizer a calibrator's tokens steps need, or null when none is needed (no tokens step, or the
     * steps were fitted with the approximate count). {@code given} overrides the recorded folder; either way its
     * tokenizer.json must have the recorded SHA-256. Errors name the calibrator file and field.
     */
    public static HfTokenizer tokenizerFor(Path file, Loaded cal, Path given) {
        if (!cal.usesTokens()) return null;
        TokenizerRef ref = cal.tokenizer();
        if (ref == null) {
            if (given != null) throw new DataFormatException(file, 0, "tokenizer", "no tokenizer recorded: the tokens steps were "
                    + "fitted with the approximate token count, not " + given + " (apply without a tokenizer, or refit with it)");
            return null;
        }
        Path dir = given != null ? given : Path.of(ref.path());
        if (!Files.isRegularFile(dir.resolve("tokenizer.json")))
            throw new DataFormatException(file, 0, "tokenizer.path", "the tokens steps were fitted with the tokenizer in " + ref.path()
                    + " (tokenizer.json sha256 " + ref.sha256() + "), but " + dir.resolve("tokenizer.json") + " does not exist; pass that tokenizer");
        String actual = sha256(dir.resolve("tokenizer.json"));
        if (!actual.equals(ref.sha256()))
            throw new DataFormatException(file, 0, "tokenizer.sha256", "the tokens steps were fitted with a tokenizer.json of sha256 "
                    + ref.sha256() + " (" + ref.path() + "), but " + dir.resolve("tokenizer.json") + " has sha256 " + actual);
        return HfTokenizer.load(dir);
    }

    /** The tokens feature with a real tokenizer: len(encode(text)) with special tokens, capped at {@link #MAX_TOKENS}. */
    public static ToIntFunction<String> tokenCount(HfTokenizer tok) {
        return t -> Math.min(tok.encode(t, true).length, MAX_TOKENS);
    }

    static String sha256(Path file) {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Loaded load(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DataFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), null, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new DataFormatException(file, 0, null, "expected a JSON object");
        if (!FORMAT.equals(root.path("format").asText(null)))
            throw new DataFormatException(file, 0, "format", "expected \"" + FORMAT + "\"");
        if (root.path("version").asInt(-1) != 1) throw new DataFormatException(file, 0, "version", "unsupported version " + root.get("version"));
        JsonNode steps = root.get("steps");
        if (steps == null || !steps.isArray() || steps.isEmpty()) throw new DataFormatException(file, 0, "steps", "expected a non-empty list");
        List<Calibrator> out = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            String at = "steps[" + k + "]";
            JsonNode o = steps.get(k);
            try {
                Method m = Method.parse(text(file, o, at + ".method"));
                String feature = text(file, o, at + ".feature");
                double alpha = num(file, o.get("alpha"), at + ".alpha");
                if (Math.abs(alpha) > MAX_ALPHA) {
                    throw new DataFormatException(file, 0, at + ".alpha", o.get("alpha").asText() + " is outside [-" + (int) MAX_ALPHA
                            + ", " + (int) MAX_ALPHA + "] (the calibration strength: 1 removes the fitted bias, 0 leaves the scores)");
                }
                double coef = num(file, o.get("coefficient"), at + ".coefficient");
                JsonNode pts = o.get("points");
                if (pts == null || !pts.isArray()) throw new DataFormatException(file, 0, at + ".points", "expected a list of [x, b]");
                double[] xs = new double[pts.size()], b = new double[pts.size()];
                for (int i = 0; i < pts.size(); i++) {
                    JsonNode p = pts.get(i);
                    String pf = at + ".points[" + i + "]";
                    if (!p.isArray() || p.size() != 2) throw new DataFormatException(file, 0, pf, "expected [x, b]");
                    xs[i] = num(file, p.get(0), pf);
                    b[i] = num(file, p.get(1), pf);
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> params = o.has("params") ? MAPPER.convertValue(o.get("params"), Map.class) : Map.of();
                Calibrator c = new Calibrator(m, feature, alpha, coef, xs, b, params);
                for (int i = 0; i < b.length; i++) {
                    if (!(Math.abs(alpha * b[i]) <= MAX_CORRECTION)) {
                        throw new DataFormatException(file, 0, at + ".points[" + i + "]", "alpha x bias = " + alpha * b[i]
                                + " is beyond ±" + MAX_CORRECTION + " (no reward scale needs such a correction: a damaged file?)");
                    }
                }
                if (m == Method.PENALTY && !(Math.abs(alpha * coef) <= MAX_CORRECTION)) {
                    throw new DataFormatException(file, 0, at + ".coefficient", "alpha x coefficient = " + alpha * coef
                            + " is beyond ±" + MAX_CORRECTION + " per unit of '" + feature + "' (a damaged file?)");
                }
                out.add(c);
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(file, 0, at, e.getMessage(), e);
            }
        }
        TokenizerRef tok = null;
        JsonNode t = root.get("tokenizer");
        if (t != null && !t.isNull()) {
            if (!t.isObject()) throw new DataFormatException(file, 0, "tokenizer", "expected {\"path\": ..., \"sha256\": ...}");
            JsonNode p = t.get("path"), h = t.get("sha256");
            if (p == null || !p.isTextual()) throw new DataFormatException(file, 0, "tokenizer.path", "expected a string");
            if (h == null || !h.isTextual() || !h.asText().matches("[0-9a-f]{64}"))
                throw new DataFormatException(file, 0, "tokenizer.sha256", "expected 64 lower-case hex digits");
            tok = new TokenizerRef(p.asText(), h.asText());
        }
        return new Loaded(List.copyOf(out), tok);
    }

    private static String text(Path file, JsonNode o, String field) {
        JsonNode v = o.get(field.substring(field.lastIndexOf('.') + 1));
        if (v == null || !v.isTextual()) throw new DataFormatException(file, 0, field, "expected a string");
        return v.asText();
    }

    private static double num(Path file, JsonNode v, String field) {
        if (v == null || !v.isNumber()) throw new DataFormatException(file, 0, field, "expected a number");
        double d = v.asDouble();
        if (!Double.isFinite(d)) throw new DataFormatException(file, 0, field, "not finite");
        return d;
    }
}
