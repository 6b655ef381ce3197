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
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Spark scoring job: reads the JSONL rows in parallel (line numbers and row positions kept), checks every row
 * strictly and (subset, id) unique, then scores part k = rows [k·R, (k+1)·R) on the executors ({@link PartWriter}).
 * Parts whose file exists are skipped (a killed job resumes); {@code _manifest.json} records what the parts are of,
 * and a rerun with another input (path or size), scorer or part size is refused. {@link #concatenate} joins the parts in order into
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

    /** The rows of the input in position order across the cluster (blank lines skipped, as tare's JSONL reader does). */
    public static JavaRDD<RowText> rows(JavaSparkContext jsc, ScoreSettings s) {
        JavaPairRDD<String, Long> lines = jsc.textFile(s.input()).zipWithIndex();
        return lines.filter(t -> !t._1().isBlank()).zipWithIndex()
                .map(t -> new RowText(t._1()._2() + 1, t._2(), t._1()._1()));
    }

    /** Runs the job; see the class comment. */
    public static Outcome run(SparkSession spark, ScoreSettings s) {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<RowText> rows = rows(jsc, s).cache();
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
                    return List.of(new RowError(e.line(), e.field(), e.problem())).iterator();
                }
            }).takeOrdered(1);
            if (!bad.isEmpty()) throw new DataFormatException(java.nio.file.Path.of(input), bad.getFirst().line(), bad.getFirst().field(), bad.getFirst().problem());
            List<Tuple2<String, Iterable<Long>>> dup = unwrap(() -> rows
                    .mapToPair(r -> {
                        PreferenceItem it = r.item(input, dev.tare.data.pairs.Benchmark.byName(benchmark));
                        return new Tuple2<>(it.subset() + "\u0000" + it.id(), r.line());
                    })
                    .groupByKey().filter(t -> count(t._2()) > 1).take(1));
            if (!dup.isEmpty()) {
                List<Long> at = new ArrayList<>();
                dup.getFirst()._2().forEach(at::add);
                at.sort(null);
                String[] k = dup.getFirst()._1().split("\u0000", 2);
                throw new DataFormatException(java.nio.file.Path.of(input), at.get(1), "id",
                        "duplicate (subset, id) = (" + k[0] + ", " + k[1] + "), first at row " + at.get(0));
            }
            int parts = s.partsFor(n);
            FileSystem fs = PartWriter.fs(s.parts());
            Manifest.check(fs, s, n, parts);
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

    /** A row that failed tare's strict reader on an executor: its line, field and problem, to rethrow on the driver. */
    record RowError(long line, String field, String problem) implements java.io.Serializable, Comparable<RowError> {
        @Override public int compareTo(RowError o) { return Long.compare(line, o.line); }
    }

    private static long count(Iterable<Long> it) {
        long c = 0;
        for (Long ignored : it) c++;
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

        static void check(FileSystem fs, ScoreSettings s, long rows, int parts) {
            ObjectNode m = Jsonl.MAPPER.createObjectNode();
            m.put("input", s.input());
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
                    if (!had.toString().equals(m.toString()))
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
