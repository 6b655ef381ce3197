package dev.tare.train.grad;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.kernel.LinearWeight;
import dev.tare.runtime.safetensors.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One named weight of a {@link GradDecoder}: float32 values plus a gradient when trainable; a frozen matrix may be held
 * only as packed kernels (x·Wᵀ and x·W) read straight from the checkpoint's tensor, with no float32 copy.
 */
public final class Param {
    private final String name;
    private final int[] shape;
    private float[] value;          // null: frozen, held only packed (or as the checkpoint tensor)
    private float[] grad;           // null: frozen
    private final Tensor source;    // the checkpoint tensor behind a frozen, unpacked-to-heap parameter (else null)
    private LinearWeight forward;   // packed W (for x·Wᵀ), built on demand
    private LinearWeight backward;  // packed Wᵀ (for x·W), built on demand

    private Param(String name, int[] shape, float[] value, Tensor source) {
        this.name = name;
        this.shape = shape.clone();
        this.value = value;
        this.source = source;
        long n = 1;
        for (int d : shape) n *= d;
        if (value != null && value.length != n) throw new IllegalArgumentException(name + ": " + value.length + " values for shape " + Arrays.toString(shape));
    }

    /** A parameter with these float32 values (copied in). */
    public static Param of(String name, float[] value, int... shape) { return new Param(name, shape, value.clone(), null); }

    /** A parameter backed by a checkpoint tensor: frozen until {@link #train()} copies it to float32. */
    public static Param of(Tensor t) {
        int[] shape = new int[t.shape().length];
        for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact(t.shape()[i]);
        return new Param(t.name(), shape, null, t);
    }

    public String name() { return name; }

    public int[] shape() { return shape.clone(); }

    public int size() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Makes this parameter trainable (float32 values and a zero gradient); returns this. */
    public Param train() {
        if (value == null) value = source.toFloats();
        if (grad == null) grad = new float[value.length];
        return this;
    }

    public boolean trainable() { return grad != null; }

    /** The float32 values (the live array: an optimizer updates it, then calls {@link #changed()}). */
    public float[] value() {
        if (value == null) value = source.toFloats();
        return value;
    }

    /** The gradient accumulated since the last {@link #zeroGrad()} (the live array), or null when frozen. */
    public float[] grad() { return grad; }

    public void zeroGrad() { if (grad != null) Arrays.fill(grad, 0f); }

    /** Drops the packed kernels after the values changed. */
    public void changed() { forward = null; backward = null; }

    /** Element i widened to float (values or the checkpoint tensor). */
    float get(long i) { return value != null ? value[(int) i] : source.get(i); }

    /** y[rows, out] = x[rows, in]·Wᵀ for this [out, in] matrix. */
    void timesTransposed(float[] x, int rows, float[] y) {
        LinearWeight f = forward;
        if (f == null) {
            f = value == null && source != null ? Kernels.linear(source.data(), source.dtype(), shape[0], shape[1])
                    : Kernels.linear(MemorySegment.ofArray(value), DType.F32, shape[0], shape[1]);
            forward = f;
        }
        f.forward(x, rows, y);
    }

    /** y[rows, in] = x[rows, out]·W for this [out, in] matrix. */
    void times(float[] x, int rows, float[] y) {
        LinearWeight b = backward;
        if (b == null) {
            int out = shape[0], in = shape[1];
            float[] t = new float[out * in];
            for (int o = 0; o < out; o++) for (int k = 0; k < in; k++) t[k * out + o] = get((long) o * in + k);
            b = Kernels.linear(MemorySegment.ofArray(t), DType.F32, in, out);
            backward = b;
        }
        b.forward(x, rows, y);
    }
}
