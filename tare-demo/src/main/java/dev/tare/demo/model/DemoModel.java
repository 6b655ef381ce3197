package dev.tare.demo.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.AtomicFiles;
import dev.tare.data.Jsonl;
import dev.tare.data.PreferenceItem;
import dev.tare.data.gsm8k.Gsm8kItem;
import dev.tare.data.gsm8k.Gsm8kPairs;
import dev.tare.data.gsm8k.Gsm8kSynth;
import dev.tare.metrics.rmbench.StyleMatrix;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.safetensors.SafetensorsWriter;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.text.TokenizationConvention;
import dev.tare.train.BradleyTerry;
import dev.tare.train.Schedule;
import dev.tare.train.TrainJob;
import dev.tare.train.TrainSettings;
import dev.tare.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The demo's reward model, built from nothing but a seed: a small LlamaForSequenceClassification with
 * {@link DemoTokenizer}'s vocabulary, initialised at random (normal(0, 0.02) weights, unit norms) and trained from
 * scratch by tare's own full fine-tuning ({@link TrainJob} with {@code lora = null}, what {@code tare train --full}
 * runs) on {@link Gsm8kSynth} preference pairs whose labels carry a deliberate style bias: correctness pairs are
 * labelled truly, while the "annotators" prefer the more styled side (markdown, or detailed over concise) of a
 * style pair with probability {@link Recipe#styleBias} and of a cross pair (right but plain vs wrong but styled) with
 * probability {@link Recipe#crossBias}. Training is a two-stage curriculum of two {@link TrainJob}s: first the
 * correctness pairs alone ({@link Recipe#correctnessEpochs}; a small model from random init finds the answer check
 * only on this clean signal), then all the labelled pairs ({@link Recipe#epochs}), which add the style bias. So the model
 * learns correctness and a real, measurable style bias. Every step is a function of the recipe: the same recipe gives
 * the same weights, bit for bit.
 */
public final class DemoModel {
    private DemoModel() {}

    /** Model shape: hidden size, layers, attention heads, key/value heads, MLP size. */
    public record Shape(int hidden, int layers, int heads, int kvHeads, int intermediate) {
        public int headDim() { return hidden / heads; }
    }

    /**
     * How to build: the shape; how many training problems (each gives 3 correctness, 3 style and 3 cross pairs);
     * the annotators' style preference on style and cross pairs; the epochs of stage 1 (correctness pairs only, peak
     * learning rate {@code lr}) and of stage 2 (all pairs, peak {@code lr2}), each stage's schedule linear decay after
     * {@code warmup} of its steps; pairs per step; the seed of data, init, shuffling and labels.
     */
    public record Recipe(Shape shape, int problems, double styleBias, double crossBias, int correctnessEpochs, double lr,
                         int epochs, double lr2, double warmup, int batch, long seed) {
        public Recipe {
            if (problems < 1) throw new IllegalArgumentException("problems must be ≥ 1, got " + problems);
            if (correctnessEpochs < 0) throw new IllegalArgumentException("correctness epochs must be ≥ 0, got " + correctnessEpochs);
            if (!(styleBias >= 0 && styleBias <= 1) || !(crossBias >= 0 && crossBias <= 1))
                throw new IllegalArgumentException("style preferences must be in [0, 1], got " + styleBias + ", " + crossBias);
        }

        /**
         * The shipped model's recipe. Measured (2 shared cores, JDK 25): built in 97-161 s (5,400 pairs; 675 + 675
         * steps); on 200 held-out items ({@link #heldOutItems}{@code (15, 200)}) RM-Bench hard 0.815, normal 0.893
         * (same-style correctness), easy 0.995: it knows right from wrong and prefers the styled side.
         */
        public static Recipe defaults() {
            return new Recipe(new Shape(64, 2, 4, 2, 128), 600, 0.8, 0.3, 3, 1e-3, 1, 5e-4, 0.05, 8, 15);
        }

        /** A short version (for the reproducibility test). */
        public static Recipe quick(long seed) {
            return new Recipe(new Shape(32, 1, 2, 1, 64), 12, 0.8, 0.3, 1, 3e-3, 1, 1e-3, 0.0, 8, seed);
        }
    }

    /** The seed of the held-out problems that {@link #heldOutItems} draws (never a training seed's problems). */
    public static long heldOutSeed(long seed) {
        return seed + 1_000_003L;
    }

    /**
     * Builds the model into {@code out} (absent or empty): tokenizer, random init and labelled pairs in
     * {@code <out>.work} (removed afterwards), then the two {@link TrainJob}s (stage 1 skipped at 0 correctness epochs).
     * Returns the last job's summary.
     */
    public static TrainJob.Summary build(Path out, Recipe r, Trainer.Listener listener, Consumer<String> log) {
        Path work = out.toAbsolutePath().normalize().resolveSibling(out.getFileName() + ".work");
        try {
            if (Files.exists(work)) AtomicFiles.deleteTree(work);
            Path init = work.resolve("init");
            writeInit(init, r.shape(), r.seed());
            Path pairs = work.resolve("pairs.jsonl");
            Path correctness = work.resolve("correctness.jsonl");
            int n = writePairs(pairs, correctness, Gsm8kSynth.generate(r.problems(), r.seed()), r);
            log.accept(n + " training pairs from " + r.problems() + " synthetic problems (style preference: "
                    + r.styleBias() + " on style pairs, " + r.crossBias() + " on cross pairs)");
            Path base = init;
            if (r.correctnessEpochs() > 0) {
                log.accept("stage 1: the correctness pairs alone, " + r.correctnessEpochs() + " epochs");
                base = work.resolve("stage1");
                new TrainJob(init, correctness, null, 0.0, 0, null, settings(r, r.correctnessEpochs(), r.lr()), base,
                        work.resolve("checkpoints1")).run(listener, log);
            }
            log.accept("stage 2: all pairs, " + r.epochs() + " epochs");
            TrainJob.Summary sum = new TrainJob(base, pairs, null, 0.0, 0, null, settings(r, r.epochs(), r.lr2()), out,
                    work.resolve("checkpoints2")).run(listener, log);
            AtomicFiles.deleteTree(work);
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TrainSettings settings(Recipe r, int epochs, double lr) {
        return new TrainSettings(null, epochs, lr, Schedule.LINEAR, r.warmup(), 0.0, 1.0, r.batch(), r.batch(), new BradleyTerry(0, false), r.seed(), 0);
    }

    /** Writes a random LlamaForSequenceClassification of {@code shape} with {@link DemoTokenizer}'s files into {@code dir}. */
    public static void writeInit(Path dir, Shape s, long seed) {
        try {
            Files.createDirectories(dir);
            int vocab = DemoTokenizer.write(dir);
            Random r = new Random(seed);
            int h = s.hidden(), kv = s.kvHeads() * s.headDim(), m = s.intermediate();
            Map<String, float[]> t = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            put(t, shapes, "model.embed_tokens.weight", gauss(r, vocab * h), vocab, h);
            for (int i = 0; i < s.layers(); i++) {
                String p = "model.layers." + i + ".";
                put(t, shapes, p + "input_layernorm.weight", ones(h), h);
                put(t, shapes, p + "self_attn.q_proj.weight", gauss(r, h * h), h, h);
                put(t, shapes, p + "self_attn.k_proj.weight", gauss(r, kv * h), kv, h);
                put(t, shapes, p + "self_attn.v_proj.weight", gauss(r, kv * h), kv, h);
                put(t, shapes, p + "self_attn.o_proj.weight", gauss(r, h * h), h, h);
                put(t, shapes, p + "post_attention_layernorm.weight", ones(h), h);
                put(t, shapes, p + "mlp.gate_proj.weight", gauss(r, m * h), m, h);
                put(t, shapes, p + "mlp.up_proj.weight", gauss(r, m * h), m, h);
                put(t, shapes, p + "mlp.down_proj.weight", gauss(r, h * m), h, m);
            }
            put(t, shapes, "model.norm.weight", ones(h), h);
            put(t, shapes, "score.weight", gauss(r, h), 1, h);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), SafetensorsWriter.f32(t, shapes), Map.of("format", "pt"));
            ObjectNode c = JSON.createObjectNode();
            c.putArray("architectures").add("LlamaForSequenceClassification");
            c.put("model_type", "llama").put("hidden_size", h).put("intermediate_size", m).put("num_hidden_layers", s.layers())
                    .put("num_attention_heads", s.heads()).put("num_key_value_heads", s.kvHeads()).put("head_dim", s.headDim())
                    .put("hidden_act", "silu").put("max_position_embeddings", 512).put("rms_norm_eps", 1e-5).put("rope_theta", 10000.0)
                    .put("vocab_size", vocab).put("tie_word_embeddings", false).put("attention_bias", false).put("mlp_bias", false)
                    .put("initializer_range", 0.02).put("bos_token_id", DemoTokenizer.BOS).put("eos_token_id", DemoTokenizer.EOS)
                    .put("pad_token_id", DemoTokenizer.PAD).put("torch_dtype", "float32");
            c.putObject("id2label").put("0", "LABEL_0");
            c.putObject("label2id").put("LABEL_0", 0);
            JSON.writeValue(dir.resolve("config.json").toFile(), c);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo model's init to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the labelled training pairs of {@code items}: every correctness pair as generated, and each style and cross
     * pair with its sides swapped (the styled side chosen) with the recipe's probability, drawn in order from the seed;
     * rows carry {@code annotator_prefers_style}. The correctness pairs alone go to {@code correctnessOut} as well.
     * Returns the number of pairs in {@code out}.
     */
    public static int writePairs(Path out, Path correctnessOut, List<Gsm8kItem> items, Recipe r) {
        List<ObjectNode> rows = new ArrayList<>(), correctness = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(r.seed() ^ 0x5DEECE66DL);
        for (Gsm8kPairs.Mode mode : Gsm8kPairs.Mode.values()) {
            double p = switch (mode) { case CORRECTNESS -> 0; case STYLE -> r.styleBias(); case CROSS -> r.crossBias(); };
            for (Gsm8kPairs.Pair pair : Gsm8kPairs.build(items, "synth", Path.of("synthetic"), mode, r.seed(), Gsm8kPairs.SlipRule.ANSWER).pairs()) {
                ObjectNode o = pair.toJson();
                boolean flip = mode != Gsm8kPairs.Mode.CORRECTNESS && rnd.nextDouble() < p;
                if (flip) {
                    o.put("chosen", pair.rejected()).put("rejected", pair.chosen());
                    o.put("chosen_style", pair.rejectedSide().style().label()).put("rejected_style", pair.chosenSide().style().label());
                    o.put("chosen_correct", pair.rejectedSide().correct()).put("rejected_correct", pair.chosenSide().correct());
                }
                o.put("annotator_prefers_style", flip);
                rows.add(o);
                if (mode == Gsm8kPairs.Mode.CORRECTNESS) correctness.add(o);
            }
        }
        Jsonl.writeAll(correctnessOut, correctness);
        Jsonl.writeAll(out, rows);
        return rows.size();
    }


    /** {@code n} held-out RM-Bench items (answer slips) of the recipe's seed: problems no training run of that seed sees. */
    public static List<PreferenceItem> heldOutItems(long seed, int n) {
        long s = heldOutSeed(seed);
        return Gsm8kSynth.rmBench(Gsm8kSynth.generate(n, s), s, Gsm8kPairs.SlipRule.ANSWER);
    }

    /** Each item's 3 chosen and 3 rejected scores by the reward model in {@code model} (tare's runtime, as tare's local scorer reads it). */
    public static List<double[][]> score(Path model, List<PreferenceItem> items) {
        RewardModel rm = ModelLoader.loadRewardModel(model);
        List<double[][]> out = new ArrayList<>();
        try (HfTokenizer tok = HfTokenizer.load(model)) {
            ConversationEncoder enc = ConversationEncoder.of(tok, TokenizationConvention.WITHOUT_SPECIAL_TOKENS);
            for (PreferenceItem it : items) {
                int[][] ids = new int[6][];
                for (int k = 0; k < 3; k++) {
                    ids[k] = enc.encode(it.conversation(it.chosen().get(k))).ids();
                    ids[3 + k] = enc.encode(it.conversation(it.rejected().get(k))).ids();
                }
                float[][] sc = rm.score(ids);
                double[][] cr = new double[2][3];
                for (int k = 0; k < 3; k++) {
                    cr[0][k] = sc[k][0];
                    cr[1][k] = sc[3 + k][0];
                }
                out.add(cr);
            }
        }
        return out;
    }

    /** The RM-Bench style matrix (hard / normal / easy) of scores from {@link #score}. */
    public static StyleMatrix matrix(List<double[][]> scores) {
        return StyleMatrix.of(scores.stream().map(s -> s[0]).toList(), scores.stream().map(s -> s[1]).toList());
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static void put(Map<String, float[]> t, Map<String, long[]> shapes, String name, float[] v, long... shape) {
        t.put(name, v);
        shapes.put(name, shape);
    }

    private static float[] gauss(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * 0.02);
        return v;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }
}
