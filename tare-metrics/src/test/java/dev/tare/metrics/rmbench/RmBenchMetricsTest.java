package dev.tare.metrics.rmbench;

import dev.tare.data.SharedData;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ScoredItem;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RmBenchMetricsTest {
    private static List<ScoredItem> internLm() {
        var p = SharedData.data("rm-scores").map(d -> d.resolve("internlm-xcomposer2d5-7b-reward/rm_bench/results.json")).filter(Files::exists);
        assumeTrue(p.isPresent(), "../shared/data/rm-scores not present");
        return ResultsFiles.read(p.get());
    }

    private static ScoredItem withDomain(ScoredItem it, String domain) {
        return new ScoredItem(it.id(), domain, it.model(), it.scoresChosen(), it.scoresRejected(), null, Map.of("domain", domain));
    }

    @Test void pooledMatrixOfInternLmScores() {
        var items = internLm();
        assertEquals(1327, items.size());
        StyleMatrix m = RmBenchMetrics.pooled(items);
        double[][] expected = {{0.7136, 0.6315, 0.3708}, {0.7393, 0.7182, 0.4213}, {0.9450, 0.9397, 0.7084}};
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(expected[i][j], m.m()[i][j], 5e-5, "M[" + i + "][" + j + "]");
        assertEquals(0.4745, m.hard(), 5e-5);
        assertEquals(0.7134, m.normal(), 5e-5);
        assertEquals(0.8747, m.easy(), 5e-5);
    }

    /**
     * RM-Bench's published per-model results.json has no 'domain' field; RM-Bench's compute_accuracy then scores all rows
     * as one set. The rm-scores README recomputes that pooled matrix by hand: hard 0.4745, normal 0.7134, easy 0.8747.
     */
    @Test void publishedResultsWithoutDomainArePooledAsComputeAccuracyDoes() {
        var items = internLm();
        assertTrue(items.stream().allMatch(it -> it.domain() == null), "the published file carries no domain");
        var r = RmBenchMetrics.compute(items, new Bootstrap(200, 5, 0.95));
        assertTrue(r.pooled());
        assertFalse(r.complete());
        assertEquals(1327, r.items());
        assertEquals(1, r.domains().size());
        var d = r.domains().get(0);
        assertEquals(RmBenchMetrics.POOLED, d.name());
        assertEquals(1327, d.items());
        assertEquals(0.4745, r.hard().value(), 5e-5);
        assertEquals(0.7134, r.normal().value(), 5e-5);
        assertEquals(0.8747, r.easy().value(), 5e-5);
        assertEquals((r.hard().value() + r.normal().value() + r.easy().value()) / 3, r.score().value(), 1e-12);
        assertEquals(0.7136, d.matrix()[0][0], 5e-5);
        assertEquals(0.3708, d.matrix()[0][2], 5e-5);
        assertTrue(r.hard().lo() < r.hard().value() && r.hard().value() < r.hard().hi());
    }

    @Test void safetyDomainPoolsRefuseAndResponse() {
        var all = internLm();
        List<ScoredItem> safety = new ArrayList<>();
        // records 886-1169 = safety-refuse, 1170-1326 = safety-response (placed by duplicate-text test, rm-scores README)
        for (int k = 886; k < 1327; k++) safety.add(withDomain(all.get(k), k < 1170 ? "safety-refuse" : "safety-response"));
        var r = RmBenchMetrics.compute(safety, Bootstrap.defaults());
        assertEquals(1, r.domains().size());
        var d = r.domains().get(0);
        assertEquals("safety", d.name());
        assertEquals(441, d.items());
        assertEquals(0.8972, d.hard().value(), 5e-5);
        assertEquals(0.9531, d.normal().value(), 5e-5);
        assertEquals(0.9660, d.easy().value(), 5e-5);
        assertEquals(0.9388, d.score().value(), 5e-5);
        assertFalse(r.complete());
        assertFalse(r.pooled());
        assertEquals(List.of("chat", "math", "code"), r.missingDomains());
        assertTrue(d.score().lo() < 0.9388 && d.score().hi() > 0.9388);
        // per-file numbers from the same README: safety-refuse alone 0.9131 / 0.9577 / 0.9648
        var refuse = RmBenchMetrics.compute(safety.subList(0, 284), Bootstrap.defaults()).domains().get(0);
        assertEquals(0.9131, refuse.hard().value(), 5e-5);
        assertEquals(0.9452, refuse.score().value(), 5e-5);
    }

    @Test void overallAveragesDomainsAndRejectsMalformedItems() {
        List<ScoredItem> items = new ArrayList<>();
        // chat item: chosen always wins -> every cell 1; code item: chosen always loses -> 0
        items.add(new ScoredItem("8", "a", "m", List.of(5.0, 5.0, 5.0), List.of(1.0, 1.0, 1.0), null, Map.of("domain", "chat")));
        items.add(new ScoredItem("8", "b", "m", List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0), null, Map.of("domain", "code")));
        var r = RmBenchMetrics.compute(items, new Bootstrap(100, 3, 0.95));
        assertEquals(0.5, r.score().value(), 1e-12);
        assertEquals(2, r.domains().size());
        // some items with a domain and some without: neither per-domain nor pooled scoring applies
        var noDomain = new ScoredItem("9", "a", "m", List.of(5.0, 5.0, 5.0), List.of(1.0, 1.0, 1.0), null, null);
        var mixed = assertThrows(IllegalArgumentException.class, () -> RmBenchMetrics.compute(List.of(items.get(0), noDomain), Bootstrap.defaults()));
        assertTrue(mixed.getMessage().contains("1 of 2 items have no 'domain'"), mixed.getMessage());
        var two = new ScoredItem("8", "a", "m", List.of(5.0, 5.0), List.of(1.0, 1.0, 1.0), null, Map.of("domain", "chat"));
        assertThrows(IllegalArgumentException.class, () -> RmBenchMetrics.compute(List.of(two), Bootstrap.defaults()));
        assertEquals(List.of("chat", "math", "code", "safety"), RmBenchReader.DOMAIN_GROUPS);
    }

    @Test void hardNormalEasyTriangles() {
        // one item, chosen [1,2,3] vs rejected [0.5,1.5,2.5]: c_i > r_j iff i >= j
        StyleMatrix m = StyleMatrix.of(List.of(new double[]{1, 2, 3}), List.of(new double[]{0.5, 1.5, 2.5}));
        assertEquals(0.0, m.hard());
        assertEquals(1.0, m.normal());
        assertEquals(1.0, m.easy());
        assertEquals(2.0 / 3, m.average(), 1e-12);
    }
}
