package dev.tare.scorers.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A replacement for a gated head's {@code reward_transform_matrix} (scorer option {@code transform=}): {@code identity}
 * (no transform: score = Σ gating · rewards) or a JSON file holding an n×n array of numbers (row i = objective i).
 */
public record TransformOption(String spec, Path file) {
    /** Parses {@code identity} or a file path (read when the model's objective count is known). */
    public static TransformOption parse(String v) {
        if (v.isBlank()) throw new IllegalArgumentException("transform=: expected identity or a JSON file");
        return v.strip().equals("identity") ? new TransformOption("identity", null) : new TransformOption(v.strip(), Path.of(v.strip()));
    }

    /** The matrix for {@code n} objectives; a file of another shape or with a non-number is an error naming it. */
    public float[][] matrix(int n) {
        float[][] t = new float[n][n];
        if (file == null) {
            for (int i = 0; i < n; i++) t[i][i] = 1;
            return t;
        }
        JsonNode a;
        try {
            a = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new DataFormatException(file, 0, null, "cannot read the transform matrix: " + e.getMessage(), e);
        }
        if (a == null || !a.isArray() || a.size() != n)
            throw new DataFormatException(file, 0, null, "expected a JSON array of " + n + " rows (one per objective), got " + (a == null ? "nothing" : a.size() + " entries"));
        for (int i = 0; i < n; i++) {
            JsonNode r = a.get(i);
            if (!r.isArray() || r.size() != n) throw new DataFormatException(file, 0, "[" + i + "]", "expected " + n + " numbers");
            for (int j = 0; j < n; j++) {
                if (!r.get(j).isNumber() || !Double.isFinite(r.get(j).asDouble())) throw new DataFormatException(file, 0, "[" + i + "][" + j + "]", "not a finite number: " + r.get(j));
                t[i][j] = (float) r.get(j).asDouble();
            }
        }
        return t;
    }
}
