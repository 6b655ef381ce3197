package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Locates and parses the hf-parity fixtures ($TARE_HF_PARITY or ../shared/fixtures/hf-parity). Tests skip only when
 * neither is there; when either is, a missing fixture folder, model folder, file or case FAILS the test.
 */
public final class Fixtures {
    private Fixtures() {}

    /** The base and merged model folders (HfParityTest), in the README's table order. */
    public static final List<String> MODEL_FOLDERS = List.of("llama-seqcls", "llama-seqcls-sharded", "llama-seqcls-3obj", "qwen2-seqcls",
            "gemma2-seqcls", "mistral-seqcls", "llama-causal", "qwen2-causal", "gemma2-causal",
            "merged-llama-seqcls-qkvo-lambda-neg0.5", "merged-qwen2-seqcls-qkvo-lambda-neg0.5");

    /** The PEFT adapter folders (LoraParityTest). */
    public static final List<String> ADAPTER_FOLDERS = List.of("lora-llama-seqcls-qkvo", "lora-llama-seqcls-rslora",
            "lora-llama-seqcls-all-linear", "lora-qwen2-seqcls-qkvo", "lora-qwen2-seqcls-all-linear");

    /** The 17th row of the README's table: a file, not a folder. */
    public static final String TOLERANCES_FILE = "observed_tolerances.json";

    /** All 16 folders with a goldens.json. */
    public static final List<String> FOLDERS = Stream.concat(MODEL_FOLDERS.stream(), ADAPTER_FOLDERS.stream()).toList();

    /**
     * Golden cases each folder's test must check: seq-cls 8 (len1/7/33/100, right-padded, 2 left-padded, pad id
     * inside content); causal 5 (4 lengths + right-padded batch); merged 8 + 8 unmerged-for-comparison;
     * adapters 5 λ × 8 + 8 adapters-disabled.
     */
    public static final Map<String, Integer> CASES;
    static {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String f : MODEL_FOLDERS) m.put(f, f.endsWith("-causal") ? 5 : f.startsWith("merged-") ? 16 : 8);
        for (String f : ADAPTER_FOLDERS) m.put(f, 5 * 8 + 8);
        CASES = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The fixture root. Skips the calling test when neither $TARE_HF_PARITY nor ../shared exists; fails when one of
     * them is set up but the folder is missing.
     */
    public static Path root() {
        String env = System.getenv("TARE_HF_PARITY");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isDirectory(p)) fail("TARE_HF_PARITY=" + env + " is not a folder");
            return p;
        }
        Optional<Path> shared = SharedData.root();
        Assumptions.assumeTrue(shared.isPresent(), "hf-parity fixtures: neither ../shared nor TARE_HF_PARITY exists (user clone): skipping");
        Path p = shared.get().resolve("fixtures/hf-parity");
        if (!Files.isDirectory(p)) fail("../shared is present (" + shared.get() + ") but the hf-parity fixtures " + p + " are missing");
        return p;
    }

    /** One fixture folder by name; fails if it or its goldens.json is missing. */
    public static Path dir(String name) {
        Path d = root().resolve(name);
        if (!Files.isDirectory(d)) fail("hf-parity fixture folder " + d + " is missing");
        if (!Files.isRegularFile(d.resolve("goldens.json"))) fail(d.resolve("goldens.json") + " is missing");
        return d;
    }

    /** Every expected folder (fails on a missing one). */
    public static List<Path> dirs() {
        return FOLDERS.stream().map(Fixtures::dir).toList();
    }

    /** The folders actually on disk that have a goldens.json (to spot unexpected extras). */
    public static List<String> foldersOnDisk() {
        try (Stream<Path> s = Files.list(root())) {
            return s.filter(d -> Files.isRegularFile(d.resolve("goldens.json"))).map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that a folder's test checked exactly the expected number of golden cases (never 0). */
    public static void assertCases(String folder, int checked) {
        Integer want = CASES.get(folder);
        if (want == null) fail("no expected case count for " + folder);
        if (checked == 0) fail(folder + ": 0 cases checked");
        if (checked != want) fail(folder + ": " + checked + " golden cases checked, expected " + want);
    }

    public static JsonNode goldens(Path dir) {
        try {
            return new ObjectMapper().readTree(dir.resolve("goldens.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A required field of a goldens.json node: fails naming the folder and field when it is absent. */
    public static JsonNode need(JsonNode n, String field, Object where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) fail(where + ": goldens field '" + field + "' is missing");
        return v;
    }

    public static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    public static int[][] ints2(JsonNode a) {
        if (a == null || a.isNull()) return null;
        int[][] r = new int[a.size()][];
        for (int i = 0; i < r.length; i++) r[i] = ints(a.get(i));
        return r;
    }

    public static float[] floats(JsonNode a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = Float.parseFloat(a.get(i).asText());
        return r;
    }

    /** Max |a − b| after checking equal lengths. */
    public static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("length " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        if (Double.isNaN(m)) throw new AssertionError("NaN in output");
        return m;
    }
}
