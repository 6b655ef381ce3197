package dev.tare.demo;

import dev.tare.data.DataFormatException;
import dev.tare.data.SharedData;
import dev.tare.metrics.bbq.BbqScores;
import dev.tare.metrics.judgebench.JudgeBenchAudit;
import dev.tare.metrics.judgebench.JudgeBenchScores;
import dev.tare.metrics.rewardbench.SubsetScore;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.report.HtmlReport;
import dev.tare.report.JsonSummary;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RealDataDemoTest {
    static final Bootstrap FAST = new Bootstrap(50, Bootstrap.DEFAULT_SEED, 0.95);
    static Path root;
    static RealDataDemo.Result result;

    @BeforeAll
    static void run() {
        root = SharedData.root().filter(r -> Files.isDirectory(r.resolve("data"))).orElse(null);
        Assumptions.assumeTrue(root != null, "../shared absent (a user's clone): real-data demo tests skipped");
        result = RealDataDemo.run(root, FAST);
    }

    @Test
    void bbqFiguresEqualThePublishedOnes() {
        assertTrue(result.skipped().isEmpty(), result.skipped().toString());
        for (String f : RealDataDemo.FORMATS) {
            Map<String, BbqScores> cats = result.bbq().get(f).categories();
            assertEquals(5, cats.size());
            for (var e : cats.entrySet()) {
                double[] p = RealDataDemo.PUBLISHED_BBQ.get(e.getKey() + "/" + f);
                assertNotNull(p, e.getKey());
                // the authors dropped a few Physical_appearance items lacking metadata (pitfalls.md): looser there
                double tol = e.getKey().equals("Physical_appearance") ? 2.5 : 0.05;
                BbqScores s = e.getValue();
                String where = e.getKey() + "/" + f;
                assertEquals(p[0], s.sAmb().value(), tol, where + " s_AMB");
                assertEquals(p[1], s.accAmbig().value(), 0.05, where + " acc_ambig");
                assertEquals(p[2], s.sDis().value(), tol, where + " s_DIS");
                assertEquals(p[3], s.accDisambig().value(), 0.05, where + " acc_disambig");
                // decomposition shown in the report
                assertEquals(s.sAmb().value(), (1 - s.accAmbig().value() / 100) * s.commitBiasAmbig().value(), 1e-9, where);
            }
        }
    }

    @Test
    void judgeBenchFiguresEqualThePublishedOnes() {
        assertEquals(4, result.judgeBench().size());
        JudgeBenchScores o1 = judge("o1-mini"), gemma = judge("Gemma-2-27B");
        assertEquals(65.71, o1.overall().value(), 0.005);
        assertEquals(58.44, o1.categories().get("knowledge"), 0.005);
        assertEquals(62.24, o1.categories().get("reasoning"), 0.005);
        assertEquals(82.14, o1.categories().get("math"), 0.005);
        assertEquals(78.57, o1.categories().get("coding"), 0.005);
        assertEquals(64.29, gemma.overall().value(), 0.005);
        assertEquals(65.00, gemma.categoryMean(), 0.005);
        assertTrue(o1.positionConsistency() > 0 && o1.positionConsistency() <= 100);
    }

    private static JudgeBenchScores judge(String part) {
        return result.judgeBench().stream().filter(j -> RealDataDemo.judgeLabel(j).contains(part)).map(JudgeBenchAudit.Result::scores)
                .findFirst().orElseThrow(() -> new AssertionError("no judge " + part));
    }

    @Test
    void judgeBenchRewardModelPairsReproduceTheirScoresAndLoseTheLengthTrend() {
        // judgebench.md / pitfalls.md: pair-weighted overall of the reward models (both orders mirror each other)
        Map<String, Double> published = Map.of("Gemma-2-27B", 64.29, "Llama-3.1-8B", 62.29, "internlm2-7b", 59.43);
        assertEquals(3, result.judgeBenchLength().size(), result.judgeBenchLength().keySet().toString());
        for (var e : result.judgeBenchLength().entrySet()) {
            String key = published.keySet().stream().filter(e.getKey()::contains).findFirst().orElseThrow(() -> new AssertionError(e.getKey()));
            var a = e.getValue();
            assertEquals(350, a.pairs().size());
            assertEquals(published.get(key), RealDataDemo.accuracy(a, a.before()).value(), 0.005, e.getKey());
            var after = a.measuresAfter().length().spearman();
            assertTrue(Math.abs(after.value()) < 0.05, e.getKey() + ": length trend left after calibration " + after);
        }
    }

    @Test
    void internLmScoresJoinTheRightRows() {
        var rb = result.rewardBench();
        assertEquals(2938, rb.pairs().size());
        long correct = 0;
        for (int i = 0; i < rb.pairs().size(); i++) if (rb.before()[i] > rb.before()[rb.pairs().size() + i]) correct++;
        assertEquals(88.56, 100.0 * correct / rb.pairs().size(), 0.005, "rm-scores README: chosen > rejected in 88.56% of pairs");
        // README per-subset accuracies with the row-47 pairing
        Map<String, double[]> expected = Map.of("alpacaeval-easy", new double[]{53, 0.887}, "llmbar-natural", new double[]{100, 0.910},
                "mt-bench-hard", new double[]{37, 0.730}, "donotanswer", new double[]{136, 0.603}, "math-prm", new double[]{447, 0.864});
        for (SubsetScore s : rb.measuresBefore().metrics().subsets()) {
            double[] e = expected.get(s.subset());
            if (e == null) continue;
            assertEquals((int) e[0], s.items(), s.subset());
            assertEquals(e[1], s.score().value(), 0.0005, s.subset());
        }
        // calibration removes the fitted length trend: the refit on calibrated scores is flat next to the original one
        assertTrue(range(rb.fitAfter()) < 0.5 * range(rb.fitBefore()), range(rb.fitBefore()) + " -> " + range(rb.fitAfter()));
    }

    @Test
    void rmBenchStyleBiasMatchesTheRecomputedMatrix() {
        // rm-scores README: pooled over 1327 rows, hard 0.4745, normal 0.7134, easy 0.8747
        var m = result.rmBench().pooled();
        assertEquals(1327, m.items());
        assertEquals(0.4745, m.hard(), 5e-5);
        assertEquals(0.7134, m.normal(), 5e-5);
        assertEquals(0.8747, m.easy(), 5e-5);
        var safety = result.rmBench().domains().domains();
        assertEquals(1, safety.size());
        assertEquals(284 + 157, safety.getFirst().items());
    }

    private static double range(double[] a) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : a) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        return hi - lo;
    }

    @Test
    void reportAndSummaryRenderTheRealSections() throws Exception {
        HtmlReport html = new HtmlReport("t");
        RealDataDemo.addTo(html, result);
        String page = html.render();
        assertTrue(page.contains("BBQ") && page.contains("JudgeBench") && page.contains("RewardBench"));
        JsonSummary json = new JsonSummary();
        RealDataDemo.addTo(json, result);
        var node = json.node().get("real_data");
        // the BBQ authors' 29.8 (percent), as a fraction like every number in summary.json
        assertEquals(0.298, node.get("bbq").get("race").get("Age").get("s_amb").get("value").asDouble(), 0.0005);
        assertEquals(0.298, node.get("bbq").get("race").get("Age").get("published").get("s_amb").asDouble(), 1e-12);
        var jb = node.get("judgebench");
        assertTrue(jb.size() > 0, "JudgeBench rows");
        for (var it = jb.elements(); it.hasNext(); ) {
            var o = it.next();
            double overall = o.get("overall").get("value").asDouble();
            assertTrue(overall >= 0 && overall <= 1 && o.get("category_mean").asDouble() <= 1, "JudgeBench in fractions: " + o);
        }
    }

    @Test
    void damagedScoresFileWithWrongRowCountIsAClearError(@TempDir Path dir) throws Exception {
        Path scores = dir.resolve("results.json");
        Files.writeString(scores, "\u0000\u0000 },{\"score_chosen\": 1.5, \"score_rejected\": 0.5}]");
        var e = assertThrows(DataFormatException.class,
                () -> RealDataDemo.internLmPairs(scores, root.resolve("data/rewardbench/filtered.jsonl")));
        assertTrue(e.getMessage().contains("expected 2938 records") && e.getMessage().contains("found 1"), e.getMessage());
    }
}
