package dev.tare.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir Path tmp;

    @Test
    void failedWriteLeavesTheOldFileAndNoTempFiles() throws IOException {
        Path f = tmp.resolve("out.json");
        AtomicFiles.writeString(f, "old");
        assertThrows(java.io.UncheckedIOException.class, () -> AtomicFiles.writeText(f, w -> {
            w.write("half");
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
    }

    @Test
    void outputsAreReadableByOthers() throws IOException {
        Path f = tmp.resolve("summary.json");
        AtomicFiles.writeString(f, "{}");
        if (f.getFileSystem().supportedFileAttributeViews().contains("posix"))
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    /** The names in {@code dir}, sorted. */
    private static java.util.List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static java.util.Map<String, AtomicFiles.FileBody> set(String summary, String report) {
        java.util.Map<String, AtomicFiles.FileBody> m = new java.util.LinkedHashMap<>();
        m.put("summary.json", f -> Files.writeString(f, summary));
        m.put("report.html", f -> {
            if (report == null) throw new IOException("disk full");
            Files.writeString(f, report);
        });
        return m;
    }

    @Test
    void aSetWriterFailingOnTheSecondFileLeavesTheOldSetWholeAndNoTempFiles() throws IOException {
        Path dir = tmp.resolve("eval");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.jsonl"), "{}\n"); // resumable rows beside the set: never touched
        AtomicFiles.writeSet(dir, set("old summary", "old report"), "summary.json");
        assertEquals(java.util.List.of("report.html", "results.jsonl", "summary.json"), names(dir));
        var e = assertThrows(java.io.UncheckedIOException.class, () -> AtomicFiles.writeSet(dir, set("new summary", null), "summary.json"));
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old summary", Files.readString(dir.resolve("summary.json")));
        assertEquals("old report", Files.readString(dir.resolve("report.html")));
        assertEquals(java.util.List.of("report.html", "results.jsonl", "summary.json"), names(dir), "no temp file left behind");

        AtomicFiles.writeSet(dir, set("new summary", "new report"), "summary.json");
        assertEquals("new summary", Files.readString(dir.resolve("summary.json")));
        assertEquals("new report", Files.readString(dir.resolve("report.html")));
        assertEquals("{}\n", Files.readString(dir.resolve("results.jsonl")));
        assertEquals(java.util.List.of("report.html", "results.jsonl", "summary.json"), names(dir));
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix"))
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("report.html"))));
    }

    @Test
    void aSetThatCannotBePutInPlaceLeavesNoMarkerRatherThanANewMarkerBesideAnOldFile() throws IOException {
        Path dir = tmp.resolve("eval");
        AtomicFiles.writeSet(dir, set("old summary", "old report"), "summary.json");
        // report.html cannot be replaced (a non-empty folder stands in its way): the rename fails after the marker is gone
        Files.delete(dir.resolve("report.html"));
        Files.createDirectories(dir.resolve("report.html"));
        Files.writeString(dir.resolve("report.html").resolve("x"), "x");
        assertThrows(java.io.UncheckedIOException.class, () -> AtomicFiles.writeSet(dir, set("new summary", "new report"), "summary.json"));
        assertFalse(Files.exists(dir.resolve("summary.json")), "no marker: the folder's summary files read as incomplete");
        assertEquals(java.util.List.of("report.html"), names(dir), "no temp file left behind");
    }

    @Test
    void aNameMappedToNullIsAStaleFileOfTheSetAndIsRemoved() throws IOException {
        Path dir = tmp.resolve("eval");
        AtomicFiles.writeSet(dir, set("old summary", "old report"), "summary.json");
        java.util.Map<String, AtomicFiles.FileBody> m = new java.util.LinkedHashMap<>();
        m.put("report.html", null);
        m.put("summary.json", f -> Files.writeString(f, "new summary"));
        AtomicFiles.writeSet(dir, m, "summary.json");
        assertEquals(java.util.List.of("summary.json"), names(dir));
        assertEquals("new summary", Files.readString(dir.resolve("summary.json")));
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeSet(dir, java.util.Map.of("a.json", f -> {}), "summary.json"));
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeSet(dir, java.util.Map.of("../summary.json", f -> {}), "../summary.json"));
    }
}
