package dev.tare.cli.inside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.cli.CliRun;
import dev.tare.data.PreferenceItem;
import dev.tare.data.npy.NpyArray;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.local.LocalRewardScorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `tare steer --rm-bench`: a markdown style direction of a tiny random reward model, recomputed here from the
 * runtime's hidden states at the last token, and the per-α RM-Bench table (α = 0 is the unsteered model).
 */
class SteerRmCommandTest {
    @TempDir Path tmp;

    @Test
    void styleDirectionAndAlphaSweepOnRmBenchItems() throws Exception {
        Path rm = tmp.resolve("rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), 3);
        Path data = tmp.resolve("chat_filtered.json");
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 4; i++) {
            if (i > 0) sb.append(',');
            sb.append(String.format("""
                    {"id": %d, "subset": "s", "prompt": "q%d?", "chosen": ["yes %d", "yes %d because", "**yes** %d because"],
                     "rejected": ["no", "no because %d", "- no because %d"]}""", i, i, i, i, i, i, i));
        }
        Files.writeString(data, sb.append("]").toString());
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--layer", "1", "--style", "markdown",
                "--alphas", "-4,0,4", "--bootstrap", "100", "--out", out.toString());
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("hard [95% CI]"), r.out());
        float[] v = NpyArray.read(out.resolve("direction.npy")).data();
        List<PreferenceItem> items = RmBenchReader.read(data);
        try (LocalRewardScorer s = LocalRewardScorer.open(rm, LocalRewardScorer.Options.defaults())) {
            int H = s.model().config().hiddenSize();
            assertEquals(H, v.length);
            double[] want = new double[H];
            for (PreferenceItem it : items) {
                for (List<String> side : List.of(it.chosen(), it.rejected())) {
                    int[] md = s.encode(it.conversation(side.get(2))).ids(), pl = s.encode(it.conversation(side.get(1))).ids();
                    float[] a = s.model().hiddenStates(md)[2], b = s.model().hiddenStates(pl)[2]; // after decoder layer 1
                    for (int i = 0; i < H; i++) want[i] += (a[(md.length - 1) * H + i] - b[(pl.length - 1) * H + i]) / 8.0;
                }
            }
            for (int i = 0; i < H; i++) assertEquals(want[i], v[i], 1e-5, "markdown direction entry " + i);
        }
        JsonNode j = new ObjectMapper().readTree(out.resolve("steer.json").toFile());
        JsonNode rows = j.get("alphas");
        assertEquals(3, rows.size());
        assertEquals(0.0, rows.get(1).get("mean_reward_change").asDouble(), 0.0, "alpha 0 is the unsteered model");
        assertNotEquals(0.0, rows.get(0).get("mean_reward_change").asDouble(), "alpha -4 changed no reward");
        assertNotEquals(0.0, rows.get(2).get("mean_reward_change").asDouble(), "alpha 4 changed no reward");
        for (JsonNode x : rows) for (String k : List.of("hard", "normal", "easy", "average")) {
            double val = x.get(k).get("value").asDouble();
            assertTrue(val >= 0 && val <= 1, k + " " + val);
        }
        CliRun both = CliRun.of("steer", "--model", rm.toString(), "--rm-bench", data.toString(), "--bbq", data.toString(),
                "--layer", "1", "--alphas", "0", "--out", tmp.resolve("x").toString());
        assertNotEquals(0, both.rc());
        assertTrue(both.err().contains("exactly one of --bbq"), both.err());
    }
}
