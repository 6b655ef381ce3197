package dev.tare.testkit;

import java.util.List;
import java.util.function.Function;

/**
 * The model behind an engine double ({@link VllmLoopback}, {@link TeiLoopback}): the chat template the server applies,
 * its tokenizer (truncation counts these tokens) and the classifier's raw logits on the kept tokens. A test can back it
 * with tare's runtime over a real checkpoint, so that the double serves that checkpoint's scores.
 */
public interface EngineModel {
    /** The conversation ({role, content} pairs) through the model's chat template, no generation prompt. */
    String applyChatTemplate(List<String[]> roleContent);

    /** Token ids of {@code text}; {@code addSpecialTokens} as the tokenizer's post-processor adds them. */
    int[] tokenize(String text, boolean addSpecialTokens);

    /** The text of these ids (special tokens kept). */
    String decode(int[] ids);

    /** One raw logit per label for these ids. */
    double[] logits(int[] ids);

    /**
     * A toy model where a token is one code point: {@code bos} is prepended when special tokens are added, the chat
     * template is {@link VllmLoopback#render} (which writes {@code bos} itself), and {@code logits} reads the text.
     */
    static EngineModel codePoints(String bos, Function<String, double[]> logits) {
        return new EngineModel() {
            @Override public String applyChatTemplate(List<String[]> roleContent) { return VllmLoopback.render(bos, roleContent); }
            @Override public int[] tokenize(String text, boolean addSpecialTokens) { return ((addSpecialTokens ? bos : "") + text).codePoints().toArray(); }
            @Override public String decode(int[] ids) { return new String(ids, 0, ids.length); }
            @Override public double[] logits(int[] ids) { return logits.apply(decode(ids)); }
        };
    }
}
