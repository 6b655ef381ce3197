package dev.tare.eval.inside;

import dev.tare.data.DataFormatException;
import dev.tare.data.npy.NpyArray;

import java.nio.file.Path;

/**
 * A steering direction from a {@code .npy} file: a vector [hidden], or per-layer directions [layers + 1, hidden] as
 * {@code tare probe} writes them (hidden-states index l + 1 is the stream after decoder layer l, where steering at
 * layer l adds it).
 */
public final class Direction {
    private Direction() {}

    public static float[] load(Path file, int layer, int numLayers, int hidden) {
        NpyArray a = NpyArray.read(file);
        int[] s = a.shape();
        if (s.length == 1) {
            if (s[0] != hidden) throw new DataFormatException(file, 0, "shape", "direction has " + s[0] + " entries, the model's hidden size is " + hidden);
            return a.data().clone();
        }
        if (s.length == 2) {
            if (s[1] != hidden) throw new DataFormatException(file, 0, "shape", "directions are " + s[1] + " wide, the model's hidden size is " + hidden);
            if (s[0] != numLayers + 1) throw new DataFormatException(file, 0, "shape", s[0] + " rows, expected layers + 1 = " + (numLayers + 1) + " (hidden-states indices)");
            float[] v = new float[hidden];
            System.arraycopy(a.data(), (layer + 1) * hidden, v, 0, hidden);
            return v;
        }
        throw new DataFormatException(file, 0, "shape", "a direction must be [hidden] or [layers + 1, hidden], got rank " + s.length);
    }
}
