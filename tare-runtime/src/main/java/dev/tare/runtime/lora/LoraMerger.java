package dev.tare.runtime.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.model.ModelConfig;
import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.safetensors.CheckpointWriter;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a new Hugging Face checkpoint with LoRA adapters merged at the given signed strengths:
 * W' = W + Σ λ·scale·(B·A) in float32 (PEFT merge_and_unload), the adapters checked and the head chosen by the same
 * rule as the unmerged {@link LoraModel} ({@link LoraBaseCheck}), tensor by tensor
 * (streaming), sharded, with config/tokenizer files copied; the output directory appears all at once.
 */
public final class LoraMerger {
    /** Default largest shard, as transformers' save_pretrained ("5GB"). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private LoraMerger() {}

    /**
     * Merge settings: output dtype (null keeps each tensor's dtype), the largest shard in bytes, and whether weights that
     * overflow F16 (|w| ≥ 65520 rounds to ±inf) may be written as inf; by default such a merge is refused.
     */
    public record Options(HeadChoice head, DType dtype, long maxShardBytes, Progress progress, boolean allowOverflow) {
        public Options {
            if (maxShardBytes < 1) throw new IllegalArgumentException("max shard size must be positive");
            if (progress == null) progress = (done, total) -> {};
        }

        public Options(HeadChoice head, DType dtype, long maxShardBytes, Progress progress) { this(head, dtype, maxShardBytes, progress, false); }

        public Options(HeadChoice head, DType dtype, long maxShardBytes) { this(head, dtype, maxShardBytes, null); }

        public Options withAllowOverflow(boolean allow) { return new Options(head, dtype, maxShardBytes, progress, allow); }
    }

    /** Smallest magnitude F16 rounds to infinity (65504 is its largest finite value; round-to-nearest-even). */
    static final float F16_OVERFLOW = 65520f;

    /** Counts, per tensor, finite weights that F16 cannot hold; refuses them unless overflow is allowed. */
    private static final class OverflowCheck {
        private final boolean allow;

        OverflowCheck(boolean allow) { this.allow = allow; }

        void write(OutputStream o, float[] v, DType out, long[] count) throws IOException {
            if (out == DType.F16) {
                for (float x : v) if (Float.isFinite(x) && Math.abs(x) >= F16_OVERFLOW) count[0]++;
            }
            SafetensorsWriter.writeFloats(o, v, out);
        }

        void done(Tensor t, long count) {
            if (count == 0) return;
            if (!allow) {
                throw new IllegalArgumentException(t.file() + ": tensor '" + t.name() + "': " + count + " of " + t.elements()
                        + " weights overflow F16 (|w| > 65504) and would be written as inf; use --dtype bf16 or f32, or pass"
                        + " --allow-overflow to write them anyway");
            }
        }
    }

    /** Told after each tensor is written: tensors done and total. */
    @FunctionalInterface
    public interface Progress { void update(long tensorsDone, long tensorsTotal); }

    /**
     * Merges {@code adapters} into {@code baseDir}, writing {@code outDir}: each adapter at its strength in
     * {@code strengths} (by adapter name; an adapter not named there is at 1, PEFT's default).
     */
    public static void merge(Path baseDir, List<LoraAdapter> adapters, Map<String, Double> strengths, Options opt, Path outDir) {
        Map<String, Double> lambda = Strengths.bind(adapters, Map.of(), strengths);
        ModelConfig cfg = ModelConfig.read(baseDir);
        Path abs = outDir.toAbsolutePath().normalize();
        try (WeightStore base = WeightStore.open(baseDir)) {
            Map<String, int[]> linears = new LinkedHashMap<>();
            for (Tensor t : base.tensors().values())
                if (t.name().startsWith("model.layers.") && t.name().endsWith(".weight") && t.shape().length == 2)
                    linears.put(t.name().substring(0, t.name().length() - ".weight".length()), new int[]{(int) t.shape()[0], (int) t.shape()[1]});
            String baseHead = base.find("score.weight").isPresent() ? "score.weight" : base.find("classifier.weight").isPresent() ? "classifier.weight" : null;
            LoraBaseCheck.requireFit(adapters, linears, baseHead == null ? -1 : Math.toIntExact(base.require(baseHead).elements()), baseDir);
            LoraAdapter headFrom = LoraBaseCheck.headSource(adapters, opt.head()).orElse(null);
            if (headFrom != null && baseHead == null)
                throw new IllegalArgumentException("adapter '" + headFrom.name() + "' carries a score head copy but the base has no score.weight");
            String headName = headFrom == null ? null : baseHead;   // the tensor replaced by the adapter's copy
            float[] head = headFrom == null ? null : headFrom.head();
            Map<String, List<LoraAdapter>> byModule = new LinkedHashMap<>();
            for (LoraAdapter a : adapters)
                for (LoraAdapter.Module m : a.modules().values()) byModule.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(a);
            OverflowCheck overflow = new OverflowCheck(opt.allowOverflow());
            List<SafetensorsWriter.Entry> raw = new ArrayList<>();
            List<Tensor> tensors = new ArrayList<>(base.tensors().values());
            tensors.sort(Comparator.comparing(Tensor::name));
            for (Tensor t : tensors) {
                DType out = opt.dtype() == null ? t.dtype() : opt.dtype();
                String module = t.name().endsWith(".weight") ? t.name().substring(0, t.name().length() - ".weight".length()) : null;
                List<LoraAdapter> on = module == null ? null : byModule.get(module);
                if (t.name().equals(headName)) {
                    float[] h = head;
                    raw.add(new SafetensorsWriter.Entry(t.name(), out, t.shape(), o -> {
                        long[] n = {0};
                        overflow.write(o, h, out, n);
                        overflow.done(t, n[0]);
                    }));
                } else if (on != null) {
                    raw.add(new SafetensorsWriter.Entry(t.name(), out, t.shape(), o -> writeMerged(o, t, module, on, lambda, out, overflow)));
                } else if (out == t.dtype()) {
                    raw.add(new SafetensorsWriter.Entry(t.name(), out, t.shape(), SafetensorsWriter.copyOf(t)));
                } else {
                    raw.add(new SafetensorsWriter.Entry(t.name(), out, t.shape(), o -> writeConverted(o, t, out, overflow)));
                }
            }
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            long[] done = {0};
            for (SafetensorsWriter.Entry e : raw)
                entries.add(new SafetensorsWriter.Entry(e.name(), e.dtype(), e.shape(), o -> {
                    e.body().write(o);
                    opt.progress().update(++done[0], raw.size());
                }));
            CheckpointWriter.write(abs, baseDir, entries, opt.dtype(), opt.maxShardBytes(),
                    Map.of("tare_merge.json", provenance(baseDir, adapters, lambda, opt)));
        }
    }

    private static String provenance(Path baseDir, List<LoraAdapter> adapters, Map<String, Double> lambda, Options opt) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode p = json.createObjectNode();
        p.put("base", baseDir.toAbsolutePath().normalize().toString());
        p.put("head", opt.head().name().toLowerCase());
        p.put("dtype", opt.dtype() == null ? "same" : opt.dtype().name());
        ArrayNode arr = p.putArray("adapters");
        for (LoraAdapter a : adapters) arr.addObject().put("dir", a.dir().toAbsolutePath().normalize().toString()).put("lambda", lambda.get(a.name()));
        return p.toPrettyString();
    }

    private static void writeMerged(OutputStream o, Tensor t, String module, List<LoraAdapter> on, Map<String, Double> lambda, DType out,
                                    OverflowCheck overflow) throws IOException {
        long[] count = {0};
        int rows = (int) t.shape()[0], in = (int) t.shape()[1];
        float[] row = new float[in];
        List<LoraAdapter.Module> mods = on.stream().map(a -> a.modules().get(module)).toList();
        float[] s = new float[on.size()];
        for (int i = 0; i < s.length; i++) s[i] = (float) (lambda.get(on.get(i).name()) * mods.get(i).scaling());
        for (int r = 0; r < rows; r++) {
            long base = (long) r * in;
            for (int k = 0; k < in; k++) {
                float w = t.get(base + k);
                for (int i = 0; i < s.length; i++) if (s[i] != 0f) w += LoraLinear.delta(mods.get(i), r, k) * s[i];
                row[k] = w;
            }
            overflow.write(o, row, out, count);
        }
        overflow.done(t, count[0]);
    }

    private static void writeConverted(OutputStream o, Tensor t, DType out, OverflowCheck overflow) throws IOException {
        long n = t.elements();
        long[] count = {0};
        int chunk = 1 << 16;
        float[] buf = new float[chunk];
        for (long off = 0; off < n; off += chunk) {
            int len = (int) Math.min(chunk, n - off);
            for (int i = 0; i < len; i++) buf[i] = t.get(off + i);
            overflow.write(o, len == chunk ? buf : java.util.Arrays.copyOf(buf, len), out, count);
        }
        overflow.done(t, count[0]);
        if (t.data().byteSize() != n * t.dtype().bytes()) throw new SafetensorsException(t.file(), t.name(), "size changed while merging");
    }
}
