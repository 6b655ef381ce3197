package dev.tare.runtime.kernel;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** The one BF16 rounding used by every checkpoint writer: IEEE round-to-nearest-even as torch's .to(bfloat16), NaN kept. */
class DTypeTest {
    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertEquals((short) 0x3F80, DType.toBf16(1.0f));
        assertEquals((short) 0x3F80, DType.toBf16(1.00390625f), "halfway 1 + 2^-8: ties to the even mantissa (down)");
        assertEquals((short) 0x3F82, DType.toBf16(1.01171875f), "halfway 1 + 3·2^-8: ties to the even mantissa (up)");
        assertEquals((short) 0x3F81, DType.toBf16(1.005f), "above halfway rounds up");
        assertEquals((short) 0xBF80, DType.toBf16(-1.0f));
        assertEquals((short) 0x7F80, DType.toBf16(Float.MAX_VALUE), "overflow rounds to +inf as torch does");
        assertEquals((short) 0x7FC0, DType.toBf16(Float.NaN));
        int nanWithLowPayload = 0x7F80_0001; // a NaN whose rounding carry would otherwise turn it into +inf
        assertTrue(Float.isNaN(Float.intBitsToFloat((DType.toBf16(Float.intBitsToFloat(nanWithLowPayload)) & 0xFFFF) << 16)));
        assertTrue(Float.isNaN(Float.intBitsToFloat((DType.toBf16(Float.intBitsToFloat(0xFFFF_FFFF)) & 0xFFFF) << 16)),
                "0xFFFFFFFF + rounding would wrap to 0 without the NaN check");
    }

    @Test
    void encodeRoundTripsThroughGet() {
        float[] v = {0f, -2.5f, 3.140625f, 1e-3f, 65504f};
        for (DType d : DType.values()) {
            byte[] b = d.encode(v);
            assertEquals(v.length * d.bytes(), b.length);
            var seg = java.lang.foreign.MemorySegment.ofArray(b);
            for (int i = 0; i < v.length; i++) {
                float back = d.get(seg, i);
                assertEquals(v[i], back, Math.abs(v[i]) * (d == DType.F32 ? 0 : 1e-2), d + " element " + i);
            }
        }
        ByteBuffer one = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        DType.BF16.put(one, 1.0f);
        assertArrayEquals(new byte[]{(byte) 0x80, 0x3F}, one.array(), "little-endian");
    }
}
