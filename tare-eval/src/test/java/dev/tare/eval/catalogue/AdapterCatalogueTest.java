package dev.tare.eval.catalogue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraMerger;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.tiny.TinyCheckpoint;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.tare.eval.catalogue.Catalogue.error;
import static dev.tare.eval.catalogue.Catalogue.survives;

/** LoRA adapters: adapter_config.json, adapter weights, their fit to the base, and merging them. */
class AdapterCatalogueTest {
    @TempDir Path tmp;
    private int n;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TinyCheckpoint.Spec SPEC = TinyCheckpoint.Spec.defaults();

    private Path base() {
        Path b = tmp.resolve("base");
        if (!Files.exists(b)) TinyCheckpoint.write(b, SPEC, 1);
        return b;
    }

    private Path adapter(Consumer<ObjectNode> edit) throws IOException {
        Path a = tmp.resolve("lora" + (n++));
        TinyCheckpoint.writeLora(a, base(), SPEC, List.of("q_proj", "v_proj"), 4, 8, 2);
        ObjectNode c = (ObjectNode) JSON.readTree(a.resolve("adapter_config.json").toFile());
        edit.accept(c);
        Files.writeString(a.resolve("adapter_config.json"), c.toString());
        return a;
    }

    private Object load(Path a) { return LoraAdapter.load(a).modules().size(); }

    private Object merge(double lambda, DType dtype, boolean allow) throws IOException {
        LoraAdapter a = LoraAdapter.load(adapter(c -> {}));
        Path out = tmp.resolve("merged" + (n++));
        LoraMerger.merge(base(), List.of(a), Map.of(a.name(), lambda),
                new LoraMerger.Options(HeadChoice.BASE, dtype, LoraMerger.DEFAULT_MAX_SHARD_BYTES).withAllowOverflow(allow), out);
        return Files.isDirectory(out);
    }

    @TestFactory
    Stream<DynamicTest> adapters() {
        Class<DataFormatException> df = DataFormatException.class;
        Class<SafetensorsException> st = SafetensorsException.class;
        return new Catalogue()
                .add("valid adapter", survives(2 * SPEC.layers()), () -> load(adapter(c -> {})))
                .add("no adapter_config.json", error(df, "no adapter_config.json"), () -> load(Files.createDirectories(tmp.resolve("empty"))))
                .add("adapter_config.json not JSON", error(df, "adapter_config.json"), () -> {
                    Path a = adapter(c -> {});
                    Files.writeString(a.resolve("adapter_config.json"), "{\"r\": ");
                    return load(a);
                })
                .add("peft_type not LORA", error(df, "peft_type"), () -> load(adapter(c -> c.put("peft_type", "IA3"))))
                .add("DoRA", error(df, "use_dora"), () -> load(adapter(c -> c.put("use_dora", true))))
                .add("trained biases", error(df, "bias"), () -> load(adapter(c -> c.put("bias", "all"))))
                .add("rank not an integer", error(df, "'r'"), () -> load(adapter(c -> c.put("r", 4.5))))
                .add("no adapter weights", error(st, "no adapter_model.safetensors"), () -> {
                    Path a = adapter(c -> {});
                    Files.delete(a.resolve("adapter_model.safetensors"));
                    return load(a);
                })
                .add("rank differs from the weights", error(st, "but rank is 8"), () -> load(adapter(c -> c.put("r", 8))))
                .add("adapter for another base shape", error(IllegalArgumentException.class, "base"), () -> {
                    Path other = tmp.resolve("other" + (n++));
                    TinyCheckpoint.writeLora(other, "base", SPEC.layers(), SPEC.hidden() * 2, SPEC.kvHeads() * SPEC.headDim() * 2,
                            SPEC.intermediate(), true, List.of("q_proj"), 4, 8, 3);
                    try (LoraModel m = LoraModel.open(base(), List.of(LoraAdapter.load(other)))) {
                        return m;
                    }
                })
                .add("merge fits f16", survives(true), () -> merge(1.0, DType.F16, false))
                .add("merge overflows f16", error(IllegalArgumentException.class, "tensor 'model.layers.", "overflow F16", "--allow-overflow"),
                        () -> merge(1e12, DType.F16, false))
                .add("merge overflows f16, allowed", survives(true), () -> merge(1e12, DType.F16, true))
                .add("merge at a non-finite strength", error(IllegalArgumentException.class), () -> merge(Double.NaN, DType.F32, false))
                .tests();
    }
}
