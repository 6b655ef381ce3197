package dev.tare.scorers.local;

import dev.tare.data.Message;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.RewardModel;
import dev.tare.runtime.model.ScoreTokenRule;
import dev.tare.runtime.text.ChatTemplate;
import dev.tare.runtime.text.ChatTemplateException;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.EncodedConversation;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.text.TokenizationConvention;
import dev.tare.scorers.RenderedTextScorer;
import dev.tare.scorers.ScorerException;
import dev.tare.scorers.ScorerSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A reward model run in-process: conversation → chat template → token ids ({@link TokenizationConvention}) →
 * the runtime's sequence classifier → one label's logit or a weighted sum of them. With a max length, prompts are
 * truncated from the left and responses kept whole ({@link ConversationEncoder}). A gated multi-objective checkpoint
 * (ArmoRM) scores with its mixed score, or with its objectives re-weighted ({@code objectives=}), and explains each
 * reward per objective ({@link #explain}); a multi-label head does the same with its labels as the objectives and its
 * label reduction's weights as fixed coefficients. Thread-safe.
 */
public final class LocalRewardScorer implements RenderedTextScorer, dev.tare.scorers.ObjectiveScorer {

    /**
     * Scoring choices; {@code defaults()} is: no label chosen (fine for a one-label head; a head with several labels
     * must be given {@code label=} or {@code weights=}), no special tokens added, no max length, and the score token
     * of current transformers ({@link ScoreTokenRule#DEFAULT}, last non-pad).
     */
    public record Options(TokenizationConvention convention, int maxLength, LabelReduction reduction,
                          ScoreTokenRule scoreTokenRule, Path chatTemplate, Map<String, Object> templateVariables,
                          int batchSize, ObjectiveWeights objectives, TransformOption transform, int sharePrefix) {
        public Options {
            Objects.requireNonNull(convention, "convention");
            if (maxLength < 0) throw new IllegalArgumentException("max length must be ≥ 0 (0 = none), got " + maxLength);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
            if (sharePrefix < 0) throw new IllegalArgumentException("share-prefix must be ≥ 0 tokens (0 = off), got " + sharePrefix);
            templateVariables = templateVariables == null ? Map.of() : Map.copyOf(templateVariables);
        }

        public Options(TokenizationConvention convention, int maxLength, LabelReduction reduction, ScoreTokenRule scoreTokenRule,
                       Path chatTemplate, Map<String, Object> templateVariables, int batchSize) {
            this(convention, maxLength, reduction, scoreTokenRule, chatTemplate, templateVariables, batchSize, null, null, 0);
        }

        public static Options defaults() {
            return new Options(TokenizationConvention.WITHOUT_SPECIAL_TOKENS, 0, null, null, null, Map.of(), 8, null, null, 0);
        }

        /**
         * Options from {@code key=value} pairs (as in {@code --scorer local:DIR,max-length=2048,...}): convention
         * ({@code without-special-tokens} | {@code with-special-tokens}), max-length, label, weights ({@code 0.5;0.3;0.2}),
         * chat-template (a .jinja file), score-token ({@code first-pad} | {@code last-non-pad}), batch, objectives (a gated
         * multi-objective head's re-weighting, {@link ObjectiveWeights}: {@code -NAME;NAME:W}), transform (its transform
         * matrix replaced, {@link TransformOption}: {@code identity} or a JSON file), share-prefix (N tokens or off: leading tokens
         * shared by sequences computed once, see {@link RewardModel#scoreSharingPrefixes}). Unknown keys are errors.
         */
        public static Options parse(Map<String, String> kv) {
            Options o = defaults();
            for (var e : kv.entrySet()) {
                String v = e.getValue().strip();
                o = switch (e.getKey().strip()) {
                    case "convention" -> o.withConvention(switch (v.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
                        case "without-special-tokens", "without" -> TokenizationConvention.WITHOUT_SPECIAL_TOKENS;
                        case "with-special-tokens", "with" -> TokenizationConvention.WITH_SPECIAL_TOKENS;
                        default -> throw new IllegalArgumentException("convention=" + v + ": expected without-special-tokens or with-special-tokens");
                    });
                    case "max-length" -> o.withMaxLength(integer(e.getKey(), v));
                    case "label" -> o.withReduction(LabelReduction.label(integer(e.getKey(), v)));
                    case "weights" -> o.withReduction(LabelReduction.parse("weights:" + v.replace(';', ',')));
                    case "chat-template" -> o.withChatTemplate(Path.of(v));
                    case "score-token" -> o.withScoreTokenRule(ScoreTokenRule.parse(v));
                    case "batch" -> o.withBatchSize(integer(e.getKey(), v));
                    case "objectives" -> o.withObjectives(ObjectiveWeights.parse(v));
                    case "transform" -> o.withTransform(TransformOption.parse(v));
                    case "share-prefix" -> o.withSharePrefix(v.equalsIgnoreCase("off") ? 0 : integer(e.getKey(), v));
                    default -> throw new IllegalArgumentException("unknown local scorer option '" + e.getKey()
                            + "' (known: convention, max-length, label, weights, chat-template, score-token, batch, objectives, transform, share-prefix)");
                };
            }
            return o;
        }

        private static int integer(String key, String v) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + v + ": expected an integer");
            }
        }

        public Options withConvention(TokenizationConvention c) { return new Options(c, maxLength, reduction, scoreTokenRule, chatTemplate, templateVariables, batchSize, objectives, transform, sharePrefix); }
        public Options withMaxLength(int n) { return new Options(convention, n, reduction, scoreTokenRule, chatTemplate, templateVariables, batchSize, objectives, transform, sharePrefix); }
        public Options withReduction(LabelReduction r) { return new Options(convention, maxLength, r, scoreTokenRule, chatTemplate, templateVariables, batchSize, objectives, transform, sharePrefix); }
        public Options withScoreTokenRule(ScoreTokenRule r) { return new Options(convention, maxLength, reduction, r, chatTemplate, templateVariables, batchSize, objectives, transform, sharePrefix); }
        public Options withChatTemplate(Path p) { return new Options(convention, maxLength, reduction, scoreTokenRule, p, templateVariables, batchSize, objectives, transform, sharePrefix); }
        public Options withTemplateVariables(Map<String, Object> v) { return new Options(convention, maxLength, reduction, scoreTokenRule, chatTemplate, v, batchSize, objectives, transform, sharePrefix); }
        public Options withBatchSize(int b) { return new Options(convention, maxLength, reduction, scoreTokenRule, chatTemplate, templateVariables, b, objectives, transform, sharePrefix); }
        public Options withObjectives(ObjectiveWeights w) { return new Options(convention, maxLength, reduction, scoreTokenRule, chatTemplate, templateVariables, batchSize, w, transform, sharePrefix); }
        public Options withTransform(TransformOption t) { return new Options(convention, maxLength, reduction, scoreTokenRule, chatTemplate, templateVariables, batchSize, objectives, t, sharePrefix); }
        /** Sequences sharing at least {@code n} leading tokens (e.g. the responses of one prompt) compute them once; 0 = off. */
        public Options withSharePrefix(int n) { return new Options(convention, maxLength, reduction, scoreTokenRule, chatTemplate, templateVariables, batchSize, objectives, transform, n); }
    }

    private final String name;
    private final RewardModel model;
    private final HfTokenizer tokenizer;
    private final ConversationEncoder encoder;
    private final Options options;
    /** Closes the weights this scorer loaded (with its tokenizer); null when they are borrowed ({@link #of}). */
    private final Runnable closeWeights;
    private final LabelReduction reduction;
    private final java.util.concurrent.atomic.AtomicBoolean warnedPadInside = new java.util.concurrent.atomic.AtomicBoolean();
    /** The run identity (see {@link ModelIdentity}); computed on first use, from the spec when opened from one. */
    private volatile Map<String, String> identity;
    private final ScorerSpec.Local.Lora lora;
    /** Per-objective weights of a gated head (options' {@code objectives=}), null = the model's own score. */
    private final double[] objectiveWeights;
    /** A replacement transform matrix of a gated head (options' {@code transform=}), null = the checkpoint's. */
    private final float[][] transform;

    private LocalRewardScorer(String name, RewardModel model, HfTokenizer tokenizer, ConversationEncoder encoder,
                              Options options, Runnable closeWeights) {
        this(name, model, tokenizer, encoder, options, closeWeights, null);
    }

    private LocalRewardScorer(String name, RewardModel model, HfTokenizer tokenizer, ConversationEncoder encoder,
                              Options options, Runnable closeWeights, ScorerSpec.Local.Lora lora) {
        this.lora = lora;
        this.name = name;
        this.model = model.withScoreTokenRule(options.scoreTokenRule() == null ? model.defaultScoreTokenRule() : options.scoreTokenRule());
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.options = options;
        this.closeWeights = closeWeights;
        this.reduction = reductionFor(options.reduction(), model);
        if (options.objectives() != null && !model.isGated() && model.numLabels() < 2)
            throw new IllegalArgumentException(model.config().file() + " holds " + model.config().architecture() + " with one label: objectives= re-weights "
                    + "the objectives of a gated multi-objective head (" + dev.tare.runtime.model.ModelConfig.GATED_ARCHITECTURE + ") or the labels of a multi-label head");
        this.objectiveWeights = options.objectives() == null ? null : options.objectives().resolve(objectiveNames());
        if (options.transform() != null && !model.isGated())
            throw new IllegalArgumentException(model.config().file() + " holds " + model.config().architecture() + ": transform= replaces the reward "
                    + "transform matrix of a gated multi-objective head (" + dev.tare.runtime.model.ModelConfig.GATED_ARCHITECTURE + ")");
        this.transform = options.transform() == null ? null : options.transform().matrix(objectiveNames().size());
    }

    /**
     * Objective names: a gated head's (ArmoRM's 19, else obj0..N-1), a multi-label head's labels (id2label); empty for a
     * one-label head.
     */
    @Override public List<String> objectiveNames() {
        if (model.isGated()) return model.gating().orElseThrow().objectiveNames();
        return model.numLabels() > 1 ? model.config().labels() : List.of();
    }

    /** The objective weights in use (head order), or empty when the model's own score is used. */
    public java.util.Optional<double[]> objectiveWeights() { return java.util.Optional.ofNullable(objectiveWeights).map(double[]::clone); }

    @Override public double reward(dev.tare.runtime.model.ObjectiveScores s) {
        if (objectiveWeights != null) return s.reweighted(objectiveWeights);
        return model.isGated() ? s.score() : reduction.reduce(s.rewards()); // a multi-label head: its reduction in double
    }

    /** Per-objective rewards, gating weights and coefficients of each conversation (a gated head only). */
    @Override public List<dev.tare.runtime.model.ObjectiveScores> explain(List<List<Message>> conversations) {
        int[][] ids = new int[conversations.size()][];
        for (int i = 0; i < ids.length; i++) {
            try {
                ids[i] = encode(conversations.get(i)).ids();
            } catch (ScorerException e) {
                throw e.atConversation(i);
            }
        }
        return objectivesOf(ids);
    }

    private List<dev.tare.runtime.model.ObjectiveScores> objectivesOf(int[][] ids) {
        if (!model.isGated() && model.numLabels() < 2)
            throw new UnsupportedOperationException(name + ": " + model.config().architecture() + " has one label: no objectives to explain");
        checkIds(ids);
        if (!model.isGated()) {
            // a plain multi-label head: the labels are the objectives, the reduction's fixed weights both gate and coefficients
            float[] w = new float[model.numLabels()];
            double[] rw = reduction.weights(model.numLabels());
            for (int i = 0; i < w.length; i++) w[i] = (float) rw[i];
            float[][] logits = model.score(ids);
            List<dev.tare.runtime.model.ObjectiveScores> out = new java.util.ArrayList<>(ids.length);
            for (float[] l : logits) out.add(new dev.tare.runtime.model.ObjectiveScores(l, w, w, (float) reduction.reduce(l)));
            return out;
        }
        try {
            List<dev.tare.runtime.model.ObjectiveScores> o = model.objectives(ids);
            return transform == null ? o : o.stream().map(s -> s.withTransform(transform)).toList();
        } catch (IllegalArgumentException e) {
            throw ScorerException.badInput(name + ": " + e.getMessage(), e);
        }
    }

    /** The chosen reduction, or label 0 of a one-label head; a multi-label head without a choice is an error listing its labels. */
    private static LabelReduction reductionFor(LabelReduction chosen, RewardModel model) {
        int n = model.numLabels();
        if (chosen != null) {
            chosen.check(n);
            return chosen;
        }
        if (n == 1) return LabelReduction.label(0);
        List<String> labels = model.config().labels();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) sb.append(i == 0 ? "" : ", ").append(i).append('=').append(labels.get(i));
        throw new IllegalArgumentException(model.config().file() + ": the head has " + n + " labels (" + sb
                + "); choose one with label=N or mix them with weights=w0;w1;... (e.g. local:DIR,label=0)");
    }

    /**
     * A view that scores with {@code s} added to the residual stream ({@code null}: unsteered); it shares the weights
     * and tokenizer, and closing it does nothing.
     */
    public LocalRewardScorer withSteering(dev.tare.runtime.model.Steering s) {
        String n = s == null ? name : name + " steered(layer " + s.layer() + ", alpha " + s.alpha() + ")";
        return new LocalRewardScorer(n, model.withSteering(s), tokenizer, encoder, options, null, lora);
    }

    /** The reward model as this scorer reads it (score-token rule and steering applied). */
    public RewardModel model() { return model; }

    /** The score-token rule in use (recorded in results files and summaries). */
    public ScoreTokenRule scoreTokenRule() { return model.scoreTokenRule(); }

    /** How the head's labels become the reward. */
    public LabelReduction reduction() { return reduction; }

    /** {@code score_token} (and the label choice of a multi-label head), for results lines and summaries. */
    @Override public Map<String, Object> provenance() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("score_token", scoreTokenRule().cliName());
        if (model.numLabels() > 1) m.put("labels", reduction.spec());
        if (options.objectives() != null) m.put("objective_weights", options.objectives().spec());
        if (options.transform() != null) m.put("objective_transform", options.transform().spec());
        return m;
    }

    /**
     * The model's identity for resumable runs: digests of config.json, the weights' headers and sizes, the tokenizer
     * files and chat template, the adapter (with λ and head) and the scoring settings (score token, labels, max length,
     * tokenization convention, template variables).
     */
    @Override public Map<String, String> identity() {
        Map<String, String> id = identity;
        if (id == null) {
            Path dir = model.config().file().getParent();
            String settings = "score_token=" + scoreTokenRule().cliName() + ";labels=" + reduction.spec() + ";max_length="
                    + options.maxLength() + ";convention=" + options.convention()
                    + (options.objectives() == null ? "" : ";objectives=" + options.objectives().spec())
                    + (transform == null ? "" : ";transform=" + java.util.Arrays.deepToString(transform)) + ";variables=" + new java.util.TreeMap<>(
                    options.templateVariables() == null ? Map.of() : options.templateVariables());
            identity = id = ModelIdentity.of(dir, options.chatTemplate(), lora == null ? null : lora.adapter(),
                    lora == null ? null : lora.lambda(), lora == null ? null : String.valueOf(lora.head()), settings);
        }
        return id;
    }

    /**
     * Opens a Hugging Face model directory: config.json + safetensors (the runtime), tokenizer.json and
     * tokenizer_config.json (its chat_template, unless {@code options.chatTemplate()} names a .jinja file).
     */
    public static LocalRewardScorer open(Path modelDir, Options options) { return open(ScorerSpec.Local.of(modelDir, options)); }

    /**
     * Opens what a {@code local:} spec names: the model directory (as {@link #open(Path, Options)}), with the spec's LoRA
     * adapter, when it has one, attached to the loaded base at the spec's λ and read through the spec's head. The
     * scorer owns what it loads: {@link #close()} unmaps the base weights and closes the tokenizer.
     */
    public static LocalRewardScorer open(ScorerSpec.Local spec) { return open(spec, System::getenv); }

    /** As {@link #open(ScorerSpec.Local)}, with the Hugging Face variables (HF_ENDPOINT, HF_HOME, ...) read from {@code env}. */
    public static LocalRewardScorer open(ScorerSpec.Local spec, java.util.function.Function<String, String> env) {
        Path dir = spec.modelDir(env); // an org/name that is no folder here comes from the Hugging Face cache or hub
        Options options = spec.options();
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("local scorer: model directory " + dir + " does not exist");
        HfTokenizer tok = HfTokenizer.load(dir);
        Runnable closeWeights = null;
        try {
            ChatTemplate template = chatTemplate(dir, tok, options);
            Path fn = spec.dir().toAbsolutePath().normalize().getFileName();
            String name = fn == null ? dir.toString() : fn.toString();
            RewardModel model;
            if (spec.lora() == null) {
                model = ModelLoader.loadRewardModel(dir);
                closeWeights = model::close;
            } else {
                ScorerSpec.Local.Lora l = spec.lora();
                Path adapterDir = spec.adapterDir(env);
                LoraAdapter a = adapterDir.equals(l.adapter()) ? LoraAdapter.load(adapterDir)
                        : LoraAdapter.load(adapterDir, l.adapter().getFileName().toString());
                LoraModel lm = LoraModel.open(dir, List.of(a));
                closeWeights = lm::close;
                for (String w : lm.warnings()) System.err.println("warning: " + w);
                // λ is bound to this scorer's view of the loaded base (shared weights), not set on the adapter
                model = lm.withStrengths(Map.of(a.name(), l.lambda())).rewardModel(l.head());
                name = name + "+" + a.name() + "@" + l.lambda();
            }
            int vocab = model.config().vocabSize();
            if (tok.specialTokens().bos() != null && tok.specialTokens().bos().id() >= vocab) {
                throw new IllegalArgumentException(dir + ": tokenizer BOS id " + tok.specialTokens().bos().id() + " ≥ model vocab_size " + vocab);
            }
            var encoder = new ConversationEncoder(tok, template, options.convention(), options.templateVariables());
            return new LocalRewardScorer(name, model, tok, encoder, options, closeWeights, spec.lora());
        } catch (RuntimeException e) {
            if (closeWeights != null) closeWeights.run();
            tok.close();
            throw e;
        }
    }

    /** The options' .jinja file, else the tokenizer's chat_template. */
    private static ChatTemplate chatTemplate(Path dir, HfTokenizer tok, Options options) {
        if (options.chatTemplate() == null) {
            return tok.chatTemplate().orElseThrow(() -> new IllegalArgumentException(dir.resolve("tokenizer_config.json")
                    + ": no chat_template; pass chat-template=FILE.jinja"));
        }
        try {
            return ChatTemplate.named(options.chatTemplate().toString(), Files.readString(options.chatTemplate()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat template " + options.chatTemplate() + ": " + e.getMessage(), e);
        }
    }

    /** A scorer over an already loaded model and encoder (not closed by {@link #close()}). */
    public static LocalRewardScorer of(String name, RewardModel model, HfTokenizer tokenizer, ConversationEncoder encoder, Options options) {
        return new LocalRewardScorer(name, model, tokenizer, encoder, options, null);
    }

    @Override public String name() { return name; }

    public Options options() { return options; }

    public ConversationEncoder encoder() { return encoder; }

    @Override public int preferredBatchSize() { return options.batchSize(); }

    /** The ids one conversation is scored on (after truncation). */
    public EncodedConversation encode(List<Message> conversation) {
        try {
            return encoder.encode(conversation, options.maxLength());
        } catch (IllegalArgumentException | ChatTemplateException e) {
            throw ScorerException.badInput(name + ": " + e.getMessage(), e);
        }
    }

    @Override public double[] score(List<List<Message>> conversations) {
        int[][] ids = new int[conversations.size()][];
        for (int i = 0; i < ids.length; i++) {
            try {
                ids[i] = encode(conversations.get(i)).ids();
            } catch (ScorerException e) {
                throw e.atConversation(i);
            }
        }
        return scoreIds(ids);
    }

    /** Rendered texts are tokenized WITHOUT adding special tokens (they already carry the template's). */
    @Override public double[] scoreRendered(List<String> renderedTexts) {
        int[][] ids = new int[renderedTexts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(renderedTexts.get(i), false);
            if (options.maxLength() > 0 && ids[i].length > options.maxLength()) {
                throw ScorerException.badInput(name + ": rendered text " + i + " is " + ids[i].length + " tokens, over the max length "
                        + options.maxLength() + " (a rendered text has no known prompt/response split to truncate at)", null);
            }
        }
        return scoreIds(ids);
    }

    /** Scores token ids directly (one reward per row). */
    public double[] scoreIds(int[][] ids) {
        if (model.isGated() || objectiveWeights != null) { // the gated score, re-weighted and re-mixed as asked
            List<dev.tare.runtime.model.ObjectiveScores> o = objectivesOf(ids);
            double[] out = new double[ids.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = reward(o.get(i));
                if (!Double.isFinite(out[i])) throw new ScorerException(name + ": non-finite reward " + out[i]).atConversation(i);
            }
            return out;
        }
        checkIds(ids);
        float[][] logits = options.sharePrefix() > 0 ? model.scoreSharingPrefixes(ids, options.sharePrefix()) : model.score(ids);
        double[] out = new double[ids.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = reduction.reduce(logits[i]);
            if (!Double.isFinite(out[i])) throw new ScorerException(name + ": non-finite reward " + out[i]).atConversation(i);
        }
        return out;
    }

    /** Refuses empty rows, rows over max_position_embeddings and ids outside the vocabulary; warns once about a pad id inside a row. */
    private void checkIds(int[][] ids) {
        int vocab = model.config().vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].length == 0) throw ScorerException.badInput(name + ": the conversation encodes to no tokens", null).atConversation(i);
            int maxPositions = model.config().maxPositionEmbeddings();
            if (ids[i].length > maxPositions) {
                throw ScorerException.badInput(name + ": the conversation is " + ids[i].length + " tokens, over the model's"
                        + " max_position_embeddings " + maxPositions + " (" + model.config().file() + "); pass max-length=N"
                        + " (at most " + maxPositions + ") to truncate its prompt, or leave the item out", null).atConversation(i);
            }
            for (int t : ids[i]) {
                if (t < 0 || t >= vocab) throw ScorerException.badInput(name + ": token id " + t + " is outside the model's vocab_size " + vocab + " (the input holds a token the model has no embedding for)", null).atConversation(i);
            }
        }
        Integer pad = model.config().padTokenId();
        if (!warnedPadInside.get()) {
            for (int i = 0; i < ids.length; i++) {
                if (ScoreTokenRule.rulesDisagree(ids[i], pad) && warnedPadInside.compareAndSet(false, true)) {
                    System.err.println("warning: " + name + ": the pad id " + pad + " occurs inside the content of row " + i
                            + " (" + ids[i].length + " tokens): the score token is read by the " + scoreTokenRule().cliName()
                            + " rule at position " + scoreTokenRule().index(ids[i], pad) + "; transformers <= 4.47 (score-token="
                            + (scoreTokenRule() == ScoreTokenRule.LAST_NON_PAD ? "first-pad" : "last-non-pad")
                            + ") would read a different token. Shown once per scorer.");
                    break;
                }
            }
        }
    }

    @Override public java.util.Set<String> specialTokenTexts() { return tokenizer.specialTokenTexts(); }

    @Override public void close() {
        if (closeWeights == null) return;
        try {
            closeWeights.run();
        } finally {
            tokenizer.close();
        }
    }
}
