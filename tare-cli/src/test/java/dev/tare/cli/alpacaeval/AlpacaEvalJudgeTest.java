package dev.tare.cli.alpacaeval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tare.bias.Correlation;
import dev.tare.cli.CliRun;
import dev.tare.data.SharedData;
import dev.tare.data.alpacaeval.AlpacaAnnotation;
import dev.tare.data.alpacaeval.AlpacaEvalReader;
import dev.tare.testkit.FakeJudgeServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `tare alpacaeval --scorer judge:...`: a loopback pairwise judge as the evaluator, checked against hand counts. */
class AlpacaEvalJudgeTest {
    private static final int LIMIT = 40;

    private static List<Path> dirs() {
        var ae = SharedData.data("alpacaeval");
        var lv = SharedData.data("alpacaeval-length-variants");
        assumeTrue(ae.isPresent() && lv.isPresent(), "../shared/data/alpacaeval(-length-variants) not present");
        Path res = ae.get().resolve("results");
        return List.of(res.resolve("FuseChat-Llama-3.1-8B-Instruct"), res.resolve("FuseChat-Qwen-2.5-7B-Instruct"),
                lv.get().resolve("results/gpt-3.5-turbo-1106_concise"));
    }

    /** The first LIMIT annotations of each model in the first model's instruction order (what --limit evaluates). */
    private static List<List<AlpacaAnnotation>> firstPairs(List<Path> dirs) {
        List<List<AlpacaAnnotation>> runs = new ArrayList<>();
        for (Path d : dirs) runs.add(AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(d)));
        List<AlpacaAnnotation> first = runs.getFirst().subList(0, LIMIT);
        List<List<AlpacaAnnotation>> out = new ArrayList<>();
        for (var run : runs) {
            List<AlpacaAnnotation> r = new ArrayList<>();
            for (var a : first) r.add(run.stream().filter(b -> b.instruction().equals(a.instruction())).findFirst().orElseThrow());
            out.add(r);
        }
        return out;
    }

    /** A run with System.err captured too (the judge cost line goes there). */
    private record Run(CliRun cli, String stderr) {}

    private static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            return new Run(CliRun.of(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    /** Hand count: judge win rate (%), agreement with GPT-4 (%), pairs without verdict; noVerdict marks the judge's abstentions. */
    private static double[] expected(List<AlpacaAnnotation> run, java.util.function.BiPredicate<String, String> noVerdict) {
        double wins = 0, kept = 0, agree = 0, judged = 0, none = 0;
        for (var a : run) {
            if (noVerdict.test(a.output2(), a.output1())) { none++; continue; }
            int m = a.output2().length(), r = a.output1().length(); // the fake judge compares String lengths
            double w = m > r ? 1 : m < r ? 0 : 0.5;
            wins += w;
            kept++;
            double g = a.modelWinProbability();
            if (!Double.isNaN(g) && g != 0.5) {
                judged++;
                agree += w == 0.5 ? 0.5 : (w == 1) == (g > 0.5) ? 1 : 0;
            }
        }
        return new double[]{100 * wins / kept, 100 * agree / judged, none};
    }

    @Test void longerPreferringJudgeWinsExactlyOnLongerAnswers() throws Exception {
        List<Path> dirs = dirs();
        var runs = firstPairs(dirs);
        try (FakeJudgeServer s = new FakeJudgeServer(FakeJudgeServer::prefersLonger)) {
            Run r = run("alpacaeval", "--results", dirs.get(0).toString(), dirs.get(1).toString(), dirs.get(2).toString(),
                    "--scorer", "judge:openai:" + s.url() + ",model=longer", "--judge-template", "arena-hard",
                    "--limit", String.valueOf(LIMIT), "--bootstrap", "50", "--json");
            assertEquals(0, r.cli().rc(), r.cli().err());
            assertEquals(2 * 3 * LIMIT, s.calls.get(), "both orders of every (model, instruction) pair");
            assertTrue(r.stderr().contains("judge cost: " + 2 * 3 * LIMIT + " judge calls"), r.stderr());
            JsonNode j = JsonMapper.builder().build().readTree(r.cli().out()).get("reward_model");
            assertEquals("pairwise judge", j.get("evaluator").asText());
            assertTrue(j.get("calibration").asText().startsWith("none"), j.toString());
            assertNull(j.get("calibrated_rank_vs_lc"));
            assertEquals("arena-hard", j.get("template").asText());
            assertEquals(LIMIT, j.get("instructions").asInt());
            assertEquals(2 * 3 * LIMIT, j.get("cost").get("calls").asInt());
            assertTrue(j.get("cost").get("prompt_tokens").asLong() > 0);
            double[] rates = new double[3], lc = new double[3];
            for (int m = 0; m < 3; m++) {
                double[] want = expected(runs.get(m), (a, b) -> false);
                JsonNode e = j.get("models").get(m);
                assertEquals(runs.get(m).getFirst().generator2(), e.get("model").asText());
                assertEquals(want[0], e.get("judge_win_rate").get("value").asDouble(), 1e-9, e.get("model").asText());
                assertEquals(want[1], e.get("judge_agreement").get("value").asDouble(), 1e-9, e.get("model").asText());
                assertEquals(LIMIT, e.get("pairs").asInt());
                assertEquals(0, e.get("pairs_without_verdict").asInt());
                assertNull(e.get("calibrated_reward_win_rate"));
                var w = e.get("judge_win_rate");
                assertTrue(w.get("lo").asDouble() <= w.get("value").asDouble() && w.get("value").asDouble() <= w.get("hi").asDouble());
                rates[m] = want[0];
                lc[m] = e.get("lc_win_rate").asDouble();
            }
            assertEquals(3, j.get("rank_vs_lc").get("models").asInt());
            assertEquals(Correlation.spearman(rates, lc), j.get("rank_vs_lc").get("spearman").get("value").asDouble(), 1e-12);
            assertEquals(Correlation.kendallTauB(rates, lc), j.get("rank_vs_lc").get("kendall_tau_b").get("value").asDouble(), 1e-12);

            Run t = run("alpacaeval", "--results", dirs.get(0).toString(), dirs.get(1).toString(),
                    "--scorer", "judge:openai:" + s.url() + ",model=longer,template=arena-hard", "--limit", "5", "--bootstrap", "20");
            assertEquals(0, t.cli().rc(), t.cli().err());
            assertTrue(t.cli().out().contains("no length calibration") && t.cli().out().contains("judge win rate"), t.cli().out());
            System.out.print(t.cli().out());
        }
    }

    /** A judge that gives no verdict (in either order, even when asked again) on some pairs: excluded and counted. */
    @Test void pairsWithoutVerdictAreExcludedAndCounted() throws Exception {
        List<Path> dirs = dirs().subList(0, 2);
        var runs = firstPairs(dirs);
        java.util.function.BiPredicate<String, String> abstains = (a, b) -> (a.length() + b.length()) % 3 == 0;
        try (FakeJudgeServer s = new FakeJudgeServer(user -> {
            Matcher a = FakeJudgeServer.ARENA_A.matcher(user), b = FakeJudgeServer.ARENA_B.matcher(user);
            if (a.find() && b.find() && abstains.test(a.group(1), b.group(1))) return "Both are fine.";
            return FakeJudgeServer.prefersLonger(user);
        })) {
            Run r = run("alpacaeval", "--results", dirs.get(0).toString(), dirs.get(1).toString(),
                    "--scorer", "judge:openai:" + s.url() + ",model=x,template=arena-hard", "--limit", String.valueOf(LIMIT),
                    "--bootstrap", "30", "--json");
            assertEquals(0, r.cli().rc(), r.cli().err());
            JsonNode j = JsonMapper.builder().build().readTree(r.cli().out()).get("reward_model");
            int none = 0;
            for (int m = 0; m < 2; m++) {
                double[] want = expected(runs.get(m), abstains);
                JsonNode e = j.get("models").get(m);
                assertEquals((int) want[2], e.get("pairs_without_verdict").asInt());
                assertEquals(want[0], e.get("judge_win_rate").get("value").asDouble(), 1e-9);
                assertEquals(want[1], e.get("judge_agreement").get("value").asDouble(), 1e-9);
                none += (int) want[2];
            }
            assertTrue(none > 0, "the slice has pairs the judge abstains on");
            // arena-hard asks once more when a reply has no verdict mark: 2 more calls per abstained pair
            assertEquals(2 * 2 * LIMIT + 2 * none, s.calls.get());
            assertEquals(2 * 2 * LIMIT + 2 * none, j.get("cost").get("calls").asInt());
        }
    }

    @Test void badJudgeSpecsAndOptionsAreClearErrors() {
        List<Path> dirs = dirs();
        String d = dirs.get(0).toString();
        for (String[] c : new String[][]{
                {"judge:nope:x", "expected local:DIR[,...] or openai:URL,model=NAME"},
                {"judge:openai:http://127.0.0.1:9", "openai judge needs model=NAME"},
                {"judge:openai:http://127.0.0.1:9,model=x,votes=3", "votes=3 needs sampling"},
                {"judge:openai:http://127.0.0.1:9,model=x,template=nope", "no judge template 'nope'"},
                {"judge:openai:http://127.0.0.1:9,model=x,mode=round-robin", "mode=round-robin does not apply"}}) {
            CliRun r = CliRun.of("alpacaeval", "--results", d, "--scorer", c[0]);
            assertNotEquals(0, r.rc(), c[0]);
            assertTrue(r.err().contains(c[1]), c[0] + ": " + r.err());
        }
        CliRun t = CliRun.of("alpacaeval", "--results", d, "--scorer", "http://127.0.0.1:9", "--judge-template", "arena-hard");
        assertTrue(t.rc() != 0 && t.err().contains("--judge-template applies to a judge"), t.err());
        CliRun l = CliRun.of("alpacaeval", "--results", d, "--limit", "5");
        assertTrue(l.rc() != 0 && l.err().contains("--limit applies to the --scorer evaluation"), l.err());
    }
}
