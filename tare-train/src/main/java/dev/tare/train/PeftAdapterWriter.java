package dev.tare.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import dev.tare.train.grad.GradDecoder;
import dev.tare.train.grad.Param;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained LoRA as the PEFT adapter folder {@code PeftModel.save_pretrained} makes for task type SEQ_CLS:
 * {@code adapter_config.json} (PEFT 0.21's LoRA fields), {@code adapter_model.safetensors} (float32, PEFT's saved names
 * {@code base_model.model.<module>.lora_A.weight}, the head copy as {@code base_model.model.score.weight}, metadata
 * {@code format: pt}), plus {@code tare_train.json} (how it was trained: any JSON-able value), all-or-nothing.
 */
public final class PeftAdapterWriter {
    static final String ADAPTER_CONFIG = "adapter_config.json", ADAPTER_WEIGHTS = "adapter_model.safetensors", PROVENANCE = "tare_train.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PeftAdapterWriter() {}

    /** Writes {@code out} (absent or empty) from the LoRA terms and head of {@code d}. */
    public static void write(Path out, GradDecoder d, LoraSpec spec, String baseModelNameOrPath, Object provenance) {
        List<SafetensorsWriter.Entry> entries = entries(d);
        String config = config(spec, baseModelNameOrPath);
        String prov = json(provenance);
        AtomicFiles.writeDirectory(out, dir -> {
            SafetensorsWriter.write(dir.resolve(ADAPTER_WEIGHTS), entries, Map.of("format", "pt"));
            Files.writeString(dir.resolve(ADAPTER_CONFIG), config);
            Files.writeString(dir.resolve(PROVENANCE), prov);
        });
    }

    /** The tensors PEFT saves: every LoRA A/B (".default" dropped) and the head copy, sorted by name. */
    static List<SafetensorsWriter.Entry> entries(GradDecoder d) {
        List<SafetensorsWriter.Entry> out = new ArrayList<>();
        for (Param p : d.parameters().values()) {
            String name;
            if (p.name().contains(".lora_A.default.") || p.name().contains(".lora_B.default.")) name = p.name().replace(".default.", ".");
            else if (p == d.head()) name = "base_model.model." + p.name();
            else continue;
            float[] v = p.value().clone();
            int[] s = p.shape();
            long[] shape = new long[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = s[i];
            out.add(new SafetensorsWriter.Entry(name, DType.F32, shape, o -> SafetensorsWriter.writeF32(o, v)));
        }
        if (out.size() < 3) throw new IllegalStateException("the model has no LoRA terms to save");
        out.sort(Comparator.comparing(SafetensorsWriter.Entry::name));
        return out;
    }

    /** PEFT 0.21's adapter_config.json for a plain LoRA on a SEQ_CLS model (inference_mode true, as saved). */
    static String config(LoraSpec spec, String base) {
        ObjectNode c = JSON.createObjectNode();
        c.putNull("alora_invocation_tokens");
        c.putObject("alpha_pattern");
        c.putNull("auto_mapping");
        c.put("base_model_name_or_path", base);
        c.put("bias", "none");
        c.putNull("exclude_modules");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("layer_replication");
        c.putNull("layers_pattern");
        c.putNull("layers_to_transform");
        c.putObject("loftq_config");
        if (spec.alpha() == Math.rint(spec.alpha())) c.put("lora_alpha", (long) spec.alpha());
        else c.put("lora_alpha", spec.alpha());
        c.put("lora_bias", false);
        c.put("lora_dropout", spec.dropout());
        c.putNull("megatron_config");
        c.put("megatron_core", "megatron.core");
        ArrayNode mts = c.putArray("modules_to_save");
        mts.add("classifier").add("score");
        c.put("peft_type", "LORA");
        c.put("r", spec.r());
        c.putObject("rank_pattern");
        c.putNull("revision");
        ArrayNode t = c.putArray("target_modules");
        spec.targets().forEach(t::add);
        c.putNull("target_parameters");
        c.put("task_type", "SEQ_CLS");
        c.putNull("trainable_token_indices");
        c.put("use_dora", false);
        c.put("use_rslora", spec.rslora());
        return json(c);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
