package dev.tare.data.hub;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Where and how the hub is reached, read from the environment as huggingface_hub reads it: {@code HF_ENDPOINT}
 * (default {@code https://huggingface.co}), the cache {@code HF_HUB_CACHE} (default {@code $HF_HOME/hub}, with
 * {@code HF_HOME} defaulting to {@code $XDG_CACHE_HOME/huggingface} or {@code ~/.cache/huggingface}),
 * {@code HF_HUB_OFFLINE} (1/ON/YES/TRUE: the cache only), the token {@code HF_TOKEN} (else the file
 * {@code HF_TOKEN_PATH}, default {@code $HF_HOME/token}, as {@code hf auth login} writes it). {@code timeout} bounds
 * connecting, waiting for a response and any stall of a download's body; {@code retries} are the further attempts
 * after a dropped connection or a 5xx/429 (each resumed where the last stopped). Progress goes to {@code progress} (null: none; {@code TARE_PROGRESS=0} turns it off).
 */
public record HubConfig(URI endpoint, Path cache, boolean offline, String token, Duration timeout, int retries,
                        PrintStream progress) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

    public HubConfig {
        String e = endpoint.toString();
        if (e.endsWith("/")) endpoint = URI.create(e.substring(0, e.length() - 1));
        if (token != null && token.isBlank()) token = null;
        if (retries < 0) throw new IllegalArgumentException("retries must be ≥ 0");
    }

    /** The configuration the process environment gives. */
    public static HubConfig fromEnv() {
        return fromEnv(System::getenv, "0".equals(System.getenv("TARE_PROGRESS")) ? null : System.err);
    }

    /** The configuration {@code env} gives (tests pass their own map); progress to {@code progress}. */
    /** The configuration these variables give, with progress on stderr unless TARE_PROGRESS=0. */
    public static HubConfig fromEnv(Function<String, String> env) {
        return fromEnv(env, "0".equals(env.apply("TARE_PROGRESS")) ? null : System.err);
    }

    public static HubConfig fromEnv(Function<String, String> env, PrintStream progress) {
        Path home = hfHome(env);
        String cache = env.apply("HF_HUB_CACHE");
        if (cache == null || cache.isBlank()) cache = env.apply("HUGGINGFACE_HUB_CACHE");
        Path cacheDir = cache != null && !cache.isBlank() ? expand(cache) : home.resolve("hub");
        String endpoint = env.apply("HF_ENDPOINT");
        String offline = env.apply("HF_HUB_OFFLINE");
        String token = env.apply("HF_TOKEN");
        if (token == null || token.isBlank()) token = env.apply("HUGGING_FACE_HUB_TOKEN");
        if (token == null || token.isBlank()) {
            String tp = env.apply("HF_TOKEN_PATH");
            Path tokenFile = tp != null && !tp.isBlank() ? expand(tp) : home.resolve("token");
            try {
                if (Files.isRegularFile(tokenFile)) token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException ignored) {
                token = null; // an unreadable token file is the same as none: public repos still work
            }
        }
        Duration timeout = Duration.ofSeconds(seconds(env.apply("HF_HUB_DOWNLOAD_TIMEOUT"), 30));
        return new HubConfig(URI.create(endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.strip()),
                cacheDir, offline != null && TRUE.contains(offline.strip().toUpperCase(Locale.ROOT)), token, timeout, 5, progress);
    }

    /** This configuration with another endpoint (a test's loopback hub). */
    public HubConfig withEndpoint(URI e) { return new HubConfig(e, cache, offline, token, timeout, retries, progress); }

    private static Path hfHome(Function<String, String> env) {
        String h = env.apply("HF_HOME");
        if (h != null && !h.isBlank()) return expand(h);
        String xdg = env.apply("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return expand(xdg).resolve("huggingface");
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface");
    }

    private static Path expand(String p) {
        String s = p.strip();
        if (s.equals("~") || s.startsWith("~/")) s = System.getProperty("user.home") + s.substring(1);
        return Path.of(s);
    }

    private static long seconds(String v, long dflt) {
        if (v == null || v.isBlank()) return dflt;
        try {
            long s = Math.round(Double.parseDouble(v.strip()));
            if (s <= 0) throw new NumberFormatException();
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("HF_HUB_DOWNLOAD_TIMEOUT=" + v + ": expected a positive number of seconds");
        }
    }
}
