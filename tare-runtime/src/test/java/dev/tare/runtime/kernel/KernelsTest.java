package dev.tare.runtime.kernel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Kernels#with} binds a kernel choice for the weights built inside it, whatever -Dtare.kernel says, and only there. */
class KernelsTest {
    @Test
    void aBoundChoiceWinsInsideItsScopeOnlyAndNests() {
        Kernels.Choice outside = Kernels.configured();
        assertEquals(Kernels.Choice.REFERENCE, Kernels.with(Kernels.Choice.REFERENCE, Kernels::configured));
        assertEquals(Kernels.Choice.JAVA, Kernels.with(Kernels.Choice.REFERENCE,
                () -> Kernels.with(Kernels.Choice.JAVA, Kernels::configured)));
        assertEquals(outside, Kernels.configured(), "nothing leaks out of the scope");
        assertThrows(NullPointerException.class, () -> Kernels.with(null, Kernels::configured));
    }

    @Test
    void weightsBuiltInsideTheScopeUseTheBoundKernel() {
        float[] w = {1, 2, 3, 4, 5, 6};
        MemorySegment seg = MemorySegment.ofArray(w);
        LinearWeight ref = Kernels.with(Kernels.Choice.REFERENCE, () -> Kernels.linear(seg, DType.F32, 2, 3));
        LinearWeight java = Kernels.with(Kernels.Choice.JAVA, () -> Kernels.linear(seg, DType.F32, 2, 3));
        assertInstanceOf(ReferenceLinear.class, ref);
        assertInstanceOf(PackedLinear.class, java);
        float[] y1 = new float[2], y2 = new float[2];
        ref.forward(new float[] {1, 1, 1}, 1, y1);
        java.forward(new float[] {1, 1, 1}, 1, y2);
        assertArrayEquals(new float[] {6, 15}, y1);
        assertArrayEquals(y1, y2);
    }

    @Test
    void describeNamesEachChoice() {
        assertTrue(Kernels.describe(Kernels.Choice.JAVA).startsWith("java f32 (Vector API, "), Kernels.describe(Kernels.Choice.JAVA));
        assertTrue(Kernels.describe(Kernels.Choice.REFERENCE).startsWith("reference"), Kernels.describe(Kernels.Choice.REFERENCE));
        String n = Kernels.describe(Kernels.Choice.NATIVE);
        assertTrue(n.startsWith("native bf16 (oneDNN ") || n.startsWith("native unavailable: "), n);
    }
}
