package dev.tare.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;
import dev.tare.serve.api.Limits;
import dev.tare.serve.api.Protocols;
import dev.tare.serve.source.BbqLetterSource;
import dev.tare.serve.source.Gsm8kSource;
import dev.tare.serve.source.MissingLabel;
import dev.tare.serve.source.ModelSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A deployment config file (JSON) turned into a reward pipeline and server options. Example:
 * <pre>{"port": 8000, "token_env": "TARE_TOKEN",
 *  "sources": [{"type": "model", "scorer": "local:models/rm,adapter=adapters/style,lambda=-0.5",
 *               "calibrator": "calib.json", "weight": 1.0},
 *              {"type": "bbq_letter", "stereotype_penalty": 0.5, "unparseable": -0.1, "on_missing_label": "error"},
 *              {"type": "gsm8k", "weight": 1.0, "on_missing_label": "skip"}],
 *  "admission": {"mode": "queue", "max_wait_s": 120},
 *  "batch": {"max_items": 32, "max_wait_ms": 5, "queue_items": 4096, "workers": 1, "max_chars": 400000, "stuck_after_s": 170},
 *  "connections": {"read_timeout_s": 30, "max_connections": 1024},
 *  "limits": {"max_body_bytes": 16777216, "max_items": 1024, "max_item_chars": 200000}}</pre>
 * The scorer is a {@link ScorerSpec} ({@code local:} or {@code http:}, as {@code tare eval --scorer} takes them).
 * Relative paths (the local model and adapter folders, the calibrator file) resolve against the config file's folder.
 * {@code on_missing_label} (error | zero | skip, default skip) is each verifiable source's {@link MissingLabel} policy;
 * {@code admission} is the full-queue {@link Admission} policy (shed, the default, or queue with max_wait_s).
 */
public record Deployment(RewardPipeline pipeline, RewardServer.Options options) {
    private static final Set<String> TOP = Set.of("host", "port", "token_env", "sources", "batch", "limits", "admission", "connections");
    private static final Set<String> CONNECTIONS = Set.of("read_timeout_s", "max_connections");
    private static final Set<String> ADMISSION = Set.of("mode", "max_wait_s");
    private static final Set<String> BATCH = Set.of("max_items", "max_wait_ms", "queue_items", "workers", "max_chars", "stuck_after_s");
    private static final Set<String> LIMITS = Set.of("max_body_bytes", "max_items", "max_item_chars");
    private static final Map<String, Set<String>> SOURCE_KEYS = Map.of(
            "model", Set.of("type", "weight", "scorer", "calibrator"),
            "bbq_letter", Set.of("type", "weight", "stereotype_penalty", "unparseable", "on_missing_label"),
            "gsm8k", Set.of("type", "weight", "on_missing_label"));
    /** Upper bound of limits.max_body_bytes (1 GiB): bodies are read into memory. */
    public static final int MAX_BODY_BYTES = 1 << 30;

    /** Reads {@code file}; scorer token references and {@code token_env} are looked up in the process environment. */
    public static Deployment load(Path file) { return load(file, System::getenv); }

    /** Reads {@code file}, looking scorer token references and {@code token_env} up in {@code env}. */
    public static Deployment load(Path file, Function<String, String> env) {
        JsonNode root;
        try {
            root = Protocols.JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new DataFormatException(file, 0, null, "cannot read deployment config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new DataFormatException(file, 0, null, "expected a JSON object");
        Fields top = new Fields(file, "", root, TOP);
        Path base = file.toAbsolutePath().getParent();
        JsonNode sources = root.get("sources");
        if (sources == null || !sources.isArray() || sources.isEmpty())
            throw new DataFormatException(file, 0, "sources", "needs a non-empty list of reward sources");
        List<RewardPipeline.Weighted> ws = new ArrayList<>();
        List<ScoreCorrection> corrections = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            JsonNode s = sources.get(i);
            String where = "sources[" + i + "]";
            if (!s.isObject()) throw new DataFormatException(file, 0, where, "must be an object with a \"type\"");
            JsonNode typeNode = s.get("type");
            String type = typeNode != null && typeNode.isTextual() ? typeNode.asText() : null;
            if (type == null || !SOURCE_KEYS.containsKey(type))
                throw new DataFormatException(file, 0, where + ".type", "must be model, bbq_letter or gsm8k, got " + (typeNode == null ? "nothing" : typeNode));
            Fields src = new Fields(file, where + ".", s, SOURCE_KEYS.get(type));
            double weight = src.number("weight", 1.0, -1e6, 1e6);
            switch (type) {
                case "model" -> {
                    String spec = src.text("scorer", null);
                    if (spec == null) throw new DataFormatException(file, 0, where + ".scorer", "missing (e.g. \"local:DIR\" or \"http:URL\")");
                    if (ws.stream().anyMatch(w -> w.source() instanceof ModelSource))
                        throw new DataFormatException(file, 0, where, "only one model source per deployment");
                    RewardScorer scorer;
                    try {
                        scorer = ScorerSpec.parse(spec).resolvedAgainst(base).rewardScorer(env);
                    } catch (IllegalArgumentException | dev.tare.data.hub.HubException e) {
                        throw new DataFormatException(file, 0, where + ".scorer", e.getMessage(), e);
                    }
                    ws.add(new RewardPipeline.Weighted(new ModelSource(scorer), weight));
                    String calibrator = src.text("calibrator", null);
                    if (calibrator != null) corrections.add(CalibrationCorrection.load(base.resolve(calibrator)));
                }
                case "bbq_letter" -> ws.add(new RewardPipeline.Weighted(new BbqLetterSource(
                        src.number("stereotype_penalty", 0.0, 0, 1e6), src.number("unparseable", -0.1, -1e6, 1e6), src.missingLabel()), weight));
                case "gsm8k" -> ws.add(new RewardPipeline.Weighted(new Gsm8kSource(src.missingLabel()), weight));
                default -> throw new IllegalStateException(type);
            }
        }
        RewardServer.Options d = RewardServer.Options.defaults();
        Fields batch = top.section("batch", BATCH);
        Fields limits = top.section("limits", LIMITS);
        Fields conn = top.section("connections", CONNECTIONS);
        String tokenEnv = top.text("token_env", null);
        String token = tokenEnv == null ? null : env.apply(tokenEnv);
        if (tokenEnv != null && (token == null || token.isBlank()))
            throw new DataFormatException(file, 0, "token_env", "environment variable " + tokenEnv + " is not set");
        RewardServer.Options o = new RewardServer.Options(
                top.text("host", d.host()), top.integer("port", d.port(), 0, 65535),
                new Limits(limits.integer("max_body_bytes", d.limits().maxBodyBytes(), 1, MAX_BODY_BYTES),
                        limits.integer("max_items", d.limits().maxItems(), 1, 1_000_000),
                        limits.integer("max_item_chars", d.limits().maxItemChars(), 1, 100_000_000)),
                token, batch.integer("queue_items", d.queueCapacityItems(), 1, 10_000_000),
                batch.integer("max_items", d.maxBatchItems(), 1, 100_000),
                Duration.ofMillis(batch.integer("max_wait_ms", (int) d.maxWait().toMillis(), 0, 60_000)),
                batch.integer("workers", d.workers(), 1, 256), d.requestTimeout(), admission(top.section("admission", ADMISSION), d.requestTimeout()),
                Duration.ofSeconds(conn.integer("read_timeout_s", (int) d.readTimeout().toSeconds(), 1, 3600)),
                conn.integer("max_connections", d.maxConnections(), 1, 1_000_000),
                Duration.ofSeconds(batch.integer("stuck_after_s", (int) d.stuckAfter().toSeconds(), 1, 86_400)),
                batch.integer("max_chars", (int) d.maxBatchChars(), 1, 1_000_000_000));
        return new Deployment(new RewardPipeline(ws, corrections), o);
    }

    /** {"mode": "shed"} (default) or {"mode": "queue", "max_wait_s": N}, N below the request timeout (whole seconds). */
    private static Admission admission(Fields a, Duration requestTimeout) {
        String mode = a.text("mode", "shed");
        int maxSeconds = (int) requestTimeout.toSeconds() - 1;
        switch (mode) {
            case "shed" -> {
                if (a.node().has("max_wait_s")) throw a.bad("max_wait_s", "only applies to \"mode\": \"queue\"");
                return Admission.shed();
            }
            case "queue" -> {
                if (!a.node().has("max_wait_s")) throw a.bad("max_wait_s", "missing: how long a request may wait for room in a full queue "
                        + "(1.." + maxSeconds + " s; for OpenRLHF, whose client gives up after 180 s, e.g. 120)");
                return Admission.queue(Duration.ofSeconds(a.integer("max_wait_s", 0, 1, maxSeconds)));
            }
            default -> throw a.bad("mode", "must be \"shed\" (429 + Retry-After at once) or \"queue\" (hold up to max_wait_s), got \"" + mode + "\"");
        }
    }

    /** Typed, range-checked reads of one config object; unknown keys and wrong types are errors naming file and field. */
    private record Fields(Path file, String prefix, JsonNode node, Set<String> known) {
        Fields {
            node.fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) throw new DataFormatException(file, 0, prefix + k, "unknown setting (known: " + new TreeSet<>(known) + ")");
            });
        }

        /** A nested object (absent = all defaults). */
        Fields section(String key, Set<String> keys) {
            JsonNode v = node.get(key);
            if (v == null) return new Fields(file, prefix + key + ".", Protocols.JSON.createObjectNode(), keys);
            if (!v.isObject()) throw bad(key, "must be an object, got " + kind(v));
            return new Fields(file, prefix + key + ".", v, keys);
        }

        int integer(String key, int def, int min, int max) {
            JsonNode v = node.get(key);
            if (v == null) return def;
            if (!v.isIntegralNumber() || !v.canConvertToLong()) throw bad(key, "must be an integer, got " + kind(v));
            long x = v.asLong();
            if (x < min || x > max) throw bad(key, "must be in " + min + ".." + max + ", got " + v);
            return (int) x;
        }

        double number(String key, double def, double min, double max) {
            JsonNode v = node.get(key);
            if (v == null) return def;
            if (!v.isNumber()) throw bad(key, "must be a number, got " + kind(v));
            double x = v.asDouble();
            if (!Double.isFinite(x) || x < min || x > max) throw bad(key, "must be a finite number in " + min + ".." + max + ", got " + v);
            return x;
        }

        String text(String key, String def) {
            JsonNode v = node.get(key);
            if (v == null) return def;
            if (!v.isTextual() || v.asText().isBlank()) throw bad(key, "must be a non-empty string, got " + kind(v));
            return v.asText();
        }

        /** on_missing_label: "error", "zero" or "skip" (default {@link MissingLabel#DEFAULT}). */
        MissingLabel missingLabel() {
            String v = text("on_missing_label", MissingLabel.DEFAULT.configName());
            MissingLabel m = MissingLabel.parse(v);
            if (m == null) throw bad("on_missing_label", "must be \"error\", \"zero\" or \"skip\", got \"" + v + "\"");
            return m;
        }

        DataFormatException bad(String key, String problem) {
            return new DataFormatException(file, 0, prefix + key, problem);
        }

        private static String kind(JsonNode v) {
            return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + v;
        }
    }
}
