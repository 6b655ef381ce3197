package dev.tare.data.alpacaeval;

import dev.tare.data.DataFormatException;
import dev.tare.data.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AlpacaEvalReaderTest {
    @TempDir Path dir;

    private static Path shared(String name) {
        var d = SharedData.data(name);
        assumeTrue(d.isPresent(), "../shared/data/" + name + " not present");
        return d.get();
    }

    @Test void readsPublishedResultsAndLeaderboard() {
        Path ae = shared("alpacaeval");
        var ann = AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(ae.resolve("results/FuseChat-Llama-3.1-8B-Instruct")));
        assertEquals(805, ann.size());
        assertEquals("gpt4_1106_preview", ann.getFirst().generator1());
        assertEquals("FuseChat-Llama-3.1-8B-Instruct", ann.getFirst().generator2());
        assertTrue(ann.stream().allMatch(a -> a.modelWinProbability() >= 0 && a.modelWinProbability() <= 1));
        var outs = AlpacaEvalReader.readModelOutputs(ae.resolve("results/gpt4_1106_preview/model_outputs.json"));
        assertEquals(805, outs.size());
        // the baseline outputs are the annotations' output_1, instruction by instruction
        for (int i = 0; i < 805; i++) {
            assertEquals(outs.get(i).instruction(), ann.get(i).instruction());
            assertEquals(outs.get(i).output(), ann.get(i).output1());
        }
        var lb = AlpacaEvalReader.readLeaderboard(ae.resolve("weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"));
        var fuse = lb.get("FuseChat-Llama-3.1-8B-Instruct");
        assertEquals(805, fuse.nTotal());
        assertEquals(fuse.nTotal(), fuse.nWins() + fuse.nWinsBase() + fuse.nDraws());
        assertTrue(Double.isNaN(lb.get("gpt-3.5-turbo-1106").lcStandardError()));
        var w = AlpacaEvalReader.readGlmWeights(ae.resolve("length_controlled_v1_weights_baseline_gpt4_1106_preview.csv"));
        assertEquals(new AlpacaGlmWeights("gpt4_1106_preview", 0, 0, 0), w.get("gpt4_1106_preview"));
        assertTrue(w.size() >= 190, "weights for " + w.size() + " models");
        // the length-variant runs sit in an annotator sub-folder
        Path v = shared("alpacaeval-length-variants").resolve("results/gpt-3.5-turbo-1106_concise");
        assertEquals("gpt-3.5-turbo-1106_concise", AlpacaEvalReader.readAnnotations(AlpacaEvalReader.annotationsOf(v)).getFirst().generator2());
    }

    private Path annotations(String... prefs) throws Exception {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < prefs.length; i++) {
            if (i > 0) sb.append(",\n");
            sb.append("{\"instruction\":\"q").append(i).append("\",\"dataset\":\"d\",\"output_1\":\"a\",\"generator_1\":\"base\","
                    + "\"output_2\":\"bb\",\"generator_2\":\"m\",\"annotator\":\"j\",\"preference\":").append(prefs[i]).append('}');
        }
        Path f = dir.resolve("annotations.json");
        Files.writeString(f, sb.append("\n]").toString());
        return f;
    }

    @Test void preferenceConventions() throws Exception {
        var a = AlpacaEvalReader.readAnnotations(annotations("1", "2", "0", "null", "1.25"));
        assertEquals(0.0, a.get(0).modelWinProbability());
        assertEquals(1.0, a.get(1).modelWinProbability());
        assertEquals(0.5, a.get(2).modelWinProbability(), "legacy 0 is a draw");
        assertFalse(a.get(3).judged());
        assertEquals(0.25, a.get(4).modelWinProbability());
    }

    @Test void badRowsNameFileRowAndField() throws Exception {
        var e = assertThrows(DataFormatException.class, () -> AlpacaEvalReader.readAnnotations(annotations("1", "2.5")));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("'preference'"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> AlpacaEvalReader.readAnnotations(annotations("1", "\"1.5\"")));
        assertTrue(e.getMessage().contains("expected a number"), e.getMessage());
        Path f = annotations("1", "2");
        Files.writeString(f, Files.readString(f).replaceFirst("\"generator_2\":\"m\"(?=.*q1)", "\"generator_2\":\"m\"")
                .replace("\"q1\",\"dataset\":\"d\",\"output_1\":\"a\",\"generator_1\":\"base\"", "\"q1\",\"dataset\":\"d\",\"output_1\":\"a\",\"generator_1\":\"other\""));
        e = assertThrows(DataFormatException.class, () -> AlpacaEvalReader.readAnnotations(f));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("'generator_1'"), e.getMessage());
        Files.writeString(f, Files.readString(annotations("1", "2")).replace("q1", "q0"));
        e = assertThrows(DataFormatException.class, () -> AlpacaEvalReader.readAnnotations(f));
        assertTrue(e.getMessage().contains("'instruction'") && e.getMessage().contains("first at row 1"), e.getMessage());
    }

    @Test void leaderboardCsvIsStrict() throws Exception {
        String header = String.join(",", AlpacaEvalReader.LEADERBOARD_HEADER);
        Path f = dir.resolve("lb.csv");
        Files.writeString(f, header + "\nm,50.0,1.0,1,1,0,2,50.0,community,100,51.0,\n");
        var lb = AlpacaEvalReader.readLeaderboard(f);
        assertEquals(51.0, lb.get("m").lcWinRate());
        assertTrue(Double.isNaN(lb.get("m").lcStandardError()));
        Files.writeString(f, header + "\nm,50.0,1.0,1,1,0,2,50.0,community,100,51.0,\nn,abc,1.0,1,1,0,2,50.0,community,100,51.0,0.1\n");
        var e = assertThrows(DataFormatException.class, () -> AlpacaEvalReader.readLeaderboard(f));
        assertTrue(e.getMessage().contains(":3") && e.getMessage().contains("'win_rate'"), e.getMessage());
        Files.writeString(f, "model,win_rate\nm,1\n");
        e = assertThrows(DataFormatException.class, () -> AlpacaEvalReader.readLeaderboard(f));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
        Path w = dir.resolve("w.csv");
        String wh = String.join(",", AlpacaEvalReader.WEIGHTS_HEADER);
        Files.writeString(w, wh + "\nm,-1,0.5,0.2\nm,-1,0.5,0.3\n");
        e = assertThrows(DataFormatException.class, () -> AlpacaEvalReader.readGlmWeights(w));
        assertTrue(e.getMessage().contains(":3") && e.getMessage().contains("different coefficients"), e.getMessage());
    }
}
