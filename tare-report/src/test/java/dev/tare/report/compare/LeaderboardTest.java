package dev.tare.report.compare;

import dev.tare.data.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LeaderboardTest {
    @TempDir Path dir;

    private Path write(String name, String json) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, json);
        return f;
    }

    @Test void mergesRunsAcrossFilesAndConvertsFractionsToPercent() throws Exception {
        Path eval = write("summary.json", """
                {"model":"rm-a","benchmark":"rm-bench","scorer":"http://x","scores":{"score":{"value":0.5,"lo":0.4,"hi":0.6,"level":0.95}},
                 "calibrated_scores":{"score":{"value":0.55,"lo":0.45,"hi":0.65,"level":0.95}},
                 "bias":{"chars":{"n":10,"spearman":{"value":0.3,"lo":0.1,"hi":0.5,"level":0.95}},"longer_wins":{"pairs":5,"eligible":5,"rate":{"value":0.8,"lo":0.6,"hi":1.0,"level":0.95}}}}
                """);
        Path metrics = write("rm-a.json", """
                {"model":null,"benchmark":"rewardbench","results_files":["x"],"score":{"value":0.75,"lo":0.7,"hi":0.8,"level":0.95}}
                """);
        Path ae = write("ae.json", """
                {"units":"percent","models":[{"model":"rm-a","win_rate":60.0,"standard_error":1.0,"lc_win_rate":55.0,"lc_standard_error":0.5},
                 {"model":"m2","win_rate":40.0,"standard_error":2.0,"lc_win_rate":null}]}
                """);
        Leaderboard lb = Leaderboard.read(List.of(eval, metrics, ae));
        assertEquals(List.of("rm-a", "m2"), lb.rows().stream().map(Leaderboard.Row::run).toList());
        var a = lb.rows().getFirst().cells();
        assertEquals(new Cell(50, 40, 60), round(a.get(Column.percent("rm-bench"))));
        assertEquals(new Cell(80, 60, 100), round(a.get(Column.biasPercent("rm-bench longer wins"))));
        assertEquals(new Cell(0.3, 0.1, 0.5), a.get(Column.correlation("rm-bench length ρ")), "correlations stay in [-1, 1]");
        assertEquals(new Cell(75, 70, 80), round(a.get(Column.percent("rewardbench"))));
        assertEquals(new Cell(60, 60 - 1.96, 60 + 1.96), round(a.get(Column.percent("AlpacaEval win rate"))));
        assertNull(lb.rows().get(1).cells().get(Column.percent("AlpacaEval LC")));
        String md = lb.markdown();
        assertTrue(md.contains("| rm-a | 50.00 [40.00, 60.00] |"), md);
        assertTrue(md.contains("| m2 | — |"), md);
        String csv = lb.csv();
        assertTrue(csv.startsWith("run,rm-bench,rm-bench lo,rm-bench hi,"), csv);
        String html = lb.html("t");
        assertTrue(html.contains("class=\"sortable\"") && html.contains("<script>") && !html.contains("src=\"http"), html);
        var e = assertThrows(IllegalArgumentException.class, () -> Leaderboard.read(List.of(ae, ae)));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    private static Cell round(Cell c) {
        return new Cell(Math.round(c.value() * 1e9) / 1e9, Math.round(c.lo() * 1e9) / 1e9, Math.round(c.hi() * 1e9) / 1e9);
    }

    /** The file's units field decides the scale; files written before it existed keep their kind's old unit. */
    @Test void readsTheUnitsFieldAndOlderFilesByKind() throws Exception {
        Path jbNew = write("jb-new.json", """
                {"units":"fraction","overall":0.6571,"pairs":350,"position_consistency":0.7,"protocol":"both_orders","judge_name":"arena_hard",
                 "judge_model":"o1-mini","ci95":{"overall":[0.61,0.70],"position_consistency":[0.65,0.75]}}
                """);
        Path jbOld = write("jb-old.json", """
                {"overall":64.29,"pairs":350,"protocol":"both_orders","judge_name":"reward_model","judge_model":"skywork",
                 "ci95":{"overall":[59.0,69.0]}}
                """);
        Path bbqNew = write("bbq-new.json", """
                {"units":"fraction","model":"lm-new","overall":{"acc_ambig":0.547,"acc_disambig":0.9,"s_amb":0.298,"ci95":{"s_amb":[0.25,0.35]}}}
                """);
        Path bbqOld = write("bbq-old.json", """
                {"model":"lm-old","overall":{"acc_ambig":54.7,"acc_disambig":90.0,"s_amb":29.8,"ci95":{"s_amb":[25.0,35.0]}}}
                """);
        Path evalNew = write("eval-new.json", """
                {"units":"fraction","model":"rm-new","benchmark":"rm-bench","scorer":"x","scores":{"score":{"value":0.5,"lo":0.4,"hi":0.6}},
                 "calibrated_scores":{"score":0.55},"bias":{}}
                """);
        Leaderboard lb = Leaderboard.read(List.of(jbNew, jbOld, bbqNew, bbqOld, evalNew));
        var rows = lb.rows();
        assertEquals(new Cell(65.71, 61, 70), round(rows.get(0).cells().get(Column.percent("JudgeBench"))));
        assertEquals(new Cell(70, 65, 75), round(rows.get(0).cells().get(Column.biasPercent("JudgeBench position consistency"))));
        assertEquals(new Cell(64.29, 59, 69), round(rows.get(1).cells().get(Column.percent("JudgeBench"))), "no units: judgebench score JSON was percent");
        assertEquals(new Cell(29.8, 25, 35), round(rows.get(2).cells().get(Column.biasPercent("BBQ s_amb"))));
        assertEquals(new Cell(29.8, 25, 35), round(rows.get(3).cells().get(Column.biasPercent("BBQ s_amb"))), "no units: bbq score JSON was percent");
        assertEquals(54.7, rows.get(3).cells().get(Column.percent("BBQ acc ambig")).value(), 1e-9);
        assertEquals(54.7, rows.get(2).cells().get(Column.percent("BBQ acc ambig")).value(), 1e-9);
        assertEquals(new Cell(50, 40, 60), round(rows.get(4).cells().get(Column.percent("rm-bench"))));
        assertEquals(55.0, rows.get(4).cells().get(Column.percent("rm-bench calibrated")).value(), 1e-9);

        Path odd = write("odd.json", """
                {"units":"permille","overall":657.1,"pairs":350,"protocol":"both_orders","judge_model":"o1-mini"}
                """);
        var e = assertThrows(DataFormatException.class, () -> RunSummaries.read(odd));
        assertTrue(e.getMessage().contains("odd.json") && e.getMessage().contains("'units'"), e.getMessage());
    }

    @Test void unknownJsonNamesTheFile() throws Exception {
        Path f = write("other.json", "{\"foo\":1}");
        var e = assertThrows(DataFormatException.class, () -> RunSummaries.read(f));
        assertTrue(e.getMessage().contains("other.json") && e.getMessage().contains("not a summary"), e.getMessage());
        Path g = write("bad.json", "{\"benchmark\":\"rewardbench\",\"results_files\":[],\"score\":\"high\"}");
        e = assertThrows(DataFormatException.class, () -> RunSummaries.read(g));
        assertTrue(e.getMessage().contains("'score'"), e.getMessage());
    }
}
