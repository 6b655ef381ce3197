package dev.tare.runtime.model;

import dev.tare.runtime.kernel.Kernels;
import dev.tare.runtime.safetensors.SafetensorsException;
import dev.tare.runtime.safetensors.Tensor;
import dev.tare.runtime.safetensors.WeightStore;

import java.nio.file.Path;

/**
 * Loads a Hugging Face checkpoint directory (config.json + safetensors) as a {@link RewardModel} (a linear score head,
 * or ArmoRM's gated multi-objective head) or a {@link CausalLM}.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /** Loads {@code dir}; the architecture in config.json decides the head. */
    public static Model load(Path dir) { return load(dir, LinearDecorator.NONE); }

    /** Loads {@code dir}, passing every decoder linear layer through {@code deco} (used by LoRA). */
    public static Model load(Path dir, LinearDecorator deco) {
        ModelConfig cfg = ModelConfig.read(dir);
        WeightStore w = WeightStore.open(dir);
        try {
            Transformer body = new Transformer(cfg, w, deco);
            if (cfg.head() == ModelConfig.Head.GATED_MULTI_OBJECTIVE)
                return new RewardModel(body, GatedHead.load(w, cfg), w, ScoreTokenRule.FIRST_PAD_MINUS_ONE, RewardModel.DEFAULT_TOKEN_BUDGET);
            if (cfg.head() == ModelConfig.Head.SEQUENCE_CLASSIFICATION) {
                Tensor score = w.require("score.weight");
                if (score.shape().length != 2 || score.shape()[1] != cfg.hiddenSize() || score.shape()[0] != cfg.numLabels())
                    throw new SafetensorsException(w.source(), "score.weight", "shape " + java.util.Arrays.toString(score.shape())
                            + " but config.json implies [" + cfg.numLabels() + ", " + cfg.hiddenSize() + "] (num_labels from id2label)");
                if (w.find("score.bias").isPresent())
                    throw new SafetensorsException(w.source(), "score.bias", "score heads in transformers have no bias; refusing an unknown layout");
                return new RewardModel(body, score.toFloats(), cfg.numLabels(), w, ScoreTokenRule.DEFAULT, RewardModel.DEFAULT_TOKEN_BUDGET);
            }
            Tensor head = w.find("lm_head.weight").orElse(null);
            if (head == null) {
                if (!cfg.tieWordEmbeddings())
                    throw new SafetensorsException(w.source(), "lm_head.weight", "missing and tie_word_embeddings is false");
                head = body.embedTensor();
            }
            head.requireShape(cfg.vocabSize(), cfg.hiddenSize());
            return new CausalLM(body, Kernels.linear(head.data(), head.dtype(), cfg.vocabSize(), cfg.hiddenSize()), w);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Loads a sequence classifier, or fails naming the architecture found. */
    public static RewardModel loadRewardModel(Path dir) { return loadRewardModel(dir, LinearDecorator.NONE); }

    public static RewardModel loadRewardModel(Path dir, LinearDecorator deco) {
        Model m = load(dir, deco);
        if (m instanceof RewardModel r) return r;
        m.close();
        throw new IllegalArgumentException(dir + " holds " + m.config().architecture() + ", not a *ForSequenceClassification reward model");
    }

    /** Loads a causal LM, or fails naming the architecture found. */
    public static CausalLM loadCausalLM(Path dir) {
        Model m = load(dir);
        if (m instanceof CausalLM c) return c;
        m.close();
        throw new IllegalArgumentException(dir + " holds " + m.config().architecture() + ", not a *ForCausalLM");
    }
}
