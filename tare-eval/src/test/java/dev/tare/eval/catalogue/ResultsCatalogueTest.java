package dev.tare.eval.catalogue;

import dev.tare.data.DataFormatException;
import dev.tare.debias.calibration.CalibratorFile;
import dev.tare.results.ResultsFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.tare.eval.catalogue.Catalogue.error;
import static dev.tare.eval.catalogue.Catalogue.survives;

/** Results files (tare's JSONL, leaderboard JSON) and calibrator files. */
class ResultsCatalogueTest {
    @TempDir Path tmp;
    private int n;

    private static String line(int id, String results) {
        return "{\"id\":" + id + ",\"subset\":\"s\",\"scores_chosen\":1.0,\"scores_rejected\":0.0,\"results\":" + results + "}\n";
    }

    private Object read(String name, String content) throws IOException {
        Path f = Files.createDirectories(tmp.resolve("r" + (n++))).resolve(name);
        Files.writeString(f, content);
        return ResultsFiles.read(f).size();
    }

    private Object calibrator(String step) throws IOException {
        Path f = Files.createDirectories(tmp.resolve("c" + (n++))).resolve("calibrator.json");
        Files.writeString(f, "{\"format\":\"tare-calibrator\",\"version\":1,\"steps\":[" + step + "]}");
        return CalibratorFile.read(f).size();
    }

    private static String lwr(String alpha, String bias) {
        return "{\"method\":\"lwr\",\"feature\":\"chars\",\"alpha\":" + alpha + ",\"coefficient\":0,\"points\":[[1, 0.5],[9, " + bias + "]]}";
    }

    @TestFactory
    Stream<DynamicTest> results() {
        Class<DataFormatException> df = DataFormatException.class;
        return new Catalogue()
                .add("valid results", survives(2), () -> read("r.jsonl", line(1, "1") + line(2, "0")))
                .add("a 1/2 tie and a 1/3 tie", survives(2), () -> read("r.jsonl", line(1, "0.5") + line(2, "0.3333333333333333")))
                .add("results 6 (600 % accuracy)", error(df, "r.jsonl:2", "field 'results'"), () -> read("r.jsonl", line(1, "1") + line(2, "6")))
                .add("results -1", error(df, "field 'results'"), () -> read("r.jsonl", line(1, "-1")))
                .add("NaN score", error(df, "r.jsonl:1", "scores_chosen"), () -> read("r.jsonl", line(1, "1").replace("1.0", "NaN")))
                .add("missing subset", error(df, "field 'subset'"), () -> read("r.jsonl", line(1, "1").replace("\"subset\":\"s\",", "")))
                .add("the same item twice", error(df, "r.jsonl:2", "duplicate item"), () -> read("r.jsonl", line(1, "1") + line(1, "1")))
                .add("JSONL named run.out", survives(2), () -> read("run.out", line(1, "1") + line(2, "0")))
                .add("one JSONL line named run.out", survives(1), () -> read("run.out", line(1, "1")))
                .add("a row array named .jsonl", survives(2), () -> read("lb.jsonl", "[" + line(1, "1").strip() + ",\n" + line(2, "1").strip() + "]"))
                .add("leaderboard result disagreeing with its scores", error(df, "field 'results'", "disagrees"),
                        () -> read("lb.json", "[" + line(1, "0").strip() + "]"))
                .add(".json with trailing content", error(df, "lb.json:2"), () -> read("lb.json", "[" + line(1, "1").strip() + "]\n{\"x\": 1}\n"))
                .add("valid calibrator", survives(1), () -> calibrator(lwr("1.0", "0.7")))
                .add("calibrator alpha 1e308", error(df, "calibrator.json", "steps[0].alpha"), () -> calibrator(lwr("1e308", "0.7")))
                .add("calibrator correction 1e300", error(df, "steps[0].points[1]"), () -> calibrator(lwr("1.0", "1e300")))
                .add("calibrator xs not increasing", error(df, "steps[0]", "strictly increasing"),
                        () -> calibrator("{\"method\":\"lwr\",\"feature\":\"chars\",\"alpha\":1,\"coefficient\":0,\"points\":[[9, 0.5],[1, 0.7]]}"))
                .add("calibrator unknown method", error(df, "steps[0]", "unknown calibration method"), () -> calibrator(lwr("1", "0").replace("lwr", "median")))
                .tests();
    }
}
