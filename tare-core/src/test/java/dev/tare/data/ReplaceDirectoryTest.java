package dev.tare.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** A command's output folder is replaced whole: never a mix of two runs' files, never another folder's work. */
class ReplaceDirectoryTest {
    @TempDir Path tmp;

    private static final Set<String> OWNED = Set.of("calibrated.jsonl", "summary.json");

    private List<String> siblings() throws IOException {
        try (var s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void rerunReplacesTheWholeFolderAndAFailedRunLeavesTheOldOneWhole() throws IOException {
        Path out = tmp.resolve("out");
        AtomicFiles.replaceDirectory(out, OWNED, d -> {
            Files.writeString(d.resolve("calibrated.jsonl"), "run 1\n");
            Files.writeString(d.resolve("summary.json"), "run 1\n");
        });
        // a second run dies after writing one of its two files: the folder is still run 1's, both files
        assertThrows(IllegalStateException.class, () -> AtomicFiles.replaceDirectory(out, OWNED, d -> {
            Files.writeString(d.resolve("calibrated.jsonl"), "run 2\n");
            throw new IllegalStateException("killed");
        }));
        assertEquals("run 1\n", Files.readString(out.resolve("calibrated.jsonl")));
        assertEquals("run 1\n", Files.readString(out.resolve("summary.json")));
        assertEquals(List.of("out"), siblings(), "no temp folders left");
        AtomicFiles.replaceDirectory(out, OWNED, d -> {
            Files.writeString(d.resolve("calibrated.jsonl"), "run 3\n");
            Files.writeString(d.resolve("summary.json"), "run 3\n");
        });
        assertEquals("run 3\n", Files.readString(out.resolve("summary.json")));
        assertEquals(List.of("out"), siblings());
    }

    @Test
    void aFolderHoldingOtherFilesIsNeverReplaced() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        var e = assertThrows(IllegalArgumentException.class, () -> AtomicFiles.replaceDirectory(out, OWNED,
                d -> Files.writeString(d.resolve("summary.json"), "x")));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    }
}
