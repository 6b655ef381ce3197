package dev.tare.data.pairs;

import dev.tare.data.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A data file with no items is named and said to be empty by every benchmark's reader (not "no results to analyse" later). */
class BenchmarkEmptyFileTest {
    @TempDir Path dir;

    @Test
    void anEmptyDataFileIsNamedAndSaidToBeEmpty() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        Path blank = Files.writeString(dir.resolve("blank.jsonl"), "\n\n");
        for (Benchmark b : Benchmark.values()) {
            var e = assertThrows(DataFormatException.class, () -> b.read(empty), b.cliName());
            assertTrue(e.getMessage().contains("empty.jsonl") && e.getMessage().contains("the file is empty"), e.getMessage());
            var f = assertThrows(DataFormatException.class, () -> b.read(blank), b.cliName());
            assertTrue(f.getMessage().contains("blank.jsonl") && (f.getMessage().contains("no items") || f.getMessage().contains("empty")),
                    f.getMessage());
        }
    }
}
