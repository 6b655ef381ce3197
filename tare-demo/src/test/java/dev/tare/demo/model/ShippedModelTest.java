package dev.tare.demo.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.PreferenceItem;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.text.TokenizationConvention;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reward model shipped in tare-demo's resources: it is what {@link DemoModel.Recipe#defaults()} builds (its recorded
 * recipe and weights hash), a normal checkpoint whose scores tare's runtime and the independent float64 NumPy decoder
 * (tools/decoder_numpy_reference.py, itself checked against transformers goldens in tare-runtime) agree on, and it is
 * written out whole and only when needed.
 */
class ShippedModelTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    @Test
    void theShippedCheckpointIsTheDefaultRecipesAndCarriesItsHash() throws Exception {
        assertTrue(ShippedModel.present(), "tare-demo ships the demo model");
        JsonNode r = ShippedModel.recipe();
        assertEquals(JSON.readTree(JSON.writeValueAsString(DemoModel.Recipe.defaults())), r.get("recipe"), "the shipped weights were built from today's default recipe");
        assertEquals(ShippedModel.REBUILD_COMMAND, r.get("rebuild").asText());
        Path dir = ShippedModel.extract(tmp.resolve("model"));
        assertEquals(r.get("model_safetensors_sha256").asText(), ShippedModel.sha256(dir.resolve("model.safetensors")));
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        assertEquals("LlamaForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals(DemoModel.Recipe.defaults().shape().layers(), config.get("num_hidden_layers").asInt());
    }

    @Test
    void extractWritesOnlyWhatDiffers() throws Exception {
        Path dir = ShippedModel.extract(tmp.resolve("m"));
        Path w = dir.resolve("model.safetensors");
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(w, old);
        ShippedModel.extract(dir);
        assertEquals(old, Files.getLastModifiedTime(w), "identical files are left alone");
        Files.write(w, new byte[]{1, 2, 3});
        ShippedModel.extract(dir);
        assertEquals(ShippedModel.recipe().get("model_safetensors_sha256").asText(), ShippedModel.sha256(w), "a damaged copy is replaced");
        assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary folder left behind");
    }

    @Test
    void tareAndTheFloat64NumpyDecoderGiveTheSameScores() throws Exception {
        Path script = Path.of("").toAbsolutePath();
        while (script != null && !Files.isRegularFile(script.resolve("tools/decoder_numpy_reference.py"))) script = script.getParent();
        Assumptions.assumeTrue(script != null, "tools/decoder_numpy_reference.py not found");
        boolean numpy;
        try {
            numpy = new ProcessBuilder("python3", "-c", "import numpy").start().waitFor() == 0;
        } catch (java.io.IOException e) {
            numpy = false;
        }
        Assumptions.assumeTrue(numpy, "python3 with numpy is not available: skipping the NumPy reference check");
        Path dir = ShippedModel.extract(tmp.resolve("model"));
        List<int[]> ids = new ArrayList<>();
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            ConversationEncoder enc = ConversationEncoder.of(tok, TokenizationConvention.WITHOUT_SPECIAL_TOKENS);
            for (PreferenceItem it : DemoModel.heldOutItems(DemoModel.Recipe.defaults().seed(), 3))
                for (String resp : it.chosen()) ids.add(enc.encode(it.conversation(resp)).ids());
        }
        Path idsFile = tmp.resolve("ids.json");
        Files.writeString(idsFile, JSON.writeValueAsString(ids));
        Process p = new ProcessBuilder("python3", script.resolve("tools/decoder_numpy_reference.py").toString(), dir.toString(), idsFile.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        JsonNode want = JSON.readTree(out).get("outputs");
        double max = 0;
        try (RewardModel rm = ModelLoader.loadRewardModel(dir)) {
            float[][] got = rm.score(ids.toArray(int[][]::new));
            for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i][0] - want.get(i).get(0).asDouble()));
        }
        System.out.printf("shipped demo model: tare vs NumPy float64 over %d sequences: max |score diff| %.3g%n", ids.size(), max);
        assertTrue(max <= 1e-4, "max diff " + max);
    }
}
