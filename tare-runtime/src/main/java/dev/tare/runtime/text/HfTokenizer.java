package dev.tare.runtime.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust tokenizers library (DJL's bundled native build; it never
 * downloads anything), with the special tokens and chat template of the directory's {@code tokenizer_config.json}.
 * Thread-safe.
 */
public final class HfTokenizer implements AutoCloseable {
    // DJL logs through SLF4J -> java.util.logging. Its platform detection asks ai.djl.util.cuda.CudaUtils for the GPU
    // count, which logs "Failed to detect GPU count: CUDA driver version is insufficient ..." as a WARNING on every
    // machine that has a CUDA runtime library but no usable driver, and Platform logs the native library it picked at
    // INFO. Tokenizers run on the CPU only, so neither says anything useful: both are raised unless the user configured
    // a level. The fields hold the loggers strongly (java.util.logging keeps them weakly and would drop the level).
    private static final Logger DJL_CUDA_LOG = Logger.getLogger("ai.djl.util.cuda.CudaUtils");
    private static final Logger DJL_PLATFORM_LOG = Logger.getLogger("ai.djl.util.Platform");

    static {
        // Offline use only: DJL must take the native library bundled in its jar and never phone home.
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("OPT_OUT_TRACKING") == null) System.setProperty("OPT_OUT_TRACKING", "true");
        if (DJL_CUDA_LOG.getLevel() == null) DJL_CUDA_LOG.setLevel(Level.SEVERE);
        if (DJL_PLATFORM_LOG.getLevel() == null) DJL_PLATFORM_LOG.setLevel(Level.WARNING);
    }

    private final Path dir;
    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerConfig config;
    private final SpecialTokens special;

    private HfTokenizer(Path dir, HuggingFaceTokenizer tokenizer, TokenizerConfig config) {
        this.dir = dir;
        this.tokenizer = tokenizer;
        this.config = config;
        this.special = new SpecialTokens(token(config.bosToken()), token(config.eosToken()),
                token(config.padToken()), token(config.unkToken()));
    }

    /** Loads {@code dir/tokenizer.json} (required) and {@code dir/tokenizer_config.json} (optional). */
    public static HfTokenizer load(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new DataFormatException(json, 0, null, "missing: a Hugging Face fast tokenizer (tokenizer.json) is required");
        }
        TokenizerConfig cfg = TokenizerConfig.read(dir);
        HuggingFaceTokenizer tok;
        try {
            // no truncation, no padding: the caller decides lengths explicitly
            tok = HuggingFaceTokenizer.newInstance(json, Map.of("truncation", "false", "padding", "false",
                    "addSpecialTokens", "true", "modelMaxLength", String.valueOf(Integer.MAX_VALUE - 1)));
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(json, 0, null, "cannot load tokenizer: " + e.getMessage(), e);
        }
        return new HfTokenizer(dir, tok, cfg);
    }

    public Path directory() { return dir; }

    public TokenizerConfig config() { return config; }

    public SpecialTokens specialTokens() { return special; }

    /** Token ids of {@code text}; with {@code addSpecialTokens} the tokenizer's post-processor adds BOS etc. */
    public int[] encode(String text, boolean addSpecialTokens) {
        Encoding enc = tokenizer.encode(text, addSpecialTokens, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    /** Text of {@code ids}; special tokens are kept unless {@code skipSpecialTokens}. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return tokenizer.decode(l, skipSpecialTokens);
    }

    /** The id of a token string that is one vocabulary entry (e.g. "&lt;|eot_id|&gt;"), if it is one. */
    public OptionalInt tokenId(String token) {
        if (token == null) return OptionalInt.empty();
        Encoding enc = tokenizer.encode(token, false, false);
        long[] ids = enc.getIds();
        if (ids.length != 1) return OptionalInt.empty();
        String back = tokenizer.decode(ids, false);
        return back.equals(token) ? OptionalInt.of(Math.toIntExact(ids[0])) : OptionalInt.empty();
    }

    /**
     * The text of every special token: tokenizer.json's added tokens marked {@code "special": true} plus the
     * configured BOS/EOS/PAD/UNK (e.g. "&lt;|eot_id|&gt;", "&lt;|im_end|&gt;"). Used to strip end-of-turn markup off decoded text.
     */
    public java.util.Set<String> specialTokenTexts() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        try {
            JsonNode added = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile()).path("added_tokens");
            for (JsonNode t : added) {
                if (t.path("special").asBoolean(false) && t.path("content").isTextual() && !t.path("content").asText().isEmpty())
                    out.add(t.path("content").asText());
            }
        } catch (IOException e) {
            throw new DataFormatException(dir.resolve("tokenizer.json"), 0, "added_tokens", "cannot read: " + e.getMessage(), e);
        }
        for (SpecialTokens.Token t : new SpecialTokens.Token[]{special.bos(), special.eos(), special.pad(), special.unk()}) {
            if (t != null && !t.text().isEmpty()) out.add(t.text());
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    /** The chat template of tokenizer_config.json, if any. */
    public java.util.Optional<ChatTemplate> chatTemplate() {
        return config.chatTemplateSource().map(src -> ChatTemplate.named(config.chatTemplateOrigin(), src));
    }

    private SpecialTokens.Token token(String text) {
        if (text == null) return null;
        OptionalInt id = tokenId(text);
        if (id.isEmpty()) {
            throw new DataFormatException(dir.resolve("tokenizer_config.json"), 0, null,
                    "special token '" + text + "' is not a single token of tokenizer.json");
        }
        return new SpecialTokens.Token(text, id.getAsInt());
    }

    @Override public void close() { tokenizer.close(); }
}
