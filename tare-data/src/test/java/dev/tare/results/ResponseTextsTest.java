package dev.tare.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response texts of leaderboard rows, read through {@link LeaderboardResults} as the files come. The two text_* forms
 * are reward-bench's own: the rendered string is its prepare_dialogue_from_tokenizer golden (tests/test_data.py,
 * tokenizer allenai/rlhf-test-tokenizer), the message list its map_conversations form for custom dialogues.
 */
class ResponseTextsTest {
    @TempDir Path dir;

    @Test void renderedConversationsAreNotResponsesMessageListsAre() throws Exception {
        Path f = dir.resolve("org/model.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, """
                {"model": "org/model", "id": [1, 2], "subset": ["alpacaeval-easy", "alpacaeval-easy"],
                 "scores_chosen": [[2.0], [1.0]], "scores_rejected": [[1.0], [2.0]],
                 "text_chosen": [
                   "<|user|>\\nWhat are different drawers I should have for clothes?<|endoftext|>\\n<|assistant|>\\nUtensils!<|endoftext|>\\n",
                   [{"role": "user", "content": "What are different drawers I should have for clothes?"}, {"role": "assistant", "content": "Utensils!"}]],
                 "text_rejected": [
                   "<|user|>\\nWhat are different drawers I should have for clothes?<|endoftext|>\\n<|assistant|>\\nHmm.<|endoftext|>\\n",
                   [{"role": "user", "content": "What are different drawers I should have for clothes?"}, {"role": "assistant", "content": "Hmm."}]]}
                """);
        var items = LeaderboardResults.read(f);
        // rendered: 97 characters for a 9-character response; never the response
        var rendered = items.get(0);
        assertNull(ResponseTexts.chosen(rendered));
        assertNull(ResponseTexts.rejected(rendered));
        assertTrue(ResponseTexts.renderedOnly(rendered));
        // message list: the last (assistant) message is the response itself
        var messages = items.get(1);
        assertEquals(List.of("Utensils!"), ResponseTexts.chosen(messages));
        assertEquals(List.of("Hmm."), ResponseTexts.rejected(messages));
        assertFalse(ResponseTexts.renderedOnly(messages));

        // a tare results row with the responses (chosen / rejected) uses them, whatever text_* says
        Path t = dir.resolve("r.jsonl");
        Files.writeString(t, """
                {"id": "1", "subset": "s", "scores_chosen": 2.0, "scores_rejected": 1.0, "chosen": "Utensils!", "rejected": ["Hmm."], "text_chosen": "<|user|>x"}
                """);
        var row = ResultsReader.read(t).getFirst();
        assertEquals(List.of("Utensils!"), ResponseTexts.chosen(row));
        assertEquals(List.of("Hmm."), ResponseTexts.rejected(row));
        assertFalse(ResponseTexts.renderedOnly(row));
    }
}
