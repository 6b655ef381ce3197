package dev.tare.runtime.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.runtime.kernel.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses and validates one memory-mapped .safetensors file; tensors are views into the mapping (no heap copy). */
public final class SafetensorsFile {
    /** Largest JSON header accepted (the reference Rust reader's limit is 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Refuses a key named twice in any object (Jackson keeps the last silently); top-level names are checked first. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Path file;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps {@code file} into {@code arena} (which owns the mapping's lifetime) and validates the header. */
    public static SafetensorsFile open(Path file, Arena arena) {
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new SafetensorsException(file, null, "file has " + size + " bytes, too short for the 8-byte header length");
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + file + ": " + e.getMessage(), e);
        }
        return parse(file, all);
    }

    static SafetensorsFile parse(Path file, MemorySegment all) {
        long size = all.byteSize();
        long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES)
            throw new SafetensorsException(file, null, "header length " + headerLen + " is not in (0, " + MAX_HEADER_BYTES + "] (not a safetensors file?)");
        if (8 + headerLen > size)
            throw new SafetensorsException(file, null, "header length " + headerLen + " runs past the end of the file (" + size + " bytes): truncated file?");
        byte[] hb = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode root;
        try {
            refuseDuplicateTensorNames(file, hb);
            root = JSON.readTree(hb);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(file, null, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(file, null, "header is not a JSON object");
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        MemorySegment data = all.asSlice(dataStart, dataLen);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> spans = new ArrayList<>();
        List<String> spanNames = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode t = e.getValue();
            if (name.equals("__metadata__")) {
                if (!t.isObject()) throw new SafetensorsException(file, null, "__metadata__ is not an object");
                t.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            if (!t.isObject()) throw new SafetensorsException(file, name, "entry is not an object");
            JsonNode dt = t.get("dtype"), sh = t.get("shape"), off = t.get("data_offsets");
            if (dt == null || !dt.isTextual()) throw new SafetensorsException(file, name, "missing field 'dtype'");
            if (sh == null || !sh.isArray()) throw new SafetensorsException(file, name, "missing field 'shape'");
            if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong())
                throw new SafetensorsException(file, name, "field 'data_offsets' must be [begin, end]");
            DType dtype;
            try {
                dtype = DType.valueOf(dt.asText());
            } catch (IllegalArgumentException ex) {
                throw new SafetensorsException(file, name, "dtype '" + dt.asText() + "' is not supported (F32, BF16, F16)");
            }
            long[] shape = new long[sh.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = sh.get(i);
                if (!d.canConvertToLong() || d.asLong() < 0) throw new SafetensorsException(file, name, "shape entry " + d + " is not a non-negative integer");
                shape[i] = d.asLong();
                try {
                    n = Math.multiplyExact(n, shape[i]);
                } catch (ArithmeticException ex) {
                    throw new SafetensorsException(file, name, "field 'shape' " + sh + " has more elements than fit in 64 bits");
                }
            }
            long begin = off.get(0).asLong(), end = off.get(1).asLong();
            if (begin < 0 || end < begin)
                throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end + "] are not ordered");
            if (end > dataLen)
                throw new SafetensorsException(file, name, "data_offsets end " + end + " is past the data area (" + dataLen + " bytes): truncated file?");
            long need;
            try {
                need = Math.multiplyExact(n, (long) dtype.bytes());
            } catch (ArithmeticException ex) {
                throw new SafetensorsException(file, name, "field 'shape' " + sh + " x " + dtype + " is more bytes than fit in 64 bits");
            }
            if (end - begin != need)
                throw new SafetensorsException(file, name, "data_offsets span " + (end - begin) + " bytes but shape x dtype needs " + need);
            spans.add(new long[]{begin, end, spans.size()});
            spanNames.add(name);
            tensors.put(name, new Tensor(name, dtype, shape, file, data.asSlice(begin, end - begin)));
        }
        spans.sort(Comparator.comparingLong((long[] s) -> s[0]).thenComparingLong(s -> s[1]));
        long maxEnd = 0;
        int maxIdx = -1;
        for (long[] sp : spans) {
            if (sp[1] == sp[0]) continue;
            if (maxIdx >= 0 && sp[0] < maxEnd)
                throw new SafetensorsException(file, spanNames.get((int) sp[2]), "data overlaps tensor '" + spanNames.get(maxIdx) + "'");
            if (sp[1] > maxEnd) { maxEnd = sp[1]; maxIdx = (int) sp[2]; }
        }
        return new SafetensorsFile(file, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    /** A tensor named twice in the header: the reference reader refuses it; a map would silently keep one entry. */
    private static void refuseDuplicateTensorNames(Path file, byte[] header) throws IOException {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(header)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) return; // readTree reports it
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (var t = p.nextToken(); t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                if (!seen.add(name)) throw new SafetensorsException(file, name, "named twice in the header (which entry is meant is ambiguous)");
                p.nextToken();
                p.skipChildren();
            }
        } catch (JsonProcessingException e) {
            // malformed JSON: readTree reports it with its own message
        }
    }

    public Path file() { return file; }

    /** Tensors by name, in header order. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** The optional {@code __metadata__} string map. */
    public Map<String, String> metadata() { return metadata; }
}
