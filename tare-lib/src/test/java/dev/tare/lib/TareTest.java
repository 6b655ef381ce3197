package dev.tare.lib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.debias.calibration.CalibrationRun;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.RewardScorer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The library facade against real oracles: transformers 5.17 logits, RM-Bench's published accuracies, an injected bias removed. */
class TareTest {
    @TempDir Path tmp;

    static Path shared() {
        var s = SharedData.root();
        Assumptions.assumeTrue(s.isPresent(), "../shared is absent (user clone): skipping");
        return s.get();
    }

    @Test
    void scoresLikeTransformers5ThroughASpecString() throws Exception {
        Path src = shared().resolve("fixtures/hf5-parity/qwen3-seqcls");
        assertTrue(Files.isRegularFile(src.resolve("goldens.json")), src + " is missing");
        Path dir = tmp.resolve("rm");
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(src.resolve(f), dir.resolve(f));
        TinyCheckpoint.writeWordLevelTokenizer(dir, "{% for m in messages %}{{ m['content'] }}{% if not loop.last %} {% endif %}{% endfor %}", false);
        JsonNode cases = new ObjectMapper().readTree(src.resolve("goldens.json").toFile()).get("cases");
        List<PreferenceItem> items = new ArrayList<>();
        List<Double> want = new ArrayList<>();
        for (JsonNode c : cases) {
            if (!c.get("attention_mask").isNull() || c.get("input_ids").get(0).size() < 2) continue;
            int[] ids = new ObjectMapper().convertValue(c.get("input_ids").get(0), int[].class);
            int k = ids.length / 2;
            items.add(new PreferenceItem(c.get("name").asText(), "s", List.of(Message.user(words(ids, 0, k))),
                    List.of(words(ids, k, ids.length)), List.of(words(ids, k, ids.length - 1)), Map.of()));
            want.add(c.get("logits").get(0).get(0).asDouble());
        }
        assertTrue(items.size() >= 3);
        try (RewardScorer rm = Tare.scorer("local:" + dir)) {
            List<ScoredItem> r = Tare.score(rm, items);
            for (int i = 0; i < items.size(); i++) {
                assertEquals(want.get(i), r.get(i).scoresChosen().getFirst(), 1e-4, items.get(i).id());
                assertEquals("last-non-pad", r.get(i).extra().get("score_token"));
            }
            Path out = tmp.resolve("results.jsonl");
            Tare.scoreTo(rm, items, out, false);
            List<ScoredItem> back = Tare.readResults(out);
            // the file also records the run's identity (what a --resume must match); the scores are the same
            for (ScoredItem it : back) assertTrue(it.extra().containsKey("identity"), "identity recorded for resume");
            List<ScoredItem> stripped = back.stream().map(it -> {
                var ex = new java.util.LinkedHashMap<>(it.extra());
                ex.remove("identity");
                return new ScoredItem(it.id(), it.subset(), it.model(), it.scoresChosen(), it.scoresRejected(), it.results(), ex);
            }).toList();
            assertEquals(r, stripped, "the file holds what the in-memory run returned");
        }
    }

    @Test
    void officialScoresReproduceRmBenchsPublishedAccuracies() {
        Path f = shared().resolve("data/rm-scores/internlm-xcomposer2d5-7b-reward/rm_bench/results.json");
        assertTrue(Files.isRegularFile(f), f + " is missing");
        RmBenchScores s = (RmBenchScores) Tare.officialScores("rm-bench", Tare.readResults(f));
        // RM-Bench's compute_accuracy on this file (shared/data/rm-scores/README.md)
        assertEquals(0.4745, s.hard().value(), 5e-5);
        assertEquals(0.7134, s.normal().value(), 5e-5);
        assertEquals(0.8747, s.easy().value(), 5e-5);
        assertTrue(s.hard().lo() < s.hard().value() && s.hard().value() < s.hard().hi(), "a bootstrap CI around it");
    }

    /** Pairs whose reward carries an injected length bias: LOWESS calibration on chars removes the correlation. */
    @Test
    void calibrationRemovesAnInjectedLengthBias() {
        Random rnd = new Random(3);
        List<PreferenceItem> items = new ArrayList<>();
        List<ScoredItem> results = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String a = "x".repeat(20 + rnd.nextInt(600)), b = "y".repeat(20 + rnd.nextInt(600));
            double qa = rnd.nextGaussian(), qb = rnd.nextGaussian() - 0.5;
            items.add(new PreferenceItem("p" + i, "s", List.of(Message.user("q" + i)), List.of(a), List.of(b), Map.of()));
            results.add(ScoredItem.pair("p" + i, "s", "m", qa + 0.8 * Math.log(a.length()), qb + 0.8 * Math.log(b.length()), Map.of()));
        }
        CalibrationRun.Outcome o = Tare.calibrate(results, items, "lwr", "chars");
        double before = o.audit().before().correlations().getFirst().spearman().value();
        double after = o.audit().after().correlations().getFirst().spearman().value();
        assertTrue(before > 0.3, "injected bias measured: " + before);
        assertTrue(Math.abs(after) < 0.1, "removed: " + after);
        assertEquals(400, o.calibrated().size());
        assertThrows(IllegalArgumentException.class, () -> Tare.calibrate(results, items.subList(0, 10), "lwr", "chars"));
        assertThrows(IllegalArgumentException.class, () -> Tare.calibrate(results, items, "lwr"));
    }

    static String words(int[] ids, int from, int to) { return TinyCheckpoint.wordLevelText(ids, from, to); }
}
