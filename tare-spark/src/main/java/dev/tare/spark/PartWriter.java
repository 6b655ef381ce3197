package dev.tare.spark;

import dev.tare.core.Progress;
import dev.tare.data.PreferenceItem;
import dev.tare.eval.EvalRunner;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scores one part on an executor into {@code parts/part-NNNNN.jsonl}, all or nothing: tare's resumable runner writes
 * the lines (exactly tare eval's results lines) to a local temp file, which is copied to {@code parts/_tmp/} under the
 * task attempt's name and renamed into place. A part whose file exists is finished and skipped.
 */
public final class PartWriter {
    private PartWriter() {}

    /** The file system of a folder URI (a path without a scheme is local). */
    public static FileSystem fs(String dir) {
        try {
            FileSystem fs = FileSystem.get(URI.create(dir.contains(":") ? dir : "file://" + java.nio.file.Path.of(dir).toAbsolutePath()), new Configuration());
            fs.setWriteChecksum(false);
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The qualified path of a part file. */
    public static Path partPath(String partsDir, int part) { return new Path(qualified(partsDir), ScoreSettings.partName(part)); }

    static Path qualified(String dir) {
        return dir.contains(":") ? new Path(dir) : new Path("file://" + java.nio.file.Path.of(dir).toAbsolutePath());
    }

    /** Scores the rows of part {@code part} (any order) unless its file exists. */
    public static PartResult write(int part, List<RowText> rows, ScoreSettings s) {
        long t0 = System.nanoTime();
        FileSystem fs = fs(s.parts());
        Path target = partPath(s.parts(), part);
        try {
            if (fs.exists(target)) return PartResult.skipped(part, rows.size());
            List<RowText> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparingLong(RowText::position));
            for (int i = 0; i < sorted.size(); i++) {
                long want = (long) part * s.rowsPerPart() + i;
                if (sorted.get(i).position() != want)
                    throw new IllegalStateException("part " + part + " misses row position " + want + " (got " + sorted.get(i).position() + ")");
            }
            List<PreferenceItem> items = new ArrayList<>(sorted.size());
            for (RowText r : sorted) items.add(r.item(s.input(), s.reader()));
            var scorer = ScorerCache.get(s.scorer());
            java.nio.file.Path local = Files.createTempFile("tare-" + ScoreSettings.partName(part), ".tmp");
            try {
                Files.delete(local);
                try (Progress quiet = Progress.on(new PrintStream(OutputStream.nullOutputStream()), "part", items.size())) {
                    EvalRunner.run(items, scorer, local, false,
                            new EvalRunner.Options(s.batchSize(), 1, Integer.MAX_VALUE, Duration.ofDays(1)), quiet);
                }
                TaskContext tc = TaskContext.get();
                String attempt = tc == null ? "driver" : tc.stageId() + "-" + tc.taskAttemptId();
                Path tmp = new Path(new Path(qualified(s.parts()), "_tmp"), ScoreSettings.partName(part) + "." + attempt);
                fs.copyFromLocalFile(false, true, new Path(local.toUri()), tmp);
                if (!fs.rename(tmp, target)) {
                    fs.delete(tmp, false);
                    if (!fs.exists(target)) throw new IOException("cannot rename " + tmp + " to " + target);
                }
            } finally {
                Files.deleteIfExists(local);
            }
            return new PartResult(part, rows.size(), false, (System.nanoTime() - t0) / 1e9, new java.util.LinkedHashMap<>(scorer.provenance()));
        } catch (IOException e) {
            throw new UncheckedIOException("part " + part + " (" + target + "): " + e.getMessage(), e);
        }
    }
}
