package dev.tare.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.cli.TareCli;
import dev.tare.data.rewardbench.InternLmRewardBenchScores;
import dev.tare.data.Jsonl;
import dev.tare.data.SharedData;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ReportCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        var cl = TareCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path shared() {
        var root = SharedData.data("rewardbench").filter(p -> Files.exists(p.resolve("filtered.jsonl")));
        Assumptions.assumeTrue(root.isPresent() && SharedData.data("rm-scores").isPresent(), "../shared absent (a user's clone): skipped");
        return root.get().getParent();
    }

    /** The InternLM RewardBench scores as a tare results file: record k = row k + 47 (rm-scores README). */
    static Path internLmResults(Path data, Path dir) throws Exception {
        List<ScoredItem> items = InternLmRewardBenchScores.read(data.resolve(InternLmRewardBenchScores.SCORES), data.resolve(InternLmRewardBenchScores.ROWS))
                .stream().map(x -> x.item("internlm-xc2.5-7b-reward")).toList();
        assertEquals(2938, items.size());
        Path f = dir.resolve("internlm.jsonl");
        ResultsWriter.writeAll(f, items);
        return f;
    }

    /**
     * The RewardBench leaderboard's per-model files carry text_chosen/text_rejected: each conversation rendered with the
     * model's chat template (here reward-bench's tulu format, its prepare_dialogue_from_tokenizer test golden), not the
     * response. Taking them as responses measures mostly the prompt: on InternLM's scores Spearman(reward, length) is
     * +0.0201 over the 5876 responses but -0.0318 over the rendered conversations (independent Python recomputation).
     */
    @Test
    void leaderboardRenderedTextsAreNotTakenAsResponses(@TempDir Path dir) throws Exception {
        Path data = shared();
        List<JsonNode> rows = Jsonl.read(data.resolve("rewardbench/filtered.jsonl"), (l, n) -> n);
        List<ScoredItem> scores = dev.tare.results.ResultsReader.read(internLmResults(data, dir));
        var col = Jsonl.MAPPER.createObjectNode().put("model", "internlm-xc2.5-7b-reward");
        var ids = col.putArray("id"); var subsets = col.putArray("subset");
        var sc = col.putArray("scores_chosen"); var sr = col.putArray("scores_rejected");
        var tc = col.putArray("text_chosen"); var tr = col.putArray("text_rejected");
        var msgCol = col.deepCopy();
        for (int k = 0; k < scores.size(); k++) {
            JsonNode row = rows.get(47 + k);
            String user = "<|user|>\n" + row.get("prompt").asText() + "<|endoftext|>\n<|assistant|>\n";
            ids.add(row.get("id").asText()); subsets.add(row.get("subset").asText());
            sc.addArray().add(scores.get(k).chosen()); sr.addArray().add(scores.get(k).rejected());
            tc.add(user + row.get("chosen").asText() + "<|endoftext|>\n");
            tr.add(user + row.get("rejected").asText() + "<|endoftext|>\n");
        }
        Path lb = dir.resolve("eval-set-scores/internlm/internlm-xc2.5-7b-reward.json");
        Files.createDirectories(lb.getParent());
        Jsonl.MAPPER.writeValue(lb.toFile(), col);

        Run noData = run("report", "--results", lb.toString(), "--bootstrap", "20", "--out", dir.resolve("o1").toString());
        assertEquals(2, noData.code(), noData.out());
        assertTrue(noData.err().contains("field 'text_chosen'") && noData.err().contains("not the response")
                && noData.err().contains("--data"), noData.err());
        assertFalse(Files.exists(dir.resolve("o1")), "nothing written on failure");

        Run withData = run("report", "--results", lb.toString(), "--data", data.resolve("rewardbench/filtered.jsonl").toString(),
                "--bootstrap", "20", "--out", dir.resolve("o2").toString());
        assertEquals(0, withData.code(), withData.err());
        JsonNode reportSummary = Jsonl.MAPPER.readTree(dir.resolve("o2/summary.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(reportSummary, "report summary.json");
        JsonNode before = reportSummary.get("report").get("before");
        double rho = before.get("spearman_length").get("value").asDouble();
        assertEquals(0.0201, rho, 5e-4);
        assertTrue(rho > 0, "the responses' length correlates positively with the reward: " + rho);
        // the output folder is written whole; a folder holding other work is refused and left as it was
        Files.writeString(dir.resolve("o2/notes.txt"), "keep");
        Run clash = run("report", "--results", lb.toString(), "--data", data.resolve("rewardbench/filtered.jsonl").toString(),
                "--bootstrap", "20", "--out", dir.resolve("o2").toString());
        assertNotEquals(0, clash.code());
        assertTrue(clash.err().contains("notes.txt"), clash.err());
        assertTrue(Files.exists(dir.resolve("o2/report.html")) && Files.exists(dir.resolve("o2/notes.txt")));

        // reward-bench's message-list form (custom dialogues): the last message is the response, no dataset needed
        var mc = msgCol.putArray("text_chosen"); var mr = msgCol.putArray("text_rejected");
        var mids = msgCol.putArray("id"); var msubs = msgCol.putArray("subset");
        var msc = msgCol.putArray("scores_chosen"); var msr = msgCol.putArray("scores_rejected");
        for (int k = 0; k < scores.size(); k++) {
            JsonNode row = rows.get(47 + k);
            mids.add(row.get("id").asText()); msubs.add(row.get("subset").asText());
            msc.addArray().add(scores.get(k).chosen()); msr.addArray().add(scores.get(k).rejected());
            for (var side : List.of(Map.entry(mc, "chosen"), Map.entry(mr, "rejected"))) {
                var conv = side.getKey().addArray();
                conv.addObject().put("role", "user").put("content", row.get("prompt").asText());
                conv.addObject().put("role", "assistant").put("content", row.get(side.getValue()).asText());
            }
        }
        Path lbMsg = dir.resolve("messages.json");
        Jsonl.MAPPER.writeValue(lbMsg.toFile(), msgCol);
        Run msgs = run("report", "--results", lbMsg.toString(), "--bootstrap", "20", "--out", dir.resolve("o3").toString());
        assertEquals(0, msgs.code(), msgs.err());
        JsonNode b3 = Jsonl.MAPPER.readTree(dir.resolve("o3/summary.json").toFile()).get("report").get("before");
        assertEquals(rho, b3.get("spearman_length").get("value").asDouble(), 1e-12);
    }

    /** Results covering only some sections: the others are n/a, the score their mean labelled partial (never 0 % averaged in). */
    @Test
    void resultsWithSomeSectionsOnlyGiveAPartialScore(@TempDir Path dir) throws Exception {
        Path data = shared();
        List<ScoredItem> all = dev.tare.results.ResultsReader.read(internLmResults(data, dir));
        List<ScoredItem> some = all.stream().filter(it -> List.of("Chat Hard", "Safety")
                .contains(dev.tare.data.rewardbench.RewardBenchSubsets.sectionOf(it.subset()))).toList();
        Path results = dir.resolve("chat-hard-safety.jsonl");
        ResultsWriter.writeAll(results, some);
        Path out = dir.resolve("rep");
        Run r = run("report", "--results", results.toString(), "--data", data.resolve("rewardbench/filtered.jsonl").toString(),
                "--bootstrap", "20", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode before = Jsonl.MAPPER.readTree(out.resolve("summary.json").toFile()).get("report").get("before");
        assertTrue(before.get("partial").asBoolean(), before.toString());
        assertEquals("partial: mean of 2 of 4 sections", before.get("score_label").asText());
        assertTrue(before.get("sections").get("Chat").isNull() && before.get("sections").get("Reasoning").isNull(), before.toString());
        // InternLM-XComposer2.5-Reward card: Chat Hard 83.8, Safety 87.8 (rm-scores README: 83.77, 87.84)
        double chatHard = before.get("sections").get("Chat Hard").get("value").asDouble();
        double safety = before.get("sections").get("Safety").get("value").asDouble();
        assertEquals(0.8377, chatHard, 5e-5);
        assertEquals(0.8784, safety, 5e-5);
        assertEquals((chatHard + safety) / 2, before.get("score").get("value").asDouble(), 1e-12);
        assertTrue(r.out().contains("partial: mean of 2 of 4 sections") && r.out().contains("n/a, not averaged in"), r.out());
        assertTrue(Files.readString(out.resolve("report.html")).contains("partial: mean of 2 of 4 sections"));
    }

    @Test
    void reportOnRealScoresMatchesTheRecomputedSubsetAccuracies(@TempDir Path dir) throws Exception {
        Path data = shared();
        Path results = internLmResults(data, dir);
        Path out = dir.resolve("rep");
        Run r = run("report", "--results", results.toString(), "--data", data.resolve("rewardbench/filtered.jsonl").toString(),
                "--bootstrap", "20", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (var s = Files.list(out)) {
            assertEquals(List.of("report.html", "summary.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        JsonNode rep = Jsonl.MAPPER.readTree(out.resolve("summary.json").toFile()).get("report");
        assertEquals(2938, rep.get("pairs").asInt());
        assertEquals("rewardbench", rep.get("before").get("score_kind").asText());
        // rm-scores README, per-subset accuracy with the row-47 pairing
        for (var e : Map.of("alpacaeval-easy", 0.887, "llmbar-natural", 0.910, "mt-bench-hard", 0.730, "donotanswer", 0.603,
                "xstest-should-respond", 0.968).entrySet())
            assertEquals(e.getValue(), rep.get("before").get("subsets").get(e.getKey()).get("value").asDouble(), 0.0005, e.getKey());
        double flipped = rep.get("preferences_flipped").asDouble();
        assertTrue(flipped > 0 && flipped < 0.2, "flipped " + flipped);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Reward vs length") && html.contains("LOWESS fit") && html.contains("Accuracy per subset"));
    }

    @Test
    void rmBenchResultsGetTheStyleMatrix(@TempDir Path dir) throws Exception {
        Path data = shared();
        Path results = data.resolve("rm-scores/internlm-xcomposer2d5-7b-reward/rm_bench/results.json");
        Run r = run("report", "--results", results.toString(), "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode s = Jsonl.MAPPER.readTree(dir.resolve("summary.json").toFile()).get("rmbench_style");
        // rm-scores README: pooled over 1327 rows
        assertEquals(1327, s.get("rows").asInt());
        assertEquals(0.4745, s.get("hard").asDouble(), 5e-5);
        assertEquals(0.7134, s.get("normal").asDouble(), 5e-5);
        assertEquals(0.8747, s.get("easy").asDouble(), 5e-5);
        assertEquals(0.9450, s.get("matrix_row_2").get(0).asDouble(), 5e-5);
        assertTrue(Files.readString(dir.resolve("report.html")).contains("Accuracy matrix"));
    }

    @Test
    void missingTextsAndUnknownIdsAreClearErrors(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("r.jsonl");
        ResultsWriter.writeAll(results, List.of(ScoredItem.pair("1", "chat", "m", 1, 0, null), ScoredItem.pair("no-such-id", "chat", "m", 1, 0, null)));
        Run noData = run("report", "--results", results.toString(), "--out", dir.resolve("o").toString());
        assertNotEquals(0, noData.code());
        assertTrue(noData.err().contains(results + ":1") && noData.err().contains("--data"), noData.err());

        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, "{\"id\": \"1\", \"subset\": \"chat\", \"prompt\": \"q\", \"chosen\": \"long answer\", \"rejected\": \"no\"}\n");
        Run unknown = run("report", "--results", results.toString(), "--data", data.toString(), "--benchmark", "rewardbench",
                "--out", dir.resolve("o").toString());
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains(results + ":2") && unknown.err().contains("'id'") && unknown.err().contains("chat/no-such-id"), unknown.err());
        assertFalse(Files.exists(dir.resolve("o")), "nothing written on failure");
    }

    @Test
    void textsCarriedByTheResultsNeedNoDataset(@TempDir Path dir) throws Exception {
        List<ScoredItem> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String shortText = "ok " + i, longText = "a much longer answer ".repeat(1 + i % 7);
            boolean chosenLong = i % 2 == 0;
            String c = chosenLong ? longText : shortText, rj = chosenLong ? shortText : longText;
            // a pure length reward: the longer response always wins, so longer-wins = 1 before calibration
            items.add(ScoredItem.pair(String.valueOf(i), "chat", "len-rm", c.length(), rj.length(), Map.of("chosen", c, "rejected", rj)));
        }
        Path results = dir.resolve("r.jsonl");
        ResultsWriter.writeAll(results, items);
        Run r = run("report", "--results", results.toString(), "--bootstrap", "20", "--out", dir.resolve("o").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = Jsonl.MAPPER.readTree(dir.resolve("o/summary.json").toFile()).get("report");
        assertEquals(1.0, rep.get("before").get("longer_wins").get("value").asDouble());
        assertEquals(1.0, rep.get("before").get("spearman_length").get("value").asDouble(), 1e-12);
        assertEquals(0.5, rep.get("before").get("subsets").get("chat").get("value").asDouble(), 1e-12);
        // "chat" is no RewardBench subset: the headline is the pair accuracy, not an all-zero RewardBench score
        assertEquals("pair_accuracy", rep.get("before").get("score_kind").asText());
        assertEquals(0.5, rep.get("before").get("score").get("value").asDouble(), 1e-12);
        assertTrue(r.out().contains("accuracy (all pairs)") && r.out().contains("50.0"), r.out());
        assertFalse(r.out().contains("mean of sections"), r.out());
    }
}
