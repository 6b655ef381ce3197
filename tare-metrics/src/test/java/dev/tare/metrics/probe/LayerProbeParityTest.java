package dev.tare.metrics.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.SharedData;
import dev.tare.data.npy.NpyArray;
import dev.tare.metrics.stats.Bootstrap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Per-layer probes against scikit-learn (LogisticRegression C=1, lbfgs, L2, intercept; 4 folds by i % 4) on the
 * stored activations of steer-probe-llama-causal: coefficients ≤ 1e-4 relative, intercepts, fold accuracies equal,
 * difference of means. Folder: $TARE_STEERING or ../shared/fixtures/steer-probe-llama-causal.
 */
class LayerProbeParityTest {

    static Path dir() {
        String env = System.getenv("TARE_STEERING");
        Path d;
        if (env != null && !env.isBlank()) {
            d = Path.of(env);
        } else {
            Optional<Path> shared = SharedData.root();
            Assumptions.assumeTrue(shared.isPresent(), "probe fixtures: neither ../shared nor TARE_STEERING exists (user clone): skipping");
            d = shared.get().resolve("fixtures/steer-probe-llama-causal");
        }
        if (!Files.isDirectory(d)) fail("steering/probe fixture folder " + d + " is missing");
        for (String f : List.of("goldens.json", "probe_activations.npy"))
            if (!Files.isRegularFile(d.resolve(f))) fail(d.resolve(f) + " is missing");
        return d;
    }

    static JsonNode need(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) fail(where + ": goldens field '" + field + "' is missing");
        return v;
    }

    static double[] doubles(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asDouble();
        return r;
    }

    @Test
    void probesMatchScikitLearn() throws IOException {
        Path d = dir();
        JsonNode g = new ObjectMapper().readTree(d.resolve("goldens.json").toFile());
        NpyArray acts = NpyArray.read(d.resolve("probe_activations.npy"));
        int[] shape = acts.shape();
        assertEquals(3, shape.length, "probe_activations.npy rank");
        JsonNode labels = need(g, "probe_labels", "goldens");
        int n = labels.size();
        assertEquals(n, shape[1], "items in probe_activations.npy vs probe_labels");
        int[] y = new int[n], fold = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.get(i).asInt();
            fold[i] = i % 4; // the fixture's folds (probe_rule: "4 folds by i%4")
        }
        assertTrue(need(g, "probe_rule", "goldens").asText().contains("4 folds by i%4"), "the fixture's fold rule changed");
        JsonNode probes = need(g, "probes", "goldens");
        assertEquals(shape[0], probes.size(), "one golden probe per stored layer");
        double worstRel = 0, worstIntercept = 0, worstDom = 0;
        for (JsonNode p : probes) {
            int l = need(p, "hidden_states_index", "probe").asInt();
            String where = "hidden_states[" + l + "]";
            double[][] x = new double[n][shape[2]];
            for (int i = 0; i < n; i++) for (int j = 0; j < shape[2]; j++) x[i][j] = acts.get(l, i, j);
            LayerProbe r = LayerProbe.run(x, y, fold, 1.0, Bootstrap.defaults());
            double[] want = doubles(need(p, "coef", where)), got = r.fit().coef();
            assertEquals(want.length, got.length, where + ": coefficient count");
            double num = 0, den = 0;
            for (int j = 0; j < want.length; j++) {
                num = Math.max(num, Math.abs(got[j] - want[j]));
                den = Math.max(den, Math.abs(want[j]));
            }
            double rel = num / den;
            worstRel = Math.max(worstRel, rel);
            assertTrue(rel <= 1e-4, where + ": coefficients differ by " + rel + " (relative to max |coef|)");
            double wantB = need(p, "intercept", where).asDouble();
            double db = Math.abs(r.fit().intercept() - wantB);
            worstIntercept = Math.max(worstIntercept, db);
            assertTrue(db <= 1e-4 * Math.max(1, Math.abs(wantB)), where + ": intercept " + r.fit().intercept() + " vs " + wantB);
            assertArrayEquals(doubles(need(p, "cv4_accuracy", where)), r.foldAccuracy(), 0, where + ": fold accuracies");
            double[] dom = doubles(need(p, "diff_of_means", where)), gotDom = r.diffOfMeans();
            for (int j = 0; j < dom.length; j++) worstDom = Math.max(worstDom, Math.abs(dom[j] - gotDom[j]));
            assertArrayEquals(dom, gotDom, 1e-9, where + ": difference of means");
            assertEquals(0.5, r.majorityBaseline(), 0, where + ": majority baseline (labels alternate)");
            double pooled = 0;
            for (double a : r.foldAccuracy()) pooled += a / 4;
            assertEquals(pooled, r.accuracy().value(), 1e-12, where + ": pooled out-of-fold accuracy (equal folds)");
        }
        System.out.printf("probe parity: %d layers, max coef rel diff %.3g, max intercept diff %.3g, max diff-of-means diff %.3g%n",
                probes.size(), worstRel, worstIntercept, worstDom);
    }

    @Test
    void groupedFoldsKeepAnItemTogetherAndAreSeeded() {
        List<String> groups = List.of("a", "a", "b", "c", "c", "d", "e", "f");
        int[] f1 = LayerProbe.groupedFolds(groups, 3, 7), f2 = LayerProbe.groupedFolds(groups, 3, 7);
        assertArrayEquals(f1, f2);
        assertEquals(f1[0], f1[1]);
        assertEquals(f1[3], f1[4]);
        int[] counts = new int[3];
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < groups.size(); i++) if (seen.add(groups.get(i))) counts[f1[i]]++;
        for (int c : counts) assertEquals(2, c, "6 groups dealt evenly over 3 folds");
        assertThrows(IllegalArgumentException.class, () -> LayerProbe.groupedFolds(List.of("a", "b"), 3, 1));
    }

    @Test
    void fitRejectsBadInput() {
        double[][] x = {{1}, {2}};
        assertThrows(IllegalArgumentException.class, () -> LogisticRegression.fit(x, new int[]{1, 1}, 1));
        assertThrows(IllegalArgumentException.class, () -> LogisticRegression.fit(x, new int[]{0, 2}, 1));
        assertThrows(IllegalArgumentException.class, () -> LogisticRegression.fit(x, new int[]{0, 1}, 0));
        assertThrows(IllegalArgumentException.class, () -> LogisticRegression.fit(new double[][]{{1}, {Double.NaN}}, new int[]{0, 1}, 1));
    }
}
