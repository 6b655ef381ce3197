package dev.tare.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A loopback double of the Hugging Face Hub's HTTP file API, answering as huggingface.co does (what huggingface_hub's
 * {@code hf_hub_download} / {@code snapshot_download} rely on):
 * <ul>
 * <li>{@code GET /api/models/ORG/NAME/revision/REV} (datasets: {@code /api/datasets/...}) → {@code {"id","sha",
 *     "siblings":[{"rfilename"}],"gated","private"}}, and {@code .../tree/REV} → {@code [{"type","oid","size","path",
 *     "lfs"}]} (what huggingface_hub 1.x+ snapshot_download lists);</li>
 * <li>{@code HEAD|GET /ORG/NAME/resolve/REV/FILE} (datasets: {@code /datasets/ORG/NAME/resolve/...}): a file in git
 *     answers 200 with {@code ETag: "<git blob sha1>"}, {@code X-Repo-Commit} and the bytes; an LFS file
 *     ({@code .safetensors}, {@code .parquet}, {@code .bin}) answers 302 to a second loopback server (the CDN, another
 *     host name: {@code localhost}, bound to 127.0.0.1; the hub is {@code 127.0.0.1}, so clients keep their token to
 *     themselves and take the file's metadata from the redirect, as from huggingface.co) with {@code X-Linked-Etag: "<sha256>"}, {@code X-Linked-Size}, {@code X-Repo-Commit} and the pointer
 *     file's {@code ETag};</li>
 * <li>{@code Range: bytes=N-} answered 206 with {@code Content-Range} by both servers;</li>
 * <li>errors as the hub sends them, with {@code X-Error-Code} / {@code X-Error-Message}: RepoNotFound (401 without a
 *     token, 404 with one), RevisionNotFound and EntryNotFound (404), GatedRepo (401 without a token, 403 with a token
 *     that has no access).</li>
 * </ul>
 * Every request is recorded ({@link #requests}); faults can be injected: a file's CDN bytes corrupted
 * ({@link #corrupt}), or a connection dropped once after some bytes ({@link #dropOnce}).
 */
public final class HubLoopback implements AutoCloseable {
    private static final ObjectMapper M = new ObjectMapper();

    /** One served repo: its kind ("model" or "dataset"), id, commit, files, and the token that opens it when gated. */
    public record Repo(String type, String id, String commit, Map<String, byte[]> files, String gatedToken) {}

    /** One request as received: which server ("hub" or "cdn"), method, path, and the Authorization and Range headers. */
    public record Request(String server, String method, String path, String authorization, String range) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobsBySha = new ConcurrentHashMap<>();
    /** Requests received so far, in order. */
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    /** sha256 values whose CDN bytes are served with one byte flipped. */
    public final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> drops = new ConcurrentHashMap<>();

    public HubLoopback() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        hub.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        cdn.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hub.createContext("/", this::onHub);
        cdn.createContext("/", this::onCdn);
        hub.start();
        cdn.start();
    }

    /** The endpoint to use as {@code HF_ENDPOINT}. */
    public URI endpoint() { return URI.create("http://127.0.0.1:" + hub.getAddress().getPort()); }

    /** Serves the files under {@code dir} (recursively) as model or dataset {@code id} at {@code commit}, branch main. */
    public Repo serve(String type, String id, String commit, Path dir, String gatedToken) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList())
                files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Repo r = new Repo(type, id, commit, files, gatedToken);
        repos.put(type + ":" + id, r);
        for (byte[] b : files.values()) blobsBySha.put(sha256(b), b);
        return r;
    }

    /** The next GET of the file with this sha256 (hub or CDN) closes the connection after {@code bytes} bytes of the body. */
    public void dropOnce(String sha256, long bytes) { drops.put(sha256, bytes); }

    /** Whether a file is stored in LFS on the hub (then it is served through the CDN and its ETag is its sha256). */
    public static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".parquet") || file.endsWith(".bin");
    }

    /** Hex sha256 of {@code b}: an LFS file's ETag. */
    public static String sha256(byte[] b) { return hex("SHA-256", new byte[0], b); }

    /** git's blob id of {@code b} (sha1 of {@code "blob <size>\0" + b}): a git-stored file's ETag on the hub. */
    public static String gitSha1(byte[] b) {
        return hex("SHA-1", ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII), b);
    }

    /** The Git LFS pointer file of content {@code b}, what the git repo holds in its place. */
    public static byte[] lfsPointer(byte[] b) {
        return ("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256(b) + "\nsize " + b.length + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(String algo, byte[] prefix, byte[] b) {
        try {
            MessageDigest d = MessageDigest.getInstance(algo);
            d.update(prefix);
            return HexFormat.of().formatHex(d.digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(String server, HttpExchange ex) {
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Range")));
    }

    private void onHub(HttpExchange ex) throws IOException {
        try (ex) {
            record("hub", ex);
            String path = ex.getRequestURI().getRawPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
            if (path.startsWith("/api/models/") || path.startsWith("/api/datasets/")) {
                boolean model = path.startsWith("/api/models/");
                String[] p = path.substring(model ? 12 : 14).split("/", 4); // ORG NAME revision|tree REV
                if (p.length < 4 || !(p[2].equals("revision") || p[2].equals("tree"))) {
                    error(ex, 404, null, "Not found");
                    return;
                }
                Repo r = repos.get((model ? "model" : "dataset") + ":" + p[0] + "/" + p[1]);
                if (r == null) {
                    repoNotFound(ex, token);
                    return;
                }
                String rev = URLDecoder.decode(p[3], StandardCharsets.UTF_8);
                if (!rev.equals("main") && !rev.equals(r.commit())) {
                    error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
                    return;
                }
                if (p[2].equals("tree")) { // list_repo_tree(recursive=True): files (with their LFS sha256) and folders
                    ArrayNode tree = M.createArrayNode();
                    Set<String> dirs = new java.util.TreeSet<>();
                    for (var f : r.files().entrySet()) {
                        for (int i = f.getKey().indexOf('/'); i >= 0; i = f.getKey().indexOf('/', i + 1)) dirs.add(f.getKey().substring(0, i));
                        ObjectNode e = tree.addObject().put("type", "file");
                        byte[] b = f.getValue();
                        boolean lfs = isLfs(f.getKey());
                        e.put("oid", gitSha1(lfs ? lfsPointer(b) : b)).put("size", b.length).put("path", f.getKey());
                        if (lfs) e.putObject("lfs").put("oid", sha256(b)).put("size", b.length).put("pointerSize", lfsPointer(b).length);
                    }
                    for (String d : dirs) tree.addObject().put("type", "directory").put("oid", gitSha1(d.getBytes(StandardCharsets.UTF_8))).put("size", 0).put("path", d);
                    json(ex, 200, M.writeValueAsBytes(tree), r.commit());
                    return;
                }
                ObjectNode o = M.createObjectNode();
                o.put("_id", "65" + r.commit().substring(0, 22));
                o.put("id", r.id());
                o.put("private", false);
                if (r.gatedToken() != null) o.put("gated", "manual");
                else o.put("gated", false);
                o.put("sha", r.commit());
                ArrayNode sib = o.putArray("siblings");
                sib.addObject().put("rfilename", ".gitattributes");
                for (String f : r.files().keySet()) sib.addObject().put("rfilename", f);
                json(ex, 200, M.writeValueAsBytes(o), r.commit());
                return;
            }
            boolean dataset = path.startsWith("/datasets/");
            String[] p = path.substring(dataset ? 10 : 1).split("/", 5); // ORG NAME resolve REV FILE
            if (p.length < 5 || !p[2].equals("resolve")) {
                error(ex, 404, null, "Not found");
                return;
            }
            Repo r = repos.get((dataset ? "dataset" : "model") + ":" + p[0] + "/" + p[1]);
            if (r == null) {
                repoNotFound(ex, token);
                return;
            }
            if (r.gatedToken() != null && !r.gatedToken().equals(token)) {
                if (token == null) error(ex, 401, "GatedRepo", "Access to model " + r.id() + " is restricted. You must have access to it "
                        + "and be authenticated to access it. Please log in.");
                else error(ex, 403, "GatedRepo", "Access to model " + r.id() + " is restricted and you are not in the authorized list. "
                        + "Visit https://huggingface.co/" + r.id() + " to ask for access.");
                return;
            }
            String rev = URLDecoder.decode(p[3], StandardCharsets.UTF_8);
            if (!rev.equals("main") && !rev.equals(r.commit())) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
                return;
            }
            String file = URLDecoder.decode(p[4], StandardCharsets.UTF_8);
            byte[] b = r.files().get(file);
            if (b == null) {
                error(ex, 404, "EntryNotFound", file + " does not exist on \"" + rev + "\"");
                return;
            }
            ex.getResponseHeaders().set("X-Repo-Commit", r.commit());
            if (isLfs(file)) {
                String sha = sha256(b);
                ex.getResponseHeaders().set("ETag", "\"" + gitSha1(lfsPointer(b)) + "\"");
                ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
                ex.getResponseHeaders().set("X-Linked-Size", Long.toString(b.length));
                ex.getResponseHeaders().set("Location", "http://localhost:" + cdn.getAddress().getPort() + "/repos/"
                        + sha.substring(0, 2) + "/" + sha.substring(2, 4) + "/" + sha + "?X-Amz-Expires=3600&X-Amz-Signature=loopback");
                ex.sendResponseHeaders(302, -1);
                return;
            }
            ex.getResponseHeaders().set("ETag", "\"" + gitSha1(b) + "\"");
            body(ex, b, sha256(b), false);
        }
    }

    private void onCdn(HttpExchange ex) throws IOException {
        try (ex) {
            record("cdn", ex);
            String path = ex.getRequestURI().getRawPath();
            String sha = path.substring(path.lastIndexOf('/') + 1);
            byte[] b = blobsBySha.get(sha);
            if (b == null || !(ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("HEAD"))) {
                error(ex, 404, null, "NoSuchKey");
                return;
            }
            ex.getResponseHeaders().set("ETag", "\"" + sha + "\"");
            body(ex, b, sha, corrupt.contains(sha));
        }
    }

    /** Sends {@code b} (whole, or the asked {@code Range: bytes=N-}); HEAD gets the headers only. */
    private void body(HttpExchange ex, byte[] b, String sha, boolean flip) throws IOException {
        if (flip) {
            b = b.clone();
            b[b.length / 2] ^= 0x5a;
        }
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0, status = 200;
        if (range != null) {
            if (!range.matches("bytes=\\d+-")) {
                error(ex, 400, null, "unsupported Range " + range);
                return;
            }
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= b.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + b.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        }
        int len = b.length - from;
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(len));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        Long drop = drops.remove(sha);
        ex.sendResponseHeaders(status, len);
        OutputStream out = ex.getResponseBody();
        if (drop != null && drop < len) {
            out.write(b, from, (int) (long) drop);
            out.flush();
            throw new IOException("loopback hub: connection dropped after " + drop + " bytes (injected)");
        }
        out.write(b, from, len);
    }

    private static void repoNotFound(HttpExchange ex, String token) throws IOException {
        // the hub does not tell an anonymous client whether a private repo exists: 401, RepoNotFound
        error(ex, token == null ? 401 : 404, "RepoNotFound", "Repository Not Found for url: " + ex.getRequestURI()
                + ". Please make sure you specified the correct `repo_id` and `repo_type`. If you are trying to access a "
                + "private or gated repo, make sure you are authenticated.");
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", message);
        ObjectNode o = M.createObjectNode().put("error", message);
        byte[] b = M.writeValueAsBytes(o);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        json(ex, status, b, null);
    }

    private static void json(HttpExchange ex, int status, byte[] b, String commit) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (commit != null) ex.getResponseHeaders().set("X-Repo-Commit", commit);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** Requests of one server ("hub" or "cdn"), by method. */
    public List<Request> requests(String server, String method) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) if (r.server().equals(server) && r.method().equals(method)) out.add(r);
        return out;
    }

    @Override public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}
