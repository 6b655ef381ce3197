package dev.tare.runtime.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.runtime.kernel.DType;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes a .safetensors file tensor by tensor (streaming, never the whole file in memory), atomically. */
public final class SafetensorsWriter {
    /** One tensor to write: its bytes are produced on demand by {@code body} (exactly shape × dtype bytes). */
    public record Entry(String name, DType dtype, long[] shape, Body body) {
        public long bytes() {
            long n = dtype.bytes();
            for (long d : shape) n *= d;
            return n;
        }
    }

    /** Streams a tensor's little-endian bytes. */
    @FunctionalInterface
    public interface Body { void write(OutputStream out) throws IOException; }

    private SafetensorsWriter() {}

    /** Writes {@code entries} (in the given order) with optional {@code __metadata__} to {@code target}. */
    public static void write(Path target, List<Entry> entries, Map<String, String> metadata) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long off = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype().name());
            var sh = t.putArray("shape");
            for (long d : e.shape()) sh.add(d);
            var o = t.putArray("data_offsets");
            o.add(off);
            off += e.bytes();
            o.add(off);
        }
        byte[] hb;
        try {
            hb = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (hb.length + 7) / 8 * 8;
        byte[] head = new byte[padded];
        java.util.Arrays.fill(head, (byte) ' ');
        System.arraycopy(hb, 0, head, 0, hb.length);
        Path abs = target.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = dev.tare.data.AtomicFiles.tempFile(abs.getParent(), abs.getFileName().toString());
            try {
                dev.tare.data.AtomicFiles.readableByAll(tmp);
                try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                    out.write(head);
                    for (Entry e : entries) {
                        CountingStream cs = new CountingStream(out);
                        e.body().write(cs);
                        if (cs.count != e.bytes())
                            throw new IllegalStateException("tensor '" + e.name() + "' wrote " + cs.count + " bytes, expected " + e.bytes());
                    }
                }
                AtomicFiles.move(tmp, abs);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes floats as little-endian F32. */
    public static void writeF32(OutputStream out, float[] v) throws IOException { writeFloats(out, v, DType.F32); }

    /** Writes floats little-endian as {@code dtype} (BF16 rounds to nearest even, NaN-safe: {@link DType#toBf16}). */
    public static void writeFloats(OutputStream out, float[] v, DType dtype) throws IOException { out.write(dtype.encode(v)); }

    private static final class CountingStream extends OutputStream {
        final OutputStream out;
        long count;

        CountingStream(OutputStream out) { this.out = out; }

        @Override public void write(int b) throws IOException { out.write(b); count++; }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); count += len; }
    }

    /** Copies a mapped tensor's bytes unchanged. */
    public static Body copyOf(Tensor t) {
        return out -> {
            long n = t.data().byteSize();
            byte[] buf = new byte[(int) Math.min(n, 1 << 20)];
            for (long o = 0; o < n; o += buf.length) {
                int len = (int) Math.min(buf.length, n - o);
                java.lang.foreign.MemorySegment.copy(t.data(), java.lang.foreign.ValueLayout.JAVA_BYTE, o, buf, 0, len);
                out.write(buf, 0, len);
            }
        };
    }

    /** Convenience: F32 entries from float arrays. */
    public static List<Entry> f32(Map<String, float[]> tensors, Map<String, long[]> shapes) {
        List<Entry> r = new ArrayList<>();
        tensors.forEach((k, v) -> r.add(new Entry(k, DType.F32, shapes.get(k), out -> writeF32(out, v))));
        return r;
    }
}
