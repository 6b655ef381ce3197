package dev.tare.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.bias.Feature;
import dev.tare.data.Jsonl;
import dev.tare.data.PreferenceItem;
import dev.tare.data.rmbench.RmBenchReader;
import dev.tare.core.Progress;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.metrics.stats.Interval;
import dev.tare.metrics.stats.IntervalJson;
import dev.tare.scorers.judge.PairwiseJudge;
import dev.tare.scorers.judge.Preference;
import dev.tare.scorers.judge.Verdict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RM-Bench with a pairwise judge: for each item every (chosen style i, rejected style j) pair, i, j in concise /
 * detailed / markdown, is judged in both orders and combined as JudgeBench does; cell (i, j) counts as correct only
 * when the combination prefers the chosen response (a tie or unparseable pair is not a win, as RM-Bench's strict
 * "chosen scores higher" rule). Hard = upper triangle, Normal = diagonal, Easy = lower triangle, per domain group,
 * and overall as the mean over the groups present. Rows keep all 18 verdicts and raw replies; resumable. The judge's
 * markdown bias: the share of decided verdicts on cells whose two responses differ in {@link Feature#MARKDOWN} count
 * that pick the response with more markdown (bootstrap over items). The same for length ({@link Feature#CHARS}): the share that pick the longer response.
 */
public final class JudgeRmBench {
    private JudgeRmBench() {}

    /** Scores per group and overall, with position and markdown behaviour of the judge. */
    public record Result(Map<String, double[][]> matrices, Map<String, Interval[]> groups, Interval[] overall, int items,
                         Interval firstShownRate, Interval consistency, int decidedVerdicts, int unparseableVerdicts,
                         Interval moreMarkdownRate, int markdownVerdicts, Interval longerRate, int longerVerdicts) {}

    public static String id(PreferenceItem p) { return p.meta().getOrDefault("domain", p.subset()) + "/" + p.id(); }

    /** Judges {@code items} ({@code batch} items per judge call) into {@code out}. */
    public static void run(List<PreferenceItem> items, PairwiseJudge judge, Path out, boolean resume, int batch, Progress progress) {
        run(items, judge, 1, out, resume, batch, progress);
    }

    /** As {@link #run(List, PairwiseJudge, Path, boolean, int, Progress)} with voting@{@code votes} per order and cell (votes &gt; 1). */
    public static void run(List<PreferenceItem> items, PairwiseJudge judge, int votes, Path out, boolean resume, int batch, Progress progress) {
        for (PreferenceItem p : items)
            if (p.chosen().size() != 3 || p.rejected().size() != 3)
                throw new IllegalArgumentException("item " + id(p) + ": RM-Bench needs 3 chosen and 3 rejected responses, got "
                        + p.chosen().size() + " and " + p.rejected().size());
        try (ResumableRows rows = ResumableRows.open(out, resume, items.stream().map(JudgeRmBench::id).toList())) {
            int done = rows.existing().size();
            progress.setTotal(items.size());
            progress.resumedAt(done);
            for (int from = done; from < items.size(); from += batch) {
                List<PreferenceItem> chunk = items.subList(from, Math.min(items.size(), from + batch));
                List<PairwiseJudge.Ordered> pairs = new ArrayList<>();
                for (PreferenceItem p : chunk) {
                    String q = question(p);
                    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) pairs.add(new PairwiseJudge.Ordered(q, p.chosen().get(i), p.rejected().get(j)));
                }
                List<PairwiseJudge.PairResult> res = votes > 1
                        ? judge.votes(pairs, votes, true).stream().map(v -> PairwiseJudge.asPairResult(v, votes)).toList()
                        : judge.compareBothOrders(pairs);
                List<ObjectNode> lines = new ArrayList<>();
                for (int k = 0; k < chunk.size(); k++) {
                    PreferenceItem p = chunk.get(k);
                    ObjectNode o = Jsonl.MAPPER.createObjectNode();
                    o.put("id", id(p)).put("domain", p.meta().getOrDefault("domain", "")).put("domain_group", p.meta().getOrDefault("domain_group", ""));
                    ArrayNode cells = o.putArray("cells");
                    for (int c = 0; c < 9; c++) {
                        PairwiseJudge.PairResult r = res.get(9 * k + c);
                        ObjectNode cell = cells.addObject();
                        cell.put("chosen_style", c / 3).put("rejected_style", c % 3);
                        cell.put("combined", r.combined() == Preference.A ? "chosen" : r.combined() == Preference.B ? "rejected" : "tie");
                        cell.put("verdict_chosen_first", label(r.firstOrder().verdict()));
                        cell.put("verdict_chosen_second", label(r.secondOrder().verdict()));
                        cell.put("consistent", r.consistent());
                        cell.put("reply_chosen_first", r.firstOrder().reply());
                        cell.put("reply_chosen_second", r.secondOrder().reply());
                    }
                    lines.add(o);
                }
                rows.append(lines);
                progress.advance(chunk.size());
            }
        }
    }

    /** Scores a finished results file; {@code items} are the judged items (matched to rows by {@link #id}). */
    public static Result score(List<JsonNode> rows, List<PreferenceItem> items, Bootstrap boot) {
        int n = rows.size();
        if (n == 0) throw new IllegalArgumentException("no judged RM-Bench items");
        Map<String, PreferenceItem> byId = new LinkedHashMap<>();
        for (PreferenceItem p : items) byId.put(id(p), p);
        double[] mdPerItem = new double[n], mdDecidedPerItem = new double[n];
        int mdVerdicts = 0, lenVerdicts = 0;
        double[] lenPerItem = new double[n], lenDecidedPerItem = new double[n];
        double[][][] win = new double[n][3][3];
        String[] group = new String[n];
        int decided = 0, unparseable = 0;
        double[] firstPerItem = new double[n], decidedPerItem = new double[n], consistentPerItem = new double[n];
        for (int k = 0; k < n; k++) {
            JsonNode r = rows.get(k);
            group[k] = r.path("domain_group").asText();
            PreferenceItem item = byId.get(r.path("id").asText());
            if (item == null) throw new IllegalArgumentException("results row " + (k + 1) + ": id '" + r.path("id").asText() + "' is not among the judged items");
            for (JsonNode c : r.get("cells")) {
                int i = c.get("chosen_style").asInt(), j = c.get("rejected_style").asInt();
                double mc = Feature.MARKDOWN.of(item.chosen().get(i)), mr = Feature.MARKDOWN.of(item.rejected().get(j));
                double lc = Feature.CHARS.of(item.chosen().get(i)), lr = Feature.CHARS.of(item.rejected().get(j));
                win[k][i][j] = c.get("combined").asText().equals("chosen") ? 1 : 0;
                // first order shows chosen as A; second shows rejected as A (verdicts stored flipped back)
                String v1 = c.get("verdict_chosen_first").asText(), v2 = c.get("verdict_chosen_second").asText();
                for (int o = 0; o < 2; o++) {
                    String v = o == 0 ? v1 : v2;
                    if (v.equals("none")) { unparseable++; continue; }
                    if (v.equals("tie")) continue;
                    decided++;
                    decidedPerItem[k]++;
                    boolean pickedFirstShown = o == 0 ? v.equals("chosen") : v.equals("rejected");
                    if (pickedFirstShown) firstPerItem[k]++;
                    if (lc != lr) {
                        lenVerdicts++;
                        lenDecidedPerItem[k]++;
                        if (v.equals("chosen") == (lc > lr)) lenPerItem[k]++;
                    }
                    if (mc != mr) {
                        mdVerdicts++;
                        mdDecidedPerItem[k]++;
                        if (v.equals("chosen") == (mc > mr)) mdPerItem[k]++;
                    }
                }
                if (c.get("consistent").asBoolean()) consistentPerItem[k]++;
            }
        }
        List<String> present = new ArrayList<>();
        for (String g : RmBenchReader.DOMAIN_GROUPS) for (String x : group) if (x.equals(g)) { present.add(g); break; }
        Map<String, double[][]> matrices = new LinkedHashMap<>();
        Map<String, Interval[]> groups = new LinkedHashMap<>();
        for (String g : present) {
            List<Integer> idx = new ArrayList<>();
            for (int k = 0; k < n; k++) if (group[k].equals(g)) idx.add(k);
            double[][] m = new double[3][3];
            for (int k : idx) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i][j] += win[k][i][j] / idx.size();
            matrices.put(g, m);
            Interval[] iv = new Interval[4];
            for (int s = 0; s < 4; s++) {
                final int stat = s;
                iv[s] = boot.interval(idx.size(), sample -> {
                    double t = 0;
                    for (int x : sample) t += cellStat(win[idx.get(x)], stat);
                    return t / sample.length;
                });
            }
            groups.put(g, iv);
        }
        Interval[] overall = new Interval[4];
        for (int s = 0; s < 4; s++) {
            final int stat = s;
            overall[s] = boot.interval(n, sample -> {
                Map<String, double[]> acc = new LinkedHashMap<>();
                for (int x : sample) {
                    double[] a = acc.computeIfAbsent(group[x], z -> new double[2]);
                    a[0] += cellStat(win[x], stat);
                    a[1]++;
                }
                double t = 0;
                for (String g : present) { double[] a = acc.get(g); if (a == null) return Double.NaN; t += a[0] / a[1]; }
                return t / present.size();
            });
        }
        Interval first = boot.interval(n, sample -> ratio(sample, firstPerItem, decidedPerItem));
        double[] eighteen = new double[n];
        java.util.Arrays.fill(eighteen, 9);
        Interval cons = boot.interval(n, sample -> ratio(sample, consistentPerItem, eighteen));
        Interval md = mdVerdicts == 0 ? Interval.point(Double.NaN) : boot.interval(n, sample -> ratio(sample, mdPerItem, mdDecidedPerItem));
        Interval len = lenVerdicts == 0 ? Interval.point(Double.NaN) : boot.interval(n, sample -> ratio(sample, lenPerItem, lenDecidedPerItem));
        return new Result(matrices, groups, overall, n, first, cons, decided, unparseable, md, mdVerdicts, len, lenVerdicts);
    }

    private static double ratio(int[] sample, double[] num, double[] den) {
        double a = 0, b = 0;
        for (int x : sample) { a += num[x]; b += den[x]; }
        return b > 0 ? a / b : Double.NaN;
    }

    /** 0 hard, 1 normal, 2 easy, 3 average of one item's 3x3 win matrix. */
    static double cellStat(double[][] m, int stat) {
        double hard = (m[0][1] + m[0][2] + m[1][2]) / 3, normal = (m[0][0] + m[1][1] + m[2][2]) / 3, easy = (m[1][0] + m[2][0] + m[2][1]) / 3;
        return switch (stat) { case 0 -> hard; case 1 -> normal; case 2 -> easy; default -> (hard + normal + easy) / 3; };
    }

    private static String question(PreferenceItem p) {
        if (p.prompt().size() == 1) return p.prompt().getFirst().content();
        StringBuilder sb = new StringBuilder();
        for (var m : p.prompt()) {
            if (!sb.isEmpty()) sb.append("\n\n");
            sb.append(m.role()).append(": ").append(m.content());
        }
        return sb.toString();
    }

    private static String label(Verdict v) {
        Preference p = v.preferenceOrNull();
        return p == null ? "none" : p == Preference.A ? "chosen" : p == Preference.B ? "rejected" : "tie";
    }

    /** summary.json content: {@code "units": "fraction"}, every accuracy and rate a fraction in [0, 1]. */
    public static ObjectNode toJson(Result r) {
        ObjectNode root = dev.tare.metrics.Units.fraction(Jsonl.MAPPER.createObjectNode());
        root.put("items", r.items());
        String[] names = {"hard", "normal", "easy", "average"};
        ObjectNode ov = root.putObject("overall");
        for (int s = 0; s < 4; s++) put(ov, names[s], r.overall()[s]);
        ObjectNode gs = root.putObject("domains");
        for (var e : r.groups().entrySet()) {
            ObjectNode g = gs.putObject(e.getKey());
            for (int s = 0; s < 4; s++) put(g, names[s], e.getValue()[s]);
            ArrayNode m = g.putArray("matrix");
            for (double[] row : r.matrices().get(e.getKey())) { ArrayNode a = m.addArray(); for (double x : row) a.add(x); }
        }
        ObjectNode pos = root.putObject("position");
        put(pos, "first_shown_rate", r.firstShownRate());
        put(pos, "consistency", r.consistency());
        pos.put("decided_verdicts", r.decidedVerdicts()).put("unparseable_verdicts", r.unparseableVerdicts());
        ObjectNode md = root.putObject("markdown");
        put(md, "more_markdown_rate", r.moreMarkdownRate());
        md.put("verdicts", r.markdownVerdicts());
        ObjectNode len = root.putObject("length");
        put(len, "longer_rate", r.longerRate());
        len.put("verdicts", r.longerVerdicts());
        return root;
    }

    private static void put(ObjectNode o, String k, Interval v) { o.set(k, IntervalJson.JUDGE.node(v)); }
}
