package dev.tare.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.tare.runtime.model.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every base/merged model folder of hf-parity vs transformers 4.46.3 goldens (float32, ≤ 1e-4 abs), and the fixture
 * folder itself: the expected folders, their case counts and SHA256SUMS.
 */
class HfParityTest {
    static final double TOL = 1e-4;

    @Test
    void fixtureFolderIsCompleteAndUnaltered() throws Exception {
        Path root = root();
        assertEquals(16, FOLDERS.size());
        assertEquals(new TreeSet<>(FOLDERS), new TreeSet<>(foldersOnDisk()), "hf-parity folders with goldens.json under " + root);
        assertTrue(Files.isRegularFile(root.resolve(TOLERANCES_FILE)), root.resolve(TOLERANCES_FILE) + " is missing");
        // case counts straight from the goldens (the tests below also count what they check)
        for (String f : FOLDERS) {
            JsonNode g = goldens(dir(f));
            int n = ADAPTER_FOLDERS.contains(f)
                    ? sum(need(g, "sweeps", f)) + need(g, "adapters_disabled_cases", f).size()
                    : need(g, "cases", f).size() + (g.has("unmerged_lambda_neg0.5_cases_for_comparison") ? g.get("unmerged_lambda_neg0.5_cases_for_comparison").size() : 0);
            assertCases(f, n);
        }
        // SHA256SUMS: every listed file exists with that hash, and every file of an expected folder is listed
        Path sums = root.resolve("SHA256SUMS");
        assertTrue(Files.isRegularFile(sums), sums + " is missing");
        Map<String, String> listed = new TreeMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(sums)) {
            lineNo++;
            if (line.isBlank()) continue;
            Matcher m = SUM_LINE.matcher(line);
            assertTrue(m.matches(), sums + ":" + lineNo + ": not a sha256sum line: " + line);
            assertNull(listed.put(m.group(2), m.group(1)), sums + ":" + lineNo + ": " + m.group(2) + " listed twice");
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (var e : listed.entrySet()) {
            Path f = root.resolve(e.getKey());
            assertTrue(Files.isRegularFile(f), "SHA256SUMS lists " + e.getKey() + ", which is missing");
            String got = HexFormat.of().formatHex(sha.digest(Files.readAllBytes(f)));
            assertEquals(e.getValue(), got, "sha256 of " + f + " (mixed with files from elsewhere?)");
        }
        assertTrue(listed.containsKey(TOLERANCES_FILE), "SHA256SUMS does not list " + TOLERANCES_FILE);
        for (String f : FOLDERS) {
            try (Stream<Path> s = Files.list(root.resolve(f))) {
                for (Path p : s.filter(Files::isRegularFile).toList())
                    assertTrue(listed.containsKey(f + "/" + p.getFileName()), p + " is not listed in SHA256SUMS");
            }
            assertTrue(listed.containsKey(f + "/goldens.json"), f + "/goldens.json is not listed in SHA256SUMS");
        }
    }

    private static final Pattern SUM_LINE = Pattern.compile("([0-9a-f]{64}) [ *](\\S.*)");

    private static int sum(JsonNode sweeps) {
        int n = 0;
        for (JsonNode s : sweeps) n += s.get("cases").size();
        return n;
    }

    @TestFactory
    List<DynamicTest> everyModelFolder() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : MODEL_FOLDERS) tests.add(DynamicTest.dynamicTest(name, () -> check(dir(name))));
        return tests;
    }

    private void check(Path dir) {
        JsonNode g = goldens(dir);
        assertTrue(Files.isRegularFile(dir.resolve("config.json")), dir + "/config.json is missing");
        double max = 0;
        int n = 0;
        try (Model m = ModelLoader.load(dir)) {
            if (m instanceof RewardModel loaded) {
                // transformers 4.46 goldens: its first-pad-minus-one score token (tare's default is the current last-non-pad)
                RewardModel rm = loaded.withScoreTokenRule(ScoreTokenRule.FIRST_PAD_MINUS_ONE);
                for (JsonNode c : need(g, "cases", dir)) {
                    max = Math.max(max, checkSeqCls(rm, c, "logits", dir));
                    n++;
                }
                JsonNode unmerged = g.get("unmerged_lambda_neg0.5_cases_for_comparison");
                if (dir.getFileName().toString().startsWith("merged-")) assertNotNull(unmerged, dir + ": no unmerged comparison cases");
                if (unmerged != null) for (JsonNode c : unmerged) { max = Math.max(max, checkSeqCls(rm, c, "logits", dir)); n++; }
            } else if (m instanceof CausalLM lm) {
                int greedy = 0;
                for (JsonNode c : need(g, "cases", dir)) {
                    max = Math.max(max, checkCausal(lm, c, dir));
                    if (c.has("greedy_next_tokens")) greedy++;
                    n++;
                }
                assertEquals(4, greedy, dir + ": cases with greedy_next_tokens");
            } else fail(dir + ": loaded as neither a reward model nor a causal LM");
            if (!dir.getFileName().toString().startsWith("merged-")) need(g, "debug", dir);
            if (g.has("debug")) max = Math.max(max, checkDebug(m, g.get("debug"), dir));
        }
        assertCases(dir.getFileName().toString(), n);
        System.out.printf("hf-parity %-45s %2d cases, max |diff| %.3g%n", dir.getFileName(), n, max);
    }

    static double checkSeqCls(RewardModel rm, JsonNode c, String field, Path dir) {
        String name = dir.getFileName() + "/" + c.get("name").asText();
        int[][] ids = ints2(c.get("input_ids"));
        int[][] mask = ints2(c.get("attention_mask"));
        int[][] pos = ints2(c.get("position_ids"));
        int[] idx = ints(c.get("score_index"));
        for (int b = 0; b < ids.length; b++)
            assertEquals(idx[b], ScoreTokenRule.FIRST_PAD_MINUS_ONE.index(ids[b], rm.config().padTokenId()), name + " score_index row " + b);
        float[][] got = rm.scorePadded(ids, mask, pos);
        double max = 0;
        for (int b = 0; b < ids.length; b++) {
            double d = maxDiff(got[b], floats(c.get(field).get(b)));
            assertTrue(d <= TOL, name + " row " + b + ": |diff| " + d);
            max = Math.max(max, d);
        }
        if (mask == null && pos == null) {
            // the unpadded ragged API gives the same numbers
            float[][] again = rm.score(ids);
            for (int b = 0; b < ids.length; b++) assertArrayEquals(got[b], again[b], 1e-6f, name);
        }
        return max;
    }

    private double checkCausal(CausalLM lm, JsonNode c, Path dir) {
        String name = dir.getFileName() + "/" + c.get("name").asText();
        int[][] ids = ints2(c.get("input_ids"));
        int[][] mask = ints2(c.get("attention_mask"));
        double max = 0;
        int[][] real = new int[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            int n = 0;
            while (n < ids[b].length && (mask == null || mask[b][n] == 1)) n++;
            real[b] = java.util.Arrays.copyOf(ids[b], n);
            if (c.has("logits_read_at")) assertEquals(c.get("logits_read_at").get(b).asInt(), n - 1, name);
        }
        float[][] got = lm.lastLogits(real);
        JsonNode want = c.get("last_logits");
        for (int b = 0; b < ids.length; b++) {
            float[] w = want.get(0).isArray() ? floats(want.get(b)) : floats(want);
            double d = maxDiff(got[b], w);
            assertTrue(d <= TOL, name + " row " + b + ": |diff| " + d);
            max = Math.max(max, d);
        }
        if (c.has("greedy_next_tokens")) {
            int[] want5 = ints(c.get("greedy_next_tokens"));
            float[] margins = floats(need(c, "greedy_top1_minus_top2", name));
            boolean kvMatches = need(c, "generate_matches_greedy_loop", name).asBoolean();
            // full recompute: argmax of the last logits of the whole sequence, one token at a time (the golden's loop)
            int[] seq = real[0];
            for (int step = 0; step < want5.length; step++) {
                float[] logits = lm.lastLogits(new int[][]{seq})[0];
                int best = 0, second = -1;
                for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
                for (int v = 0; v < logits.length; v++) if (v != best && (second < 0 || logits[v] > logits[second])) second = v;
                assertEquals(want5[step], best, name + " greedy step " + step + " (full recompute; golden margin " + margins[step] + ")");
                assertEquals(margins[step], logits[best] - logits[second], 2 * TOL, name + " greedy step " + step + " top1 - top2");
                seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = best;
            }
            int[] gen = lm.generate(real[0], want5.length, Sampling.greedy());
            // transformers' KV-cache generate() gave the loop's tokens (generate_matches_greedy_loop); ours must too
            if (kvMatches) assertArrayEquals(want5, gen, name + " greedy tokens (KV cache)");
            else System.out.printf("hf-parity %s: transformers' generate() differs from its greedy loop here; KV cache gave %s%n", name, java.util.Arrays.toString(gen));
        }
        return max;
    }

    private double checkDebug(Model m, JsonNode dbg, Path dir) {
        double max = 0;
        Transformer body = m.body();
        float[] inv = body.ropeInvFreq();
        double dInv = maxDiff(inv, floats(dbg.get("rope_inv_freq")));
        assertTrue(dInv <= 1e-6 * Math.max(1, inv[0]), dir + " rope_inv_freq |diff| " + dInv);
        int H = m.config().hiddenSize();
        for (String len : new String[]{"len7", "len100"}) {
            JsonNode d = need(dbg, len, dir + " debug");
            int[] ids = null;
            // the debug inputs are the same as the case of that name
            JsonNode cases = goldens(dir).get("cases");
            for (JsonNode c : cases) if (c.get("name").asText().equals(len)) ids = ints(c.get("input_ids").get(0).isArray() ? c.get("input_ids").get(0) : c.get("input_ids"));
            assertNotNull(ids, "no case " + len);
            float[][] hs = HiddenStates.of(body, ids);
            JsonNode want = d.get("hidden_states_at_last_token");
            assertEquals(hs.length, want.size(), dir + " number of hidden states");
            int last = ids.length - 1;
            for (int i = 0; i < hs.length; i++) {
                float[] row = java.util.Arrays.copyOfRange(hs[i], last * H, last * H + H);
                double diff = maxDiff(row, floats(want.get(i)));
                assertTrue(diff <= TOL, dir + " " + len + " hidden_states[" + i + "] |diff| " + diff);
                max = Math.max(max, diff);
            }
            if (d.has("after_first_layer_all_positions")) {
                JsonNode all = d.get("after_first_layer_all_positions");
                for (int t = 0; t < all.size(); t++) {
                    double diff = maxDiff(java.util.Arrays.copyOfRange(hs[1], t * H, t * H + H), floats(all.get(t)));
                    assertTrue(diff <= TOL, dir + " after_first_layer position " + t + " |diff| " + diff);
                    max = Math.max(max, diff);
                }
            }
        }
        return max;
    }
}
