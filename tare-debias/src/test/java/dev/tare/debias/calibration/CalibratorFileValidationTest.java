package dev.tare.debias.calibration;

import dev.tare.data.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A calibrator file's parameters are checked when it is read, so no command applies an absurd one (rewards of −1.9e307). */
class CalibratorFileValidationTest {
    @TempDir Path dir;

    private Path file(String alpha, String coefficient, String bias) throws Exception {
        return Files.writeString(dir.resolve("calibrator.json"), "{\"format\":\"tare-calibrator\",\"version\":1,\"steps\":["
                + "{\"method\":\"lwr\",\"feature\":\"chars\",\"alpha\":" + alpha + ",\"coefficient\":" + coefficient
                + ",\"params\":{},\"points\":[[10, 0.5],[200, " + bias + "]]}]}");
    }

    private DataFormatException refused(Path f) {
        return assertThrows(DataFormatException.class, () -> CalibratorFile.load(f));
    }

    @Test
    void absurdAlphaOrCorrectionIsRefusedAtLoadNamingTheField() throws Exception {
        assertEquals(1, CalibratorFile.read(file("1.0", "0.0", "1.5")).size(), "a sane file loads");
        assertEquals(1, CalibratorFile.read(file("-2", "0.0", "1.5")).size(), "over- and counter-correction are allowed");
        var a = refused(file("1e308", "0.0", "1.5"));
        assertEquals("steps[0].alpha", a.field(), a.getMessage());
        assertTrue(a.getMessage().contains("calibrator.json") && a.getMessage().contains("outside [-100, 100]"), a.getMessage());
        var b = refused(file("1.0", "0.0", "1e300"));
        assertEquals("steps[0].points[1]", b.field(), b.getMessage());
        var p = refused(Files.writeString(dir.resolve("calibrator.json"), "{\"format\":\"tare-calibrator\",\"version\":1,\"steps\":["
                + "{\"method\":\"penalty\",\"feature\":\"chars\",\"alpha\":1,\"coefficient\":1e200,\"points\":[]}]}"));
        assertEquals("steps[0].coefficient", p.field(), p.getMessage());
    }
}
