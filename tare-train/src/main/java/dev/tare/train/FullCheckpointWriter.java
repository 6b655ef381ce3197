package dev.tare.train;

import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.safetensors.CheckpointWriter;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import dev.tare.train.grad.GradDecoder;
import dev.tare.train.grad.Param;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes a fully fine-tuned model as a Hugging Face checkpoint folder (float32 weights, the base's config and tokenizer files). */
public final class FullCheckpointWriter {
    private FullCheckpointWriter() {}

    /** Writes {@code out} (absent or empty) from every parameter of {@code d}; {@code extraFiles} (e.g. tare_train.json) by name. */
    public static void write(Path out, GradDecoder d, Path baseDir, Map<String, String> extraFiles) {
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Param p : d.parameters().values()) {
            if (p.name().startsWith("base_model.")) throw new IllegalStateException("the model carries LoRA terms: write it as an adapter");
            float[] v = p.value().clone();
            int[] s = p.shape();
            long[] shape = new long[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = s[i];
            entries.add(new SafetensorsWriter.Entry(p.name(), DType.F32, shape, o -> SafetensorsWriter.writeF32(o, v)));
        }
        CheckpointWriter.write(out, baseDir, entries, DType.F32, 5L << 30, extraFiles);
    }
}
