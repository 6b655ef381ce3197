package dev.tare.runtime.lora;

import dev.tare.data.DataFormatException;
import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A PEFT LoRA adapter loaded into float32 (immutable weights): per targeted module A [r, in] and B [out, r] and the
 * modules_to_save head copy if any. Its signed strength λ (layer scaling λ·alpha/r) is not part of it: strengths are
 * bound per use, by adapter name ({@link LoraModel#withStrengths}, {@link LoraMerger#merge}).
 */
public final class LoraAdapter {
    /** One adapted linear layer. */
    public record Module(String name, int rank, int in, int out, double scaling, float[] a, float[] b) {}

    static final String PREFIX = "base_model.model.";

    private final String name;
    private final Path dir;
    private final LoraConfig config;
    private final Map<String, Module> modules;
    private final float[] head;

    private LoraAdapter(String name, Path dir, LoraConfig config, Map<String, Module> modules, float[] head) {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.modules = modules;
        this.head = head;
    }

    /** The directory that holds adapter_config.json: {@code dir} itself or its single subfolder that has one. */
    public static Path resolveDir(Path dir) {
        if (Files.isRegularFile(dir.resolve("adapter_config.json"))) return dir;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> subs = s.filter(p -> Files.isRegularFile(p.resolve("adapter_config.json"))).sorted().toList();
            if (subs.size() == 1) return subs.get(0);
            if (subs.isEmpty()) throw new DataFormatException(dir, 0, null, "no adapter_config.json here or in a subfolder");
            throw new DataFormatException(dir, 0, null, "several adapters in subfolders " + subs.stream().map(p -> p.getFileName().toString()).toList() + ": name one");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Loads the adapter in {@code dir} (or its single adapter subfolder), named after its folder. */
    public static LoraAdapter load(Path dir) {
        Path d = resolveDir(dir);
        return load(d, d.getFileName().toString());
    }

    /** Loads the adapter in {@code dir} under {@code name}. */
    public static LoraAdapter load(Path dir, String name) {
        Path d = resolveDir(dir);
        LoraConfig cfg = LoraConfig.read(d.resolve("adapter_config.json"));
        Path file = d.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(file)) throw new SafetensorsException(d, null, "no adapter_model.safetensors (adapter_model.bin is not supported)");
        Map<String, Tensor[]> pairs = new TreeMap<>();
        float[] head = null;
        try (WeightStore w = WeightStore.openFile(file)) {
            for (Tensor t : w.tensors().values()) {
                String key = t.name();
                if (!key.startsWith(PREFIX)) throw new SafetensorsException(file, key, "key does not start with '" + PREFIX + "' (not a PEFT LoRA file?)");
                String k = key.substring(PREFIX.length()).replace(".default.", ".");
                if (k.contains("lora_magnitude_vector")) throw new SafetensorsException(file, key, "DoRA magnitude vector: DoRA is not supported");
                if (k.contains("lora_embedding")) throw new SafetensorsException(file, key, "LoRA on embeddings is not supported");
                int ia = k.indexOf(".lora_A."), ib = k.indexOf(".lora_B.");
                if (ia > 0 || ib > 0) {
                    String module = k.substring(0, Math.max(ia, ib));
                    if (!k.endsWith(".weight")) throw new SafetensorsException(file, key, "unexpected LoRA tensor (lora_B bias?)");
                    pairs.computeIfAbsent(module, m -> new Tensor[2])[ia > 0 ? 0 : 1] = t;
                } else if (k.equals("score.weight") || k.equals("classifier.weight")) {
                    if (t.shape().length != 2) throw new SafetensorsException(file, key, "head copy must be 2-D");
                    head = t.toFloats();
                } else {
                    throw new SafetensorsException(file, key, "replacement tensor outside lora_A/lora_B and the score head is not supported (it would not be scaled by λ)");
                }
            }
            Map<String, Module> modules = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor[]> e : pairs.entrySet()) {
                String m = e.getKey();
                Tensor a = e.getValue()[0], b = e.getValue()[1];
                if (a == null || b == null) throw new SafetensorsException(file, PREFIX + m, "has only lora_" + (a == null ? "B" : "A"));
                if (!cfg.targets(m)) throw new SafetensorsException(file, PREFIX + m, "module is not matched by target_modules " + (cfg.targetList() != null ? cfg.targetList() : cfg.targetRegex()));
                int r = cfg.rank(m);
                if (a.shape().length != 2 || a.shape()[0] != r) throw new SafetensorsException(file, a.name(), "shape " + java.util.Arrays.toString(a.shape()) + " but rank is " + r);
                if (b.shape().length != 2 || b.shape()[1] != r) throw new SafetensorsException(file, b.name(), "shape " + java.util.Arrays.toString(b.shape()) + " but rank is " + r);
                modules.put(m, new Module(m, r, (int) a.shape()[1], (int) b.shape()[0], cfg.scaling(m), a.toFloats(), b.toFloats()));
            }
            if (modules.isEmpty()) throw new SafetensorsException(file, null, "no lora_A/lora_B tensors");
            return new LoraAdapter(name, d, cfg, Collections.unmodifiableMap(modules), head);
        }
    }

    public String name() { return name; }
    public Path dir() { return dir; }
    public LoraConfig config() { return config; }

    /** Adapted modules by base module name (e.g. "model.layers.0.self_attn.q_proj"). */
    public Map<String, Module> modules() { return modules; }

    /** The adapter's trained head copy (modules_to_save), or null when the file has none. */
    public float[] head() { return head == null ? null : head.clone(); }

    public boolean hasHead() { return head != null; }
}
