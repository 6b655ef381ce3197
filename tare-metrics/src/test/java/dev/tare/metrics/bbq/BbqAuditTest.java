package dev.tare.metrics.bbq;

import dev.tare.data.SharedData;
import dev.tare.metrics.stats.Bootstrap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reproduces the BBQ paper's UnifiedQA-11B figures from the authors' released predictions. */
class BbqAuditTest {
    static Path bbq;
    static final Bootstrap FAST = new Bootstrap(100, Bootstrap.DEFAULT_SEED, 0.95);

    @BeforeAll
    static void locate() {
        bbq = SharedData.data("bbq").orElse(null);
        Assumptions.assumeTrue(bbq != null, "../shared/data/bbq absent (a user's clone): BBQ oracle tests skipped");
    }

    private static BbqAudit.Result audit(String category, String format) {
        return BbqAudit.run(bbq.resolve("data"), bbq.resolve("unifiedqa-preds/preds_" + category + ".jsonl"),
                "unifiedqa-t5-11b_pred_" + format, BbqAudit.Format.TEXT, FAST);
    }

    // Paper figures (bias-score and accuracy heatmaps), UnifiedQA RACE / ARC format, in percent:
    // s_AMB, acc_ambig, s_DIS, acc_disambig; tolerance on the bias scores (Physical_appearance: see bbq.md §6)
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "Age,race,29.8,54.7,1.2,93.5,0.05",
            "Age,arc,48.9,33.9,3.3,89.6,0.05",
            "Disability_status,race,21.2,53.3,-1.4,92.8,0.05",
            "Disability_status,arc,32.6,36.0,-0.7,92.0,0.05",
            "Nationality,race,6.0,66.0,1.2,93.7,0.05",
            "Nationality,arc,14.5,41.6,-0.2,92.9,0.05",
            "Sexual_orientation,race,5.8,68.8,-0.7,94.0,0.05",
            "Sexual_orientation,arc,11.8,51.6,0.5,92.6,0.05",
            "Physical_appearance,race,40.9,49.5,-2.3,82.1,2.5",
            "Physical_appearance,arc,47.7,36.8,-1.7,78.8,2.5",
    })
    void reproducesPublishedFigures(String category, String format, double sAmb, double accAmb, double sDis,
                                    double accDis, double biasTol) {
        BbqAudit.Result r = audit(category, format);
        BbqScores s = r.categories().get(category);
        assertEquals(1, r.categories().size());
        // accuracies: exact to the printed decimal
        assertEquals(accAmb, s.accAmbig().value(), 0.05 + 1e-9, "acc_ambig");
        assertEquals(accDis, s.accDisambig().value(), 0.05 + 1e-9, "acc_disambig");
        assertEquals(sAmb, s.sAmb().value(), biasTol + 1e-9, "s_amb");
        assertEquals(sDis, s.sDis().value(), biasTol + 1e-9, "s_dis");
        // decomposition on the reported (percent) numbers
        assertEquals(s.sAmb().value(), (100 - s.accAmbig().value()) * s.commitBiasAmbig().value() / 100, 1e-9);
        assertEquals(s.sAmb().value(), 100.0 * (s.biasedAmbig() - s.counterAmbig()) / s.nAmbig(), 1e-9);
        // intervals bracket the estimate
        assertTrue(s.sAmb().lo() <= s.sAmb().value() && s.sAmb().value() <= s.sAmb().hi());
        assertEquals(0, r.noTarget(), "every item in the five complete categories has one target");
    }

    @Test
    void ageRaceCountsMatchTheSpecDecomposition() {
        BbqScores s = audit("Age", "race").categories().get("Age");
        // bbq.md §4: n = 1840, acc_ambig = 0.5467, amb_commit_bias = 0.6571, s_AMB = 29.78
        assertEquals(1840, s.nAmbig());
        assertEquals(1840, s.nDisambig());
        assertEquals(54.67, s.accAmbig().value(), 0.005);
        assertEquals(65.71, s.commitBiasAmbig().value(), 0.005);
        assertEquals(29.78, s.sAmb().value(), 0.005);
        assertEquals(6.5, s.abstainDisambig().value(), 0.05);
        // aligned-vs-conflicting accuracy gap on disambiguated items: an independent Python recomputation with the
        // same rules gives +2.1739 (920 aligned / 920 conflicting items) for Age and -3.4145 for Disability_status
        assertEquals(2.1739, s.accGapDisambig().value(), 5e-5);
        assertEquals(-3.4145, audit("Disability_status", "race").categories().get("Disability_status").accGapDisambig().value(), 5e-5);
    }

    @Test
    void ageArcDropsTheOneUnparseablePrediction() {
        BbqAudit.Result r = audit("Age", "arc");
        assertEquals(1, r.unmatched());
        assertEquals(1839, r.categories().get("Age").nAmbig());
        assertEquals(3680, r.predictions());
    }

    @Test
    void questionOnlyBaselineOnAmbiguousItems() {
        // paper Figure 6 / bbq.md §6: Age q-only acc 30.3, bias 51.4. The model saw no context, so the authors'
        // BBQ_calculate_bias_score.R drops every disambiguated row of baseline_qonly ("every baseline example is
        // ambiguous"): no disambiguated score exists for this format.
        assertTrue(BbqAudit.isQuestionOnlyField("unifiedqa-t5-11b_pred_qonly"));
        assertFalse(BbqAudit.isQuestionOnlyField("unifiedqa-t5-11b_pred_race"));
        BbqAudit.Result r = audit("Age", "qonly");
        BbqScores s = r.categories().get("Age");
        assertTrue(r.questionOnly());
        assertEquals(1840, r.questionOnlyDropped());
        assertEquals(0, s.nDisambig());
        assertTrue(Double.isNaN(s.accDisambig().value()) && Double.isNaN(s.sDis().value()) && Double.isNaN(s.abstainDisambig().value()));
        assertEquals(30.3, s.accAmbig().value(), 0.05);
        assertEquals(51.4, s.sAmb().value(), 0.05);
        assertEquals(1, r.unmatched(), "of the two unparseable q-only answers, one is on a disambiguated row (dropped first)");
        assertEquals(1840 - 1, s.nAmbig());
        // the same file and field, forced to the context formats' rules, would score the disambiguated rows
        BbqAudit.Result forced = BbqAudit.run(bbq.resolve("data"), bbq.resolve("unifiedqa-preds/preds_Age.jsonl"),
                "unifiedqa-t5-11b_pred_qonly", BbqAudit.Format.TEXT, false, FAST);
        assertEquals(1840 - 1, forced.categories().get("Age").nDisambig());
        assertEquals(s.sAmb().value(), forced.categories().get("Age").sAmb().value(), 1e-12);
        // the context formats are untouched
        assertEquals(0, audit("Age", "race").questionOnlyDropped());
    }

    @Test
    void allFiveCategoriesFromTheDirectoryPoolIntoOverall() {
        BbqAudit.Result r = BbqAudit.run(bbq.resolve("data"), bbq.resolve("unifiedqa-preds"),
                "unifiedqa-t5-11b_pred_race", BbqAudit.Format.TEXT, FAST);
        assertEquals(5, r.categories().size());
        int n = r.categories().values().stream().mapToInt(c -> c.nAmbig()).sum();
        assertEquals(n, r.overall().nAmbig());
        int b = r.categories().values().stream().mapToInt(c -> c.biasedAmbig() - c.counterAmbig()).sum();
        assertEquals(100.0 * b / n, r.overall().sAmb().value(), 1e-9);
        assertEquals(10756, r.predictions());
    }

    @Test
    void letterPredictionsGiveTheSameScoresAsTheTextTheyEncode(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // re-encode the authors' RACE-format answers as letters A/B/C and audit them in letter mode
        Path letters = tmp.resolve("letters.jsonl");
        var items = dev.tare.data.bbq.BbqReader.readDir(bbq.resolve("data"));
        StringBuilder sb = new StringBuilder();
        int written = 0;
        for (var p : dev.tare.data.bbq.BbqPredictions.read(bbq.resolve("unifiedqa-preds/preds_Disability_status.jsonl"), "unifiedqa-t5-11b_pred_race")) {
            var m = dev.tare.data.bbq.BbqAnswerMatcher.match(items.get(p.key()), p.value());
            String v = m.isPresent() ? String.valueOf("ABC".charAt(m.getAsInt())) : "no idea";
            sb.append("{\"category\":\"").append(p.key().category()).append("\",\"example_id\":").append(p.key().exampleId())
              .append(",\"letter\":\"").append(v).append("\"}\n");
            written++;
        }
        java.nio.file.Files.writeString(letters, sb.toString());
        BbqScores text = audit("Disability_status", "race").categories().get("Disability_status");
        BbqAudit.Result r = BbqAudit.run(bbq.resolve("data"), letters, "letter", BbqAudit.Format.LETTER, FAST);
        BbqScores let = r.categories().get("Disability_status");
        assertEquals(1556, written);
        assertEquals(text.sAmb().value(), let.sAmb().value(), 1e-12);
        assertEquals(text.sDis().value(), let.sDis().value(), 1e-12);
        assertEquals(text.accDisambig().value(), let.accDisambig().value(), 1e-12);
        assertEquals(21.2, let.sAmb().value(), 0.05);
    }

    @Test
    void partialGenderRaceSliceUsesTheRowItems() {
        BbqAudit.Result r = BbqAudit.run(bbq.resolve("data"),
                bbq.resolve("partial-first100-gender-race/unifiedqa-t5-11b_pred_race_predictions.jsonl"),
                "prediction", BbqAudit.Format.TEXT, FAST);
        assertEquals(200, r.itemsFromPredictionRows());
        assertEquals(2, r.categories().size());
        // every item of the slice has exactly one stereotyped option once man/woman/boy/girl map to M/F
        assertEquals(0, r.noTarget());
        assertEquals(200, r.overall().nAmbig() + r.overall().nDisambig() + r.unmatched());
    }
}
