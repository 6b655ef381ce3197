package dev.tare.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.SharedData;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Locates ../shared/fixtures/training (or $TARE_TRAINING) and the hf-parity bases (or $TARE_HF_PARITY); reads goldens. */
final class TrainingFixtures {
    static final ObjectMapper OM = new ObjectMapper();

    private TrainingFixtures() {}

    static Path dir(String env, String sub) {
        String e = System.getenv(env);
        if (e != null && !e.isBlank()) return Path.of(e);
        var shared = SharedData.root();
        Assumptions.assumeTrue(shared.isPresent(), sub + ": neither ../shared nor " + env + " exists (user clone): skipping");
        Path p = shared.get().resolve(sub);
        assertTrue(Files.isDirectory(p), p + " is missing while ../shared is present");
        return p;
    }

    static Path training() { return dir("TARE_TRAINING", "fixtures/training"); }

    static Path hfParity() { return dir("TARE_HF_PARITY", "fixtures/hf-parity"); }

    /** A case folder that must exist with the given files. */
    static Path requireCase(String name, String... files) {
        Path c = training().resolve(name);
        assertTrue(Files.isDirectory(c), c + " is missing from the training fixtures");
        for (String f : files) assertTrue(Files.exists(c.resolve(f)), c.resolve(f) + " is missing");
        return c;
    }

    static JsonNode goldens(Path caseDir) throws IOException { return OM.readTree(caseDir.resolve("goldens.json").toFile()); }

    static Path base(JsonNode g) {
        Path b = hfParity().resolve(g.get("base_model_dir").asText());
        assertTrue(Files.isRegularFile(b.resolve("config.json")), b + " (the case's base) is missing");
        return b;
    }

    /** chosen and rejected id lists of the goldens' pairs. */
    static List<int[][]> pairs(JsonNode g) {
        List<int[][]> out = new ArrayList<>();
        for (JsonNode p : g.get("pairs")) out.add(new int[][]{ids(p.get("chosen_ids")), ids(p.get("rejected_ids"))});
        return out;
    }

    static int[] ids(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static Map<String, float[]> tensors(Path file) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (WeightStore w = WeightStore.openFile(file)) {
            for (Tensor t : w.tensors().values()) out.put(t.name(), t.toFloats());
        }
        return out;
    }

    /** max |a − b| / max |b| (b the oracle). */
    static double relError(float[] a, float[] b) {
        double scale = 0, diff = 0;
        for (int i = 0; i < b.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
