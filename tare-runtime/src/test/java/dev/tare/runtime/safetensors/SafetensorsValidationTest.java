package dev.tare.runtime.safetensors;

import dev.tare.runtime.kernel.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Round trip through SafetensorsWriter and deliberately corrupted files, each failing with a message naming file and tensor. */
class SafetensorsValidationTest {
    @TempDir Path tmp;

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int i = 0; i < dataBytes / 4; i++) b.putFloat(i);
        return b.array();
    }

    private String failure(byte[] bytes) throws IOException {
        Path p = tmp.resolve("bad.safetensors");
        Files.write(p, bytes);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> WeightStore.openFile(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void roundTripF32Bf16F16() throws IOException {
        Path p = tmp.resolve("ok.safetensors");
        float[] a = {1.5f, -2.25f, 3f, 0.1f, 7f, -0f};
        List<SafetensorsWriter.Entry> es = List.of(
                new SafetensorsWriter.Entry("b.bf16", DType.BF16, new long[]{2}, out -> out.write(new byte[]{(byte) 0xC0, 0x3F, 0x00, (byte) 0xC0})),
                new SafetensorsWriter.Entry("a.f32", DType.F32, new long[]{2, 3}, out -> SafetensorsWriter.writeF32(out, a)),
                new SafetensorsWriter.Entry("c.f16", DType.F16, new long[]{1}, out -> out.write(new byte[]{0x00, 0x3C})));
        SafetensorsWriter.write(p, es, Map.of("format", "pt"));
        try (WeightStore w = WeightStore.openFile(p)) {
            assertArrayEquals(a, w.require("a.f32").toFloats());
            assertArrayEquals(new float[]{1.5f, -2f}, w.require("b.bf16").toFloats());
            assertArrayEquals(new float[]{1f}, w.require("c.f16").toFloats());
            assertEquals(0, (Files.size(p) - 8 - 30) % 8, "header padded to a multiple of 8");
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> w.require("nope"));
            assertTrue(e.getMessage().contains("'nope'"));
        }
    }

    @Test
    void truncatedData() throws IOException {
        byte[] ok = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16);
        String m = failure(java.util.Arrays.copyOf(ok, ok.length - 4));
        assertTrue(m.contains("'w'") && m.contains("past the data area"), m);
    }

    @Test
    void headerLengthBeyondFileAndInsane() throws IOException {
        byte[] ok = file("{}", 0);
        assertTrue(failure(java.util.Arrays.copyOf(ok, 9)).contains("runs past the end"));
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        assertTrue(failure(b.array()).contains("not in (0,"));
        assertTrue(failure(new byte[3]).contains("too short"));
    }

    @Test
    void aTensorNamedTwiceIsRefusedNamingIt() throws IOException {
        String m = failure(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertTrue(m.contains("tensor 'w'") && m.contains("named twice"), m);
        String f = failure(file("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        assertTrue(f.contains("Duplicate field 'dtype'"), f);
    }

    @Test
    void shapeWhoseElementCountOverflowsNamesTensorAndField() throws IOException {
        String m = failure(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("field 'shape' [4294967296,4294967296]") && !m.contains("long overflow"), m);
        String b = failure(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,4]}}", 4));
        assertTrue(b.contains("tensor 'w'") && b.contains("more bytes than fit in 64 bits"), b);
    }

    @Test
    void badJson() throws IOException {
        assertTrue(failure(file("{\"w\":{\"dtype\":", 0)).contains("not valid JSON"));
    }

    @Test
    void unknownDtypeAndShapeMismatchAndOverlap() throws IOException {
        assertTrue(failure(file("{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8)).contains("dtype 'I64' is not supported"));
        String m = failure(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        assertTrue(m.contains("'w'") && m.contains("needs 12"), m);
        m = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertTrue(m.contains("overlaps"), m);
        m = failure(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8));
        assertTrue(m.contains("not ordered"), m);
        m = failure(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8));
        assertTrue(m.contains("data_offsets"), m);
    }

    @Test
    void shardedIndexConsistency() throws IOException {
        Map<String, float[]> t1 = new LinkedHashMap<>(), t2 = new LinkedHashMap<>();
        t1.put("x", new float[]{1, 2});
        t2.put("y", new float[]{3});
        Map<String, long[]> shapes = Map.of("x", new long[]{2}, "y", new long[]{1});
        SafetensorsWriter.write(tmp.resolve("s1.safetensors"), SafetensorsWriter.f32(t1, shapes), null);
        SafetensorsWriter.write(tmp.resolve("s2.safetensors"), SafetensorsWriter.f32(t2, shapes), null);
        Path idx = tmp.resolve(WeightStore.INDEX);
        Files.writeString(idx, "{\"metadata\":{\"total_size\":12},\"weight_map\":{\"x\":\"s1.safetensors\",\"y\":\"s2.safetensors\"}}");
        try (WeightStore w = WeightStore.open(tmp)) {
            assertArrayEquals(new float[]{3}, w.require("y").toFloats());
        }
        Files.writeString(idx, "{\"weight_map\":{\"x\":\"s2.safetensors\",\"y\":\"s2.safetensors\"}}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> WeightStore.open(tmp));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("does not contain it"), e.getMessage());
        Map<String, float[]> t3 = new LinkedHashMap<>();
        t3.put("x", new float[]{1, 2});
        t3.put("z", new float[]{5});
        SafetensorsWriter.write(tmp.resolve("s3.safetensors"), SafetensorsWriter.f32(t3, Map.of("x", new long[]{2}, "z", new long[]{1})), null);
        Files.writeString(idx, "{\"weight_map\":{\"x\":\"s3.safetensors\"}}");
        e = assertThrows(SafetensorsException.class, () -> WeightStore.open(tmp));
        assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("maps it to nothing"), e.getMessage());
        Files.writeString(idx, "{\"weight_map\":{\"x\":\"s1.safetensors\",\"y\":\"missing.safetensors\"}}");
        e = assertThrows(SafetensorsException.class, () -> WeightStore.open(tmp));
        assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
        Files.writeString(idx, "{\"weight_map\":[}");
        e = assertThrows(SafetensorsException.class, () -> WeightStore.open(tmp));
        assertTrue(e.getMessage().contains("index JSON"), e.getMessage());
    }
}
