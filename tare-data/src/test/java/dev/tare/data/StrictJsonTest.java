package dev.tare.data;

import dev.tare.data.judgebench.JudgeBenchReader;
import dev.tare.data.pairs.RowSource;
import dev.tare.data.rewardbench.RewardBenchReader;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ResultsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Strict JSON reading in every reader: trailing content and repeated keys are errors; JSON-array rows name row and text line. */
class StrictJsonTest {
    @TempDir Path dir;

    private static DataFormatException fails(Executable e) { return assertThrows(DataFormatException.class, e); }

    private static void names(DataFormatException e, Path file, String where, String field) {
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + where), "expected '" + file + where + "' in: " + e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test void jsonlRejectsConcatenatedObjectsTrailingJunkAndRepeatedKeys() throws Exception {
        Path f = dir.resolve("rows.jsonl");
        String good = "{\"id\":0,\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"subset\":\"s\"}\n";
        Files.writeString(f, good + "{\"id\":1,\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"subset\":\"s\"}{\"id\":2}\n");
        var e = fails(() -> RowSource.read(f));
        names(e, f, ":2:", null);
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());

        Files.writeString(f, good + good.replace("0", "1").strip() + " junk\n");
        names(fails(() -> RowSource.read(f)), f, ":2:", null);

        Files.writeString(f, good + "{\"id\":1,\"id\":2,\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"subset\":\"s\"}\n");
        e = fails(() -> RowSource.read(f));
        names(e, f, ":2:", null);
        assertTrue(e.getMessage().contains("Duplicate field 'id'"), e.getMessage());
        // the same rules for the JudgeBench reader (Jsonl) ...
        Path j = dir.resolve("jb.jsonl");
        Files.writeString(j, "{\"pair_id\":\"x\",\"source\":\"mmlu-pro-law\",\"question\":\"q\",\"response_A\":\"a\",\"response_B\":\"b\","
                + "\"label\":\"A>B\",\"label\":\"B>A\"}\n");
        names(fails(() -> JudgeBenchReader.readPairs(j)), j, ":1:", null);
    }

    @Test void resultsReadersAreStrictToo() throws Exception {
        Path f = dir.resolve("r.jsonl");
        String good = "{\"id\":1,\"subset\":\"s\",\"scores_chosen\":1.0,\"scores_rejected\":0.0}";
        Files.writeString(f, good + "\n" + good.replace("1,", "2,") + good + "\n");
        names(fails(() -> ResultsReader.read(f)), f, ":2:", null);
        Files.writeString(f, good + "\n{\"id\":2,\"subset\":\"s\",\"scores_chosen\":1.0,\"scores_chosen\":5.0,\"scores_rejected\":0.0}\n");
        var e = fails(() -> ResultsReader.read(f));
        names(e, f, ":2:", null);
        assertTrue(e.getMessage().contains("Duplicate field 'scores_chosen'"), e.getMessage());

        Path lb = dir.resolve("leaderboard.json");
        Files.writeString(lb, "{\"model\": \"m\", \"subset\": [\"chat\"], \"scores_chosen\": [1.0], \"scores_rejected\": [0.0]}\n{\"more\": 1}\n");
        names(fails(() -> ResultsFiles.read(lb)), lb, ":2:", null);
        Files.writeString(lb, "{\"model\": \"m\", \"subset\": [\"chat\"], \"scores_chosen\": [1.0], \"scores_chosen\": [0.0], \"scores_rejected\": [0.0]}");
        assertTrue(fails(() -> ResultsFiles.read(lb)).getMessage().contains("Duplicate field"));
    }

    @Test void resultsFormatIsDecidedByContentWhenTheNameDoesNotSay() throws Exception {
        String good = "{\"id\":1,\"subset\":\"s\",\"scores_chosen\":1.0,\"scores_rejected\":0.0,\"results\":1}";
        Path out = dir.resolve("run.out"); // tare score --out run.out writes JSON Lines
        Files.writeString(out, good + "\n" + good.replace("\"id\":1", "\"id\":2") + "\n");
        assertEquals(2, ResultsFiles.read(out).size());
        Path one = dir.resolve("single.out"); // one JSON Lines item is also one JSON object: the same items either way
        Files.writeString(one, good + "\n");
        assertEquals(1, ResultsFiles.read(one).size());
        Path arr = dir.resolve("leaderboard.jsonl"); // a leaderboard row array misnamed .jsonl
        Files.writeString(arr, "[" + good + ",\n" + good.replace("\"id\":1", "\"id\":2") + "]\n");
        assertEquals(2, ResultsFiles.read(arr).size());
    }

    @Test void prettyPrintedJsonArrayErrorsNameRowAndTextLine() throws Exception {
        Path f = dir.resolve("pairs.json");
        Files.writeString(f, """
                [
                  {
                    "id": 1,
                    "prompt": "p",
                    "chosen": "a",
                    "rejected": "b",
                    "subset": "s"
                  },
                  {
                    "id": 2,
                    "prompt": "p",
                    "chosen": 7,
                    "rejected": "b",
                    "subset": "s"
                  }
                ]
                """);
        var e = fails(() -> RewardBenchReader.read(f));
        names(e, f, ": row 2 (line 9):", "chosen");
        assertEquals(2, e.row());
        assertEquals(9, e.line());

        // rows under a "data" key, and the "rows" key loses to "data" whatever their order
        Files.writeString(f, "{\n \"rows\": [1, 2],\n \"data\": [\n  {\"id\": 1, \"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"subset\": \"s\"},\n"
                + "  {\"id\": 2, \"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n ]\n}\n");
        names(fails(() -> RewardBenchReader.read(f)), f, ": row 2 (line 5):", "subset");

        Files.writeString(f, "[{\"id\": 1, \"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"subset\": \"s\"}]\n]");
        names(fails(() -> RowSource.read(f)), f, ":2:", null);
        Files.writeString(f, "[\n{\"id\": 1, \"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"subset\": \"s\"},\n{\"id\": 2, \"id\": 3}\n]");
        names(fails(() -> RowSource.read(f)), f, ":3:", null);
    }

    @Test void leaderboardAndRmBenchResultArraysNameRowAndLine() throws Exception {
        Path lb = dir.resolve("model.json");
        Files.writeString(lb, """
                [
                  {"id": 1, "subset": "chat", "scores_chosen": [1.0], "scores_rejected": [0.0]},

                  {"id": 2, "subset": "chat",
                   "scores_chosen": "high", "scores_rejected": [0.0]}
                ]
                """);
        var e = fails(() -> ResultsFiles.read(lb));
        names(e, lb, ": row 2 (line 4):", "scores_chosen");
        // column form: the row is the entry index of every column
        Files.writeString(lb, "{\"model\": \"m\",\n \"subset\": [\"chat\", null],\n \"scores_chosen\": [1.0, 2.0],\n \"scores_rejected\": [0.0, 0.0]}");
        names(fails(() -> ResultsFiles.read(lb)), lb, ": row 2:", "subset");

        Path rm = dir.resolve("chat_filtered_model.json");
        Files.writeString(rm, """
                [
                  {"id": 0, "score_chosen": [1, 2, 3], "score_rejected": [0, 0, 0]},
                  {
                    "id": 1,
                    "score_chosen": [1, 2],
                    "score_rejected": [0, 0, 0]
                  }
                ]
                """);
        names(fails(() -> ResultsFiles.read(rm)), rm, ": row 2 (line 3):", "score_chosen");
    }

    @Test void renamedRewardBenchRowsNeedTheirLabel() throws Exception {
        Path f = dir.resolve("renamed.jsonl");
        Files.writeString(f, "{\"question\":\"q\",\"response_A\":\"a\",\"response_B\":\"b\",\"subset\":\"s\",\"id\":1,\"label\":2}\n"
                + "{\"question\":\"q\",\"response_A\":\"a\",\"response_B\":\"b\",\"subset\":\"s\",\"id\":2}\n");
        var e = fails(() -> RewardBenchReader.read(f));
        names(e, f, ":2:", "label");
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        Files.writeString(f, "{\"question\":\"q\",\"response_A\":\"a\",\"response_B\":\"b\",\"subset\":\"s\",\"id\":1,\"label\":2}\n");
        var it = RewardBenchReader.read(f).getFirst();
        assertEquals("b", it.chosen().getFirst());
        assertEquals("a", it.rejected().getFirst());
    }

    @Test void judgeBenchMalformedRowsNameFileLineField() throws Exception {
        Path f = dir.resolve("jb.jsonl");
        String good = "{\"pair_id\":\"p1\",\"original_id\":null,\"source\":\"mmlu-pro-law\",\"question\":\"q\",\"response_model\":\"m\","
                + "\"response_A\":\"a\",\"response_B\":\"b\",\"label\":\"A>B\"}";
        Files.writeString(f, good + "\n\n" + good.replace("p1", "p2").replace("A>B", "A=B") + "\n");
        names(fails(() -> JudgeBenchReader.readPairs(f)), f, ":3:", "label");
        Files.writeString(f, good + "\n" + good.replace("\"question\":\"q\",", "") .replace("p1", "p2") + "\n");
        names(fails(() -> JudgeBenchReader.readPairs(f)), f, ":2:", "question");
        Files.writeString(f, good + "\n" + good + "\n");
        names(fails(() -> JudgeBenchReader.readPairs(f)), f, ":2:", "pair_id");
        Files.writeString(f, good.replace("\"pair_id\":\"p1\"", "\"pair_id\":5") + "\n");
        names(fails(() -> JudgeBenchReader.readPairs(f)), f, ":1:", "pair_id");

        Path o = dir.resolve("out.jsonl");
        String games = ",\"judge_name\":\"rm\",\"judgments\":[{\"decision\":\"A>B\",\"judgment\":{\"scores\":[1.0,0.5]}},"
                + "{\"decision\":\"B>A\",\"judgment\":{\"scores\":[0.5,1.0]}}]}";
        Files.writeString(o, good.replace("}", games) + "\n" + good.replace("p1", "p2").replace("}", games.replace("\"B>A\"", "\"A>>B\"")) + "\n");
        names(fails(() -> JudgeBenchReader.readOutputs(o)), o, ":2:", "judgments[1].decision");
        Files.writeString(o, good.replace("}", games.replace("[0.5,1.0]", "[0.5]")) + "\n");
        names(fails(() -> JudgeBenchReader.readOutputs(o)), o, ":1:", "judgments[1].judgment.scores");
        Files.writeString(o, good.replace("}", ",\"judgments\":[]}") + "\n");
        names(fails(() -> JudgeBenchReader.readOutputs(o)), o, ":1:", "judgments");
    }

    @Test void rmBenchUnknownDomainNamesRowLineAndField() throws Exception {
        Path f = dir.resolve("total_dataset.json");
        Files.writeString(f, """
                [
                  {"id": 1, "prompt": "p", "chosen": ["a","b","c"], "rejected": ["d","e","f"], "domain": "chat"},
                  {"id": 2, "prompt": "p", "chosen": ["a","b","c"], "rejected": ["d","e","f"],
                   "domain": "poetry"}
                ]
                """);
        var e = fails(() -> RmBenchReader.read(f));
        names(e, f, ": row 2 (line 3):", "domain");
        assertTrue(e.getMessage().contains("unknown RM-Bench domain 'poetry'"), e.getMessage());
    }

    @Test void parquetRowErrorsNameRowAndField() {
        // no Parquet writer is at hand: the real RewardBench re-save has a 'domain' column holding RewardBench sections,
        // which the RM-Bench reader must reject at its first row
        var pq = SharedData.data("rewardbench/rewardbench_filtered.biasscope.parquet");
        assumeTrue(pq.isPresent(), "../shared/data/rewardbench absent");
        var e = fails(() -> RmBenchReader.read(pq.get()));
        names(e, pq.get(), ": row 1:", "domain");
        assertEquals(1, e.row());
        assertEquals(0, e.line());
        assertTrue(e.getMessage().contains("unknown RM-Bench domain"), e.getMessage());
    }
}
