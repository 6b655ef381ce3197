package dev.tare.spark;

import dev.tare.data.pairs.Benchmark;
import dev.tare.scorers.ScorerSpec;

import java.io.Serializable;
import java.util.Objects;

/**
 * What one Spark scoring job reads and writes: the dataset (JSONL or Parquet, any Hadoop URI) and its benchmark's row
 * reader (rewardbench or pairs), the scorer spec opened once per executor JVM, the parts folder (any Hadoop URI), rows
 * per part (the resume unit), the batch size in conversations (0: the scorer's own) and the input format
 * ({@code auto}, {@code jsonl} or {@code parquet}; auto: see {@link InputFormat#resolve}).
 */
public record ScoreSettings(String input, String benchmark, String scorer, String parts, int rowsPerPart, int batchSize, String format)
        implements Serializable {
    /** The input format detected from the input (auto). */
    public ScoreSettings(String input, String benchmark, String scorer, String parts, int rowsPerPart, int batchSize) {
        this(input, benchmark, scorer, parts, rowsPerPart, batchSize, "auto");
    }

    public ScoreSettings {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(parts, "parts");
        format = format == null ? "auto" : format.toLowerCase(java.util.Locale.ROOT);
        if (!java.util.List.of("auto", "jsonl", "parquet").contains(format))
            throw new IllegalArgumentException("--format must be auto, jsonl or parquet, got " + format);
        Benchmark b = Benchmark.byName(benchmark);
        if (b != Benchmark.REWARDBENCH && b != Benchmark.PAIRS)
            throw new IllegalArgumentException("--benchmark " + benchmark + ": tare spark reads rewardbench or pairs rows");
        benchmark = b.cliName();
        ScorerSpec spec = ScorerSpec.parse(scorer);
        if (spec.isJudge()) throw new IllegalArgumentException("--scorer " + spec.redacted() + ": tare spark scores with reward models (local: or http:)");
        if (rowsPerPart < 1) throw new IllegalArgumentException("--rows-per-part must be >= 1, got " + rowsPerPart);
        if (batchSize < 0) throw new IllegalArgumentException("--batch must be >= 0, got " + batchSize);
    }

    /** The benchmark whose rows the input holds. */
    public Benchmark reader() { return Benchmark.byName(benchmark); }

    /** The scorer spec as it may be recorded (tokens hidden). */
    public String scorerRedacted() { return ScorerSpec.parse(scorer).redacted(); }

    /** The part a 0-based row position falls in. */
    public int partOf(long position) { return Math.toIntExact(position / rowsPerPart); }

    /** Parts for {@code rows} rows. */
    public int partsFor(long rows) { return Math.toIntExact((rows + rowsPerPart - 1) / rowsPerPart); }

    /** A part's file name: part-00000.jsonl. */
    public static String partName(int part) { return String.format("part-%05d.jsonl", part); }
}
