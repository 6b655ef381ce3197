package dev.tare.scorers.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;
import dev.tare.data.Message;
import dev.tare.runtime.model.CausalLM;
import dev.tare.runtime.model.ModelLoader;
import dev.tare.runtime.model.Sampling;
import dev.tare.runtime.text.ChatTemplate;
import dev.tare.runtime.text.ChatTemplateException;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.Generation;
import dev.tare.scorers.judge.SamplingParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A local HF *ForCausalLM directory (config.json, safetensors, tokenizer.json, tokenizer_config.json with a
 * chat_template) as a {@link ChatGenerator}: prompts are rendered with add_generation_prompt=true and tokenized
 * without special tokens (as apply_chat_template does, so a template that writes the BOS gets exactly one), then
 * generated in batches of {@code batchSize} with {@link CausalLM#generateBatch}, stopping at the tokenizer's eos and
 * every eos_token_id of generation_config.json (or config.json), and decoded skipping special tokens. Every prompt
 * of one call uses the same seed, so a reply does not depend on the prompt's place in the batch.
 */
public final class LocalChatGenerator implements ChatGenerator {
    private final Path dir;
    private final CausalLM lm;
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final Map<String, Object> variables;
    private final int[] stopIds;
    private final int batchSize;
    private final boolean owner; // false for a steering view: closing it leaves the shared model open

    private LocalChatGenerator(Path dir, CausalLM lm, HfTokenizer tokenizer, int batchSize) {
        this.owner = true;
        this.dir = dir;
        this.lm = lm;
        this.tokenizer = tokenizer;
        this.template = tokenizer.chatTemplate().orElseThrow(() -> new ChatTemplateException(
                dir.resolve("tokenizer_config.json") + ": no chat_template; a local judge needs one"));
        this.variables = tokenizer.config().templateVariables();
        this.stopIds = stopIds(dir, tokenizer);
        this.batchSize = batchSize;
    }

    /** Loads the model directory; {@code batchSize} prompts are generated together. */
    public static LocalChatGenerator load(Path dir, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        dir = dev.tare.data.hub.HubResolver.modelDir(dir); // org/name: from the Hugging Face cache or hub
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("no model directory " + dir);
        HfTokenizer tok = HfTokenizer.load(dir);
        CausalLM lm;
        try {
            lm = ModelLoader.loadCausalLM(dir);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
        try {
            return new LocalChatGenerator(dir, lm, tok, batchSize);
        } catch (RuntimeException e) {
            lm.close();
            tok.close();
            throw e;
        }
    }

    public static LocalChatGenerator load(Path dir) { return load(dir, 8); }

    private LocalChatGenerator(LocalChatGenerator base, CausalLM lm) {
        this.dir = base.dir;
        this.lm = lm;
        this.tokenizer = base.tokenizer;
        this.template = base.template;
        this.variables = base.variables;
        this.stopIds = base.stopIds;
        this.batchSize = base.batchSize;
        this.owner = false;
    }

    /**
     * A view that generates with {@code steering} added to the residual stream ({@code null}: unsteered). It shares
     * the model and tokenizer: closing the view does nothing, closing this generator closes both.
     */
    public LocalChatGenerator withSteering(dev.tare.runtime.model.Steering steering) {
        return new LocalChatGenerator(this, lm.withSteering(steering));
    }

    /** The causal LM (with this view's steering). */
    public CausalLM model() { return lm; }

    /** Token ids of plain text (no special tokens), e.g. a given response appended to a prompt. */
    public int[] encode(String text) { return tokenizer.encode(text, false); }

    /** Decodes generated ids, skipping special tokens. */
    public String decode(int[] ids) { return tokenizer.decode(ids, true); }

    @Override public String name() {
        return "local:" + dir.getFileName() + lm.steering().map(s -> " steered(layer " + s.layer() + ", alpha " + s.alpha() + ")").orElse("");
    }

    /** The ids generation stops at (sorted). */
    public int[] stopTokenIds() { return stopIds.clone(); }

    /** The token ids of a prompt as this generator feeds it to the model. */
    public int[] promptIds(List<Message> prompt) {
        String text = template.render(prompt, true, variables);
        return tokenizer.encode(text, false);
    }

    @Override public List<Generation> generate(List<List<Message>> prompts, SamplingParams params) {
        List<Generation> out = new ArrayList<>(prompts.size());
        Sampling sampling = new Sampling(params.temperature(), params.topP(), params.seed());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            long t0 = System.nanoTime();
            int[][] ids = new int[to - from][];
            for (int i = from; i < to; i++) ids[i - from] = promptIds(prompts.get(i));
            List<Sampling> s = java.util.Collections.nCopies(ids.length, sampling);
            int[][] gen = lm.generateBatch(ids, params.maxNewTokens(), s, stopIds);
            double share = (System.nanoTime() - t0) / 1e9 / ids.length;
            for (int i = 0; i < ids.length; i++) {
                int[] g = gen[i];
                int[] body = g.length > 0 && isStop(g[g.length - 1]) ? Arrays.copyOf(g, g.length - 1) : g;
                out.add(new Generation(tokenizer.decode(body, true), ids[i].length, g.length, share));
            }
        }
        return out;
    }

    private boolean isStop(int id) { return Arrays.binarySearch(stopIds, id) >= 0; }

    /** Tokenizer eos plus generation_config.json's eos_token_id (int or list), else config.json's. */
    static int[] stopIds(Path dir, HfTokenizer tok) {
        TreeSet<Integer> ids = new TreeSet<>();
        tok.specialTokens().eosToken().ifPresent(t -> ids.add(t.id()));
        Path gc = dir.resolve("generation_config.json");
        Path file = Files.isRegularFile(gc) ? gc : dir.resolve("config.json");
        if (Files.isRegularFile(file)) {
            JsonNode n;
            try {
                n = Jsonl.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                throw new DataFormatException(file, 0, null, "not JSON: " + e.getMessage(), e);
            }
            JsonNode e = n.path("eos_token_id");
            if (e.isIntegralNumber()) ids.add(e.asInt());
            else if (e.isArray()) {
                for (JsonNode x : e) {
                    if (!x.isIntegralNumber()) throw new DataFormatException(file, 0, "eos_token_id", "list holds a non-integer: " + x);
                    ids.add(x.asInt());
                }
            } else if (!e.isMissingNode() && !e.isNull())
                throw new DataFormatException(file, 0, "eos_token_id", "must be an integer or a list of integers, got " + e);
        }
        if (ids.isEmpty()) throw new IllegalArgumentException(dir + ": no eos token (tokenizer_config.json eos_token or eos_token_id in generation_config.json/config.json); generation would never stop");
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override public void close() {
        if (!owner) return;
        lm.close();
        tokenizer.close();
    }
}
