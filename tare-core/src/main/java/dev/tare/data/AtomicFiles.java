package dev.tare.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes output files all-or-nothing: into a temp file beside the target, then an atomic move. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Body that writes the whole file content. */
    @FunctionalInterface
    public interface WriterBody { void write(Writer w) throws IOException; }

    /** Writes text through {@code body}; on any failure the target is left untouched and the temp file removed. */
    public static void writeText(Path target, WriterBody body) {
        Path abs = target.toAbsolutePath();
        try {
            Path dir = abs.getParent();
            if (dir != null) Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
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
            Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".tmp-");
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
        Path abs = target.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                if (!Files.isDirectory(abs)) throw new IllegalArgumentException("output " + target + " exists and is not a folder");
                try (var s = Files.list(abs)) {
                    var others = s.map(p -> p.getFileName().toString()).filter(n -> !owned.contains(n)).sorted().limit(5).toList();
                    if (!others.isEmpty()) {
                        throw new IllegalArgumentException("output folder " + target + " holds files this command does not write ("
                                + String.join(", ", others) + "): give a new or empty folder, or one from an earlier run of it");
                    }
                }
            }
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
            Path old = null;
            try {
                readableByAll(tmp);
                body.write(tmp);
                if (Files.exists(abs)) {
                    old = Files.createTempDirectory(parent, "." + abs.getFileName() + ".old-");
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
