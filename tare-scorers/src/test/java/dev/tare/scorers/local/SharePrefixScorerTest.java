package dev.tare.scorers.local;

import dev.tare.data.Message;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.ScorerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code local:DIR,share-prefix=N}: the responses of one prompt score as without the option (≤ 1e-5); bad values are refused. */
class SharePrefixScorerTest {
    @TempDir Path tmp;

    @Test
    void sharedPromptsScoreAsFullPasses() throws Exception {
        Path rm = tmp.resolve("rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 5);
        String prompt = "Explain why the sky looks blue during the day and red at sunset, in a few sentences please.";
        List<List<Message>> convs = new ArrayList<>();
        for (String r : List.of("Rayleigh scattering.", "Because blue light scatters more than red light in air.",
                "- short waves scatter\n- long waves pass\n\n**So:** blue by day, red at dusk.", "I do not know."))
            convs.add(List.of(Message.user(prompt), Message.assistant(r)));
        convs.add(List.of(Message.user("Another question entirely?"), Message.assistant("Yes.")));
        try (var plain = ScorerSpec.parse("local:" + rm).rewardScorer(k -> null);
             var shared = ScorerSpec.parse("local:" + rm + ",share-prefix=8").rewardScorer(k -> null)) {
            double[] a = plain.score(convs), b = shared.score(convs);
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5, "conversation " + i);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("local:" + rm + ",share-prefix=-1"));
        assertTrue(e.getMessage().contains("share-prefix must be ≥ 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScorerSpec.parse("local:" + rm + ",share-prefix=many"));
        assertTrue(e.getMessage().contains("share-prefix=many: expected an integer"), e.getMessage());
    }
}
