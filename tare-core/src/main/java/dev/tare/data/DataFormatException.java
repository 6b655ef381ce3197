package dev.tare.data;

import java.nio.file.Path;

/**
 * Bad input data: names the file, where in it (the 1-based line, or for JSON-array and Parquet rows "row N" with the
 * text line of the row's opening brace where known) and the field that is wrong.
 */
public final class DataFormatException extends RuntimeException {
    private final Path file;
    private final long line;
    private final long row;
    private final String field;
    private final String problem;

    public DataFormatException(Path file, long line, String field, String problem) {
        this(file, line, field, problem, null);
    }

    public DataFormatException(Path file, long line, String field, String problem, Throwable cause) {
        this(file, 0, line, field, problem, cause);
    }

    private DataFormatException(Path file, long row, long line, String field, String problem, Throwable cause) {
        super(format(file, row, line, field, problem), cause);
        this.file = file;
        this.line = line;
        this.row = row;
        this.field = field;
        this.problem = problem;
    }

    /** An error in row {@code row} (1-based) of a JSON array or Parquet file whose text starts on {@code line} (0 if unknown). */
    public static DataFormatException atRow(Path file, long row, long line, String field, String problem) {
        return new DataFormatException(file, row, line, field, problem, null);
    }

    /** The same error relocated to row {@code row} starting on text line {@code line} (0 if unknown), keeping the cause. */
    public DataFormatException atRow(long row, long line) {
        DataFormatException e = new DataFormatException(file, row, line, field, problem, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    private static String format(Path file, long row, long line, String field, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<input>" : file.toString());
        if (row > 0) {
            sb.append(": row ").append(row);
            if (line > 0) sb.append(" (line ").append(line).append(')');
        } else if (line > 0) {
            sb.append(':').append(line);
        }
        if (field != null) sb.append(": field '").append(field).append('\'');
        return sb.append(": ").append(problem).toString();
    }

    public Path file() { return file; }
    /** The 1-based text line (0 if unknown, e.g. a Parquet row). */
    public long line() { return line; }
    /** The 1-based row of a JSON array or Parquet file, 0 for line-oriented input (JSONL), where {@link #line()} is the row. */
    public long row() { return row; }
    public String field() { return field; }
    /** The problem without the location. */
    public String problem() { return problem; }
}
