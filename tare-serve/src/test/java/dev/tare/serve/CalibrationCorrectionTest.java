package dev.tare.serve;

import dev.tare.data.DataFormatException;
import dev.tare.data.SharedData;
import dev.tare.debias.calibration.Calibrator;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.runtime.text.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server's calibrator: a tokens step counts with the recorded tokenizer, and a changed tokenizer is refused. */
class CalibrationCorrectionTest {
    @Test
    void tokensStepUsesTheRecordedTokenizerAndRefusesAnotherOne(@TempDir Path tmp) throws Exception {
        Path dir = SharedData.data("tokenizers/llama3_1").filter(Files::isDirectory).orElse(null);
        assumeTrue(dir != null, "../shared/data/tokenizers absent: skipping");
        Path cal = tmp.resolve("cal.json");
        CalibratorFile.write(cal, List.of(Calibrator.penalty("tokens", 0.5)), CalibratorFile.TokenizerRef.of(dir));
        String response = "Ünïcödé text, with some words";
        var item = new RewardItem(null, "q", response, null, null, response);
        int tokens;
        try (HfTokenizer tok = HfTokenizer.load(dir)) { tokens = tok.encode(response, true).length; }
        assertNotEquals(tokens, dev.tare.bias.Feature.approxTokens(response), "the check below must tell the two counts apart");
        assertEquals(-0.5 * tokens, CalibrationCorrection.load(cal).delta(item, 3.0), 1e-12);

        // the recorded tokenizer.json changed since the fit: start-up fails, naming the file and field
        Path copy = tmp.resolve("tok");
        Files.createDirectories(copy);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            if (Files.exists(dir.resolve(f))) Files.copy(dir.resolve(f), copy.resolve(f));
        CalibratorFile.write(cal, List.of(Calibrator.penalty("tokens", 0.5)), CalibratorFile.TokenizerRef.of(copy));
        Files.writeString(copy.resolve("tokenizer.json"), Files.readString(copy.resolve("tokenizer.json")) + " ");
        var e = assertThrows(DataFormatException.class, () -> CalibrationCorrection.load(cal));
        assertEquals("tokenizer.sha256", e.field());
        assertTrue(e.getMessage().contains(cal.toString()), e.getMessage());

        // no tokenizer recorded: the approximate count, as at fit time
        CalibratorFile.write(cal, List.of(Calibrator.penalty("tokens", 0.5)), null);
        assertEquals(-0.5 * dev.tare.bias.Feature.approxTokens(response), CalibrationCorrection.load(cal).delta(item, 3.0), 1e-12);
    }
}
