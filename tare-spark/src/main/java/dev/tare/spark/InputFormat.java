package dev.tare.spark;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The container of a scoring job's input: {@code jsonl} (text rows, one JSON object a line) or {@code parquet} (a
 * .parquet file or a folder of part files, read with Spark's Parquet reader). {@code --format auto} (the default)
 * decides by the input: see {@link #detect}.
 */
public final class InputFormat {
    public static final String JSONL = "jsonl";
    public static final String PARQUET = "parquet";

    private InputFormat() {}

    /** The format of the job's input: the one given, else the detected one. */
    public static String resolve(ScoreSettings s) {
        return "auto".equals(s.format()) ? detect(s.input()) : s.format();
    }

    /**
     * Detection: a path ending in {@code .parquet} is Parquet, one ending in {@code .jsonl}, {@code .ndjson} or
     * {@code .json} is JSONL; otherwise the files it names (a file, or a folder's or a glob's files, recursively, but for
     * hidden and {@code _}-prefixed ones and empty files) decide: Parquet when every one is (by its name or the
     * {@code PAR1} magic at its start), JSONL when none is; a mix is refused (pass --format). An input that matches no
     * file is JSONL, whose reader reports it missing.
     */
    public static String detect(String input) {
        String name = input.replaceAll("/+$", "").toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) return PARQUET;
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) return JSONL;
        FileSystem fs = PartWriter.fs(input);
        try {
            FileStatus[] matched = fs.globStatus(PartWriter.qualified(input));
            if (matched == null) return JSONL;
            java.util.List<FileStatus> files = new java.util.ArrayList<>();
            for (FileStatus m : matched) {
                if (!m.isDirectory()) {
                    files.add(m);
                    continue;
                }
                int root = m.getPath().toUri().getPath().length();
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    if (!hidden(f.getPath().toUri().getPath().substring(root))) files.add(f);
                }
            }
            String parquet = null;
            String other = null;
            for (FileStatus f : files) {
                if (f.getLen() == 0) continue;
                if (isParquet(fs, f)) parquet = parquet == null ? f.getPath().toString() : parquet;
                else other = other == null ? f.getPath().toString() : other;
            }
            if (parquet != null && other != null)
                throw new IllegalArgumentException("--data " + input + " holds Parquet files (" + parquet + ") and other files (" + other
                        + "): pass --format jsonl or --format parquet");
            return parquet != null ? PARQUET : JSONL;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + input + ": " + e.getMessage(), e);
        }
    }

    /** A path below the input whose file or folder names starts with '.' or '_' (Spark's and Hadoop's hidden files). */
    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) if (part.startsWith(".") || part.startsWith("_")) return true;
        return false;
    }

    private static boolean isParquet(FileSystem fs, FileStatus f) throws IOException {
        if (f.getPath().getName().toLowerCase(Locale.ROOT).endsWith(".parquet")) return true;
        if (f.getLen() < 12) return false;   // magic, footer length, magic
        byte[] magic = new byte[4];
        try (FSDataInputStream in = fs.open(f.getPath())) {
            in.readFully(0, magic);
        }
        return new String(magic, StandardCharsets.US_ASCII).equals("PAR1");
    }
}
