package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.CliRun;
import dev.tare.data.SharedData;
import dev.tare.runtime.model.GatingConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tare score --explain} on armorm-tiny ($TARE_ARMORM, default ../shared/fixtures/armorm-tiny; its numbers are
 * checked against the goldens in tare-runtime and tare-scorers) with the real Llama 3 tokenizer: every line carries
 * each response's objective breakdown whose contributions sum to its score; masking an objective moves every score by
 * exactly that objective's recorded contribution; the explanation table lists the card's objective names.
 */
class ArmoRmScoreCliTest {
    static final ObjectMapper OM = new ObjectMapper();
    @TempDir Path tmp;

    /** armorm-tiny's config and weights with the Llama 3 tokenizer, linked into {@code tmp} (also used by the sweep test). */
    static Path modelDir(Path tmp) throws Exception {
        var shared = SharedData.root();
        Assumptions.assumeTrue(shared.isPresent(), "armorm-tiny / Llama 3 tokenizer: ../shared is absent (user clone): skipping");
        return dev.tare.testkit.SharedFixtures.armormTiny(shared.get(), tmp);
    }

    Path pairs() throws Exception {
        String[][] p = {{"What is 2+2?", "4.", "It is **5**, as everyone knows."},
                {"Name a colour.", "Blue is a colour; so are red and green, and many more besides.", "Chair."},
                {"Say hi.", "Hi!", "Hello there, it is a pleasure to greet you today."}};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length; i++) {
            ObjectNode o = OM.createObjectNode().put("id", "p" + i).put("prompt", p[i][0]).put("chosen", p[i][1]).put("rejected", p[i][2]);
            sb.append(OM.writeValueAsString(o)).append('\n');
        }
        Path f = tmp.resolve("pairs.jsonl");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void linesCarryBreakdownsAndMaskingMovesScoresByTheRecordedContribution() throws Exception {
        Path d = modelDir(tmp), data = pairs(), plain = tmp.resolve("plain.jsonl"), masked = tmp.resolve("masked.jsonl");
        CliRun r = CliRun.of("score", "--scorer", "local:" + d, "--data", data.toString(), "--benchmark", "pairs", "--out", plain.toString(), "--explain", "3");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("top 3 objectives by mean |coefficient| over 6 responses"), r.out());
        long rows = r.out().lines().filter(l -> GatingConfig.ARMORM_OBJECTIVES.stream().anyMatch(l::startsWith)).count();
        assertEquals(3, rows, r.out());
        CliRun m = CliRun.of("score", "--scorer", "local:" + d + ",objectives=-helpsteer-verbosity", "--data", data.toString(),
                "--benchmark", "pairs", "--out", masked.toString());
        assertEquals(0, m.rc(), m.err());
        List<String> a = Files.readAllLines(plain), b = Files.readAllLines(masked);
        assertEquals(3, a.size());
        int v = GatingConfig.ARMORM_OBJECTIVES.indexOf("helpsteer-verbosity");
        for (int i = 0; i < a.size(); i++) {
            JsonNode x = OM.readTree(a.get(i)), y = OM.readTree(b.get(i));
            assertEquals(GatingConfig.ARMORM_OBJECTIVES, OM.convertValue(x.get("objective_names"), List.class));
            assertEquals("-helpsteer-verbosity", y.path("objective_weights").asText(), "the re-weighting is recorded on every line");
            for (String side : List.of("chosen", "rejected")) {
                JsonNode o = x.get("objectives").get(side).get(0);
                double score = x.get("scores_" + side).asDouble(), sum = 0;
                for (int k = 0; k < 19; k++) sum += o.get("rewards").get(k).asDouble() * o.get("coefficients").get(k).asDouble();
                assertEquals(score, o.get("score").asDouble(), 1e-6, "line " + i + " " + side);
                assertEquals(score, sum, 1e-5, "line " + i + " " + side + ": contributions sum to the score");
                double contribution = o.get("rewards").get(v).asDouble() * o.get("coefficients").get(v).asDouble();
                assertEquals(score - contribution, y.get("scores_" + side).asDouble(), 1e-5, "line " + i + " " + side + ": masked score");
            }
        }
    }

    /**
     * {@code tare eval --explain} on a synthetic RM-Bench file: summary.json ranks the objectives as the printed table
     * does, and each objective's contribution-vs-length Spearman equals the rank correlation computed here from the
     * results lines' breakdowns and the response texts' code-point lengths.
     */
    @Test
    void evalReportsObjectivesAndTheirLengthCorrelation() throws Exception {
        Path d = modelDir(tmp), data = SyntheticBenchmarks.rmBench(tmp.resolve("rm.jsonl"), 3, 11), out = tmp.resolve("eval");
        CliRun r = CliRun.of("eval", "--scorer", "local:" + d, "--benchmark", "rm-bench", "--data", data.toString(), "--out", out.toString(),
                "--explain", "5", "--bootstrap", "50");
        assertEquals(0, r.rc(), r.err());
        JsonNode obj = OM.readTree(out.resolve("summary.json").toFile()).get("objectives");
        List<String> ranked = new java.util.ArrayList<>();
        obj.fieldNames().forEachRemaining(f -> { if (obj.get(f).isObject()) ranked.add(f); });
        assertEquals(5, ranked.size(), obj.toString());
        List<String> printed = r.out().lines().map(l -> l.split(" +")[0]).filter(GatingConfig.ARMORM_OBJECTIVES::contains).toList();
        assertEquals(printed, ranked, "summary.json and --explain rank the same objectives");
        assertTrue(Files.readString(out.resolve("report.html")).contains("Objectives (multi-objective model)"));
        List<String> texts = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(data)) {
            JsonNode n = OM.readTree(line);
            for (String side : List.of("chosen", "rejected")) for (JsonNode t : n.get(side)) texts.add(t.asText());
        }
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("results.jsonl"))) lines.add(OM.readTree(line));
        for (String name : ranked) {
            int i = GatingConfig.ARMORM_OBJECTIVES.indexOf(name);
            double[] len = new double[texts.size()], contrib = new double[texts.size()];
            int k = 0;
            for (JsonNode l : lines)
                for (String side : List.of("chosen", "rejected"))
                    for (JsonNode o : l.get("objectives").get(side)) {
                        len[k] = texts.get(k).codePointCount(0, texts.get(k).length());
                        contrib[k++] = o.get("rewards").get(i).asDouble() * o.get("coefficients").get(i).asDouble();
                    }
            assertEquals(texts.size(), k);
            double want = dev.tare.bias.Correlation.spearman(len, contrib);
            assertEquals(want, obj.get(name).get("contribution_vs_chars").get("spearman").get("value").asDouble(), 1e-6, name);
        }
    }
}
