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
}
