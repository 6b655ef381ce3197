package dev.tare.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The one crash-resumable JSON Lines file: appended one line per record, strictly read back. On resume, a last line
 * cut short by a crash (no terminating newline, and not a complete JSON object) is removed and writing continues
 * after the complete lines; any other malformed line is a {@link DataFormatException} naming file and line.
 * Thread-safe appends; {@link #sync()} forces written lines to the device.
 */
public final class ResumableJsonl implements AutoCloseable {
    /** One complete line read back: its 1-based line number and its JSON object. */
    public record Line(long lineNo, JsonNode node) {}

    /** The complete lines of a file, the bytes they occupy, and whether a torn last line follows them. */
    public record Prefix(List<Line> lines, long validBytes, boolean truncatedTail) {}

    private final Path file;
    private final FileChannel channel;
    private final List<Line> existing;

    private ResumableJsonl(Path file, FileChannel channel, List<Line> existing) {
        this.file = file;
        this.channel = channel;
        this.existing = List.copyOf(existing);
    }

    /** Starts a new, empty file (replacing any existing one). */
    public static ResumableJsonl create(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            return new ResumableJsonl(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code file} to continue it (created if absent): its complete lines are read with {@code mapper} and kept
     * in {@link #existing()}, a torn last line is cut off, and a missing final newline is added.
     */
    public static ResumableJsonl resume(Path file, ObjectMapper mapper) {
        try {
            if (!Files.exists(file)) return create(file);
            Prefix p = readPrefix(file, mapper, true);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ch.truncate(p.validBytes());
            ch.position(p.validBytes());
            if (p.validBytes() > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.read(last, p.validBytes() - 1);
                if (last.get(0) != '\n') ch.write(ByteBuffer.wrap(new byte[]{'\n'}));
            }
            return new ResumableJsonl(file, ch, p.lines());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for appending: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the complete lines of {@code file} (blank lines skipped). With {@code tolerateTail}, a last line without a
     * newline that is not valid UTF-8 / JSON / an object is reported as a torn tail instead of an error.
     */
    public static Prefix readPrefix(Path file, ObjectMapper mapper, boolean tolerateTail) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<Line> lines = new ArrayList<>();
        int start = 0;
        long lineNo = 0, valid = 0;
        boolean truncated = false;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            boolean terminated = end < bytes.length;
            lineNo++;
            String text;
            try {
                text = decoder.decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
            } catch (CharacterCodingException e) {
                if (tolerateTail && !terminated) { truncated = true; break; }
                throw new DataFormatException(file, lineNo, null, "not valid UTF-8", e);
            }
            if (!text.isBlank()) {
                JsonNode node;
                try {
                    node = mapper.readTree(text);
                } catch (JsonProcessingException e) {
                    if (tolerateTail && !terminated) { truncated = true; break; }
                    throw new DataFormatException(file, lineNo, null, "malformed JSON: " + e.getOriginalMessage(), e);
                }
                if (node == null || !node.isObject()) {
                    if (tolerateTail && !terminated) { truncated = true; break; }
                    throw new DataFormatException(file, lineNo, null, "expected a JSON object");
                }
                lines.add(new Line(lineNo, node));
            }
            start = terminated ? end + 1 : end;
            valid = start;
        }
        return new Prefix(List.copyOf(lines), valid, truncated);
    }

    /** Lines found when the file was resumed (empty for {@link #create}). */
    public List<Line> existing() { return existing; }

    public Path file() { return file; }

    /** Appends one line (a JSON text without newlines) and hands it to the OS. */
    public synchronized void append(String json) {
        if (json.indexOf('\n') >= 0) throw new IllegalArgumentException("a JSON line must not contain a newline");
        ByteBuffer buf = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (buf.hasRemaining()) channel.write(buf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Forces written lines to the storage device. */
    public synchronized void sync() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync " + file + ": " + e.getMessage(), e);
        }
    }

    @Override public synchronized void close() {
        try {
            if (channel.isOpen()) {
                channel.force(false);
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}
