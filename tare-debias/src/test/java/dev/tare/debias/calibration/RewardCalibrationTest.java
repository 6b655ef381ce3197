package dev.tare.debias.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RewardCalibrationTest {
    static double[] arr(JsonNode n) {
        double[] a = new double[n.size()];
        for (int i = 0; i < a.length; i++) a[i] = n.get(i).asDouble();
        return a;
    }

    /** A pool of pairs: response 2i is chosen, 2i+1 rejected, both of item i. */
    static ResponsePool pairs(double[] s) {
        int[] item = new int[s.length];
        boolean[] ch = new boolean[s.length];
        for (int i = 0; i < s.length; i++) { item[i] = i / 2; ch[i] = i % 2 == 0; }
        return new ResponsePool(s, item, ch);
    }

    @Test
    void lwrEqualsTheRepoLookupOnStatsmodelsGolden() throws Exception {
        var root = SharedData.root();
        assumeTrue(root.isPresent(), "shared/ folder not found: skipping");
        JsonNode c = new ObjectMapper().readTree(root.get().resolve("fixtures/lowess/statsmodels-goldens.json").toFile())
                .get("cases").get(0);
        assertEquals("rewardbench_like_frac1", c.get("name").asText());
        double[] x = arr(c.get("x")), y = arr(c.get("y")), lookup = arr(c.get("lookup_at_inputs"));
        // the repo: calibrated = score - 1.0 * L[bisect_left(L[:,0], x), 1] with L = lowess(y, x, frac=1.0)
        var res = RewardCalibration.calibrate(Method.LWR, pairs(y), Map.of("chars", x), CalibrationSettings.defaults());
        for (int i = 0; i < x.length; i++)
            assertEquals(y[i] - lookup[i], res.scores()[i], 1e-11, "response " + i);
        Calibrator cal = res.steps().get(0);
        assertTrue(cal.xs().length < x.length, "ties collapse to one point per distinct length");
    }

    @Test
    void penaltyThenLwrChainIsTheRepoSequence(@TempDir Path dir) throws Exception {
        var root = SharedData.root();
        assumeTrue(root.isPresent(), "shared/ folder not found: skipping");
        JsonNode c = new ObjectMapper().readTree(root.get().resolve("fixtures/lowess/statsmodels-goldens.json").toFile())
                .get("cases").get(0);
        double[] x = arr(c.get("x")), y = arr(c.get("y"));
        // the repo's with_penalty LWR: s <- s - 0.001 * len, then L = lowess(s, len, frac=1.0), s <- s - L[bisect_left(len)]
        double[] pen = new double[y.length];
        for (int i = 0; i < y.length; i++) pen[i] = y[i] - 0.001 * x[i];
        var fit = dev.tare.debias.lowess.Lowess.fit(pen, x, 1.0, 3, 0.0);
        var chain = List.of(RewardCalibration.Step.parse("penalty:chars"), RewardCalibration.Step.parse("lwr:chars"));
        var res = RewardCalibration.calibrate(chain, pairs(y), Map.of("chars", x), CalibrationSettings.defaults());
        for (int i = 0; i < x.length; i++)
            assertEquals(pen[i] - fit.lookup(x[i]), res.scores()[i], 1e-11, "response " + i);
        assertEquals(List.of(Method.PENALTY, Method.LWR), res.steps().stream().map(Calibrator::method).toList());
        // stored per step: the saved chain reproduces the calibrated scores
        Path f = dir.resolve("chain.json");
        CalibratorFile.write(f, res.steps());
        var steps = CalibratorFile.read(f);
        assertEquals(res.steps(), steps);
        for (int i = 0; i < x.length; i++)
            assertEquals(res.scores()[i], CalibratorFile.apply(steps, Map.of("chars", x[i]), y[i]), 1e-12);
        // the one-method form is the same as a chain of that method
        var one = RewardCalibration.calibrate(Method.LWR, pairs(y), Map.of("chars", x), CalibrationSettings.defaults());
        var asChain = RewardCalibration.calibrate(List.of(new RewardCalibration.Step(Method.LWR, "chars")), pairs(y), Map.of("chars", x), CalibrationSettings.defaults());
        assertArrayEquals(one.scores(), asChain.scores());
        // local linear LOWESS is linear-equivariant (same residuals, same robustness weights): a per-char penalty
        // before LWR on the same feature is absorbed, leaving LWR alone's scores (up to rounding; see calib.md)
        for (int i = 0; i < x.length; i++) assertEquals(one.scores()[i], res.scores()[i], 1e-9, "response " + i);
        assertThrows(IllegalArgumentException.class, () -> RewardCalibration.Step.parse("lwr"));
        assertThrows(IllegalArgumentException.class, () -> RewardCalibration.Step.parse("median:chars"));
    }

    @Test
    void tokenizerIsRecordedAndCheckedOnApply(@TempDir Path dir) throws Exception {
        var tokDir = SharedData.data("tokenizers").map(d -> d.resolve("llama3_1")).filter(Files::isDirectory);
        assumeTrue(tokDir.isPresent(), "../shared/data/tokenizers absent: skipping");
        var steps = List.of(Calibrator.penalty("tokens", 0.5));
        Path f = dir.resolve("c.json");
        CalibratorFile.write(f, steps, CalibratorFile.TokenizerRef.of(tokDir.get()));
        JsonNode json = new ObjectMapper().readTree(f.toFile());
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(tokDir.get().resolve("tokenizer.json"))));
        assertEquals(sha, json.at("/tokenizer/sha256").asText());
        assertEquals(tokDir.get().toAbsolutePath().normalize().toString(), json.at("/tokenizer/path").asText());
        var loaded = CalibratorFile.load(f);
        try (var tok = CalibratorFile.tokenizerFor(f, loaded, null)) {
            assertNotNull(tok);
            assertEquals(tok.encode("Hello world", true).length, CalibratorFile.tokenCount(tok).applyAsInt("Hello world"));
        }
        // another tokenizer: refused, naming the calibrator file and field
        Path other = SharedData.data("tokenizers").get().resolve("qwen3");
        var e = assertThrows(DataFormatException.class, () -> CalibratorFile.tokenizerFor(f, loaded, other));
        assertEquals("tokenizer.sha256", e.field());
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(sha), e.getMessage());
        // a recorded tokenizer that is gone
        Files.writeString(f, Files.readString(f).replace(json.at("/tokenizer/path").asText().replace("\\", "\\\\"), dir.resolve("gone").toString()));
        var gone = assertThrows(DataFormatException.class, () -> CalibratorFile.tokenizerFor(f, CalibratorFile.load(f), null));
        assertEquals("tokenizer.path", gone.field());
        // fitted with the approximate count: a tokenizer is refused, none is fine
        Path approx = dir.resolve("a.json");
        CalibratorFile.write(approx, steps, null);
        assertNull(CalibratorFile.load(approx).tokenizer());
        assertNull(CalibratorFile.tokenizerFor(approx, CalibratorFile.load(approx), null));
        var e2 = assertThrows(DataFormatException.class, () -> CalibratorFile.tokenizerFor(approx, CalibratorFile.load(approx), tokDir.get()));
        assertEquals("tokenizer", e2.field());
        // no tokens step: nothing recorded
        Path chars = dir.resolve("ch.json");
        CalibratorFile.write(chars, List.of(Calibrator.penalty("chars", 0.001)), CalibratorFile.TokenizerRef.of(tokDir.get()));
        assertFalse(new ObjectMapper().readTree(chars.toFile()).has("tokenizer"));
    }

    @Test
    void curveInterpolatesBetweenPointsAndClampsOutside() {
        Calibrator c = new Calibrator(Method.LWR, "chars", 2.0, 0, new double[]{10, 20, 40}, new double[]{1, 3, 2}, Map.of());
        assertEquals(1, c.bias(10));
        assertEquals(2, c.bias(15));      // halfway between (10,1) and (20,3)
        assertEquals(2.5, c.bias(30));
        assertEquals(1, c.bias(-5));      // constant below
        assertEquals(2, c.bias(1000));    // constant above
        assertEquals(5 - 2.0 * 2.5, c.apply(30, 5), 0.0);
        assertThrows(IllegalArgumentException.class,
                () -> new Calibrator(Method.LWR, "chars", 1, 0, new double[]{2, 1}, new double[]{0, 0}, Map.of()));
    }

    @Test
    void penaltySubtractsPerUnit() {
        double[] s = {1.0, 0.5, 2.0, 2.5};
        double[] len = {100, 900, 1500, 20};
        var res = RewardCalibration.calibrate(Method.PENALTY, pairs(s), Map.of("chars", len), CalibrationSettings.defaults());
        assertArrayEquals(new double[]{1.0 - 0.1, 0.5 - 0.9, 2.0 - 1.5, 2.5 - 0.02}, res.scores(), 1e-15);
    }

    @Test
    void meanWindowReplicatesTheRepoOffByOneAndItsPairRule() {
        // 3 pairs: (0,1), (2,3), (4,10); mean |diff| = 8/3, ratio 4/3 -> half-width d = 2
        double[] f = {0, 1, 2, 3, 4, 10};
        double[] s = {1, 2, 4, 8, 16, 32};
        var st = CalibrationSettings.defaults().withRatio(4.0 / 3).withMinCount(1);
        var exact = RewardCalibration.calibrate(Method.MEAN, pairs(s), Map.of("chars", f), st);
        // v = 2: window [0, 4] -> repo takes S[bisect_left(F,0) : bisect_right(F,4) - 1] = S[0:4] (drops f=4)
        double m2 = (1 + 2 + 4 + 8) / 4.0;
        // v = 3: [1, 5] -> S[1:4] ; pair 1 (f=2 chosen, f=3 rejected) is calibrated
        double m3 = (2 + 4 + 8) / 3.0;
        assertEquals(4 - m2, exact.scores()[2], 1e-12);
        assertEquals(8 - m3, exact.scores()[3], 1e-12);
        // v = 10: window [8, 12] -> S[5:5] empty -> pair 2 left unchanged (both responses)
        assertEquals(16, exact.scores()[4]);
        assertEquals(32, exact.scores()[5]);
        // inclusive window: v = 2 averages all of f in [0,4]; v = 10 has itself
        var incl = RewardCalibration.calibrate(Method.MEAN, pairs(s), Map.of("chars", f), st.withExactRepoWindow(false));
        assertEquals(4 - (1 + 2 + 4 + 8 + 16) / 5.0, incl.scores()[2], 1e-12);
        assertEquals(32 - 32, incl.scores()[5], 1e-12);
        // minCount 4, repo window: v=0 -> S[0:2] and v=3 -> S[1:4] (3 items) are too small: pairs 0, 1 unchanged
        var strict = RewardCalibration.calibrate(Method.MEAN, pairs(s), Map.of("chars", f), st.withMinCount(4));
        assertArrayEquals(new double[]{1, 2, 4, 8, 16, 32}, strict.scores(), 0.0);
        // minCount 4, inclusive window: v=2 -> 5 items, v=3 -> S[1:5] = 4 items: pair 1 calibrated, pair 0 (v=0: 3) not
        var strictIncl = RewardCalibration.calibrate(Method.MEAN, pairs(s), Map.of("chars", f),
                st.withMinCount(4).withExactRepoWindow(false));
        assertEquals(1, strictIncl.scores()[0]);
        assertEquals(4 - (1 + 2 + 4 + 8 + 16) / 5.0, strictIncl.scores()[2], 1e-12);
        assertEquals(8 - (2 + 4 + 8 + 16) / 4.0, strictIncl.scores()[3], 1e-12);
        // the saved curve keeps only points whose window is large enough
        Calibrator c = strictIncl.steps().get(0);
        assertArrayEquals(new double[]{1, 2, 3}, c.xs(), 0.0);
    }

    @Test
    void featuresApplyInSequenceOnCalibratedScores() {
        int n = 200;
        double[] len = new double[n], md = new double[n], s = new double[n];
        var rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            len[i] = 100 + rnd.nextInt(1000);
            md[i] = rnd.nextInt(8);
            s[i] = 0.002 * len[i] + 0.3 * md[i] + rnd.nextGaussian() * 0.2;
        }
        var st = CalibrationSettings.defaults().withFrac(0.5);
        Map<String, double[]> feats = new LinkedHashMap<>();
        feats.put("chars", len);
        feats.put("markdown", md);
        var both = RewardCalibration.calibrate(Method.LWR, pairs(s), feats, st);
        var first = RewardCalibration.calibrate(Method.LWR, pairs(s), Map.of("chars", len), st);
        var second = RewardCalibration.calibrate(Method.LWR, pairs(first.scores()), Map.of("markdown", md), st);
        assertArrayEquals(second.scores(), both.scores(), 0.0);
        assertEquals(List.of("chars", "markdown"), both.steps().stream().map(Calibrator::feature).toList());
        for (int i = 0; i < n; i++)
            assertEquals(both.scores()[i], CalibratorFile.apply(both.steps(), Map.of("chars", len[i], "markdown", md[i]), s[i]), 1e-12);
    }

    @Test
    void fileRoundTripAndClearErrors(@TempDir Path dir) throws Exception {
        var steps = List.of(
                new Calibrator(Method.LWR, "chars", 1.0, 0, new double[]{1, 2.5, 7}, new double[]{0.1, -0.2, 0.3}, Map.of("frac", 1.0)),
                Calibrator.penalty("tokens", 0.001));
        Path f = dir.resolve("cal.json");
        CalibratorFile.write(f, steps);
        assertEquals(steps, CalibratorFile.read(f));
        try (var s = Files.list(dir)) { assertEquals(1, s.count(), "no temp file left behind"); }

        Files.writeString(f, Files.readString(f).replace("[ 2.5, -0.2 ]", "[ 2.5, \"x\" ]"));
        var e = assertThrows(DataFormatException.class, () -> CalibratorFile.read(f));
        assertTrue(e.getMessage().contains("steps[0].points[1]"), e.getMessage());
        Files.writeString(f, "{\"format\":\"other\"}");
        assertTrue(assertThrows(DataFormatException.class, () -> CalibratorFile.read(f)).getMessage().contains("format"));
    }

    @Test
    void calibratingTwiceWritesByteIdenticalFilesWithParamsInFitOrder(@TempDir Path dir) throws Exception {
        int n = 200;
        double[] len = new double[n], md = new double[n], s = new double[n];
        var rnd = new java.util.SplittableRandom(11);
        for (int i = 0; i < n; i++) {
            len[i] = 50 + rnd.nextInt(900);
            md[i] = rnd.nextInt(6);
            s[i] = 0.002 * len[i] + 0.3 * md[i] + rnd.nextDouble();
        }
        var chain = List.of(RewardCalibration.Step.parse("lwr:chars"), RewardCalibration.Step.parse("mean:markdown"));
        var st = CalibrationSettings.defaults().withMinCount(1);
        Path a = dir.resolve("a.json"), b = dir.resolve("b.json");
        CalibratorFile.write(a, RewardCalibration.calibrate(chain, pairs(s), Map.of("chars", len, "markdown", md), st).steps());
        CalibratorFile.write(b, RewardCalibration.calibrate(chain, pairs(s.clone()), Map.of("chars", len.clone(), "markdown", md.clone()), st).steps());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "two calibrations of the same input, byte for byte");
        // the order does not hang on this JVM's hashing: the keys stand in the order each fit records them
        JsonNode steps = new ObjectMapper().readTree(a.toFile()).get("steps");
        assertEquals(List.of("frac", "it", "delta", "n"), fieldNames(steps.get(0).get("params")));
        assertEquals(List.of("halfWidth", "ratio", "minCount", "exactRepoWindow", "seed"), fieldNames(steps.get(1).get("params")));
        // and a file read back writes back unchanged
        CalibratorFile.write(b, CalibratorFile.read(a));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "read then written again, byte for byte");
    }

    static List<String> fieldNames(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
