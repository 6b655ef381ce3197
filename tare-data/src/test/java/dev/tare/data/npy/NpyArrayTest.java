package dev.tare.data.npy;

import dev.tare.data.DataFormatException;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The strict .npy reader and writer: NumPy's own file from ../shared, round trips, and every refused header. */
class NpyArrayTest {
    @TempDir Path tmp;

    @Test
    void readsNumpysFile() {
        Path f = SharedData.root().map(r -> r.resolve("fixtures/steer-probe-llama-causal/probe_activations.npy")).orElse(null);
        Assumptions.assumeTrue(f != null, "../shared is absent (user clone): skipping NumPy's file");
        assertTrue(Files.isRegularFile(f), f + " is missing");
        NpyArray a = NpyArray.read(f);
        assertArrayEquals(new int[]{3, 64, 64}, a.shape());
        // written by np.save from float32 activations: the round trip through our writer is byte-identical in data
        Path copy = tmp.resolve("copy.npy");
        a.write(copy);
        NpyArray b = NpyArray.read(copy);
        assertArrayEquals(a.shape(), b.shape());
        assertArrayEquals(a.data(), b.data());
    }

    @Test
    void roundTripsShapesIncludingOneDimensional() throws Exception {
        Path f = tmp.resolve("v.npy");
        new NpyArray(new int[]{3}, new float[]{1f, -2.5f, Float.MIN_VALUE}).write(f);
        NpyArray a = NpyArray.read(f);
        assertArrayEquals(new int[]{3}, a.shape());
        assertEquals(-2.5f, a.get(1));
        try (NpyArray.Writer w = NpyArray.Writer.open(tmp.resolve("m.npy"), new int[]{2, 2, 3})) {
            for (int i = 0; i < 4; i++) w.append(new float[]{i, i + 0.5f, -i}, 0, 3);
        }
        NpyArray m = NpyArray.read(tmp.resolve("m.npy"));
        assertEquals(3.5f, m.get(1, 1, 1));
        assertEquals(0, (Files.size(tmp.resolve("m.npy")) - 48) % 64, "header padded to 64 bytes");
    }

    @Test
    void aShortStreamLeavesNoFile() {
        Path f = tmp.resolve("short.npy");
        assertThrows(IllegalStateException.class, () -> {
            try (NpyArray.Writer w = NpyArray.Writer.open(f, new int[]{2, 2})) {
                w.append(new float[]{1, 2, 3}, 0, 3);
            }
        });
        assertFalse(Files.exists(f));
    }

    private Path withHeader(String dict, int floats) throws Exception {
        byte[] d = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer bb = ByteBuffer.allocate(10 + d.length + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) d.length).put(d);
        Path f = tmp.resolve("bad" + System.nanoTime() + ".npy");
        Files.write(f, bb.array());
        return f;
    }

    @Test
    void refusesWhatItCannotReadExactly() throws Exception {
        assertField("descr", withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 4));
        assertField("descr", withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 2));
        assertField("fortran_order", withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 4));
        assertField("shape", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 4));
        assertField("data", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 5));
        assertField("data", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 7));
        Path junk = tmp.resolve("junk.npy");
        Files.writeString(junk, "not numpy at all");
        assertField("magic", junk);
    }

    private static void assertField(String field, Path f) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> NpyArray.read(f));
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(f.getFileName().toString()), e.getMessage());
    }
}
