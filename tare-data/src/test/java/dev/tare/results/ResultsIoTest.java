package dev.tare.results;

import dev.tare.data.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ResultsIoTest {
    @TempDir Path dir;

    @Test void roundTripKeepsScoresResultsAndExtras() {
        Path f = dir.resolve("r.jsonl");
        var a = ScoredItem.pair("30", "alpacaeval-easy", "m", 1.5, -0.25, Map.of("len_chosen", 120));
        var b = ScoredItem.bestOfN("ref:7", "Factuality", "m", List.of(2.0), List.of(2.0, 1.0, 0.5), null);
        var c = new ScoredItem("8", "alpacaeval", "m", List.of(1.0, 2.0, 3.0), List.of(0.0, 2.0, 4.0), null, Map.of("domain", "chat"));
        try (var w = ResultsWriter.create(f)) { w.append(a); w.append(b); w.append(c); }
        List<ScoredItem> back = ResultsReader.read(f);
        assertEquals(List.of(a, b, c).size(), back.size());
        assertEquals(a.scoresChosen(), back.get(0).scoresChosen());
        assertEquals(1.0, back.get(0).results());
        assertEquals(120, ((Number) back.get(0).extra().get("len_chosen")).intValue());
        assertEquals(0.5, back.get(1).results(), "tie at the top with one rejected = 1/2");
        assertEquals("chat", back.get(2).domain());
        assertNull(back.get(2).results());
        assertEquals(List.of(0.0, 2.0, 4.0), back.get(2).scoresRejected());
    }

    @Test void pairLinesUseLeaderboardScalarFields() throws Exception {
        Path f = dir.resolve("r.jsonl");
        try (var w = ResultsWriter.create(f)) { w.append(ScoredItem.pair("30", "hep-go", "org/m", 2, 2, null)); }
        String line = Files.readString(f).strip();
        var node = ResultsJson.MAPPER.readTree(line);
        assertTrue(node.get("id").isIntegralNumber());
        assertEquals(2.0, node.get("scores_chosen").asDouble());
        assertEquals(0.0, node.get("results").asDouble(), "a tie counts as wrong");
        assertEquals("org/m", node.get("model").asText());
    }

    @Test void resumeDropsTruncatedTailAndAppends() throws Exception {
        Path f = dir.resolve("r.jsonl");
        try (var w = ResultsWriter.create(f)) {
            w.append(ScoredItem.pair("1", "s", "m", 1, 0, null));
            w.append(ScoredItem.pair("2", "s", "m", 0, 1, null));
        }
        String full = Files.readString(f);
        Files.writeString(f, full + "{\"id\": 3, \"subset\": \"s\", \"scores_ch");
        assertThrows(DataFormatException.class, () -> ResultsReader.read(f));
        var r = ResultsReader.readForResume(f);
        assertTrue(r.truncatedTail());
        assertEquals(2, r.items().size());
        assertEquals(full.getBytes(StandardCharsets.UTF_8).length, r.validBytes());
        try (var w = ResultsWriter.resume(f)) {
            assertEquals(2, w.existing().size());
            w.append(ScoredItem.pair("3", "s", "m", 5, 1, null));
        }
        var all = ResultsReader.read(f);
        assertEquals(List.of("1", "2", "3"), all.stream().map(ScoredItem::id).toList());
    }

    @Test void resumeAfterCompleteLineWithoutNewline() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":1,\"subset\":\"s\",\"scores_chosen\":1,\"scores_rejected\":0,\"results\":1}");
        try (var w = ResultsWriter.resume(f)) { w.append(ScoredItem.pair("2", "s", "m", 1, 0, null)); }
        assertEquals(2, ResultsReader.read(f).size());
    }

    @Test void corruptMiddleLineIsAnErrorEvenWhenResuming() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":1,\"subset\":\"s\",\"scores_chosen\":1,\"scores_rejected\":0}\n{oops\n"
                + "{\"id\":2,\"subset\":\"s\",\"scores_chosen\":1,\"scores_rejected\":0}\n");
        var e = assertThrows(DataFormatException.class, () -> ResultsReader.readForResume(f));
        assertEquals(2, e.line());
    }

    @Test void nanScoreNamesFileLineAndField() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":1,\"subset\":\"s\",\"scores_chosen\":1,\"scores_rejected\":0}\n\n"
                + "{\"id\":2,\"subset\":\"s\",\"scores_chosen\":[1.0, NaN, 2.0],\"scores_rejected\":[0,0,0]}\n");
        var e = assertThrows(DataFormatException.class, () -> ResultsReader.read(f));
        assertEquals(3, e.line());
        assertEquals("scores_chosen[1]", e.field());
        assertTrue(e.getMessage().contains("r.jsonl:3"), e.getMessage());
        Files.writeString(f, "{\"id\":2,\"subset\":\"s\",\"scores_chosen\":Infinity,\"scores_rejected\":0}\n");
        assertEquals("scores_chosen", assertThrows(DataFormatException.class, () -> ResultsReader.read(f)).field());
    }

    @Test void missingAndMistypedFieldsAreNamed() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":1,\"scores_chosen\":1,\"scores_rejected\":0}\n");
        assertEquals("subset", assertThrows(DataFormatException.class, () -> ResultsReader.read(f)).field());
        Files.writeString(f, "{\"id\":1,\"subset\":\"s\",\"scores_chosen\":\"high\",\"scores_rejected\":0}\n");
        assertEquals("scores_chosen", assertThrows(DataFormatException.class, () -> ResultsReader.read(f)).field());
        Files.writeString(f, "{\"id\":[1],\"subset\":\"s\",\"scores_chosen\":1,\"scores_rejected\":0}\n");
        assertEquals("id", assertThrows(DataFormatException.class, () -> ResultsReader.read(f)).field());
    }

    @Test void resultsOutsideTheOutcomesAreRefusedNamingFileLineAndField() throws Exception {
        Path f = dir.resolve("r.jsonl");
        String ok = "{\"id\":1,\"subset\":\"s\",\"scores_chosen\":1,\"scores_rejected\":0,\"results\":%s}\n";
        for (String good : List.of("0", "1", "0.5", "0.3333333333333333", "0.25", "true")) {
            Files.writeString(f, ok.formatted(good));
            assertEquals(1, ResultsReader.read(f).size(), good);
        }
        for (String bad : List.of("6", "-1", "0.7", "1.5")) {
            Files.writeString(f, ok.formatted(0) + ok.formatted(bad).replace("\"id\":1", "\"id\":2"));
            var e = assertThrows(DataFormatException.class, () -> ResultsReader.read(f), bad);
            assertEquals(2, e.line(), bad);
            assertEquals("results", e.field(), bad);
            assertTrue(e.getMessage().contains("r.jsonl:2") && e.getMessage().contains("not a per-item outcome"), e.getMessage());
        }
    }

    @Test void duplicateKeyIsAnErrorButSameIdInOtherDomainIsNot() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, "{\"id\":8,\"subset\":\"s\",\"domain\":\"chat\",\"scores_chosen\":1,\"scores_rejected\":0}\n"
                + "{\"id\":8,\"subset\":\"s\",\"domain\":\"code\",\"scores_chosen\":1,\"scores_rejected\":0}\n");
        assertEquals(2, ResultsReader.read(f).size());
        Files.writeString(f, "{\"id\":8,\"subset\":\"s\",\"scores_chosen\":1,\"scores_rejected\":0}\n"
                + "{\"id\":8,\"subset\":\"s\",\"scores_chosen\":2,\"scores_rejected\":0}\n");
        var e = assertThrows(DataFormatException.class, () -> ResultsReader.read(f));
        assertEquals(2, e.line());
    }

    @Test void nonUtf8IsReported() throws Exception {
        Path f = dir.resolve("r.jsonl");
        Files.write(f, new byte[]{'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        assertTrue(assertThrows(DataFormatException.class, () -> ResultsReader.read(f)).getMessage().contains("UTF-8"));
    }

    @Test void leaderboardColumnDictWithWrappedScoresAndMissingIds() throws Exception {
        Path f = dir.resolve("m.json");
        Files.writeString(f, """
                {"chat_template": "tulu", "model": "org/rm", "model_type": "Seq. Classifier",
                 "id": [30, 31, 32], "subset": ["alpacaeval-easy", "alpacaeval-easy", "hep-go"],
                 "results": [1, 0, 0], "scores_chosen": [[2.5], [0.1], [1.0]],
                 "scores_rejected": [[1.0], [0.3], [1.0]], "text_chosen": ["a", "b", "c"], "text_rejected": ["d", "e", "f"]}
                """);
        var items = LeaderboardResults.read(f);
        assertEquals(3, items.size());
        assertEquals("org/rm", items.get(0).model());
        assertEquals(2.5, items.get(0).chosen());
        assertEquals(0.0, items.get(2).results(), "equal scores are a loss");
        assertEquals("Seq. Classifier", items.get(1).extraText("model_type"));
        assertEquals("c", items.get(2).extraText("text_chosen"));

        Files.writeString(f, """
                {"model": "org/dpo", "subset": ["a", "b"], "results": [1, 1],
                 "scores_chosen": [2.0, 0.1], "scores_rejected": [1.0, 0.3]}
                """);
        var e = assertThrows(DataFormatException.class, () -> LeaderboardResults.read(f));
        assertEquals(2, e.row(), "column form: the 2nd entry of every column");
        assertEquals(0, e.line(), "column form: no single text line");
        assertEquals("results", e.field());

        Files.writeString(f, """
                {"model": "org/dpo", "subset": ["a", "b"], "results": [1, 0],
                 "scores_chosen": [2.0, 0.1], "scores_rejected": [1.0, 0.3]}
                """);
        assertEquals(List.of("0", "1"), LeaderboardResults.read(f).stream().map(ScoredItem::id).toList());
    }

    @Test void leaderboardRowFormAndRb2Scores() throws Exception {
        Path f = dir.resolve("rows.json");
        Files.writeString(f, """
                [{"id": "a1", "subset": "Math", "scores": [[3.0], [1.0], [2.0], [0.0]], "num_correct": 1},
                 {"id": "tied:4", "subset": "Ties", "scores": [3.0, 2.5, 1.0], "num_correct": 2},
                 {"id": "x", "subset": "Focus", "scores": [1.0, 1.0, 0.0, 1.0], "num_correct": 1}]
                """);
        var items = LeaderboardResults.read(f);
        assertEquals(1.0, items.get(0).results());
        assertEquals(List.of(3.0, 2.5), items.get(1).scoresChosen());
        assertNull(items.get(1).results());
        assertEquals(1.0 / 3, items.get(2).results(), 1e-12);
        Files.writeString(f, "[{\"id\": \"a1\", \"subset\": \"Math\", \"scores\": [1.0, 2.0]}]");
        assertEquals("num_correct", assertThrows(DataFormatException.class, () -> LeaderboardResults.read(f)).field());
    }
}
