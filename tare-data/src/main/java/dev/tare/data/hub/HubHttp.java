package dev.tare.data.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The hub's HTTP file API as huggingface_hub calls it, with bounded connect/read timeouts, {@code Authorization:
 * Bearer} sent only to the endpoint's own host (not to a CDN it redirects to), and the hub's error answers
 * ({@code X-Error-Code}: GatedRepo, RepoNotFound, RevisionNotFound, EntryNotFound) turned into {@link HubException}s
 * that say what to do.
 */
final class HubHttp {
    private static final ObjectMapper M = new ObjectMapper();
    private final HubConfig config;

    HubHttp(HubConfig config) { this.config = config; }

    /** An answer: status, the headers that matter and (for GET) the open body stream, to be closed by the caller. */
    record Answer(int status, URI url, HttpURLConnection conn) implements AutoCloseable {
        String header(String name) { return conn.getHeaderField(name); }

        InputStream body() throws IOException { return status >= 400 ? conn.getErrorStream() : conn.getInputStream(); }

        @Override public void close() { conn.disconnect(); }
    }

    /** Opens one request (no redirect followed); {@code extra} are added headers. */
    Answer open(String method, URI url, Map<String, String> extra) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
        int ms = (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis());
        c.setConnectTimeout(ms);
        c.setReadTimeout(ms);
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(method);
        c.setRequestProperty("User-Agent", "tare; hf_hub-compatible");
        c.setRequestProperty("Accept-Encoding", "identity");
        if (config.token() != null && sameOrigin(url, config.endpoint()))
            c.setRequestProperty("Authorization", "Bearer " + config.token());
        extra.forEach(c::setRequestProperty);
        return new Answer(c.getResponseCode(), url, c);
    }

    /** {@code GET url} as JSON (the repo-info API), with the hub's errors turned into messages about {@code repo}. */
    JsonNode json(URI url, HubRepo repo) throws IOException {
        try (Answer a = open("GET", url, Map.of())) {
            if (a.status() != 200) throw error(a, repo, null);
            try (InputStream in = a.body()) {
                return M.readTree(in);
            }
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) { return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80; }

    /** Whether an answer is worth another try (server trouble or rate limiting). */
    static boolean transientStatus(int s) { return s == 408 || s == 429 || s >= 500; }

    /** The error for a non-success answer about {@code repo} (and {@code file}, when one was asked for). */
    HubException error(Answer a, HubRepo repo, String file) {
        String code = a.header("X-Error-Code");
        String msg = a.header("X-Error-Message");
        if (msg == null) msg = bodyMessage(a);
        String page = config.endpoint() + "/" + repo.urlPath();
        String said = msg == null || msg.isBlank() ? "" : " (the hub said: " + msg + ")";
        String what = file == null ? repo.toString() : repo + " file " + file;
        int s = a.status();
        if ("GatedRepo".equals(code)) {
            return new HubException(repo.id() + " is a gated repo: accept its license at " + page + " with your account, then "
                    + (config.token() == null ? "set HF_TOKEN to a token of that account" : "check that HF_TOKEN is a token of that account (the one set has no access)")
                    + said);
        }
        if ("RepoNotFound".equals(code) || (code == null && s == 404 && file == null)) {
            return new HubException("no such " + repo.kind() + " repo on " + config.endpoint() + ": " + repo.id()
                    + (config.token() == null ? " (or it is private: set HF_TOKEN)" : " (or HF_TOKEN has no access to it)") + said);
        }
        if ("RevisionNotFound".equals(code)) return new HubException(repo.id() + " has no revision '" + repo.revision() + "'" + said);
        if ("EntryNotFound".equals(code) || s == 404) return new HubException(what + ": no such file in the repo" + said);
        if (s == 401 || s == 403) {
            return new HubException(what + ": the hub refused access (HTTP " + s + "); "
                    + (config.token() == null ? "set HF_TOKEN to a token with read access" : "HF_TOKEN was sent and refused") + said);
        }
        return new HubException(what + ": HTTP " + s + " from " + a.url() + said);
    }

    private static String bodyMessage(Answer a) {
        try (InputStream in = a.body()) {
            if (in == null) return null;
            String b = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
            try {
                JsonNode n = M.readTree(b);
                if (n != null && n.hasNonNull("error")) return n.get("error").asText();
            } catch (IOException notJson) {
                // a plain-text body is shown as it is
            }
            return b.isEmpty() ? null : b;
        } catch (IOException e) {
            return null;
        }
    }

    /** Percent-encodes a path (huggingface_hub's {@code quote(filename)}: "/" kept) or a segment ({@code safe=""}). */
    static String quote(String s, boolean keepSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~'
                    || (keepSlash && c == '/')) sb.append((char) c);
            else sb.append('%').append(String.format("%02X", c));
        }
        return sb.toString();
    }
}
