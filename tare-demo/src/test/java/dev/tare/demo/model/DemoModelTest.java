package dev.tare.demo.model;

import dev.tare.data.PreferenceItem;
import dev.tare.data.gsm8k.Gsm8kPairs;
import dev.tare.data.gsm8k.Gsm8kSynth;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.text.TokenizationConvention;
import dev.tare.train.TrainJob;
import dev.tare.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo model's tokenizer (loaded by DJL's Hugging Face tokenizers) and its bit-for-bit reproducible training. */
class DemoModelTest {
    @Test
    void tokenizerEncodesEveryStyleWithoutUnknownsInTensOfTokens(@TempDir Path tmp) {
        DemoTokenizer.write(tmp);
        List<String> vocab = DemoTokenizer.vocabulary();
        // problems of another seed than the vocabulary's: every word known, digits one token each
        List<PreferenceItem> items = Gsm8kSynth.rmBench(Gsm8kSynth.generate(300, 99), 99, Gsm8kPairs.SlipRule.ANSWER);
        int longest = 0;
        try (HfTokenizer tok = HfTokenizer.load(tmp)) {
            assertEquals(DemoTokenizer.BOS, tok.specialTokens().bos().id());
            ConversationEncoder enc = ConversationEncoder.of(tok, TokenizationConvention.WITHOUT_SPECIAL_TOKENS);
            for (PreferenceItem it : items)
                for (String resp : it.chosen()) {
                    int[] ids = tok.encode(resp, false);
                    List<String> words = DemoTokenizer.preTokenize(resp);
                    assertEquals(words.size(), ids.length, resp);
                    for (int i = 0; i < ids.length; i++) assertEquals(words.get(i), vocab.get(ids[i]), resp);
                    assertFalse(java.util.Arrays.stream(ids).anyMatch(x -> x == DemoTokenizer.SPECIALS.indexOf("<unk>")), resp);
                    longest = Math.max(longest, ids.length);
                    int[] conv = enc.encode(it.conversation(resp)).ids();
                    assertEquals(DemoTokenizer.BOS, conv[0]);
                    assertEquals(DemoTokenizer.EOS, conv[conv.length - 1]);   // the score token closes the assistant turn
                }
        }
        assertTrue(longest < 100, "longest response " + longest + " tokens");
        assertTrue(vocab.size() < 400, vocab.size() + " tokens");
    }

    @Test
    void sameRecipeSameWeightsBitForBit(@TempDir Path tmp) throws Exception {
        DemoModel.Recipe r = DemoModel.Recipe.quick(4);
        TrainJob.Summary a = DemoModel.build(tmp.resolve("a"), r, new Trainer.Listener() {}, s -> {});
        DemoModel.build(tmp.resolve("b"), r, new Trainer.Listener() {}, s -> {});
        DemoModel.build(tmp.resolve("c"), DemoModel.Recipe.quick(5), new Trainer.Listener() {}, s -> {});
        assertEquals(3 * 3 * r.problems(), a.trainPairs());
        byte[] wa = Files.readAllBytes(tmp.resolve("a/model.safetensors"));
        assertArrayEquals(wa, Files.readAllBytes(tmp.resolve("b/model.safetensors")));
        assertFalse(java.util.Arrays.equals(wa, Files.readAllBytes(tmp.resolve("c/model.safetensors"))));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "config.json"))
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        assertFalse(Files.exists(tmp.resolve("a.work")));
        // a normal HF checkpoint: tare's runtime loads it and scores the held-out items, the same twice
        List<PreferenceItem> held = DemoModel.heldOutItems(4, 5);
        List<double[][]> s1 = DemoModel.score(tmp.resolve("a"), held), s2 = DemoModel.score(tmp.resolve("b"), held);
        for (int i = 0; i < held.size(); i++) for (int k = 0; k < 2; k++) assertArrayEquals(s1.get(i)[k], s2.get(i)[k]);
    }
}
