package dev.tare.data.npy;

import dev.tare.data.AtomicFiles;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A C-ordered little-endian float32 NumPy array ({@code .npy}, format 1.0–3.0): a strict reader (magic, version,
 * dtype {@code <f4}, {@code fortran_order: False}, shape and file size checked, errors name the file and field) and
 * an all-or-nothing writer.
 */
public record NpyArray(int[] shape, float[] data) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public NpyArray {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }

    @Override public int[] shape() { return shape.clone(); }

    /** Element at a full index (row-major). */
    public float get(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("index of rank " + index.length + " for shape " + Arrays.toString(shape));
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
            off = off * shape[i] + index[i];
        }
        return data[off];
    }

    /** Reads a float32 {@code .npy} file strictly. */
    public static NpyArray read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Header h = header(file, all);
        long n = 1;
        for (int d : h.shape) n = Math.multiplyExact(n, d);
        long want = h.dataStart + 4 * n;
        if (all.length != want)
            throw new DataFormatException(file, 0, "data", "shape " + Arrays.toString(h.shape) + " needs " + (want - h.dataStart)
                    + " bytes of float32 data, the file has " + (all.length - h.dataStart));
        float[] data = new float[(int) n];
        ByteBuffer.wrap(all, h.dataStart, (int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new NpyArray(h.shape, data);
    }

    private record Header(int[] shape, int dataStart) {}

    private static Header header(Path file, byte[] b) {
        if (b.length < 10 || !Arrays.equals(Arrays.copyOf(b, 6), MAGIC))
            throw new DataFormatException(file, 0, "magic", "not a NumPy .npy file (no \\x93NUMPY magic)");
        int major = b[6] & 0xff;
        int len, start;
        if (major == 1) {
            len = (b[8] & 0xff) | (b[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (b.length < 12) throw new DataFormatException(file, 0, "header", "truncated header");
            len = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            start = 12;
        } else {
            throw new DataFormatException(file, 0, "version", "unsupported .npy format version " + major + "." + (b[7] & 0xff));
        }
        if (len < 0 || start + len > b.length) throw new DataFormatException(file, 0, "header", "header length " + len + " runs past the end of the file");
        String text = new String(b, start, len, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        if (!text.startsWith("{") || !text.endsWith("}")) throw new DataFormatException(file, 0, "header", "header is not a Python dict: " + text);
        Matcher d = DESCR.matcher(text), f = FORTRAN.matcher(text), s = SHAPE.matcher(text);
        if (!d.find()) throw new DataFormatException(file, 0, "descr", "missing from the header " + text);
        if (!d.group(1).equals("<f4")) throw new DataFormatException(file, 0, "descr", "dtype " + d.group(1) + " is not supported (want '<f4', little-endian float32)");
        if (!f.find()) throw new DataFormatException(file, 0, "fortran_order", "missing from the header " + text);
        if (!f.group(1).equals("False")) throw new DataFormatException(file, 0, "fortran_order", "Fortran-ordered arrays are not supported");
        if (!s.find()) throw new DataFormatException(file, 0, "shape", "missing from the header " + text);
        String dims = s.group(1).strip();
        int[] shape;
        if (dims.isEmpty()) {
            shape = new int[0];
        } else {
            String[] parts = dims.split(",", -1);
            int k = parts.length;
            if (parts[k - 1].isBlank()) k--; // trailing comma: (3,)
            shape = new int[k];
            for (int i = 0; i < k; i++) {
                try {
                    shape[i] = Integer.parseInt(parts[i].strip().replaceAll("L$", ""));
                } catch (NumberFormatException e) {
                    throw new DataFormatException(file, 0, "shape", "dimension '" + parts[i].strip() + "' is not an integer in " + text);
                }
                if (shape[i] < 0) throw new DataFormatException(file, 0, "shape", "negative dimension in " + text);
            }
        }
        return new Header(shape, start + len);
    }

    /** Writes this array as a version 1.0 {@code .npy} file, all-or-nothing. */
    public void write(Path file) {
        try (Writer w = Writer.open(file, shape)) {
            w.append(data, 0, data.length);
        }
    }

    /** The header bytes (magic, version 1.0, padded dict) for a float32 C-order array of {@code shape}, padded to a multiple of 64. */
    static byte[] headerBytes(int[] shape) {
        StringBuilder sb = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        if (shape.length == 1) sb.append(',');
        sb.append("), }");
        int total = 10 + sb.length() + 1;
        int pad = (64 - total % 64) % 64;
        sb.append(" ".repeat(pad)).append('\n');
        byte[] dict = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (dict.length > 65535) throw new IllegalArgumentException("npy header too long");
        ByteBuffer bb = ByteBuffer.allocate(10 + dict.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) dict.length).put(dict);
        return bb.array();
    }

    /**
     * Streams a float32 array of a known shape into a temp file beside the target; {@link #close} checks that exactly
     * the shape's count was written and moves the file into place (on any failure the target is untouched).
     */
    public static final class Writer implements AutoCloseable {
        private final Path target, tmp;
        private final FileChannel ch;
        private final long expected;
        private long written;
        private boolean failed;

        private Writer(Path target, Path tmp, FileChannel ch, long expected) {
            this.target = target;
            this.tmp = tmp;
            this.ch = ch;
            this.expected = expected;
        }

        public static Writer open(Path file, int[] shape) {
            long n = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                n *= d;
            }
            Path abs = file.toAbsolutePath();
            try {
                if (abs.getParent() != null) Files.createDirectories(abs.getParent());
                Path tmp = dev.tare.data.AtomicFiles.tempFile(abs.getParent(), abs.getFileName().toString());
                FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                ch.write(ByteBuffer.wrap(headerBytes(shape)));
                return new Writer(abs, tmp, ch, n);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }

        /** Appends {@code n} values from {@code src[from..]} in C order. */
        public void append(float[] src, int from, int n) {
            if (written + n > expected) {
                failed = true;
                throw new IllegalStateException(target + ": more values than the declared shape holds (" + expected + ")");
            }
            ByteBuffer bb = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(src, from, n);
            try {
                while (bb.hasRemaining()) ch.write(bb);
            } catch (IOException e) {
                failed = true;
                throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
            }
            written += n;
        }

        /** Marks the file as abandoned: close removes the temp file and leaves the target untouched. */
        public void abandon() { failed = true; }

        @Override public void close() {
            try {
                ch.close();
                if (!failed && written != expected)
                    throw new IllegalStateException(target + ": " + written + " values written, the shape holds " + expected);
                if (!failed) {
                    AtomicFiles.readableByAll(tmp);
                    AtomicFiles.move(tmp, target);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file is hidden beside the target
                }
            }
        }
    }
}
