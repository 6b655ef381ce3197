package dev.tare.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;
import dev.tare.data.PreferenceItem;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Spark scoring job: reads the JSONL or Parquet rows in parallel (line or file and row numbers, and global row
 * positions kept; see {@link #parquetRows} for Parquet's row order), checks every row strictly and (subset, id) unique, then scores part k = rows [k·R, (k+1)·R) on the executors ({@link PartWriter}).
 * Parts whose file exists are skipped (a killed job resumes); {@code _manifest.json} records what the parts are of,
 * and a rerun with another input (path, format or size), scorer or part size is refused. {@link #concatenate} joins the parts in order into
 * one results file, the same bytes tare eval writes for the same items.
 */
public final class SparkScore {
    /** A finished job: rows, parts, parts found finished, the seconds the job took, and what each task did. */
    public record Outcome(long rows, int parts, int skipped, double seconds, List<PartResult> results) {
        /**
         * The scorer's provenance (what tare eval's summary records as settings): from a part scored now, else (every
         * part was found finished) from the scorer opened here.
         */
        public java.util.Map<String, Object> settings(ScoreSettings s) {
            for (PartResult r : results) if (!r.skipped()) return r.settings();
            return ScorerCache.get(s.scorer()).provenance();
        }
    }

    private SparkScore() {}

    /**
     * The rows of the input with their global positions. JSONL: in position order (blank lines skipped, as tare's JSONL
     * reader does). Parquet ({@link #parquetRows}): in no particular order; positions as described there.
     */
    public static JavaRDD<RowText> rows(SparkSession spark, ScoreSettings s) {
        return rows(spark, s, InputFormat.resolve(s));
    }

    static JavaRDD<RowText> rows(SparkSession spark, ScoreSettings s, String format) {
        if (InputFormat.PARQUET.equals(format)) return parquetRows(spark, s.input());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaPairRDD<String, Long> lines = jsc.textFile(s.input()).zipWithIndex();
        return lines.filter(t -> !t._1().isBlank()).zipWithIndex()
                .map(t -> new RowText(t._1()._2() + 1, t._2(), t._1()._1()));
    }

    /**
     * The rows of a Parquet input (a file, a folder of part files or a glob; any Hadoop URI) read with Spark's Parquet
     * reader, schemas of all files merged (a column a file lacks is null in its rows). The global row order is the
     * files' path order (Spark's file paths compared as strings: in one folder, file name order), then the row order
     * within each file: position = the rows of the files before + the row's index in its file (Spark's
     * {@code _metadata.row_index}), whatever the splits. Each row becomes one JSON object of its columns (binary columns
     * as UTF-8 text, nulls kept) that {@link RowText#item} reads with the same strict row reader as a JSONL line.
     */
    static JavaRDD<RowText> parquetRows(SparkSession spark, String input) {
        java.nio.file.Path where = java.nio.file.Path.of(input.replaceFirst("^file:", ""));
        Dataset<Row> df;
        try {
            df = spark.read().option("mergeSchema", "true").parquet(input);
        } catch (Exception e) {   // also Spark's (undeclared, checked) SparkException, e.g. schemas that cannot be merged
            throw new DataFormatException(where, 0, null, "cannot read the Parquet input: " + sparkMessage(e), e);
        }
        List<Column> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            Column c = df.col("`" + f.name().replace("`", "``") + "`");
            if (f.dataType() instanceof BinaryType) c = c.cast(DataTypes.StringType);
            cols.add(c.as(f.name()));
        }
        if (cols.isEmpty()) throw new DataFormatException(where, 0, null, "the Parquet input has no columns");
        Dataset<Row> rows = df.select(functions.to_json(functions.struct(cols.toArray(new Column[0])), java.util.Map.of("ignoreNullFields", "false")).as("json"),
                functions.col("_metadata.file_path").as("file"), functions.col("_metadata.row_index").as("row"));
        java.util.TreeMap<String, Long> counts = new java.util.TreeMap<>();
        try {
            for (Row r : rows.groupBy("file").count().collectAsList()) counts.put(r.getString(0), r.getLong(1));
        } catch (Exception e) {   // a file that cannot be read (corrupt footer, lost file)
            throw new DataFormatException(where, 0, null, "cannot read the Parquet input: " + sparkMessage(e), e);
        }
        java.util.HashMap<String, Long> offsets = new java.util.HashMap<>();
        long before = 0;
        for (var e : counts.entrySet()) {
            offsets.put(e.getKey(), before);
            before += e.getValue();
        }
        Broadcast<java.util.HashMap<String, Long>> first = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(offsets);
        return rows.toJavaRDD().map(r -> new RowText(r.getLong(2) + 1, first.value().get(r.getString(1)) + r.getLong(2), r.getString(0), r.getString(1)));
    }

    /** An error's message and, where it differs, its root cause's (Spark's schema merge names the types there). */
    private static String sparkMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root == e || root.getMessage() == null ? e.getMessage() : e.getMessage() + " (" + root.getMessage() + ")";
    }

    /** Runs the job; see the class comment. */
    public static Outcome run(SparkSession spark, ScoreSettings s) {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String format = InputFormat.resolve(s);
        JavaRDD<RowText> rows = rows(spark, s, format).cache();
        try {
            String input = s.input();
            String benchmark = s.benchmark();
            long n = unwrap(() -> rows.count());
            if (n == 0) throw new DataFormatException(java.nio.file.Path.of(input), 0, null, "the file holds no items: nothing to score");
            // every row read strictly (the first bad line is reported, as tare's readers do), and (subset, id) unique
            List<RowError> bad = rows.flatMap(r -> {
                try {
                    r.item(input, dev.tare.data.pairs.Benchmark.byName(benchmark));
                    return java.util.Collections.<RowError>emptyIterator();
                } catch (DataFormatException e) {
                    return List.of(new RowError(r.position(), e.file().toString(), e.row(), e.line(), e.field(), e.problem())).iterator();
                }
            }).takeOrdered(1);
            if (!bad.isEmpty()) throw bad.getFirst().exception();
            List<Tuple2<String, Iterable<RowAt>>> dup = unwrap(() -> rows
                    .mapToPair(r -> {
                        PreferenceItem it = r.item(input, dev.tare.data.pairs.Benchmark.byName(benchmark));
                        return new Tuple2<>(it.subset() + "\u0000" + it.id(), new RowAt(r.position(), r.file(input).toString(), r.line(), r.parquetFile() != null));
                    })
                    .groupByKey().filter(t -> count(t._2()) > 1).take(1));
            if (!dup.isEmpty()) {
                List<RowAt> at = new ArrayList<>();
                dup.getFirst()._2().forEach(at::add);
                at.sort(null);
                String[] k = dup.getFirst()._1().split("\u0000", 2);
                RowAt was = at.get(0), again = at.get(1);
                String problem = "duplicate (subset, id) = (" + k[0] + ", " + k[1] + "), first at row " + was.number()
                        + (was.file().equals(again.file()) ? "" : " of " + was.file());
                throw again.parquet() ? DataFormatException.atRow(java.nio.file.Path.of(again.file()), again.number(), 0, "id", problem)
                        : new DataFormatException(java.nio.file.Path.of(input), again.number(), "id", problem);
            }
            int parts = s.partsFor(n);
            FileSystem fs = PartWriter.fs(s.parts());
            Manifest.check(fs, s, format, n, parts);
            Set<Integer> done = new HashSet<>();
            for (int p = 0; p < parts; p++) if (exists(fs, PartWriter.partPath(s.parts(), p))) done.add(p);
            Broadcast<Set<Integer>> finished = jsc.broadcast(done);
            List<PartResult> res = new ArrayList<>();
            if (done.size() < parts) {
                int rpp = s.rowsPerPart();
                res.addAll(unwrap(() -> rows.filter(r -> !finished.value().contains(Math.toIntExact(r.position() / rpp)))
                        .mapToPair(r -> new Tuple2<>(r.position(), r))
                        .partitionBy(new PositionPartitioner(rpp, parts))
                        .mapPartitionsWithIndex((idx, it) -> {
                            List<RowText> mine = new ArrayList<>();
                            it.forEachRemaining(t -> mine.add(t._2()));
                            return mine.isEmpty() ? java.util.Collections.emptyIterator()
                                    : List.of(PartWriter.write(idx, mine, s)).iterator();
                        }, true).collect()));
            }
            for (int p = 0; p < parts; p++)
                if (!exists(fs, PartWriter.partPath(s.parts(), p))) throw new IllegalStateException("part " + p + " was not written");
            try {   // every part is in place: what killed or losing task attempts left in _tmp is garbage now
                fs.delete(new Path(PartWriter.qualified(s.parts()), "_tmp"), true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + s.parts() + "/_tmp: " + e.getMessage(), e);
            }
            return new Outcome(n, parts, done.size(), (System.nanoTime() - t0) / 1e9, res);
        } finally {
            rows.unpersist();
        }
    }

    /** A row that failed tare's strict reader on an executor: where it is and what is wrong, to rethrow on the driver. */
    record RowError(long position, String file, long row, long line, String field, String problem) implements java.io.Serializable, Comparable<RowError> {
        @Override public int compareTo(RowError o) { return Long.compare(position, o.position); }

        DataFormatException exception() {
            java.nio.file.Path f = java.nio.file.Path.of(file);
            return row > 0 ? DataFormatException.atRow(f, row, line, field, problem) : new DataFormatException(f, line, field, problem);
        }
    }

    /** Where a row is: its position, its file, its line (JSONL) or row number in the file (Parquet). */
    record RowAt(long position, String file, long number, boolean parquet) implements java.io.Serializable, Comparable<RowAt> {
        @Override public int compareTo(RowAt o) { return Long.compare(position, o.position); }
    }

    private static long count(Iterable<?> it) {
        long c = 0;
        for (Object ignored : it) c++;
        return c;
    }

    static boolean exists(FileSystem fs, Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The parts 0..parts-1 joined in order into one local results file, written all at once. */
    public static void concatenate(String partsDir, int parts, java.nio.file.Path results) {
        FileSystem fs = PartWriter.fs(partsDir);
        dev.tare.data.AtomicFiles.writeText(results, w -> {
            for (int p = 0; p < parts; p++) {
                try (FSDataInputStream in = fs.open(PartWriter.partPath(partsDir, p))) {
                    w.write(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        });
    }

    /**
     * The parts as one Parquet folder at {@code target} (any Hadoop URI), rows in part order: the results lines' fields
     * as columns, tare's core fields first ({@code id, subset, model, scores_chosen, scores_rejected, results}) then the
     * extra fields (JSON objects become structs). Written under a temp name and renamed; an existing target is replaced.
     */
    public static void writeParquet(SparkSession spark, String partsDir, int parts, String target) {
        String[] paths = new String[parts];
        for (int p = 0; p < parts; p++) paths[p] = PartWriter.partPath(partsDir, p).toString();
        org.apache.spark.sql.types.StructType schema = spark.read().json(paths).schema();
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> all = null;
        for (String path : paths) {   // one small file = one partition: the union keeps the part order
            var d = spark.read().schema(schema).option("mode", "FAILFAST").json(path);
            all = all == null ? d : all.union(d);
        }
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        List<String> names = List.of(schema.fieldNames());
        for (String f : dev.tare.results.ScoredItem.CORE_FIELDS) if (names.contains(f)) cols.add(org.apache.spark.sql.functions.col(f));
        for (String f : names) if (!dev.tare.results.ScoredItem.CORE_FIELDS.contains(f)) cols.add(org.apache.spark.sql.functions.col("`" + f + "`"));
        FileSystem fs = PartWriter.fs(target);
        Path dest = PartWriter.qualified(target);
        Path tmp = new Path(dest.getParent(), "_tmp-" + dest.getName() + "-" + java.util.UUID.randomUUID());
        all.select(cols.toArray(new org.apache.spark.sql.Column[0])).write().parquet(tmp.toString());
        try {
            if (fs.exists(dest)) fs.delete(dest, true);
            if (!fs.rename(tmp, dest)) throw new IOException("cannot rename " + tmp + " to " + dest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** A Spark job failure whose task failed on bad data: the task's own error (naming file, line and field) rethrown. */
    static <T> T unwrap(java.util.function.Supplier<T> job) {
        try {
            return job.get();
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof DataFormatException d) throw d;
            throw e;
        }
    }

    /** {@code _manifest.json} in the parts folder: what the parts are of; written once, checked on every rerun. */
    static final class Manifest {
        private Manifest() {}

        /** The bytes under the input path (a file, or a folder's files): a rewritten input of another size is another job. */
        static long inputBytes(String input) {
            try {
                Path p = PartWriter.qualified(input);
                return PartWriter.fs(input).getContentSummary(p).getLength();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of " + input + ": " + e.getMessage(), e);
            }
        }

        static void check(FileSystem fs, ScoreSettings s, String format, long rows, int parts) {
            ObjectNode m = Jsonl.MAPPER.createObjectNode();
            m.put("input", s.input());
            m.put("format", format);
            m.put("input_bytes", inputBytes(s.input()));
            m.put("benchmark", s.benchmark());
            m.put("scorer", s.scorerRedacted());
            m.put("rows", rows);
            m.put("rows_per_part", s.rowsPerPart());
            m.put("parts", parts);
            Path file = new Path(PartWriter.qualified(s.parts()), "_manifest.json");
            try {
                if (fs.exists(file)) {
                    ObjectNode had;
                    try (FSDataInputStream in = fs.open(file)) {
                        had = (ObjectNode) Jsonl.MAPPER.readTree(in);
                    }
                    ObjectNode same = m.deepCopy();   // a manifest from before Parquet input recorded no format: its input was JSONL
                    if (!had.has("format") && InputFormat.JSONL.equals(format)) same.remove("format");
                    if (!had.toString().equals(same.toString()))
                        throw new IllegalStateException(file + " records another job (" + had + ") than this one (" + m
                                + "): its parts cannot be resumed; use another --parts folder or remove it");
                    return;
                }
                fs.mkdirs(PartWriter.qualified(s.parts()));
                Path tmp = new Path(PartWriter.qualified(s.parts()), "_manifest.json.tmp");
                try (FSDataOutputStream out = fs.create(tmp, true)) {
                    out.write((m.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
                }
                if (!fs.rename(tmp, file)) throw new IOException("cannot rename " + tmp + " to " + file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
