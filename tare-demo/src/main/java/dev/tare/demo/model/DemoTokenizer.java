package dev.tare.demo.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.gsm8k.Gsm8kItem;
import dev.tare.data.gsm8k.Gsm8kPairs;
import dev.tare.data.gsm8k.Gsm8kSynth;
import dev.tare.data.PreferenceItem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The word-level tokenizer and chat template of the demo reward model, written by code: Hugging Face
 * {@code tokenizers}' JSON (a {@code WordLevel} model; pre-tokenizer: split on spaces, newlines kept as tokens, every
 * punctuation mark alone, every digit alone) over the closed vocabulary of {@link Gsm8kSynth}'s problems in all three
 * answer styles, plus the role tags as special tokens; and {@code tokenizer_config.json} with a Jinja
 * {@code chat_template} ({@code <|begin|><|user|>\n…<|end|><|assistant|>\n…<|end|>}). A response is tens of tokens.
 */
public final class DemoTokenizer {
    private DemoTokenizer() {}

    /** Special tokens, ids 0..6: pad, BOS, end of turn (EOS), the three role tags, unknown. */
    public static final List<String> SPECIALS = List.of("<|pad|>", "<|begin|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>", "<unk>");
    public static final int PAD = 0, BOS = 1, EOS = 2;
    /** The chat template: BOS, then each turn as {@code <|role|>\ncontent<|end|>}; the score token is the last {@code <|end|>}. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>"
            + "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
    /** The problems whose words make the vocabulary (every template, name and noun occurs many times in them). */
    static final int VOCAB_PROBLEMS = 3000;
    static final long VOCAB_SEED = 20250101L;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The vocabulary in id order: the specials, newline, the ten digits, ASCII punctuation, then the words, sorted. */
    public static List<String> vocabulary() {
        List<String> v = new ArrayList<>(SPECIALS);
        v.add("\n");
        for (char c = '0'; c <= '9'; c++) v.add(String.valueOf(c));
        for (char c = 33; c < 127; c++) if (isPunctuation(c)) v.add(String.valueOf(c));
        TreeSet<String> words = new TreeSet<>();
        List<Gsm8kItem> items = Gsm8kSynth.generate(VOCAB_PROBLEMS, VOCAB_SEED);
        for (PreferenceItem it : Gsm8kSynth.rmBench(items, VOCAB_SEED, Gsm8kPairs.SlipRule.ANSWER)) {
            List<String> texts = new ArrayList<>(it.chosen());
            texts.add(it.prompt().getLast().content());
            for (String t : texts) for (String w : preTokenize(t)) if (!v.contains(w)) words.add(w);
        }
        v.addAll(words);
        return List.copyOf(v);
    }

    /**
     * What the pre-tokenizer makes of a text, as Hugging Face {@code tokenizers} does it: split on ' ' (removed),
     * '\n' isolated, each punctuation character isolated ({@code Punctuation}: ASCII or Unicode P*), each digit
     * isolated ({@code Digits} with individual digits).
     */
    public static List<String> preTokenize(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                flush(w, out);
            } else if (c == '\n' || isPunctuation(c) || Character.isDigit(c)) {
                flush(w, out);
                out.add(String.valueOf(c));
            } else {
                w.append(c);
            }
        }
        flush(w, out);
        return out;
    }

    private static void flush(StringBuilder w, List<String> out) {
        if (!w.isEmpty()) out.add(w.toString());
        w.setLength(0);
    }

    /** {@code tokenizers}' is_punc: ASCII punctuation or a Unicode punctuation category. */
    static boolean isPunctuation(char c) {
        if (c < 128) return c > 32 && c < 127 && !Character.isLetterOrDigit(c);
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}; returns the vocabulary size. */
    public static int write(Path dir) {
        List<String> vocab = vocabulary();
        try {
            Files.createDirectories(dir);
            ObjectNode tj = JSON.createObjectNode();
            tj.put("version", "1.0");
            tj.putNull("truncation");
            tj.putNull("padding");
            ArrayNode added = tj.putArray("added_tokens");
            for (int i = 0; i < SPECIALS.size(); i++) {
                added.addObject().put("id", i).put("content", SPECIALS.get(i)).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", false).put("special", true);
            }
            tj.putNull("normalizer");
            ObjectNode pre = tj.putObject("pre_tokenizer");
            pre.put("type", "Sequence");
            ArrayNode seq = pre.putArray("pretokenizers");
            ObjectNode spaces = seq.addObject().put("type", "Split");
            spaces.putObject("pattern").put("String", " ");
            spaces.put("behavior", "Removed").put("invert", false);
            ObjectNode lines = seq.addObject().put("type", "Split");
            lines.putObject("pattern").put("String", "\n");
            lines.put("behavior", "Isolated").put("invert", false);
            seq.addObject().put("type", "Punctuation").put("behavior", "Isolated");
            seq.addObject().put("type", "Digits").put("individual_digits", true);
            tj.putNull("post_processor");
            tj.putNull("decoder");
            ObjectNode model = tj.putObject("model");
            model.put("type", "WordLevel");
            ObjectNode v = model.putObject("vocab");
            for (int i = 0; i < vocab.size(); i++) v.put(vocab.get(i), i);
            model.put("unk_token", "<unk>");
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
            ObjectNode tc = JSON.createObjectNode();
            tc.put("tokenizer_class", "PreTrainedTokenizerFast").put("bos_token", SPECIALS.get(BOS)).put("eos_token", SPECIALS.get(EOS))
                    .put("pad_token", SPECIALS.get(PAD)).put("unk_token", "<unk>").put("add_bos_token", false)
                    .put("model_max_length", 512).put("chat_template", CHAT_TEMPLATE);
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tc);
            return vocab.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo tokenizer to " + dir + ": " + e.getMessage(), e);
        }
    }
}
