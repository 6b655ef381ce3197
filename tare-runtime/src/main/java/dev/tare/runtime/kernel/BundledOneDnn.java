package dev.tare.runtime.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The oneDNN 3.x CPU library that ships with tare (the natives of Maven's {@code org.bytedeco:dnnl}, linux-x86_64:
 * {@code libdnnl.so.3} and the {@code libgomp.so.1} it links), unpacked from the class path once into a cache folder.
 *
 * <p>The folder is {@code $TARE_CACHE} (else {@code $XDG_CACHE_HOME/tare}, else {@code ~/.cache/tare}; where that
 * cannot be written, {@code java.io.tmpdir/tare-cache-<user>}) / {@code onednn-<version>-linux-x86_64}; it is written as a temporary sibling and renamed into place in one step, so a
 * reader never sees half a library, and two processes unpacking at once both end with the complete folder. A folder
 * whose files differ in size from the class path's is replaced.
 */
public final class BundledOneDnn {
    /** The folder of the natives inside the jar. */
    static final String RESOURCE_DIR = "org/bytedeco/dnnl/linux-x86_64/";
    /** The files unpacked, the OpenMP runtime first (libdnnl finds it beside itself through its $ORIGIN run path). */
    static final List<String> FILES = List.of("libgomp.so.1", "libdnnl.so.3");
    private static final String POM = "META-INF/maven/org.bytedeco/dnnl/pom.properties";

    private BundledOneDnn() {}

    /**
     * The unpacked folder (libgomp.so.1 and libdnnl.so.3), or empty where this platform has no bundled build or the
     * class path lacks it. Where the cache root cannot be written (a read-only home in a container), the folder goes
     * under {@code java.io.tmpdir}/tare-cache-{@code user.name} instead; an error only when both fail.
     */
    static Optional<Path> folder() throws IOException {
        if (!platform().equals("linux-x86_64")) return Optional.empty();
        ClassLoader cl = BundledOneDnn.class.getClassLoader();
        for (String f : FILES) if (cl.getResource(RESOURCE_DIR + f) == null) return Optional.empty();
        return Optional.of(unpack(cl, List.of(cacheRoot(), fallbackRoot()), version(cl)));
    }

    /**
     * The fallback root, made private to this user: created rwx------ where absent; an error where it exists but
     * belongs to another user or others may write to it (native code is loaded from under it, in a shared /tmp).
     */
    static Path privateRoot(Path root) throws IOException {
        java.nio.file.attribute.FileAttribute<?> only = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try {
            Files.createDirectory(root, only);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // checked below
        }
        String me = System.getProperty("user.name");
        java.nio.file.attribute.UserPrincipal owner = Files.getOwner(root, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        var perms = Files.getPosixFilePermissions(root, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !owner.getName().equals(me)
                || perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE))
            throw new IOException(root + " is not a folder of " + me + "'s that only " + me + " can write (owner " + owner.getName()
                    + ", " + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "): oneDNN is not unpacked there; set $TARE_CACHE");
        return root;
    }

    /** The cache root used where {@link #cacheRoot()} cannot be written. */
    static Path fallbackRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "tare-cache-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /**
     * {@link #unpack(ClassLoader, Path, String)} into the first of {@code roots} that works, the ones after the first
     * made {@linkplain #privateRoot private}; the first error, the others suppressed, where none does.
     */
    static Path unpack(ClassLoader cl, List<Path> roots, String version) throws IOException {
        IOException first = null;
        for (int i = 0; i < roots.size(); i++) {
            try {
                return unpack(cl, i == 0 ? roots.get(i) : privateRoot(roots.get(i)), version);
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        throw first != null ? first : new IOException("no cache folder to unpack oneDNN into");
    }

    /** "linux-x86_64" style name of this JVM's platform. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return (os.startsWith("linux") ? "linux" : os.replace(' ', '_')) + "-" + (arch.equals("amd64") ? "x86_64" : arch);
    }

    /** The cache root: $TARE_CACHE, else $XDG_CACHE_HOME/tare, else ~/.cache/tare. */
    static Path cacheRoot() {
        String tare = System.getenv("TARE_CACHE");
        if (tare != null && !tare.isBlank()) return Path.of(tare);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "tare");
        return Path.of(System.getProperty("user.home"), ".cache", "tare");
    }

    private static String version(ClassLoader cl) throws IOException {
        try (InputStream in = cl.getResourceAsStream(POM)) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            if (!v.matches("[A-Za-z0-9._-]+")) throw new IOException(POM + ": version " + v + " is not a folder name");
            return v;
        }
    }

    /**
     * {@code root}/onednn-{@code version}-linux-x86_64 holding {@link #FILES} as {@code cl} has them under
     * {@link #RESOURCE_DIR}; unpacked (temporary sibling, one rename) unless already there with the same sizes.
     */
    static Path unpack(ClassLoader cl, Path root, String version) throws IOException {
        Path dir = root.resolve("onednn-" + version + "-linux-x86_64");
        if (complete(cl, dir)) return dir;
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".onednn-" + version + "-");
        try {
            for (String f : FILES) {
                try (InputStream in = cl.getResourceAsStream(RESOURCE_DIR + f)) {
                    if (in == null) throw new IOException("class path lost " + RESOURCE_DIR + f + " while unpacking");
                    Files.copy(in, tmp.resolve(f));
                }
            }
            if (complete(cl, dir)) return dir;   // another process finished first
            if (Files.exists(dir)) deleteTree(dir);   // from another build of the same version name: replaced
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another process may have put its copy in place first: use it when it is complete
                if (!complete(cl, dir)) throw new IOException("cannot put oneDNN into " + dir + ": " + e, e);
            }
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
        if (!complete(cl, dir)) throw new IOException(dir + ": unpacked oneDNN differs from the class path's");
        return dir;
    }

    /** Whether dir holds every file with the size of the class path's copy. */
    private static boolean complete(ClassLoader cl, Path dir) throws IOException {
        for (String f : FILES) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) return false;
            URL u = cl.getResource(RESOURCE_DIR + f);
            if (u == null) return false;
            long size = u.openConnection().getContentLengthLong();
            if (size < 0 || Files.size(p) != size) return false;
        }
        return true;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
