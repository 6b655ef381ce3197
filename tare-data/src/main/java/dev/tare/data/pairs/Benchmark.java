package dev.tare.data.pairs;

import dev.tare.data.PreferenceItem;
import dev.tare.data.rewardbench.RewardBench2Reader;
import dev.tare.data.rewardbench.RewardBenchReader;
import dev.tare.data.rmbench.RmBenchReader;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The preference benchmarks tare reads, by CLI name; {@link #read} picks the container by file extension. */
public enum Benchmark {
    REWARDBENCH("rewardbench", RewardBenchReader::read),
    REWARDBENCH2("rewardbench2", RewardBench2Reader::read),
    RM_BENCH("rm-bench", RmBenchReader::readPath),
    PAIRS("pairs", PairsReader::read);

    private final String cliName;
    private final Function<Path, List<PreferenceItem>> reader;

    Benchmark(String cliName, Function<Path, List<PreferenceItem>> reader) {
        this.cliName = cliName;
        this.reader = reader;
    }

    public String cliName() { return cliName; }

    /** Reads a .jsonl / .json / .parquet file of this benchmark. */
    public List<PreferenceItem> read(Path file) {
        List<PreferenceItem> items = reader.apply(file);
        if (items.isEmpty()) {
            boolean zeroBytes;
            try {
                zeroBytes = java.nio.file.Files.size(file) == 0;
            } catch (java.io.IOException e) {
                zeroBytes = false;
            }
            throw new dev.tare.data.DataFormatException(file, 0, null, (zeroBytes ? "the file is empty" : "the file holds no items")
                    + ": nothing to score (a " + cliName + " data file needs at least one item)");
        }
        return items;
    }

    /**
     * The item of one row at its 0-based position among the file's rows, as {@link #read} makes it (the row-wise
     * benchmarks rewardbench and pairs: engines that read rows in parallel, e.g. tare-spark, call this per row).
     * The (subset, id) uniqueness that {@link #read} checks across rows is the caller's to check.
     */
    public PreferenceItem item(RowSource.Row row, int position) {
        return switch (this) {
            case REWARDBENCH -> RewardBenchReader.item(row, position);
            case PAIRS -> PairsReader.item(row);
            case REWARDBENCH2, RM_BENCH -> throw new IllegalArgumentException(cliName + " items are not read row by row here "
                    + "(use rewardbench or pairs rows)");
        };
    }

    /** Looks a benchmark up by name (case-insensitive; "rewardbench-v1", "rb2", "rmbench" accepted too). */
    public static Benchmark byName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "rewardbench", "reward-bench", "rewardbench-v1", "rewardbench1", "rb", "rb1" -> REWARDBENCH;
            case "rewardbench2", "reward-bench-2", "rewardbench-v2", "rewardbench-2", "rb2" -> REWARDBENCH2;
            case "rm-bench", "rmbench" -> RM_BENCH;
            case "pairs", "generic", "preference" -> PAIRS;
            default -> throw new IllegalArgumentException("unknown benchmark '" + name + "' (expected one of "
                    + Arrays.stream(values()).map(Benchmark::cliName).toList() + ")");
        };
    }

    @Override public String toString() { return cliName; }
}
