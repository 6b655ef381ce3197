package dev.tare.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Places a UTF-8 decoding error at its real line: a buffered decoder reads ahead, so the line being read when it
 * reports is not the line holding the bad bytes.
 */
public final class Utf8Text {
    private Utf8Text() {}

    /** The error for a file that is not valid UTF-8: its first malformed byte's line and byte offset. */
    public static DataFormatException notUtf8(Path file, Throwable cause) {
        long[] at = firstMalformed(file);
        if (at == null) return new DataFormatException(file, 0, null, "not valid UTF-8", cause);
        return new DataFormatException(file, at[0], null, "not valid UTF-8 (byte offset " + at[1] + ")", cause);
    }

    /** {line (1-based), byte offset} of the first malformed or unmappable byte, or null when the file decodes (or is unreadable). */
    static long[] firstMalformed(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(1 << 14);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) {
                int offset = in.position();
                long line = 1;
                for (int i = 0; i < offset; i++) if (bytes[i] == '\n') line++;
                return new long[]{line, offset};
            }
            if (r.isUnderflow()) return null;
            out.clear();
        }
    }
}
