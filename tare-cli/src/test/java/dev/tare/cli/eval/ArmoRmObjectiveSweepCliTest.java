package dev.tare.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tare sweep --objective} on armorm-tiny with the Llama 3 tokenizer over a synthetic RM-Bench file: the λ = 0
 * rows are {@code tare score}'s rewards of the model as published, the λ = −1 rows are {@code tare score}'s rewards
 * with {@code objectives=-NAME}, and sweep.json reports the grid with the chosen λ among it.
 */
class ArmoRmObjectiveSweepCliTest {
    static final ObjectMapper OM = new ObjectMapper();
    @TempDir Path tmp;

    /** domain/id → the 6 scores (3 chosen, 3 rejected) of a results file. */
    static Map<String, double[]> scores(Path file) throws Exception {
        Map<String, double[]> m = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = OM.readTree(line);
            double[] s = new double[6];
            for (int j = 0; j < 3; j++) {
                s[j] = n.get("scores_chosen").get(j).asDouble();
                s[3 + j] = n.get("scores_rejected").get(j).asDouble();
            }
            assertNull(m.put(n.get("domain").asText() + "/" + n.get("id").asText(), s), "duplicate key in " + file);
        }
        return m;
    }

    @Test
    void lambdaZeroIsTheModelAndMinusOneRemovesTheObjective() throws Exception {
        Path d = ArmoRmScoreCliTest.modelDir(tmp);
        Path data = SyntheticBenchmarks.rmBench(tmp.resolve("rm.jsonl"), 4, 7), out = tmp.resolve("sweep");
        CliRun r = CliRun.of("sweep", "--model", d.toString(), "--objective", "helpsteer-verbosity", "--data", data.toString(),
                "--lambdas", "-1,-0.5,0", "--out", out.toString());
        assertEquals(0, r.rc(), r.err() + r.out());
        assertTrue(r.out().contains("objective helpsteer-verbosity: chosen lambda = "), r.out());
        JsonNode sweep = OM.readTree(out.resolve("sweep.json").toFile());
        dev.tare.cli.JsonUnits.assertFractions(sweep, "objective sweep.json");
        assertEquals("helpsteer-verbosity", sweep.get("objective").asText());
        assertEquals(List.of("-1", "-0.5", "0"), OM.convertValue(sweep.get("lambdas"), Map.class).keySet().stream().toList());
        assertTrue(List.of(-1.0, -0.5, 0.0).contains(sweep.get("chosen_lambda").asDouble()));
        assertTrue(Files.isRegularFile(out.resolve("report.html")));
        for (String[] c : new String[][]{{"0", ""}, {"-1", ",objectives=-helpsteer-verbosity"}}) {
            Path scored = tmp.resolve("score" + c[0] + ".jsonl");
            CliRun s = CliRun.of("score", "--scorer", "local:" + d + c[1], "--data", data.toString(), "--benchmark", "rm-bench", "--out", scored.toString());
            assertEquals(0, s.rc(), s.err());
            Map<String, double[]> want = scores(scored), got = scores(out.resolve("results-lambda=" + c[0] + ".jsonl"));
            assertEquals(want.keySet(), got.keySet());
            for (var e : want.entrySet())
                assertArrayEquals(e.getValue(), got.get(e.getKey()), 1e-5, "lambda " + c[0] + " item " + e.getKey());
        }
        // the folder is written whole: one holding files a sweep does not write is refused untouched
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        CliRun refused = CliRun.of("sweep", "--model", d.toString(), "--objective", "helpsteer-verbosity", "--data", data.toString(),
                "--lambdas", "-1,0", "--out", foreign.toString());
        assertNotEquals(0, refused.rc());
        assertTrue(refused.err().contains("holds files this command does not write (notes.txt)"), refused.err());
        try (var s = Files.list(foreign)) {
            assertEquals(List.of("notes.txt"), s.map(f -> f.getFileName().toString()).toList());
        }
    }
}
