package dev.tare.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.query.Query;
import dev.tare.bias.Feature;
import dev.tare.data.DataFormatException;
import dev.tare.data.Message;
import dev.tare.data.SharedData;
import dev.tare.debias.calibration.CalibrationRun;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.ResponsePool;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerException;
import dev.tare.scorers.local.LocalRewardScorer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TareScoringModel on the hf5-parity Qwen3 sequence classifier (saved and run by transformers 5.17): each golden row's
 * word-level tokens are exactly its golden ids, so every score must equal transformers' logit (≤ 1e-4), in input order,
 * and LangChain4j's own reranker must order the rows as the goldens do; a calibrated model must give tare-debias's rewards.
 */
class TareScoringModelTest {
    static final ObjectMapper OM = new ObjectMapper();
    /** user turn, a space, assistant turn: the rendered words are the query's then the segment's. */
    static final String PLAIN = "{% for m in messages %}{{ m['content'] }}{% if not loop.last %} {% endif %}{% endfor %}";
    /** Only the reply is rendered, so one query can carry rows with different first tokens (for reranking). */
    static final String REPLY_ONLY = "{% for m in messages %}{% if m['role'] == 'assistant' %}{{ m['content'] }}{% endif %}{% endfor %}";
    static final double TOL = 1e-4;

    @TempDir static Path tmp;
    static Path modelDir, replyOnly;
    static List<Row> rows;

    /** A golden row: its real (unpadded) ids as words and transformers' logit. */
    record Row(String name, String[] words, double logit) {
        String text() { return String.join(" ", words); }
    }

    static Path fixture() {
        String env = System.getenv("TARE_HF5_PARITY");
        Path root;
        if (env != null && !env.isBlank()) {
            root = Path.of(env);
            assertTrue(Files.isDirectory(root), "TARE_HF5_PARITY=" + env + " is not a folder");
        } else {
            var shared = SharedData.root();
            Assumptions.assumeTrue(shared.isPresent(), "hf5-parity: neither ../shared nor TARE_HF5_PARITY exists (user clone): skipping");
            root = shared.get().resolve("fixtures/hf5-parity");
        }
        Path p = root.resolve("qwen3-seqcls");
        assertTrue(Files.isDirectory(p), p + " is missing while " + root.getParent() + " is present");
        return p;
    }

    @BeforeAll
    static void setUp() throws Exception {
        Path src = fixture();
        modelDir = tmp.resolve("qwen3-seqcls");
        Files.createDirectories(modelDir);
        for (String f : List.of("config.json", "model.safetensors")) {
            assertTrue(Files.isRegularFile(src.resolve(f)), src.resolve(f) + " is missing");
            Files.copy(src.resolve(f), modelDir.resolve(f));
        }
        TinyCheckpoint.writeWordLevelTokenizer(modelDir, PLAIN, false);
        replyOnly = Files.writeString(tmp.resolve("reply-only.jinja"), REPLY_ONLY);
        assertTrue(Files.isRegularFile(src.resolve("goldens.json")), src + "/goldens.json is missing");
        rows = new ArrayList<>();
        for (JsonNode c : OM.readTree(src.resolve("goldens.json").toFile()).get("cases")) {
            JsonNode ids = c.get("input_ids"), mask = c.get("attention_mask");
            for (int b = 0; b < ids.size(); b++) {
                int n = ids.get(b).size(), first = 0, last = n - 1;
                if (mask != null && !mask.isNull()) {
                    while (first < n && mask.get(b).get(first).asInt() == 0) first++;
                    while (last >= 0 && mask.get(b).get(last).asInt() == 0) last--;
                }
                if (first > 0 || last < 1) continue;  // left padding shifts positions; a query + reply needs 2 tokens
                String[] w = new String[last + 1];
                for (int i = 0; i <= last; i++) w[i] = TinyCheckpoint.wordLevelToken(ids.get(b).get(i).asInt());
                rows.add(new Row(c.get("name").asText() + "[" + b + "]", w, Float.parseFloat(c.get("logits").get(b).get(0).asText())));
            }
        }
        assertTrue(rows.size() >= 6, "golden rows: " + rows.size());
        assertTrue(rows.stream().anyMatch(r -> r.name().startsWith("pad_id_inside_content")), "the pad-inside case is scored");
    }

    /** The rows with distinct texts (first occurrence), for reranking: LangChain4j's reranker keys scores by segment. */
    static List<Row> distinctRows() {
        Map<String, Row> m = new LinkedHashMap<>();
        for (Row r : rows) m.putIfAbsent(r.text(), r);
        return List.copyOf(m.values());
    }

    static List<TextSegment> segments(List<Row> rs) { return rs.stream().map(r -> TextSegment.from(r.text())).toList(); }

    /** The real scorer, recording the size of each call (to see the batching). */
    record Recording(RewardScorer inner, List<Integer> calls) implements RewardScorer {
        Recording(RewardScorer inner) { this(inner, Collections.synchronizedList(new ArrayList<>())); }
        @Override public String name() { return inner.name(); }
        @Override public double[] score(List<List<Message>> conversations) { calls.add(conversations.size()); return inner.score(conversations); }
        @Override public int preferredBatchSize() { return inner.preferredBatchSize(); }
        @Override public Map<String, Object> provenance() { return inner.provenance(); }
    }

    @Test
    void eachSegmentIsScoredAsTheReplyToTheQueryAsTransformers5() {
        try (LocalRewardScorer scorer = LocalRewardScorer.open(modelDir, LocalRewardScorer.Options.defaults())) {
            TareScoringModel model = TareScoringModel.of(scorer);
            double max = 0;
            for (Row r : rows) {
                int k = Math.max(1, r.words().length / 2);
                String query = String.join(" ", Arrays.copyOfRange(r.words(), 0, k));
                String reply = String.join(" ", Arrays.copyOfRange(r.words(), k, r.words().length));
                Response<List<Double>> all = model.scoreAll(List.of(TextSegment.from(reply)), query);
                assertEquals(1, all.content().size());
                double d = Math.abs(all.content().getFirst() - r.logit());
                assertTrue(d <= TOL, r.name() + ": |tare - transformers 5.17| = " + d);
                max = Math.max(max, d);
                // the interface's single-text paths give the same reward and keep the metadata
                Response<Double> one = model.score(reply, query);
                assertEquals(all.content().getFirst(), one.content());
                assertEquals(all.metadata(), one.metadata());
                assertNull(one.tokenUsage());
            }
            Response<List<Double>> any = model.scoreAll(List.of(TextSegment.from("w5")), "w6");
            assertEquals(Map.of("scorer", "qwen3-seqcls", "score_token", "last-non-pad", "calibrated", false), any.metadata());
            System.out.printf("TareScoringModel.scoreAll (query = user turn) %d rows, max |diff| vs transformers 5.17 %.3g%n", rows.size(), max);
        }
    }

    @Test
    void scoresKeepInputOrderAcrossBatchesAndLangChain4jRerankingFollowsTheGoldens() {
        var opts = LocalRewardScorer.Options.defaults().withChatTemplate(replyOnly).withBatchSize(3);
        try (LocalRewardScorer local = LocalRewardScorer.open(modelDir, opts)) {
            Recording scorer = new Recording(local);
            TareScoringModel model = TareScoringModel.of(scorer);
            String query = "Which reply is best?";
            List<Double> got = model.scoreAll(segments(rows), query).content();
            assertEquals(rows.size(), got.size());
            double max = 0;
            for (int i = 0; i < rows.size(); i++) {
                double d = Math.abs(got.get(i) - rows.get(i).logit());
                assertTrue(d <= TOL, "segment " + i + " " + rows.get(i).name() + ": |tare - transformers 5.17| = " + d);
                max = Math.max(max, d);
            }
            List<Integer> batches = new ArrayList<>();
            for (int left = rows.size(); left > 0; left -= 3) batches.add(Math.min(3, left));
            assertEquals(batches, scorer.calls(), "batches of the scorer's preferred size 3");

            // LangChain4j's reranker over the distinct rows: best first, as transformers' logits order them
            List<Row> distinct = distinctRows();
            assertTrue(distinct.size() >= 5, "distinct rows " + distinct.size());
            List<Row> expected = distinct.stream().sorted(Comparator.comparingDouble(Row::logit).reversed()).toList();
            for (int i = 1; i < expected.size(); i++)
                assertTrue(expected.get(i - 1).logit() - expected.get(i).logit() > 2 * TOL, "goldens order the rows unambiguously");
            List<Content> contents = segments(distinct).stream().map(Content::from).toList();
            List<Content> reranked = new ReRankingContentAggregator(model).aggregate(Map.of(Query.from(query), List.of(contents)));
            assertEquals(expected.stream().map(Row::text).toList(), reranked.stream().map(c -> c.textSegment().text()).toList());
            for (Content c : reranked) {
                Row r = distinct.stream().filter(x -> x.text().equals(c.textSegment().text())).findFirst().orElseThrow();
                assertEquals(r.logit(), (Double) c.metadata().get(ContentMetadata.RERANKED_SCORE), TOL, r.name());
            }
            System.out.printf("TareScoringModel.scoreAll (one query, batches %s) %d rows, max |diff| vs transformers 5.17 %.3g; reranked %s%n",
                    scorer.calls().subList(0, batches.size()), rows.size(), max, expected.stream().map(Row::name).toList());
        }
    }

    @Test
    void badArgumentsAndScorerFailuresNameTheSegment(@TempDir Path dir) throws Exception {
        var opts = LocalRewardScorer.Options.defaults().withMaxLength(40).withBatchSize(3);
        try (LocalRewardScorer local = LocalRewardScorer.open(modelDir, opts)) {
            Recording scorer = new Recording(local);
            TareScoringModel model = TareScoringModel.of(scorer);
            TextSegment s = TextSegment.from("w5 w6");
            for (String q : new String[]{null, "", " \n\t"}) {
                var e = assertThrows(IllegalArgumentException.class, () -> model.scoreAll(List.of(s), q));
                assertTrue(e.getMessage().contains("query"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> model.scoreAll(null, "w7"));
            var e = assertThrows(IllegalArgumentException.class, () -> model.scoreAll(Arrays.asList(s, null), "w7"));
            assertEquals("segment 1 is null", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.score((TextSegment) null, "w7"));
            assertThrows(IllegalArgumentException.class, () -> model.score("  ", "w7"));  // LangChain4j: a blank text is no segment
            assertEquals(List.of(), scorer.calls(), "nothing scored on bad arguments");

            Response<List<Double>> empty = model.scoreAll(List.of(), "w7");
            assertEquals(List.of(), empty.content());
            assertEquals(List.of(), scorer.calls(), "an empty list scores nothing");

            // segment 4 (second batch) is a 100-token reply, over max-length 40: the error names it, keeping the bad-input flag
            Row longest = rows.stream().max(Comparator.comparingInt(r -> r.words().length)).orElseThrow();
            assertTrue(longest.words().length > 40);
            List<Row> shortRows = rows.stream().filter(r -> r.words().length < 39).toList();
            List<TextSegment> segs = new ArrayList<>();
            for (int i = 0; i < 6; i++) segs.add(TextSegment.from(i == 4 ? longest.text() : shortRows.get(i % shortRows.size()).text()));
            var fail = assertThrows(ScorerException.class, () -> model.scoreAll(segs, "w7"));
            assertTrue(fail.getMessage().startsWith("segment 4: "), fail.getMessage());
            assertTrue(fail.getMessage().contains("over the max length 40"), fail.getMessage());
            assertTrue(fail.badInput(), "the input is at fault");

            // a calibrator failure names the segment too
            TareScoringModel broken = TareScoringModel.builder().scorer(scorer)
                    .calibrator((r, t) -> t.contains("w18") ? Double.NaN : r).build();
            List<TextSegment> two = List.of(TextSegment.from("w5 w6"), TextSegment.from("w18 w126"));
            var nan = assertThrows(ScorerException.class, () -> broken.scoreAll(two, "w7"));
            assertTrue(nan.getMessage().startsWith("segment 1: the calibrator returned a non-finite reward NaN"), nan.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> TareScoringModel.builder().build());
        // a calibrator file with a feature tare does not measure: refused at load, naming the file and step
        Path bad = dir.resolve("bad.json");
        CalibratorFile.write(bad, List.of(Calibrator.penalty("sentiment", 1.0)));
        var dfe = assertThrows(DataFormatException.class, () -> FittedCalibrator.load(bad));
        assertEquals("steps[0].feature", dfe.field());
    }

    @Test
    void calibratedRewardsAreTareDebiasCalibrationOfTheSameResponses(@TempDir Path dir) throws Exception {
        List<Row> distinct = distinctRows();
        List<TextSegment> segs = segments(distinct);
        List<String> texts = distinct.stream().map(Row::text).toList();
        String query = "Which reply is best?";
        var opts = LocalRewardScorer.Options.defaults().withChatTemplate(replyOnly).withBatchSize(2);
        try (LocalRewardScorer scorer = LocalRewardScorer.open(modelDir, opts); HfTokenizer tok = HfTokenizer.load(modelDir)) {
            double[] raw = TareScoringModel.of(scorer).scoreAll(segs, query).content().stream().mapToDouble(Double::doubleValue).toArray();

            // fit penalty:chars then lwr:tokens (the word-level tokenizer) on these responses with tare-debias
            ToIntFunction<String> tokens = CalibratorFile.tokenCount(tok);
            int n = texts.size();
            Map<String, double[]> features = new LinkedHashMap<>();
            for (Feature f : List.of(Feature.CHARS, Feature.TOKENS))
                features.put(f.cliName(), texts.stream().mapToDouble(t -> f.of(t, tokens)).toArray());
            int[] item = IntStream.range(0, n).toArray();
            boolean[] chosen = new boolean[n];
            Arrays.fill(chosen, true);
            var chain = List.of(new RewardCalibration.Step(Method.PENALTY, "chars"), new RewardCalibration.Step(Method.LWR, "tokens"));
            RewardCalibration.Result fit = RewardCalibration.calibrate(chain, new ResponsePool(raw, item, chosen), features, CalibrationSettings.defaults());
            Path file = dir.resolve("calibrator.json");
            CalibratorFile.write(file, fit.steps(), CalibratorFile.TokenizerRef.of(modelDir));

            try (FittedCalibrator cal = FittedCalibrator.load(file)) {
                TareScoringModel model = TareScoringModel.builder().scorer(scorer).calibrator(cal).build();
                Response<List<Double>> r = model.scoreAll(segs, query);
                assertEquals(true, r.metadata().get("calibrated"));
                List<Double> got = r.content();
                // 1. the fit's own calibrated scores (raw − 0.001·chars − b_lwr(tokens)) on the same raw rewards
                for (int i = 0; i < n; i++) {
                    assertEquals(fit.scores()[i], got.get(i), 1e-12, distinct.get(i).name());
                    assertTrue(Math.abs(got.get(i) - raw[i]) > 1e-3, distinct.get(i).name() + ": calibration moved the reward");
                }
                // 2. `tare calibrate --apply` (CalibrationRun.apply) on transformers' logits of the same responses
                List<ScoredItem> items = new ArrayList<>();
                for (int i = 0; i < n; i++)
                    items.add(ScoredItem.pair("p" + i, "s", "m", distinct.get(i).logit(), distinct.get((i + 1) % n).logit(), Map.of()));
                Map<String, dev.tare.debias.audit.AuditInput.Texts> byId = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) byId.put("p" + i, new dev.tare.debias.audit.AuditInput.Texts(List.of(texts.get(i)), List.of(texts.get((i + 1) % n))));
                var applied = CalibrationRun.apply(items, it -> byId.get(it.id()), CalibrationRun.Kind.PAIRS, cal.steps(), tokens,
                        new Bootstrap(50, 1L, 0.95));
                double max = 0;
                for (int i = 0; i < n; i++) {
                    double d = Math.abs(got.get(i) - applied.calibrated().get(i).scoresChosen().getFirst());
                    assertTrue(d <= TOL, distinct.get(i).name() + ": |calibrated tare - calibrated transformers 5.17| = " + d);
                    max = Math.max(max, d);
                }
                // 3. the tokens step counted with the recorded tokenizer: the approximate count would give other rewards
                TareScoringModel approx = TareScoringModel.builder().scorer(scorer).calibrator(FittedCalibrator.of(cal.steps(), null)).build();
                List<Double> other = approx.scoreAll(segs, query).content();
                assertTrue(IntStream.range(0, n).anyMatch(i -> Math.abs(other.get(i) - got.get(i)) > 1e-6),
                        "approximate token counts would change the calibrated rewards: " + other + " vs " + got);
                System.out.printf("TareScoringModel calibrated (%s) %d rows, max |diff| vs tare calibrate --apply on transformers 5.17 logits %.3g%n",
                        cal.steps().stream().map(Calibrator::toString).collect(Collectors.joining(" then ")), n, max);
            }
        }
    }
}
