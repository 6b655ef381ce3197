package dev.tare.runtime.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.runtime.kernel.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one writer of Hugging Face checkpoint folders (a merged LoRA, a fine-tuned model): safetensors shards (with an
 * index past {@code maxShardBytes}), the base folder's other files (config, tokenizer), extra text files, written
 * all-or-nothing ({@link AtomicFiles#writeDirectory}).
 */
public final class CheckpointWriter {
    private CheckpointWriter() {}

    /**
     * Writes {@code outDir} (which must not exist or be empty): {@code entries}, the non-weight files of {@code baseDir}
     * (config.json's torch_dtype set to {@code dtype} when it is not null), and {@code extraFiles} by name.
     */
    public static void write(Path outDir, Path baseDir, List<SafetensorsWriter.Entry> entries, DType dtype, long maxShardBytes, Map<String, String> extraFiles) {
        AtomicFiles.writeDirectory(outDir, tmp -> {
            writeShards(tmp, entries, maxShardBytes);
            copyOtherFiles(baseDir, tmp, dtype);
            for (var e : extraFiles.entrySet()) Files.writeString(tmp.resolve(e.getKey()), e.getValue());
        });
    }

    static void writeShards(Path dir, List<SafetensorsWriter.Entry> entries, long maxShard) throws IOException {
        List<List<SafetensorsWriter.Entry>> shards = new ArrayList<>();
        List<SafetensorsWriter.Entry> cur = new ArrayList<>();
        long size = 0, total = 0;
        for (SafetensorsWriter.Entry e : entries) {
            if (!cur.isEmpty() && size + e.bytes() > maxShard) {
                shards.add(cur);
                cur = new ArrayList<>();
                size = 0;
            }
            cur.add(e);
            size += e.bytes();
            total += e.bytes();
        }
        if (!cur.isEmpty()) shards.add(cur);
        Map<String, String> meta = Map.of("format", "pt");
        if (shards.size() == 1) {
            SafetensorsWriter.write(dir.resolve(WeightStore.SINGLE), shards.get(0), meta);
            return;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(dir.resolve(name), shards.get(i), meta);
            for (SafetensorsWriter.Entry e : shards.get(i)) map.put(e.name(), name);
        }
        Files.writeString(dir.resolve(WeightStore.INDEX), json.writerWithDefaultPrettyPrinter().writeValueAsString(index));
    }

    static void copyOtherFiles(Path baseDir, Path out, DType dtype) throws IOException {
        try (Stream<Path> s = Files.list(baseDir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".safetensors") || n.equals(WeightStore.INDEX) || n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth")
                        || n.endsWith(".bin.index.json") || n.equals("goldens.json")) continue;
                if (n.equals("config.json") && dtype != null) {
                    ObjectMapper json = new ObjectMapper();
                    ObjectNode c = (ObjectNode) json.readTree(p.toFile());
                    c.put("torch_dtype", switch (dtype) { case F32 -> "float32"; case BF16 -> "bfloat16"; case F16 -> "float16"; });
                    Files.writeString(out.resolve(n), json.writerWithDefaultPrettyPrinter().writeValueAsString(c));
                } else {
                    Files.copy(p, out.resolve(n), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
