package dev.tare.eval.inside;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.SharedData;
import dev.tare.data.bbq.BbqItem;
import dev.tare.data.bbq.BbqReader;
import dev.tare.data.bbq.BbqTarget;
import dev.tare.eval.bbq.GenerativeBbq;
import dev.tare.metrics.bbq.BbqAudit;
import dev.tare.metrics.bbq.BbqScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.runtime.model.Steering;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The per-α table, JSON and page of a steering sweep from scored letter predictions on real BBQ items: a policy that
 * always picks the bias-consistent answer (α = 6 in the table) against one that always abstains (α = 0); the rendered
 * numbers are the audit's, and the frontier has one point per scored α.
 */
class SteerSweepReportTest {
    @TempDir Path tmp;

    private BbqScores audit(Path data, List<BbqItem> items, boolean biased, String name) throws Exception {
        List<String> lines = new ArrayList<>();
        for (BbqItem it : items) {
            BbqTarget t = BbqTarget.of(it);
            int k = biased && t.known() ? t.target() : t.unknown();
            lines.add(String.format(Locale.ROOT, "{\"id\":\"%s\",\"category\":\"%s\",\"example_id\":%d,\"prediction\":\"%c\"}",
                    GenerativeBbq.id(it), it.category(), it.exampleId(), (char) ('A' + k)));
        }
        Path f = tmp.resolve(name + ".jsonl");
        Files.write(f, lines);
        return BbqAudit.run(data.getParent(), f, "prediction", BbqAudit.Format.LETTER, new Bootstrap(200, 1, 0.95)).overall();
    }

    @Test
    void tableJsonAndPageCarryTheAuditsNumbers() throws Exception {
        Path data = SharedData.data("bbq/data/Sexual_orientation.jsonl").orElse(null);
        assumeTrue(data != null, "../shared/data/bbq absent: skipping");
        List<BbqItem> items = BbqReader.read(data).subList(0, 200);
        BbqScores abstain = audit(data, items, false, "abstain"), biased = audit(data, items, true, "biased");
        assertEquals(100.0, abstain.accAmbig().value(), 1e-9, "always Unknown is right on every ambiguous item");
        assertEquals(100.0, biased.commitBiasAmbig().value(), 1e-9, "always the bias-consistent answer: commit bias 100%");
        assertEquals(String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", biased.sAmb().value(), biased.sAmb().lo(), biased.sAmb().hi()),
                SteerSweep.cell(biased.sAmb()), "cells print the audit's percent");
        GenerativeBbq.Outcome o = new GenerativeBbq.Outcome(0, 200, 0, 0, 0, 0);
        List<SteerSweep.Row> rows = List.of(new SteerSweep.Row(0, o, abstain), new SteerSweep.Row(6, o, biased),
                new SteerSweep.Row(-2.5, new GenerativeBbq.Outcome(0, 200, 200, 0, 0, 0), null));
        StringWriter sw = new StringWriter();
        SteerSweep.printTable(new PrintWriter(sw, true), rows);
        String table = sw.toString();
        assertTrue(table.contains(SteerSweep.cell(biased.sAmb())), table);
        assertTrue(table.contains(SteerSweep.cell(abstain.accAmbig())), table);
        assertTrue(table.contains("-2.5") && table.contains("nothing to score"), table);
        Steering s = new Steering(1, new float[]{1, 0}, 0);
        JsonNode j = SteerSweep.toJson(s, rows);
        assertEquals(1, j.get("layer").asInt());
        assertEquals("fraction", j.get("units").asText(), "steer.json says its unit");
        assertEquals(biased.sDis().value() / 100, j.get("alphas").get(1).get("s_DIS").get("value").asDouble(), 1e-12, "the audit's percent as a fraction");
        assertEquals(biased.sAmb().hi() / 100, j.get("alphas").get(1).get("s_AMB").get("hi").asDouble(), 1e-12);
        assertEquals(abstain.abstainDisambig().value() / 100, j.get("alphas").get(0).get("abstain_disambig").get("value").asDouble(), 1e-12);
        assertEquals(1.0, j.get("alphas").get(0).get("acc_ambig").get("value").asDouble(), 1e-12, "always Unknown: acc_ambig 100% = 1");
        assertTrue(j.get("alphas").get(2).get("scores").isNull());
        String html = SteerSweep.html("t", s, rows);
        assertEquals(2, html.split("<svg", -1).length - 1, "bias/accuracy vs alpha and the frontier");
        assertTrue(html.contains("Frontier"), "frontier plot");
    }
}
