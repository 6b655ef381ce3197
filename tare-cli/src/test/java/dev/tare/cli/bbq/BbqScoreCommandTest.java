package dev.tare.cli.bbq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.cli.TareCli;
import dev.tare.data.Jsonl;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `tare bbq score` contract: JSON keyed by category plus overall, published figures, file:line:field errors. */
class BbqScoreCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = TareCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void jsonContractOnTheAuthorsPredictions(@TempDir Path tmp) throws Exception {
        Path bbq = SharedData.data("bbq").orElse(null);
        Assumptions.assumeTrue(bbq != null, "../shared/data/bbq absent: CLI oracle test skipped");
        Path saved = tmp.resolve("bbq.json");
        Run r = run("bbq", "score", "--data", bbq.resolve("data").toString(),
                "--predictions", bbq.resolve("unifiedqa-preds").toString(),
                "--prediction-field", "unifiedqa-t5-11b_pred_race", "--json", "--resamples", "50", "--out", saved.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = Jsonl.MAPPER.readTree(r.out());
        assertEquals(7, j.size(), "units + 5 categories + overall");
        assertEquals("fraction", j.get("units").asText());
        for (String k : new String[]{"acc_ambig", "acc_disambig", "abstain_disambig", "commit_bias_ambig", "s_dis", "s_amb"})
            assertTrue(j.get("overall").get(k).isNumber(), k);
        // BBQ paper, UnifiedQA RACE format: Age s_AMB 29.8, Nationality s_DIS 1.2 (percent; the JSON's fractions)
        assertEquals(0.298, j.get("Age").get("s_amb").asDouble(), 0.0005);
        assertEquals(0.547, j.get("Age").get("acc_ambig").asDouble(), 0.0005);
        assertEquals(0.012, j.get("Nationality").get("s_dis").asDouble(), 0.0005);
        double lo = j.get("Age").get("ci95").get("s_amb").get(0).asDouble(), hi = j.get("Age").get("ci95").get("s_amb").get(1).asDouble();
        assertTrue(lo <= 0.298 && 0.298 <= hi && hi < 1, "interval bounds in fractions too: [" + lo + ", " + hi + "]");
        assertEquals(2, j.get("Age").get("ci95").get("s_amb").size());
        assertEquals(j, Jsonl.MAPPER.readTree(Files.readString(saved)));

        Run table = run("bbq", "score", "--data", bbq.resolve("data").toString(),
                "--predictions", bbq.resolve("unifiedqa-preds/preds_Age.jsonl").toString(),
                "--prediction-field", "unifiedqa-t5-11b_pred_race", "--resamples", "20");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("Age") && table.out().contains("29.8"), table.out());
    }

    /** Question-only predictions: the disambiguated rows are dropped, as the authors' R script does for baseline_qonly. */
    @Test
    void questionOnlyPredictionsScoreAmbiguousRowsOnly(@TempDir Path tmp) throws Exception {
        Path bbq = SharedData.data("bbq").orElse(null);
        Assumptions.assumeTrue(bbq != null, "../shared/data/bbq absent: CLI oracle test skipped");
        Path preds = bbq.resolve("unifiedqa-preds/preds_Age.jsonl");
        Run r = run("bbq", "score", "--data", bbq.resolve("data").toString(), "--predictions", preds.toString(),
                "--prediction-field", "unifiedqa-t5-11b_pred_qonly", "--json", "--resamples", "50");
        assertEquals(0, r.code(), r.err());
        JsonNode j = Jsonl.MAPPER.readTree(r.out());
        JsonNode age = j.get("Age");
        assertEquals(0, age.get("n_disambig").asInt());
        assertEquals(1839, age.get("n_ambig").asInt());
        assertTrue(age.get("acc_disambig").isNull() && age.get("s_dis").isNull(), age.toString());
        assertTrue(age.get("ci95").get("s_dis").get(0).isNull(), age.toString());
        // BBQ paper, question-only baseline, Age: accuracy 30.3, bias 51.4 (percent; the JSON's fractions)
        assertEquals(0.303, age.get("acc_ambig").asDouble(), 0.0005);
        assertEquals(0.514, age.get("s_amb").asDouble(), 0.0005);
        assertTrue(j.get("overall").get("question_only").asBoolean());
        assertEquals(1840, j.get("overall").get("question_only_dropped_disambig").asInt());

        // any other field name: --question-only says so (here the authors' q-only answers under a plain name)
        Path renamed = tmp.resolve("qonly.jsonl");
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(preds)) {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) Jsonl.MAPPER.readTree(line);
            sb.append(Jsonl.MAPPER.createObjectNode().put("category", node.get("category").asText())
                    .put("example_id", node.get("example_id").asInt())
                    .put("answer", node.get("unifiedqa-t5-11b_pred_qonly").asText())).append('\n');
        }
        Files.writeString(renamed, sb.toString());
        Run t = run("bbq", "score", "--data", bbq.resolve("data").toString(), "--predictions", renamed.toString(),
                "--prediction-field", "answer", "--question-only", "--resamples", "20");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("1840 disambiguated rows dropped") && t.out().contains("n/a"), t.out());
        assertTrue(t.out().contains("51.4"), t.out());
    }

    @Test
    void badRowNamesFileLineAndField(@TempDir Path tmp) throws Exception {
        Path preds = tmp.resolve("preds.jsonl");
        Files.writeString(preds, "{\"category\":\"Age\",\"example_id\":0,\"pred\":\"A\"}\n{\"category\":\"Age\",\"example_id\":\"x\",\"pred\":\"B\"}\n");
        Run r = run("bbq", "score", "--predictions", preds.toString(), "--prediction-field", "pred", "--format", "letter");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(preds + ":2: field 'example_id'"), r.err());

        Files.writeString(preds, "{\"category\":\"Age\",\"example_id\":0}\n");
        r = run("bbq", "score", "--predictions", preds.toString(), "--prediction-field", "pred");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(preds + ":1: field 'pred'"), r.err());
    }
}
