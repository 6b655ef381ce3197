package dev.tare.eval.catalogue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.DataFormatException;
import dev.tare.runtime.model.ModelConfig;
import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.safetensors.WeightStore;
import dev.tare.runtime.tiny.TinyCheckpoint;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.tare.eval.catalogue.Catalogue.error;
import static dev.tare.eval.catalogue.Catalogue.survives;

/** Checkpoints: safetensors files and config.json. */
class CheckpointCatalogueTest {
    @TempDir Path tmp;
    private int n;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private Object open(byte[] bytes) throws IOException {
        Path p = tmp.resolve("bad" + (n++) + ".safetensors");
        Files.write(p, bytes);
        try (WeightStore w = WeightStore.openFile(p)) {
            return w.tensors().size();
        }
    }

    private static String t(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private Object config(Consumer<ObjectNode> edit) throws IOException {
        Path dir = tmp.resolve("cfg" + (n++));
        TinyCheckpoint.write(dir, TinyCheckpoint.Spec.defaults(), 1);
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(c);
        Files.writeString(dir.resolve("config.json"), c.toString());
        return ModelConfig.read(dir).family();
    }

    @TestFactory
    Stream<DynamicTest> checkpoints() {
        Class<SafetensorsException> st = SafetensorsException.class;
        Class<DataFormatException> df = DataFormatException.class;
        return new Catalogue()
                .add("valid file", survives(1), () -> open(safetensors("{" + t("w", "F32", "[2]", "[0,8]") + "}", 8)))
                .add("3-byte file", error(st, ".safetensors", "too short"), () -> open(new byte[3]))
                .add("header length past the end", error(st, "runs past the end"), () -> open(java.util.Arrays.copyOf(safetensors("{}", 0), 9)))
                .add("absurd header length", error(st, "not in (0,"), () -> open(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array()))
                .add("header not JSON", error(st, "not valid JSON"), () -> open(safetensors("{\"w\":{\"dtype\":", 0)))
                .add("header a JSON list", error(st, "not a JSON object"), () -> open(safetensors("[1]", 0)))
                .add("entry not an object", error(st, "tensor 'w'", "entry is not an object"), () -> open(safetensors("{\"w\":3}", 0)))
                .add("missing dtype", error(st, "tensor 'w'", "'dtype'"), () -> open(safetensors("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4)))
                .add("unsupported dtype", error(st, "tensor 'w'", "I64"), () -> open(safetensors("{" + t("w", "I64", "[1]", "[0,8]") + "}", 8)))
                .add("negative shape", error(st, "tensor 'w'", "shape entry -2"), () -> open(safetensors("{" + t("w", "F32", "[-2]", "[0,8]") + "}", 8)))
                .add("unordered offsets", error(st, "tensor 'w'", "not ordered"), () -> open(safetensors("{" + t("w", "F32", "[1]", "[8,4]") + "}", 8)))
                .add("offsets past the data", error(st, "tensor 'w'", "past the data area"), () -> open(safetensors("{" + t("w", "F32", "[4]", "[0,16]") + "}", 8)))
                .add("span != shape x dtype", error(st, "tensor 'w'", "needs 12"), () -> open(safetensors("{" + t("w", "F32", "[3]", "[0,8]") + "}", 8)))
                .add("overlapping tensors", error(st, "overlaps tensor"), () -> open(safetensors("{" + t("a", "F32", "[2]", "[0,8]") + "," + t("b", "F32", "[2]", "[4,12]") + "}", 12)))
                .add("tensor named twice", error(st, "tensor 'w'", "named twice"), () -> open(safetensors("{" + t("w", "F32", "[1]", "[0,4]") + "," + t("w", "F32", "[1]", "[4,8]") + "}", 8)))
                .add("field named twice in an entry", error(st, "Duplicate field 'dtype'"), () -> open(safetensors("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)))
                .add("element count overflows", error(st, "tensor 'w'", "field 'shape'"), () -> open(safetensors("{" + t("w", "F32", "[4294967296,4294967296]", "[0,4]") + "}", 4)))
                .add("byte count overflows", error(st, "tensor 'w'", "more bytes than fit"), () -> open(safetensors("{" + t("w", "F32", "[4611686018427387904]", "[0,4]") + "}", 4)))
                .add("valid config.json", survives(ModelConfig.Family.LLAMA), () -> config(c -> {}))
                .add("unknown model_type", error(df, "config.json", "model_type"), () -> config(c -> c.put("model_type", "gpt9")))
                .add("zero attention heads", error(df, "config.json", "num_attention_heads"), () -> config(c -> c.put("num_attention_heads", 0)))
                .add("kv heads not dividing heads", error(df, "num_key_value_heads"), () -> config(c -> c.put("num_key_value_heads", 3)))
                .add("hidden_size a string", error(df, "hidden_size", "must be an integer"), () -> config(c -> c.put("hidden_size", "64")))
                .add("max_position_embeddings 0", error(df, "max_position_embeddings", "must be positive"), () -> config(c -> c.put("max_position_embeddings", 0)))
                .tests();
    }
}
