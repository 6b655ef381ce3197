package dev.tare.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.train.grad.GradDecoder;
import dev.tare.train.grad.Param;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Step-0 Bradley-Terry loss and the gradient of every trainable parameter against PyTorch autograd + PEFT 0.21. */
class GradientOracleTest {

    /** PEFT's parameter name → tare's: the head copy is trained in place of score.weight. */
    static String tareName(String peft) {
        return peft.equals("base_model.model.score.modules_to_save.default.weight") ? "score.weight" : peft;
    }

    @ParameterizedTest
    @ValueSource(strings = {"train-lora-llama-qkvo-binit0", "train-lora-llama-qkvo-undesired", "train-lora-qwen2-all-margin"})
    void loraGradientsMatchAutograd(String name) throws Exception {
        Path c = TrainingFixtures.requireCase(name, "goldens.json", "grads_step0.safetensors", "adapter_init/adapter_config.json");
        JsonNode g = TrainingFixtures.goldens(c);
        try (GradDecoder d = GradDecoder.open(TrainingFixtures.base(g))) {
            LoraInit.fromAdapter(d, LoraAdapter.load(c.resolve("adapter_init")), 0.0);
            BradleyTerry bt = new BradleyTerry(g.get("margin").asDouble(), g.get("undesired").asBoolean());
            double loss = PairStep.lossAndGradients(d, bt, TrainingFixtures.pairs(g));
            assertEquals(g.get("step0_loss").asDouble(), loss, 1e-5, "step-0 loss");
            Map<String, float[]> oracle = TrainingFixtures.tensors(c.resolve("grads_step0.safetensors"));
            Map<String, Param> mine = d.parameters();
            assertEquals(oracle.size(), d.trainable().size(), "number of trainable tensors");
            double worst = 0;
            for (var e : oracle.entrySet()) {
                Param p = mine.get(tareName(e.getKey()));
                assertNotNull(p, "no parameter for " + e.getKey());
                assertTrue(p.trainable(), e.getKey() + " is not trainable");
                double err = TrainingFixtures.relError(p.grad(), e.getValue());
                worst = Math.max(worst, err);
                assertTrue(err <= 1e-5, e.getKey() + ": gradient off by " + err + " of its largest entry");
            }
            System.out.printf("%s: loss %.9f (torch %.9f), worst gradient error %.2e%n", name, loss, g.get("step0_loss").asDouble(), worst);
        }
    }

    @org.junit.jupiter.api.Test
    void fullWeightGradientsMatchAutograd() throws Exception {
        Path c = TrainingFixtures.requireCase("train-full-llama", "goldens.json", "grads.safetensors");
        JsonNode g = TrainingFixtures.goldens(c);
        try (GradDecoder d = GradDecoder.open(TrainingFixtures.base(g))) {
            d.trainAll();
            double loss = PairStep.lossAndGradients(d, new BradleyTerry(0, false), TrainingFixtures.pairs(g));
            assertEquals(g.get("loss").asDouble(), loss, 1e-5, "loss");
            Map<String, float[]> oracle = TrainingFixtures.tensors(c.resolve("grads.safetensors"));
            assertEquals(oracle.keySet(), d.parameters().keySet(), "full fine-tuning trains every checkpoint tensor");
            double worst = 0;
            for (var e : oracle.entrySet()) {
                double err = TrainingFixtures.relError(d.parameters().get(e.getKey()).grad(), e.getValue());
                worst = Math.max(worst, err);
                assertTrue(err <= 1e-5, e.getKey() + ": gradient off by " + err + " of its largest entry");
            }
            System.out.printf("train-full-llama: loss %.9f, worst gradient error %.2e over %d tensors%n", loss, worst, oracle.size());
        }
    }

}
