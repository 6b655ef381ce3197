package dev.tare.scorers.local;

import dev.tare.data.Message;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.text.TokenizationConvention;
import dev.tare.runtime.tiny.TinyCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The tiny checkpoints used by the README's worked examples load and score like any hub checkpoint. */
class TinyCheckpointTest {
    @TempDir Path tmp;

    private static final List<List<Message>> CONVS = List.of(
            List.of(Message.user("What is 2+2?"), Message.assistant("4")),
            List.of(Message.user("What is 2+2?"), Message.assistant("## Answer\n\n**4** — naïve arithmetic.")));

    @Test
    void byteLevelTokenizerRoundTripsAndTemplateAddsOneBos() {
        Path dir = tmp.resolve("rm");
        TinyCheckpoint.write(dir, TinyCheckpoint.Spec.defaults(), 1);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            String s = "naïve — ok";
            int[] ids = tok.encode(s, false);
            assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ids.length, "one token per UTF-8 byte");
            assertEquals(s, tok.decode(ids, true));
            var enc = ConversationEncoder.of(tok, TokenizationConvention.WITHOUT_SPECIAL_TOKENS).encode(CONVS.get(0));
            assertEquals(257, enc.ids()[0], "<|begin|> is the BOS");
            assertEquals(260, enc.ids()[1], "then <|user|>");
            assertFalse(enc.doubledBos());
        }
    }

    @Test
    void inputLongerThanMaxPositionEmbeddingsIsRefusedUpFrontNamingTheConversation() {
        Path dir = tmp.resolve("rm-short");
        TinyCheckpoint.Spec d = TinyCheckpoint.Spec.defaults();
        TinyCheckpoint.write(dir, new TinyCheckpoint.Spec(d.hidden(), d.layers(), d.heads(), d.kvHeads(), d.intermediate(), 64,
                false, d.dtype()), 1);
        var longOne = List.of(Message.user("q"), Message.assistant("x".repeat(200))); // ~200 byte tokens > 64 positions
        try (var scorer = LocalRewardScorer.open(dir, LocalRewardScorer.Options.defaults())) {
            assertEquals(1, scorer.score(CONVS.subList(0, 1)).length, "short input still scores");
            var e = assertThrows(dev.tare.scorers.ScorerException.class, () -> scorer.score(List.of(CONVS.get(0), longOne)));
            assertTrue(e.getMessage().startsWith("conversation 1: ") && e.getMessage().contains("the conversation is ")
                    && e.getMessage().contains("over the model's max_position_embeddings 64"), e.getMessage());
            assertEquals(1, e.conversation());
            assertEquals(e.getMessage(), "conversation 1: " + e.detail(), "the location is a prefix the detail leaves out");
            assertTrue(e.badInput());
        }
        try (var rm = dev.tare.runtime.model.ModelLoader.loadRewardModel(dir)) {
            var r = assertThrows(IllegalArgumentException.class, () -> rm.score(new int[][]{new int[3], new int[65]}));
            assertTrue(r.getMessage().contains("sequence 1 is 65 tokens, over the model's max_position_embeddings 64"), r.getMessage());
        }
    }

    @Test
    void scoresAndLoraAtZeroWithBaseHeadIsTheBaseModel() {
        Path base = tmp.resolve("rm"), adapter = tmp.resolve("bias-lora");
        TinyCheckpoint.Spec spec = TinyCheckpoint.Spec.defaults();
        TinyCheckpoint.write(base, spec, 1);
        TinyCheckpoint.writeLora(adapter, base, spec, List.of("q_proj", "v_proj", "o_proj"), 4, 8, 2);
        double[] plain;
        try (var scorer = LocalRewardScorer.open(base, LocalRewardScorer.Options.defaults())) {
            plain = scorer.score(CONVS);
            assertArrayEquals(plain, scorer.score(CONVS), 0.0, "scoring is deterministic");
            assertArrayEquals(new double[]{plain[1]}, scorer.score(CONVS.subList(1, 2)), 0.0, "a batch-mate does not change a score");
        }
        assertTrue(Arrays.stream(plain).allMatch(Double::isFinite));
        try (var again = LocalRewardScorer.open(base, LocalRewardScorer.Options.defaults())) {
            assertArrayEquals(plain, again.score(CONVS), 0.0, "a second load of the same checkpoint gives the same scores");
        }
        assertNotEquals(plain[0], plain[1]);
        LoraAdapter a = LoraAdapter.load(adapter);
        try (LoraModel lm = LoraModel.open(base, List.of(a)); HfTokenizer tok = HfTokenizer.load(base)) {
            var enc = ConversationEncoder.of(tok, LocalRewardScorer.Options.defaults().convention());
            var off = LocalRewardScorer.of("rm+lora", lm.withStrengths(Map.of(a.name(), 0.0)).rewardModel(HeadChoice.BASE), tok, enc, LocalRewardScorer.Options.defaults());
            assertArrayEquals(plain, off.score(CONVS), 0.0, "lambda 0 with the base head reproduces the base exactly");
            var subtracted = LocalRewardScorer.of("rm-lora", lm.withStrengths(Map.of(a.name(), -1.0)).rewardModel(HeadChoice.BASE), tok, enc, LocalRewardScorer.Options.defaults());
            double[] sub = subtracted.score(CONVS);
            assertTrue(Math.abs(sub[0] - plain[0]) > 1e-4, "subtracting the adapter moves the score");
        }
    }
}
