package dev.tare.demo.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The demo reward model that ships inside tare (built by {@link DemoModel#build} from {@link DemoModel.Recipe#defaults()}):
 * a normal Hugging Face checkpoint folder in the jar's resources, written out where the demo needs a folder, with
 * {@code tare_recipe.json} saying how to rebuild it and the SHA-256 of its weights.
 */
public final class ShippedModel {
    private ShippedModel() {}

    /** The files of the checkpoint, as they lie in {@link #RESOURCE}. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "tare_recipe.json");
    /** The resource folder holding them. */
    public static final String RESOURCE = "/dev/tare/demo/model/shipped/";
    /** The command that rebuilds the shipped weights from the recipe (into OUT/model). */
    public static final String REBUILD_COMMAND = "./tare demo --retrain --out OUT";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Whether this build of tare carries the checkpoint. */
    public static boolean present() {
        return FILES.stream().allMatch(f -> ShippedModel.class.getResource(RESOURCE + f) != null);
    }

    /**
     * The shipped checkpoint as a folder {@code dir}: left as it is when it already holds these exact files, otherwise
     * written whole (temporary sibling, one rename). Throws when this build carries no checkpoint.
     */
    public static Path extract(Path dir) {
        if (!present()) throw new IllegalStateException("this build of tare carries no demo model (" + RESOURCE + "); rebuild it with " + REBUILD_COMMAND);
        try {
            if (Files.isDirectory(dir) && FILES.stream().allMatch(f -> same(dir.resolve(f), f))) return dir;
            if (Files.exists(dir)) AtomicFiles.deleteTree(dir);
            AtomicFiles.writeDirectory(dir, d -> {
                for (String f : FILES)
                    try (InputStream in = ShippedModel.class.getResourceAsStream(RESOURCE + f)) {
                        Files.copy(in, d.resolve(f));
                    }
            });
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The shipped {@code tare_recipe.json}. */
    public static JsonNode recipe() {
        try (InputStream in = ShippedModel.class.getResourceAsStream(RESOURCE + "tare_recipe.json")) {
            if (in == null) throw new IllegalStateException("no shipped demo model");
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code tare_recipe.json} into a freshly built model folder: the recipe, the rebuild command, the SHA-256 of
     * {@code model.safetensors} and the float vector width it was computed with (reductions are summed in that many lanes,
     * so the weights are bit-for-bit reproducible on machines with the same width).
     */
    public static void writeRecipe(Path dir, DemoModel.Recipe r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("what", "tare's demo reward model: a small LlamaForSequenceClassification trained from random init by tare "
                + "(full fine-tuning, Bradley-Terry) on synthetic GSM8K-format pairs whose labels prefer markdown/detail part of the time");
        o.put("rebuild", REBUILD_COMMAND);
        o.set("recipe", JSON.valueToTree(r));
        o.put("model_safetensors_sha256", sha256(dir.resolve("model.safetensors")));
        o.put("float_vector_lanes", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
        AtomicFiles.writeString(dir.resolve("tare_recipe.json"), o.toPrettyString() + "\n");
    }

    /** The hex SHA-256 of a file. */
    public static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            return HexFormat.of().formatHex(digest(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean same(Path file, String resource) {
        if (!Files.isRegularFile(file)) return false;
        try (InputStream in = ShippedModel.class.getResourceAsStream(RESOURCE + resource)) {
            return sha256(file).equals(HexFormat.of().formatHex(digest(in)));
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] digest(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
