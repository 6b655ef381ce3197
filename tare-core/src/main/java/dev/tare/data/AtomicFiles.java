package dev.tare.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes output files all-or-nothing: into a temp file beside the target, then an atomic move. Temp names carry the
 * writing process's id, its start time (epoch seconds) and a hash of its host name and process-id namespace
 * ({@code .NAME.p<pid>s<start>h<hash>-….tmp}, {@code .NAME.tmp-p<pid>s<start>h<hash>-…}); the next write of the same
 * target removes those that a process of this host and namespace left when it was killed (no process with that id
 * running, or one that started at another time: the id was reused), so an interrupted run does not leave hidden
 * copies of its outputs behind for good. Another container sharing the folder (another pid namespace, even under the
 * same host name) never has its temps removed.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    private static final System.Logger LOG = System.getLogger(AtomicFiles.class.getName());
    /** A temp name's owner part: process id, start time (absent where the platform does not tell), host hash, then the random part. */
    private static final java.util.regex.Pattern OWNED = java.util.regex.Pattern.compile("p(\\d{1,19})(?:s(\\d{1,19}))?h([0-9a-f]{8})-.*");
    private static final String HOST = hostHash();
    private static final String OWNER = owner(ProcessHandle.current());

    /** The owner part of temp names written by {@code process} of this host: {@code p<pid>s<start>h<hash>}. */
    static String owner(ProcessHandle process) { return owner(process.pid(), startSeconds(process).orElse(null)); }

    /** The owner part for process {@code pid} started at {@code start} epoch seconds (null: unknown) of this host. */
    static String owner(long pid, Long start) { return "p" + pid + (start == null ? "" : "s" + start) + "h" + HOST; }

    /** When {@code process} started (epoch seconds), where the platform tells. */
    private static java.util.Optional<Long> startSeconds(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::getEpochSecond);
    }

    /**
     * Why the writer named by a temp (pid, start seconds or null) cannot be writing any more, or null while it may be:
     * it may while a process with that id runs and, where both start times are known, started within a second of the
     * named one (a killed writer's id taken by a new process is not the writer).
     */
    static String orphanReason(long pid, Long start) {
        var live = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (live.isEmpty()) return "no longer running";
        if (start == null || startSeconds(live.get()).map(t -> Math.abs(t - start) <= 1).orElse(true)) return null;
        return "its pid now runs another process";
    }

    private static String hostHash() {
        String h = null;
        try {
            Path f = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(f)) h = Files.readString(f).strip();
        } catch (IOException | RuntimeException e) {
            h = null;
        }
        if (h == null || h.isEmpty()) h = System.getenv("HOSTNAME");
        if (h == null || h.isEmpty()) h = System.getenv("COMPUTERNAME");
        if (h == null) h = "";
        try {   // the process-id namespace: containers sharing a host name (host networking) still tell their pids apart
            Path ns = Path.of("/proc/self/ns/pid");
            if (Files.isSymbolicLink(ns)) h = h + "|" + Files.readSymbolicLink(ns);
        } catch (IOException | RuntimeException e) {
            // no namespaces here: the host name alone
        }
        return String.format("%08x", h.hashCode());
    }

    /** A new temp file beside {@code name} in {@code dir} ({@code .NAME.p<pid>s<start>h<hash>-….tmp}), after removing orphans. */
    public static Path tempFile(Path dir, String name) throws IOException {
        removeOrphans(dir, name);
        return Files.createTempFile(dir, "." + name + "." + OWNER + "-", ".tmp");
    }

    /** A new temp folder beside {@code name} ({@code .NAME.tmp-p<pid>s<start>h<hash>-…}), after removing orphans. */
    static Path tempDirectory(Path dir, String name) throws IOException {
        removeOrphans(dir, name);
        return ownedDirectory(dir, name, "tmp");
    }

    /** A new empty folder {@code .NAME.KIND-p<pid>s<start>h<hash>-…} in {@code dir}: the names {@link #removeOrphans} reads. */
    private static Path ownedDirectory(Path dir, String name, String kind) throws IOException {
        return Files.createTempDirectory(dir, "." + name + "." + kind + "-" + OWNER + "-");
    }

    /**
     * Deletes the temp files and folders of target {@code name} in {@code dir} that a process of this host left behind
     * and that is no longer running (killed mid-write; see {@link #orphanReason}); those of running processes, of other
     * hosts or pid namespaces and unmarked ones are kept. Best effort: a failure to list or delete is logged, never
     * thrown. Returns how many were removed.
     */
    static int removeOrphans(Path dir, String name) {
        String prefix = "." + name + ".";
        int removed = 0;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith(prefix)) continue;
                String rest = n.substring(prefix.length());
                boolean folder = rest.startsWith("tmp-") || rest.startsWith("old-");
                if (folder) rest = rest.substring(4);
                else if (!rest.endsWith(".tmp")) continue;
                var m = OWNED.matcher(rest);
                if (!m.matches() || !m.group(3).equals(HOST)) continue;
                long pid;
                Long start;
                try {
                    pid = Long.parseLong(m.group(1));
                    start = m.group(2) == null ? null : Long.parseLong(m.group(2));
                } catch (NumberFormatException e) {
                    continue;
                }
                String reason = orphanReason(pid, start);
                if (reason == null) continue;
                try {
                    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) deleteTree(p);
                    else Files.deleteIfExists(p);
                    removed++;
                    LOG.log(System.Logger.Level.INFO, "removed " + p + ", left by process " + pid + " (" + reason + ")");
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove " + p + " left by process " + pid + ": " + e.getMessage());
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot look for temp files left in " + dir + ": " + e.getMessage());
        }
        return removed;
    }

    /** Body that writes the whole file content. */
    @FunctionalInterface
    public interface WriterBody { void write(Writer w) throws IOException; }

    /** Writes text through {@code body}; on any failure the target is left untouched and the temp file removed. */
    public static void writeText(Path target, WriterBody body) {
        Path abs = target.toAbsolutePath();
        try {
            Path dir = abs.getParent();
            if (dir != null) Files.createDirectories(dir);
            Path tmp = tempFile(dir, abs.getFileName().toString());
            try {
                readableByAll(tmp);
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    body.write(w);
                }
                move(tmp, abs);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Body that writes the files of a folder into {@code dir}. */
    @FunctionalInterface
    public interface DirectoryBody { void write(Path dir) throws IOException; }

    /**
     * Writes a folder of outputs all-or-nothing: {@code body} fills a temp folder beside {@code target}, which then
     * replaces it in one move. {@code target} must not exist or be an empty folder; on any failure it is left
     * untouched and the temp folder removed.
     */
    public static void writeDirectory(Path target, DirectoryBody body) {
        Path abs = target.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                if (!Files.isDirectory(abs)) throw new IllegalArgumentException("output " + target + " exists and is not a folder");
                try (var s = Files.list(abs)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException("output folder " + target + " exists and is not empty");
                }
            }
            Files.createDirectories(abs.getParent());
            Path tmp = tempDirectory(abs.getParent(), abs.getFileName().toString());
            try {
                readableByAll(tmp);
                body.write(tmp);
                if (Files.exists(abs)) Files.delete(abs);
                move(tmp, abs);
            } finally {
                if (Files.exists(tmp)) deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes (or rewrites) a command's output folder all at once: {@code body} fills a temp folder beside
     * {@code target}; an existing {@code target} is moved aside, the new folder renamed into place, and the old one
     * deleted. A reader sees the old folder whole, then (after at most a moment with no folder) the new one whole,
     * never a mix of two runs' files. An existing {@code target} may hold only files named in {@code owned} (what
     * the command writes), so a folder of other work is never replaced; on any failure before the swap it is untouched.
     */
    public static void replaceDirectory(Path target, java.util.Set<String> owned, DirectoryBody body) {
        replaceDirectory(target, (java.util.function.Predicate<String>) owned::contains, body);
    }

    /**
     * As {@link #replaceDirectory(Path, java.util.Set, DirectoryBody)}, for a command whose file names depend on its
     * options (one results file per swept value, say): {@code owned} tells whether a name is one it writes.
     */
    public static void replaceDirectory(Path target, java.util.function.Predicate<String> owned, DirectoryBody body) {
        Path abs = target.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                if (!Files.isDirectory(abs)) throw new IllegalArgumentException("output " + target + " exists and is not a folder");
                try (var s = Files.list(abs)) {
                    var others = s.map(p -> p.getFileName().toString()).filter(n -> !owned.test(n)).sorted().limit(5).toList();
                    if (!others.isEmpty()) {
                        throw new IllegalArgumentException("output folder " + target + " holds files this command does not write ("
                                + String.join(", ", others) + "): give a new or empty folder, or one from an earlier run of it");
                    }
                }
            }
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            Path tmp = tempDirectory(parent, abs.getFileName().toString());
            Path old = null;
            try {
                readableByAll(tmp);
                body.write(tmp);
                if (Files.exists(abs)) {
                    old = ownedDirectory(parent, abs.getFileName().toString(), "old");
                    Files.delete(old);
                    Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
                }
                try {
                    move(tmp, abs);
                } catch (IOException e) {
                    if (old != null) Files.move(old, abs, StandardCopyOption.ATOMIC_MOVE); // put the old run back
                    old = null;
                    throw e;
                }
            } finally {
                if (Files.exists(tmp)) deleteTree(tmp);
                if (old != null && Files.exists(old)) deleteTree(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Body that writes one file of a set, to the (temp) path it is given. */
    @FunctionalInterface
    public interface FileBody { void write(Path file) throws IOException; }

    /**
     * Writes a set of summary files into a folder that cannot be replaced whole (it also holds resumable results
     * written as the run goes), so that the set is consistent: {@code last} (e.g. summary.json) is the marker, written
     * last; its presence means the folder's summary files are complete and of one run.
     * <ol>
     * <li>every file is written in full to a temp file beside its target ({@code .NAME.*.tmp}); a failure here
     * leaves the folder untouched (the old set whole) and no temp file behind;</li>
     * <li>the old marker is deleted, then the old copy of every name mapped to {@code null} (a file of the set this
     * run does not write, which must not outlive its run);</li>
     * <li>the other new files are renamed into place (each replacing its old copy atomically), the marker last.</li>
     * </ol>
     * A failure or kill at any moment therefore leaves the old set with its marker, or no marker, or the new set
     * with its marker: never a new marker beside an old file of the set, nor an old marker beside a new one.
     * {@code files} maps plain file names to their bodies, in the order they are written; it must hold {@code last}.
     */
    public static void writeSet(Path dir, java.util.Map<String, FileBody> files, String last) {
        if (files.get(last) == null) throw new IllegalArgumentException("the set must write its marker file " + last);
        for (String name : files.keySet()) {
            Path n = Path.of(name);
            if (n.getNameCount() != 1 || n.isAbsolute() || name.equals(".") || name.equals(".."))
                throw new IllegalArgumentException("not a plain file name: " + name);
        }
        Path abs = dir.toAbsolutePath().normalize();
        java.util.Map<String, Path> written = new java.util.LinkedHashMap<>();
        try {
            Files.createDirectories(abs);
            try {
                for (var e : files.entrySet()) {
                    if (e.getValue() == null) continue;
                    Path tmp = tempFile(abs, e.getKey());
                    written.put(e.getKey(), tmp);
                    readableByAll(tmp);
                    e.getValue().write(tmp);
                }
                Files.deleteIfExists(abs.resolve(last)); // from here until the end the folder reads as incomplete
                for (var e : files.entrySet()) if (e.getValue() == null) Files.deleteIfExists(abs.resolve(e.getKey()));
                for (var e : written.entrySet()) if (!e.getKey().equals(last)) move(e.getValue(), abs.resolve(e.getKey()));
                move(written.get(last), abs.resolve(last));
            } finally {
                for (Path tmp : written.values()) Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + String.join(", ", files.keySet()) + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a folder and everything in it. */
    public static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    public static void writeString(Path target, String content) {
        writeText(target, w -> w.write(content));
    }

    /**
     * Temp files and folders are created owner-only (0600 / 0700); outputs get the usual rw-r--r-- (folders
     * rwxr-xr-x) where POSIX permissions exist, before they are moved into place.
     */
    public static void readableByAll(Path p) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix"))
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                    Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /** Moves a finished temp file (or directory) into place, atomically where the file system allows. */
    public static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
