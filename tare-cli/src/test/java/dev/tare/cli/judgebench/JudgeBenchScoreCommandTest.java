package dev.tare.cli.judgebench;

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

/** `tare judgebench score` contract on the real o1-mini and Skywork outputs; errors name file:line:field. */
class JudgeBenchScoreCommandTest {
    static String[] run(String... args) {
        CommandLine cl = TareCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[]{String.valueOf(code), out.toString(), err.toString()};
    }

    static Path outputs(String judge) {
        Path d = SharedData.data("judgebench/judge-outputs").orElse(null);
        Assumptions.assumeTrue(d != null, "../shared/data/judgebench absent: CLI oracle test skipped");
        return d.resolve("dataset=judgebench,response_model=gpt-4o-2024-05-13,judge_name=" + judge + ".jsonl");
    }

    @Test
    void o1MiniJson() throws Exception {
        String[] r = run("judgebench", "score", "--outputs", outputs("arena_hard,judge_model=o1-mini-2024-09-12").toString(),
                "--json", "--resamples", "50");
        assertEquals("0", r[0], r[2]);
        JsonNode j = Jsonl.MAPPER.readTree(r[1]);
        // JudgeBench's published percent, as the JSON's fractions
        assertEquals("fraction", j.get("units").asText());
        assertEquals(0.6571, j.get("overall").asDouble(), 0.00005);
        assertEquals(0.5844, j.get("knowledge").asDouble(), 0.00005);
        assertEquals(0.6224, j.get("reasoning").asDouble(), 0.00005);
        assertEquals(0.8214, j.get("math").asDouble(), 0.00005);
        assertEquals(0.7857, j.get("coding").asDouble(), 0.00005);
        assertEquals(350, j.get("pairs").asInt());
        assertEquals(0, j.get("reparse_disagreements").asInt());
        assertEquals(700, j.get("games_reparsed").asInt());
        assertTrue(j.get("position_consistency").asDouble() < 0.80, "o1-mini is position-biased on a real share of pairs");
        // contract: the six headline keys stay top-level; intervals are extra keys
        var keys = new java.util.HashSet<String>();
        j.fieldNames().forEachRemaining(keys::add);
        assertTrue(keys.containsAll(java.util.List.of("overall", "knowledge", "reasoning", "math", "coding", "pairs")), keys.toString());
        JsonNode ci = j.get("ci95");
        for (String k : java.util.List.of("overall", "knowledge", "reasoning", "math", "coding", "category_mean", "position_consistency")) {
            double lo = ci.get(k).get(0).asDouble(), hi = ci.get(k).get(1).asDouble();
            double v = k.equals("category_mean") || k.equals("position_consistency") ? j.get(k).asDouble() : j.get(k).asDouble();
            assertTrue(lo <= v && v <= hi && hi - lo > 0.01 && hi <= 1, k + " [" + lo + ", " + hi + "] around " + v);
        }
        assertEquals(j.get("overall_ci95").get(0).asDouble(), ci.get("overall").get(0).asDouble());
    }

    @Test
    void skyworkBothConventionsAndText() throws Exception {
        Path f = outputs("reward_model,judge_model=Skywork_Skywork-Reward-Gemma-2-27B");
        JsonNode j = Jsonl.MAPPER.readTree(run("judgebench", "score", "--outputs", f.toString(), "--json", "--resamples", "20")[1]);
        assertEquals(0.6429, j.get("overall").asDouble(), 0.00005);
        assertEquals(0.6500, j.get("category_mean").asDouble(), 0.00005);
        assertTrue(j.get("reparse_disagreements").isNull(), "reward models have no raw replies to re-parse");
        String[] text = run("judgebench", "score", "--outputs", f.toString(), "--resamples", "20");
        assertTrue(text[1].contains("64.29") && text[1].contains("65.00"), text[1]);
        assertTrue(text[1].contains("95% CI (bootstrap over pairs)") && text[1].lines().filter(l -> l.startsWith("knowledge")).findFirst()
                .orElseThrow().matches("knowledge +59\\.74 +154  \\[\\d+\\.\\d\\d, \\d+\\.\\d\\d\\]"), text[1]);
    }

    @Test
    void badDecisionNamesFileLineField(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("out.jsonl");
        String ok = "{\"pair_id\":\"p1\",\"original_id\":1,\"source\":\"livebench-math\",\"question\":\"q\",\"response_model\":\"m\","
                + "\"response_A\":\"a\",\"response_B\":\"b\",\"label\":\"A>B\",\"judge_name\":\"t\",\"judgments\":[{\"decision\":\"A>B\"},{\"decision\":\"B>A\"}]}";
        Files.writeString(f, ok + "\n" + ok.replace("p1", "p2").replace("{\"decision\":\"B>A\"}", "{\"decision\":\"A<B\"}") + "\n");
        String[] r = run("judgebench", "score", "--outputs", f.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains(f + ":2: field 'judgments[1].decision'"), r[2]);
    }
}
