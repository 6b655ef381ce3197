package dev.tare.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled oneDNN: unpacked once from a jar into the cache folder, atomically, and loaded on linux-x86_64. */
class BundledOneDnnTest {
    @TempDir Path tmp;

    /** A jar holding the two native files (random bytes of the given sizes) where the real one has them. */
    private URLClassLoader jar(Path at, int gompBytes, int dnnlBytes, long seed) throws IOException {
        Random rnd = new Random(seed);
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(at))) {
            for (String f : BundledOneDnn.FILES) {
                byte[] b = new byte[f.startsWith("libgomp") ? gompBytes : dnnlBytes];
                rnd.nextBytes(b);
                j.putNextEntry(new JarEntry(BundledOneDnn.RESOURCE_DIR + f));
                j.write(b);
                j.closeEntry();
            }
        }
        return new URLClassLoader(new URL[] {at.toUri().toURL()}, null);
    }

    private static byte[] resource(ClassLoader cl, String f) throws IOException {
        try (var in = cl.getResourceAsStream(BundledOneDnn.RESOURCE_DIR + f)) { return in.readAllBytes(); }
    }

    private static List<Path> leftovers(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) { return s.filter(p -> p.getFileName().toString().startsWith(".onednn-")).toList(); }
    }

    @Test
    void unpacksOnceReusesACompleteFolderAndReplacesOneOfOtherSizes() throws Exception {
        Path root = tmp.resolve("cache");
        try (URLClassLoader cl = jar(tmp.resolve("a.jar"), 1000, 5000, 1)) {
            Path dir = BundledOneDnn.unpack(cl, root, "3.13-1.5.14");
            assertEquals(root.resolve("onednn-3.13-1.5.14-linux-x86_64"), dir);
            for (String f : BundledOneDnn.FILES) assertArrayEquals(resource(cl, f), Files.readAllBytes(dir.resolve(f)), f);
            Files.writeString(dir.resolve("marker"), "kept");   // a second call finds it complete and leaves it alone
            assertEquals(dir, BundledOneDnn.unpack(cl, root, "3.13-1.5.14"));
            assertTrue(Files.exists(dir.resolve("marker")));
            Files.write(dir.resolve("libdnnl.so.3"), new byte[17]);   // a truncated or foreign copy: replaced whole
            assertEquals(dir, BundledOneDnn.unpack(cl, root, "3.13-1.5.14"));
            assertTrue(Files.notExists(dir.resolve("marker")));
            assertArrayEquals(resource(cl, "libdnnl.so.3"), Files.readAllBytes(dir.resolve("libdnnl.so.3")));
            assertEquals(List.of(), leftovers(root));
        }
        try (URLClassLoader other = jar(tmp.resolve("b.jar"), 1000, 6000, 2)) {   // another version: its own folder
            Path dir = BundledOneDnn.unpack(other, root, "3.14-1.5.15");
            assertEquals(6000, Files.size(dir.resolve("libdnnl.so.3")));
            assertEquals(5000, Files.size(root.resolve("onednn-3.13-1.5.14-linux-x86_64/libdnnl.so.3")));
        }
    }

    @Test
    void processesUnpackingAtOnceAllGetTheCompleteFolder() throws Exception {
        Path root = tmp.resolve("race");
        try (URLClassLoader cl = jar(tmp.resolve("c.jar"), 300_000, 3_000_000, 3)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Path>> got = new ArrayList<>();
                for (int i = 0; i < 6; i++) got.add(pool.submit((Callable<Path>) () -> BundledOneDnn.unpack(cl, root, "v")));
                for (Future<Path> f : got) {
                    Path dir = f.get();
                    for (String name : BundledOneDnn.FILES) assertArrayEquals(resource(cl, name), Files.readAllBytes(dir.resolve(name)), name);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), leftovers(root));
        }
    }

    @Test
    void aRootThatCannotBeWrittenIsAnErrorNamingIt() throws Exception {
        Path file = tmp.resolve("not-a-folder");
        Files.writeString(file, "x");
        try (URLClassLoader cl = jar(tmp.resolve("d.jar"), 10, 10, 4)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> BundledOneDnn.unpack(cl, file, "v"));
            assertTrue(String.valueOf(e.getMessage()).contains("not-a-folder"), e.getMessage());
            // the next root is taken where the first cannot be written; both failing: the first error, the second suppressed
            Path next = tmp.resolve("fallback");
            assertEquals(next.resolve("onednn-v-linux-x86_64"), BundledOneDnn.unpack(cl, List.of(file, next), "v"));
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(next)));
            Path open = Files.createDirectory(tmp.resolve("open"));   // others may write to it: native code is not put there
            Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            var refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> BundledOneDnn.unpack(cl, List.of(file, open), "v"));
            assertTrue(refused.getSuppressed().length == 1 && refused.getSuppressed()[0].getMessage().contains("rwxrwxrwx")
                    && refused.getSuppressed()[0].getMessage().contains("TARE_CACHE"), refused.getSuppressed()[0].getMessage());
            Path other = tmp.resolve("also-not-a-folder");
            Files.writeString(other, "x");
            var both = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> BundledOneDnn.unpack(cl, List.of(file, other), "v"));
            assertTrue(both.getMessage().contains("not-a-folder") && both.getSuppressed().length == 1
                    && both.getSuppressed()[0].getMessage().contains("also-not-a-folder"), both.toString());
        }
    }

    @Test
    void theBundledBuildLoadsOnLinuxX86_64() throws Exception {
        if (!BundledOneDnn.platform().equals("linux-x86_64")) return;   // no bundled build elsewhere: the Java kernels run
        if (System.getProperty(OneDnn.LIB_PROPERTY) != null) return;   // a named library is tested by the native tests
        assertTrue(BundledOneDnn.folder().isPresent(), "org.bytedeco:dnnl's linux-x86_64 natives are not on the class path");
        OneDnn.Availability a = OneDnn.availability();
        assertNotNull(a.lib(), a.reason());
        assertTrue(a.lib().version().startsWith("3."), a.lib().version());
        assertTrue(a.lib().library().startsWith(BundledOneDnn.cacheRoot().toString()), a.lib().library());
    }

    @Test
    void aOneDnn2LibraryIsRefusedByVersion() {
        OneDnn.availability();   // the bundled build first, so its OpenMP runtime is the one bound
        Path v2 = Path.of("/lib/x86_64-linux-gnu/libdnnl.so.2");
        if (!Files.isRegularFile(v2)) return;   // Debian's libdnnl2 is not installed here
        OneDnn.Availability a = OneDnn.open(v2.toString());
        assertEquals(null, a.lib());
        assertTrue(a.reason().contains("oneDNN 2.") && a.reason().contains("3.x") && a.reason().contains("tare.onednn.lib"), a.reason());
    }
}
