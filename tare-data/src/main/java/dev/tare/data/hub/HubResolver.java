package dev.tare.data.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Turns a Hugging Face name ({@code org/name[@REV]}) into a local snapshot folder, as huggingface_hub's
 * {@code snapshot_download} does and into the same cache ({@link HubCache}), so a folder either tool wrote is one the
 * other reads. Online: the repo-info API ({@code /api/models/ID/revision/REV}) gives the commit and file list; the
 * files tare reads that the snapshot lacks are fetched through {@code /ID/resolve/COMMIT/FILE} (LFS files redirect to
 * a CDN), into {@code blobs/<etag>.incomplete}, resumed with {@code Range} after a dropped connection or an earlier
 * run, checked against the ETag (sha256 for LFS files, the git blob sha1 for the others), and only then moved into
 * {@code blobs/} and linked from {@code snapshots/<commit>/}; the ref is written last. A commit revision already in
 * the cache is used without any request. Offline ({@code HF_HUB_OFFLINE}) only the cache is read, and a missing
 * piece is named.
 */
public final class HubResolver {
    /** The files of a model repo tare reads: configs, safetensors weights, tokenizers, chat templates (no .bin/.h5/onnx). */
    public static final Predicate<String> MODEL_FILES = f -> {
        String b = f.substring(f.lastIndexOf('/') + 1);
        return !b.startsWith(".") && !f.startsWith("onnx/") && (b.endsWith(".json") || b.endsWith(".safetensors")
                || b.endsWith(".jinja") || b.equals("tokenizer.model") || b.equals("merges.txt") || b.equals("vocab.txt"));
    };
    /** The files of a dataset repo tare reads: parquet, JSON and JSON-lines data. */
    public static final Predicate<String> DATA_FILES = f -> {
        String b = f.substring(f.lastIndexOf('/') + 1);
        return !b.startsWith(".") && (b.endsWith(".parquet") || b.endsWith(".jsonl") || b.endsWith(".json"));
    };

    private final HubConfig config;
    private final HubCache cache;
    private final HubHttp http;

    public HubResolver(HubConfig config) {
        this.config = config;
        this.cache = new HubCache(config.cache());
        this.http = new HubHttp(config);
    }

    public static HubResolver fromEnv() { return new HubResolver(HubConfig.fromEnv()); }

    public HubConfig config() { return config; }

    public HubCache cache() { return cache; }

    /** The snapshot folder of model {@code org/name[@REV]} with the files tare reads. */
    public Path resolveModel(String name) { return snapshot(HubRepo.parse(HubRepo.Type.MODEL, name), MODEL_FILES); }

    /** The snapshot folder of dataset {@code org/name[@REV]} with its data files. */
    public Path resolveDataset(String name) { return snapshot(HubRepo.parse(HubRepo.Type.DATASET, name), DATA_FILES); }

    /**
     * {@code path} itself when it exists or is not shaped like a repo name; otherwise the model it names, resolved
     * through {@link #fromEnv()} (the one hook commands use for {@code --model}, {@code --adapter}, {@code local:DIR}).
     */
    public static Path modelDir(Path path) { return modelDir(path, System::getenv); }

    /** {@link #modelDir(Path)} with the hub variables (HF_ENDPOINT, HF_HOME, ...) read from {@code env}. */
    public static Path modelDir(Path path, java.util.function.Function<String, String> env) {
        if (path == null || Files.exists(path) || path.isAbsolute() || !HubRepo.looksLikeName(path.toString())) return path;
        try {
            return new HubResolver(HubConfig.fromEnv(env)).resolveModel(path.toString());
        } catch (HubException e) {
            throw new HubException("'" + path + "' is no folder here, and as a Hugging Face model name: " + e.getMessage(), e);
        }
    }

    /**
     * A model folder named in a file that lives in {@code base} (a deployment file): {@code base.resolve(written)} when
     * that exists, {@code written} is absolute, or it is no repo name; otherwise the Hugging Face model it names
     * (resolved with {@code env}'s hub variables). A folder of the working directory is never taken instead.
     */
    public static Path modelDirBeside(Path base, Path written, java.util.function.Function<String, String> env) {
        Path joined = base.resolve(written);
        String name = written.toString().replace(java.io.File.separatorChar, '/');
        if (written.isAbsolute() || Files.exists(joined) || !HubRepo.looksLikeName(name)) return joined;
        try {
            return new HubResolver(HubConfig.fromEnv(env)).resolveModel(name);
        } catch (HubException e) {
            throw new HubException("'" + written + "' is no folder beside the file (" + joined + "), and as a Hugging Face model name: "
                    + e.getMessage(), e);
        }
    }

    /**
     * {@code path} itself when it exists or is not a dataset name; otherwise the data file of dataset
     * {@code org/name[@REV][:FILE]}: FILE when given, else the repo's only data file, else the one whose name starts
     * with {@code preferredPrefix} (e.g. RewardBench's {@code filtered} split). Only that file is downloaded.
     */
    public static Path dataFile(Path path, String preferredPrefix) {
        if (path == null || Files.exists(path) || path.isAbsolute()) return path;
        String s = path.toString();
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        if (!HubRepo.looksLikeName(name) || (colon < 0 && DATA_FILES.test(s))) return path; // data/x.jsonl is a file name
        try {
            return fromEnv().resolveDataFile(HubRepo.parse(HubRepo.Type.DATASET, name), colon < 0 ? null : s.substring(colon + 1), preferredPrefix);
        } catch (HubException e) {
            throw new HubException("'" + path + "' is no file here, and as a Hugging Face dataset name: " + e.getMessage(), e);
        }
    }

    /** The one data file of a dataset repo, chosen as {@link #dataFile} says, downloaded (or found in the cache). */
    public Path resolveDataFile(HubRepo repo, String file, String preferredPrefix) {
        List<String> candidates = new ArrayList<>();
        Predicate<String> choose = f -> {
            if (file != null) return f.equals(file);
            if (DATA_FILES.test(f)) candidates.add(f);
            return false;
        };
        Path snap;
        if (file != null) {
            snap = snapshot(repo, choose);
        } else {
            // list first (online: the API's file list; offline: the snapshot), then fetch the chosen file only
            listing(repo).forEach(choose::test);
            String pick = pick(repo, candidates, preferredPrefix);
            snap = snapshot(repo, pick::equals);
            return snap.resolve(pick);
        }
        Path p = snap.resolve(file);
        if (!Files.isRegularFile(p)) throw new HubException(repo + " has no file " + file);
        return p;
    }

    private static String pick(HubRepo repo, List<String> files, String prefix) {
        if (files.size() == 1) return files.getFirst();
        if (prefix != null) {
            List<String> pref = files.stream().filter(f -> f.substring(f.lastIndexOf('/') + 1).startsWith(prefix)).toList();
            if (pref.size() == 1) return pref.getFirst();
        }
        if (files.isEmpty()) throw new HubException(repo + " has no .parquet, .json or .jsonl data file");
        throw new HubException(repo + " has " + files.size() + " data files; name one as " + repo.id() + ":FILE, one of "
                + files.subList(0, Math.min(12, files.size())) + (files.size() > 12 ? " …" : ""));
    }

    /** The repo's file names: online from the API, offline from the cached snapshot. */
    private List<String> listing(HubRepo repo) {
        if (config.offline()) {
            Path snap = offlineSnapshot(repo);
            try (Stream<Path> s = Files.walk(snap)) {
                return s.filter(Files::isRegularFile).map(p -> snap.relativize(p).toString().replace('\\', '/')).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(snap + ": " + e.getMessage(), e);
            }
        }
        return info(repo).files();
    }

    /** The commit and file list the repo-info API gives. */
    record Info(String commit, List<String> files) {}

    private Info info(HubRepo repo) {
        URI url = URI.create(config.endpoint() + "/api/" + repo.type().plural + "/" + repo.id() + "/revision/" + HubHttp.quote(repo.revision(), false));
        JsonNode n = withRetries("list " + repo, () -> http.json(url, repo));
        JsonNode sha = n.get("sha");
        if (sha == null || !HubRepo.COMMIT.matcher(sha.asText()).matches())
            throw new HubException(url + ": repo info without a 40-hex \"sha\" (is HF_ENDPOINT=" + config.endpoint() + " a Hugging Face hub?)");
        List<String> files = new ArrayList<>();
        JsonNode sib = n.get("siblings");
        if (sib == null || !sib.isArray()) throw new HubException(url + ": repo info without a \"siblings\" list");
        for (JsonNode s : sib) {
            JsonNode f = s.get("rfilename");
            if (f == null || !f.isTextual()) throw new HubException(url + ": a sibling without \"rfilename\"");
            files.add(f.asText());
        }
        return new Info(sha.asText(), files);
    }

    /** The snapshot folder of {@code repo} holding the files {@code wanted} picks, fetched as needed. */
    public Path snapshot(HubRepo repo, Predicate<String> wanted) {
        if (config.offline()) {
            Path snap = offlineSnapshot(repo);
            checkLinks(repo, snap);
            return snap;
        }
        if (repo.revisionIsCommit() && Files.isDirectory(cache.snapshot(repo, repo.revision()))) {
            Path snap = cache.snapshot(repo, repo.revision());
            checkLinks(repo, snap);
            return snap; // a commit never changes: what is cached is what the hub has
        }
        Info info;
        try {
            info = info(repo);
        } catch (HubUnreachable e) {
            var cached = cache.commit(repo);
            if (cached.isPresent() && Files.isDirectory(cache.snapshot(repo, cached.get()))) {
                if (config.progress() != null)
                    config.progress().println("warning: " + e.getMessage() + "; using the cached snapshot " + cached.get() + " of " + repo);
                checkLinks(repo, cache.snapshot(repo, cached.get()));
                return cache.snapshot(repo, cached.get());
            }
            throw new HubException(e.getMessage() + ", and " + repo + " is not in the cache " + cache.repoFolder(repo)
                    + " (set HF_ENDPOINT for a mirror, or HF_HUB_OFFLINE=1 with a filled cache)", e.getCause());
        }
        List<String> files = info.files().stream().filter(wanted).toList();
        if (files.isEmpty()) {
            throw new HubException(repo + " at " + info.commit() + " has none of the files tare reads (config/tokenizer .json, "
                    + ".safetensors, .parquet/.jsonl data); its files: " + info.files().subList(0, Math.min(12, info.files().size())));
        }
        Map<String, String> etags = new LinkedHashMap<>();
        for (String f : files) {
            if (cache.has(repo, info.commit(), f)) continue;
            etags.put(f, fetch(repo, info.commit(), f));
        }
        try {
            for (var e : etags.entrySet()) cache.link(repo, info.commit(), e.getKey(), e.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(cache.snapshot(repo, info.commit()) + ": " + e.getMessage(), e);
        }
        cache.writeRef(repo, info.commit());
        return cache.snapshot(repo, info.commit());
    }

    private Path offlineSnapshot(HubRepo repo) {
        Path folder = cache.repoFolder(repo);
        String why = "HF_HUB_OFFLINE is set and " + repo + " is not in the Hugging Face cache " + config.cache() + ": ";
        String fix = " (run once without HF_HUB_OFFLINE, or `hf download " + repo.id()
                + (repo.type() == HubRepo.Type.DATASET ? " --repo-type dataset" : "") + "`)";
        if (!Files.isDirectory(folder)) throw new HubException(why + "no folder " + folder.getFileName() + fix);
        String commit = cache.commit(repo).orElseThrow(() -> new HubException(why + "no " + repo.folderName() + "/refs/" + repo.revision() + fix));
        Path snap = cache.snapshot(repo, commit);
        if (!Files.isDirectory(snap)) throw new HubException(why + "refs/" + repo.revision() + " names commit " + commit + " but there is no "
                + repo.folderName() + "/snapshots/" + commit + fix);
        return snap;
    }

    /** A snapshot whose links point at blobs that are gone is named, with the files affected. */
    private void checkLinks(HubRepo repo, Path snap) {
        List<String> broken;
        try (Stream<Path> s = Files.walk(snap)) {
            broken = s.filter(p -> Files.isSymbolicLink(p) && !Files.exists(p)).map(p -> snap.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(snap + ": " + e.getMessage(), e);
        }
        if (!broken.isEmpty()) throw new HubException(repo + ": the cached snapshot " + snap + " links to missing blobs for " + broken
                + (config.offline() ? " (run without HF_HUB_OFFLINE to fetch them again)" : ""));
    }

    /** File metadata from the resolve endpoint's HEAD answer. */
    record Meta(String etag, long size, URI location) {}

    /** Fetches one file into {@code blobs/} (unless its blob is there already) and returns its ETag. */
    private String fetch(HubRepo repo, String commit, String file) {
        Meta m = withRetries("look up " + repo + " file " + file, () -> head(repo, commit, file));
        Path blob = cache.blob(repo, m.etag());
        try {
            if (Files.isRegularFile(blob) && (m.size() < 0 || Files.size(blob) == m.size())) return m.etag();
            Path locks = config.cache().resolve(".locks").resolve(repo.folderName());
            Files.createDirectories(locks);
            Files.createDirectories(blob.getParent());
            try (FileChannel ch = FileChannel.open(locks.resolve(m.etag() + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (Files.isRegularFile(blob) && (m.size() < 0 || Files.size(blob) == m.size())) return m.etag();
                download(repo, file, m);
            }
            return m.etag();
        } catch (IOException e) {
            throw new UncheckedIOException(blob + ": " + e.getMessage(), e);
        }
    }

    private Meta head(HubRepo repo, String commit, String file) throws IOException {
        URI url = URI.create(config.endpoint() + "/" + repo.urlPath() + "/resolve/" + HubHttp.quote(commit, false) + "/" + HubHttp.quote(file, true));
        for (int hop = 0; hop < 5; hop++) {
            try (HubHttp.Answer a = http.open("HEAD", url, Map.of())) {
                int s = a.status();
                if (s >= 300 && s < 400) {
                    String loc = a.header("Location");
                    if (loc == null) throw new HubException(url + ": HTTP " + s + " without a Location");
                    URI target = url.resolve(loc);
                    if (target.getHost() != null && target.getHost().equalsIgnoreCase(url.getHost())) {
                        // a redirect on the hub itself (a renamed repo): followed, as huggingface_hub does; one to another
                        // host (the CDN) carries the file's metadata and is where the bytes come from
                        url = target;
                        continue;
                    }
                    return meta(a, url, target, file, repo);
                }
                if (s == 200) return meta(a, url, url, file, repo);
                if (HubHttp.transientStatus(s)) throw new TransientStatus(url + ": HTTP " + s);
                throw http.error(a, repo, file);
            }
        }
        throw new HubException(url + ": too many redirects");
    }

    private Meta meta(HubHttp.Answer a, URI url, URI location, String file, HubRepo repo) {
        String etag = a.header("X-Linked-Etag");
        if (etag == null) etag = a.header("ETag");
        if (etag == null) throw new HubException(url + ": the hub sent no ETag for " + repo + " file " + file + " (needed to name and check the blob)");
        etag = normalizeEtag(etag);
        if (!etag.matches("[0-9A-Za-z._-]+")) throw new HubException(url + ": ETag '" + etag + "' cannot name a blob file");
        String size = a.header("X-Linked-Size");
        if (size == null) size = a.header("Content-Length");
        long n;
        try {
            n = size == null ? -1 : Long.parseLong(size.strip());
        } catch (NumberFormatException e) {
            throw new HubException(url + ": size header '" + size + "' is not a number");
        }
        return new Meta(etag, n, location);
    }

    /** huggingface_hub's {@code _normalize_etag}: no weak-validator prefix, no quotes. */
    static String normalizeEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        return e.replace("\"", "");
    }

    private void download(HubRepo repo, String file, Meta m) throws IOException {
        Path part = cache.incomplete(repo, m.etag());
        String label = repo.id() + " " + file;
        IOException last = null;
        for (int attempt = 0; attempt <= config.retries(); attempt++) {
            if (attempt > 0) sleep(attempt);
            try {
                if (getInto(m, part, label, repo, file)) {
                    last = null;
                    break;
                }
            } catch (IOException | TransientStatus e) {
                last = e instanceof IOException io ? io : new IOException(e.getMessage());
            }
        }
        if (last != null) throw new HubException("download of " + label + " failed after " + (config.retries() + 1) + " tries ("
                + last.getMessage() + "); rerun to resume from " + part, last);
        verify(part, m, label);
        AtomicFiles.move(part, cache.blob(repo, m.etag()));
        AtomicFiles.readableByAll(cache.blob(repo, m.etag()));
    }

    /** One GET of the file into {@code part}, resumed from its length; true when the full size arrived. */
    private boolean getInto(Meta m, Path part, String label, HubRepo repo, String file) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (m.size() >= 0 && have > m.size()) {
            Files.delete(part);
            have = 0;
        }
        if (m.size() >= 0 && have == m.size()) return true;
        URI url = m.location();
        for (int hop = 0; hop < 5; hop++) {
            Map<String, String> h = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
            try (HubHttp.Answer a = http.open("GET", url, h)) {
                int s = a.status();
                if (s >= 300 && s < 400 && a.header("Location") != null) {
                    url = url.resolve(a.header("Location"));
                    continue;
                }
                if (s == 416) { // the part is not a prefix the server knows: start over
                    Files.deleteIfExists(part);
                    return false;
                }
                if (HubHttp.transientStatus(s)) throw new TransientStatus(url + ": HTTP " + s);
                if (s != 200 && s != 206) throw http.error(a, repo, file);
                boolean append = s == 206 && have > 0;
                if (!append) have = 0; // the server sent the whole file
                ByteProgress p = new ByteProgress("download " + label, m.size(), have, config.progress());
                try (InputStream in = a.body();
                     OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                    byte[] buf = new byte[1 << 16];
                    for (int r; (r = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, r);
                        p.advance(r);
                    }
                } finally {
                    p.finish();
                }
                long got = Files.size(part);
                if (m.size() >= 0 && got != m.size()) throw new IOException("connection ended at " + got + " of " + m.size() + " bytes");
                return true;
            }
        }
        throw new HubException(m.location() + ": too many redirects");
    }

    /** Checks the downloaded bytes against the ETag: sha256 (LFS) or git's blob sha1; a mismatch deletes them. */
    private static void verify(Path part, Meta m, String label) throws IOException {
        String etag = m.etag().toLowerCase(Locale.ROOT);
        String algo = etag.matches("[0-9a-f]{64}") ? "SHA-256" : etag.matches("[0-9a-f]{40}") ? "SHA-1" : null;
        long got = Files.size(part);
        if (m.size() >= 0 && got != m.size()) {
            Files.delete(part);
            throw new HubException(label + ": got " + got + " bytes, the hub announced " + m.size() + "; nothing was kept");
        }
        if (algo == null) return; // an ETag that is no content hash (some mirrors): the size check is all there is
        MessageDigest d;
        try {
            d = MessageDigest.getInstance(algo);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (algo.equals("SHA-1")) d.update(("blob " + Files.size(part) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) >= 0; ) d.update(buf, 0, r);
        }
        String hash = HexFormat.of().formatHex(d.digest());
        if (!hash.equals(etag)) {
            Files.delete(part);
            throw new HubException(label + ": checksum mismatch: the hub's ETag is " + (algo.equals("SHA-1") ? "git blob sha1 " : "sha256 ")
                    + etag + ", the downloaded bytes hash to " + hash + "; nothing was kept (rerun to download again)");
        }
    }

    /** A server answer worth retrying (5xx, 429, 408). */
    static final class TransientStatus extends RuntimeException {
        TransientStatus(String m) { super(m); }
    }

    /** The hub could not be reached (after the retries): the cache may still serve. */
    static final class HubUnreachable extends HubException {
        HubUnreachable(String m, Throwable cause) { super(m, cause); }
    }

    interface Call<T> { T run() throws IOException; }

    private <T> T withRetries(String what, Call<T> call) {
        RuntimeException last = null;
        for (int attempt = 0; attempt <= config.retries(); attempt++) {
            if (attempt > 0) sleep(attempt);
            try {
                return call.run();
            } catch (IOException e) {
                last = new HubUnreachable("cannot " + what + " at " + config.endpoint() + " (" + e + ")", e);
            } catch (TransientStatus e) {
                last = new HubUnreachable("cannot " + what + " at " + config.endpoint() + " (" + e.getMessage() + ")", e);
            }
        }
        throw last;
    }

    private static void sleep(int attempt) {
        try {
            Thread.sleep(Math.min(8000, 250L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("interrupted");
        }
    }
}
