package dev.tare.spark;

import dev.tare.data.DataFormatException;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A Parquet row (its columns as JSON) read by the same strict row readers as a JSONL line. */
class RowTextTest {
    static final String FILE = "file:///data/prefs/part-00001-x.snappy.parquet";

    @Test
    void aParquetPairsRowWithoutAnIdGetsItsGlobalRowNumber() {
        PreferenceItem it = new RowText(3, 150, "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\",\"id\":null,\"source\":\"s\"}", FILE)
                .item("/data/prefs", Benchmark.PAIRS);
        assertEquals("151", it.id());
        assertEquals("default", it.subset());
        assertEquals(java.util.Map.of("source", "s"), it.meta());
        PreferenceItem jsonl = new RowText(151, 150, "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\",\"source\":\"s\"}").item("/data/prefs.jsonl", Benchmark.PAIRS);
        assertEquals(jsonl, it, "the same item as the JSONL line");
    }

    @Test
    void errorsNameTheParquetFileRowAndColumn() {
        var absent = assertThrows(DataFormatException.class, () -> new RowText(3, 150, "{\"prompt\":\"q\",\"rejected\":\"b\"}", FILE)
                .item("/data/prefs", Benchmark.PAIRS));
        assertEquals("/data/prefs/part-00001-x.snappy.parquet: row 3: field 'chosen': missing: the Parquet data has no column 'chosen'"
                + " (its columns: prompt, rejected)", absent.getMessage());
        var isNull = assertThrows(DataFormatException.class, () -> new RowText(3, 150, "{\"prompt\":\"q\",\"chosen\":null,\"rejected\":\"b\"}", FILE)
                .item("/data/prefs", Benchmark.PAIRS));
        assertEquals("/data/prefs/part-00001-x.snappy.parquet: row 3: field 'chosen': missing", isNull.getMessage());
        var typed = assertThrows(DataFormatException.class, () -> new RowText(3, 150, "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\",\"id\":1.5,\"subset\":\"s\"}", FILE)
                .item("/data/prefs", Benchmark.REWARDBENCH));
        assertEquals("id", typed.field());
        assertEquals(3, typed.row());
        assertEquals(Path.of("/data/prefs/part-00001-x.snappy.parquet"), typed.file());
    }
}
