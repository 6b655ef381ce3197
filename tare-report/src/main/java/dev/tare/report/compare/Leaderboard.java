package dev.tare.report.compare;

import dev.tare.report.Html;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Several runs side by side: one row per run (model), one column per score or bias measure, rows merged by run name
 * across summary files, columns in the order first seen. Rendered as CSV (value, lo, hi per column), Markdown and a
 * self-contained HTML page whose table sorts by any column on a click.
 */
public record Leaderboard(List<Column> columns, List<Row> rows) {
    /** One run's cells by column and the files they came from. */
    public record Row(String run, List<Path> files, Map<Column, Cell> cells) {}

    /** Merges the entries of summary files; the same (run, column) from two files is an error. */
    public static Leaderboard of(List<RunSummaries.Entry> entries) {
        LinkedHashSet<Column> cols = new LinkedHashSet<>();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (RunSummaries.Entry e : entries) {
            Row r = rows.computeIfAbsent(e.run(), k -> new Row(k, new ArrayList<>(), new LinkedHashMap<>()));
            if (!r.files().contains(e.file())) r.files().add(e.file());
            for (var c : e.cells().entrySet()) {
                cols.add(c.getKey());
                if (r.cells().put(c.getKey(), c.getValue()) != null)
                    throw new IllegalArgumentException("run '" + e.run() + "' has '" + c.getKey().title() + "' twice (" + r.files() + ")");
            }
        }
        return new Leaderboard(List.copyOf(cols), List.copyOf(rows.values()));
    }

    /** Reads and merges summary files. */
    public static Leaderboard read(List<Path> files) {
        List<RunSummaries.Entry> all = new ArrayList<>();
        for (Path f : files) all.addAll(RunSummaries.read(f));
        return of(all);
    }

    /** CSV: run, then value, lo, hi of each column (empty where unknown). */
    public String csv() {
        StringBuilder sb = new StringBuilder("run");
        for (Column c : columns) sb.append(',').append(csvField(c.title())).append(',').append(csvField(c.title() + " lo")).append(',').append(csvField(c.title() + " hi"));
        sb.append('\n');
        for (Row r : rows) {
            sb.append(csvField(r.run()));
            for (Column c : columns) {
                Cell v = r.cells().get(c);
                sb.append(',').append(v == null ? "" : num(v.value())).append(',').append(v == null ? "" : num(v.lo())).append(',').append(v == null ? "" : num(v.hi()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A Markdown table: each cell "value [lo, hi]". */
    public String markdown() {
        StringBuilder sb = new StringBuilder("| run |");
        for (Column c : columns) sb.append(' ').append(md(title(c))).append(" |");
        sb.append("\n|---|");
        sb.append("---:|".repeat(columns.size())).append('\n');
        for (Row r : rows) {
            sb.append("| ").append(md(r.run())).append(" |");
            for (Column c : columns) sb.append(' ').append(text(c, r.cells().get(c))).append(" |");
            sb.append('\n');
        }
        return sb.append(legend()).append('\n').toString();
    }

    /** The self-contained HTML page (inline CSS and a few lines of script to sort by a clicked header). */
    public String html(String title) {
        StringBuilder t = new StringBuilder("<table class=\"sortable\"><thead><tr><th>run</th>");
        for (Column c : columns) t.append("<th>").append(Html.escape(title(c))).append("</th>");
        t.append("</tr></thead><tbody>");
        for (Row r : rows) {
            t.append("<tr><td>").append(Html.escape(r.run())).append("</td>");
            for (Column c : columns) {
                Cell v = r.cells().get(c);
                t.append("<td class=\"n\" data-v=\"").append(v == null || Double.isNaN(v.value()) ? "" : num(v.value())).append("\">")
                        .append(Html.escape(text(c, v))).append("</td>");
            }
            t.append("</tr>");
        }
        t.append("</tbody></table>");
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>" + Html.escape(title) + "</title><style>"
                + "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:.9em}"
                + "th,td{border:1px solid #ddd;padding:.3em .6em}th{background:#f4f6f8;cursor:pointer;text-align:left}"
                + "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.legend{color:#555;margin-top:1em}"
                + "</style></head>\n<body><h1>" + Html.escape(title) + "</h1>\n" + t + "\n<p class=\"legend\">" + Html.escape(legend())
                + " Click a header to sort.</p>\n<script>" + SORT_SCRIPT + "</script>\n</body></html>\n";
    }

    static final String SORT_SCRIPT = "document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){"
            + "var tb=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(tb.rows),d=th.dataset.d==='1'?-1:1;th.dataset.d=d===1?'1':'0';"
            + "rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i],p=x.dataset.v,q=y.dataset.v;"
            + "if(p!==undefined&&q!==undefined){if(p==='')return 1;if(q==='')return -1;return d*(parseFloat(p)-parseFloat(q));}"
            + "return d*x.textContent.localeCompare(y.textContent);});rows.forEach(function(r){tb.appendChild(r);});});});";

    static String legend() {
        return "Scores and rates in percent (tare's convention here, whatever the source file used), 95% intervals in brackets; "
                + "ρ columns are Spearman correlations in [−1, 1]; columns marked (bias) are bias diagnostics, not scores (read them for their distance from the unbiased value).";
    }

    private static String title(Column c) {
        return c.title() + (c.bias() ? " (bias)" : "");
    }

    private static String text(Column c, Cell v) {
        if (v == null || Double.isNaN(v.value())) return "—";
        return v.hasInterval() ? c.format(v.value()) + " [" + c.format(v.lo()) + ", " + c.format(v.hi()) + "]" : c.format(v.value());
    }

    private static String num(double v) { return Double.isNaN(v) ? "" : Double.toString(v); }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String md(String s) { return s.replace("|", "\\|"); }
}
