package dev.tare.runtime.kernel;

/** Element types of stored weights (safetensors names F32, BF16, F16). */
public enum DType {
    F32(4), BF16(2), F16(2);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    public int bytes() { return bytes; }

    /** bfloat16 bits of {@code f}: round to nearest even as torch does; NaN stays a (quiet) NaN, never rounds to ±inf. */
    public static short toBf16(float f) {
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Appends {@code v} to {@code out} (little-endian) in this element type; BF16 rounds with {@link #toBf16}. */
    public void put(java.nio.ByteBuffer out, float v) {
        switch (this) {
            case F32 -> out.putFloat(v);
            case BF16 -> out.putShort(toBf16(v));
            case F16 -> out.putShort(Float.floatToFloat16(v));
        }
    }

    /** {@code v} as little-endian bytes of this element type. */
    public byte[] encode(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : v) put(b, f);
        return b.array();
    }

    /** Reads element {@code index} of a little-endian segment as float. */
    public float get(java.lang.foreign.MemorySegment seg, long index) {
        return switch (this) {
            case F32 -> seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, index);
            case BF16 -> Float.intBitsToFloat((seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, index) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, index));
        };
    }
}
