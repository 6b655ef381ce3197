package dev.tare.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.data.DataFormatException;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;
import dev.tare.train.grad.Param;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A resumable training checkpoint: {@code step-NNNNNNNNN/} folders under one checkpoint folder, each written whole
 * beside its final name and renamed once (so a kill -9 leaves the previous one intact), holding the trainable values,
 * AdamW's moments and a {@code state.json} (step, per-epoch metrics, the running epoch sums, and the fingerprint of the
 * settings and data it belongs to). Shuffling and dropout are functions of (seed, epoch, step), so no RNG state is kept.
 */
public record TrainCheckpoint(long step, long tokens, List<Trainer.Epoch> epochs, double lossSum, long correct, long seen,
                              Map<String, float[]> values, Map<String, float[]> first, Map<String, float[]> second) {
    static final String VALUES = "params.safetensors", FIRST = "adam-exp_avg.safetensors", SECOND = "adam-exp_avg_sq.safetensors", STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes step {@code step}'s checkpoint into {@code dir} and removes the older ones. */
    static void save(Path dir, String fingerprint, long step, long tokens, List<Trainer.Epoch> epochs, double lossSum, long correct, long seen,
                     List<Param> trainable, AdamW adam) {
        Path target = dir.resolve(String.format("step-%09d", step));
        ObjectNode s = JSON.createObjectNode();
        s.put("fingerprint", fingerprint).put("step", step).put("adam_steps", adam.steps()).put("tokens", tokens)
                .put("epoch_loss_sum", lossSum).put("epoch_correct", correct).put("epoch_seen", seen);
        ArrayNode ep = s.putArray("epochs");
        for (Trainer.Epoch e : epochs) ep.add(JSON.valueToTree(e));
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Param p : trainable) values.put(p.name(), p.value());
        AtomicFiles.writeDirectory(target, tmp -> {
            write(tmp.resolve(VALUES), values);
            write(tmp.resolve(FIRST), adam.firstMoments());
            write(tmp.resolve(SECOND), adam.secondMoments());
            Files.writeString(tmp.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s));
        });
        for (Path old : steps(dir)) if (!old.equals(target)) {
            try {
                AtomicFiles.deleteTree(old);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove old checkpoint " + old + ": " + e.getMessage(), e);
            }
        }
    }

    private static void write(Path file, Map<String, float[]> tensors) {
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        tensors.forEach((name, v) -> {
            float[] copy = v.clone();
            entries.add(new SafetensorsWriter.Entry(name, DType.F32, new long[]{copy.length}, o -> SafetensorsWriter.writeF32(o, copy)));
        });
        SafetensorsWriter.write(file, entries, Map.of("format", "pt"));
    }

    /** The newest checkpoint in {@code dir}, if any; refuses one made for other settings or data. */
    static Optional<TrainCheckpoint> latest(Path dir, String fingerprint) {
        List<Path> all = steps(dir);
        if (all.isEmpty()) return Optional.empty();
        Path last = all.getLast();
        Path state = last.resolve(STATE);
        try {
            JsonNode s = JSON.readTree(state.toFile());
            if (!fingerprint.equals(s.path("fingerprint").asText()))
                throw new DataFormatException(state, 0, "fingerprint", "this checkpoint was made with other settings, model or pairs; "
                        + "rerun with the same ones to resume, or delete " + dir + " to start over");
            List<Trainer.Epoch> epochs = new ArrayList<>();
            for (JsonNode e : s.get("epochs")) epochs.add(JSON.treeToValue(e, Trainer.Epoch.class));
            return Optional.of(new TrainCheckpoint(s.get("step").asLong(), s.get("tokens").asLong(), epochs,
                    s.get("epoch_loss_sum").asDouble(), s.get("epoch_correct").asLong(), s.get("epoch_seen").asLong(),
                    read(last.resolve(VALUES)), read(last.resolve(FIRST)), read(last.resolve(SECOND))));
        } catch (IOException e) {
            throw new DataFormatException(state, 0, null, "unreadable checkpoint state: " + e.getMessage(), e);
        }
    }

    private static Map<String, float[]> read(Path file) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (WeightStore w = WeightStore.openFile(file)) {
            for (Tensor t : w.tensors().values()) out.put(t.name(), t.toFloats());
        }
        return out;
    }

    private static List<Path> steps(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("step-\\d{9}")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
