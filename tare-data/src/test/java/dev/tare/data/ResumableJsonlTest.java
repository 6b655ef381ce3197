package dev.tare.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The one resumable JSONL file: torn tails cut, complete lines kept, anything else malformed named by line. */
class ResumableJsonlTest {
    @TempDir Path tmp;

    @Test
    void resumeCutsATornTailAndContinues() throws Exception {
        Path f = tmp.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"x\":[1,");
        try (ResumableJsonl j = ResumableJsonl.resume(f, Jsonl.MAPPER)) {
            assertEquals(2, j.existing().size());
            assertEquals(2, j.existing().get(1).lineNo());
            j.append("{\"id\":\"c\"}");
        }
        assertEquals("{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n", Files.readString(f));
    }

    @Test
    void aCompleteLastLineWithoutNewlineIsKept() throws Exception {
        Path f = tmp.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":\"a\"}\n{\"id\":\"b\"}");
        try (ResumableJsonl j = ResumableJsonl.resume(f, Jsonl.MAPPER)) {
            assertEquals(2, j.existing().size());
            j.append("{\"id\":\"c\"}");
        }
        assertEquals("{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n", Files.readString(f));
    }

    @Test
    void malformedCompleteLinesAreErrorsNamingTheLine() throws Exception {
        Path f = tmp.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":\"a\"}\n{\"id\":\"a\",\"id\":\"b\"}\n{\"id\":\"c\"}\n");
        var e = assertThrows(DataFormatException.class, () -> ResumableJsonl.resume(f, Jsonl.MAPPER));
        assertTrue(e.getMessage().contains(":2"), e.getMessage());
        Files.writeString(f, "[1,2]\n");
        assertTrue(assertThrows(DataFormatException.class, () -> ResumableJsonl.resume(f, Jsonl.MAPPER)).getMessage().contains("JSON object"));
        try (ResumableJsonl j = ResumableJsonl.create(f)) {
            assertTrue(j.existing().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> j.append("{}\n{}"));
        }
        assertEquals(0, Files.size(f), "create replaces");
    }
}
