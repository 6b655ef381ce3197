package dev.tare.cli.judgebench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Jsonl;
import dev.tare.metrics.judgebench.JudgeBenchAudit;
import dev.tare.metrics.Units;
import dev.tare.metrics.judgebench.JudgeBenchScores;
import dev.tare.scorers.judge.AnswerTagVerdictParser;
import dev.tare.scorers.judge.ArenaHardVerdictParser;
import dev.tare.scorers.judge.JudgeBenchReparse;
import dev.tare.scorers.judge.LetterVerdictParser;
import dev.tare.scorers.judge.VerdictParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.options.JsonFileOption;
import dev.tare.cli.options.JsonOption;
import dev.tare.cli.options.SeedOption;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `tare judgebench score`: JudgeBench score of one judge output file, as JudgeBench's metrics.py computes it. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score a JudgeBench output file (both orders; +1/-1/0 vote per pair, correct if > 0).",
                "Prints the pair-weighted overall (JudgeBench's code) and the category mean (published tables)."})
public final class JudgeBenchScoreCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--outputs", required = true, paramLabel = "FILE", description = "JudgeBench outputs jsonl (pair fields + judgments).")
    Path outputs;

    @Option(names = "--pairs", paramLabel = "FILE", description = "JudgeBench pairs file (data/): check every pair was judged with the same label and source.")
    Path pairs;

    @Option(names = "--single-game", description = "Score only the first game of each pair (JudgeBench --single_game): correct iff it equals the label.")
    boolean singleGame;

    @Mixin JsonOption json;
    @Mixin JsonFileOption out;

    @Option(names = "--parser", defaultValue = "arena-hard", paramLabel = "arena-hard|answer-tag|letter",
            description = "Verdict parser used to re-parse stored raw replies (default ${DEFAULT-VALUE}).")
    String parser;

    @Option(names = "--policy", defaultValue = "unique", paramLabel = "unique|last",
            description = "Several verdict marks in a reply: all must agree (unique, JudgeBench) or the last counts.")
    String policy;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;

    @Override public Integer call() {
        VerdictParser.Policy pol = switch (policy.toLowerCase(Locale.ROOT)) {
            case "unique" -> VerdictParser.Policy.UNIQUE;
            case "last" -> VerdictParser.Policy.LAST;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--policy must be 'unique' or 'last'");
        };
        VerdictParser vp = switch (parser.toLowerCase(Locale.ROOT)) {
            case "arena-hard" -> new ArenaHardVerdictParser(pol);
            case "answer-tag" -> new AnswerTagVerdictParser(pol);
            case "letter" -> new LetterVerdictParser();
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--parser must be arena-hard, answer-tag or letter");
        };
        JudgeBenchAudit.Result r = JudgeBenchAudit.run(outputs, pairs, bootstrap.with(seed.seed()), singleGame);
        JudgeBenchReparse.Result rp = JudgeBenchReparse.run(r.outputs(), vp);
        ObjectNode root = toJson(r, rp);
        String text = root.toPrettyString();
        out.write(text);
        PrintWriter w = spec.commandLine().getOut();
        if (json.json()) w.println(text);
        else printText(w, r, rp);
        w.flush();
        return 0;
    }

    /**
     * {"units": "fraction", "overall", "knowledge", "reasoning", "math", "coding", "pairs"} plus labelled extras; every
     * score, consistency and interval bound a fraction in [0, 1] ({@link Units}; the text output shows percent).
     */
    public static ObjectNode toJson(JudgeBenchAudit.Result r, JudgeBenchReparse.Result rp) {
        JudgeBenchScores s = r.scores();
        ObjectNode o = Units.fraction(Jsonl.MAPPER.createObjectNode());
        o.put("overall", Units.toFraction(s.overall().value()));
        for (var e : s.categories().entrySet()) {
            if (Double.isNaN(e.getValue())) o.putNull(e.getKey()); else o.put(e.getKey(), Units.toFraction(e.getValue()));
        }
        o.put("pairs", s.pairs());
        o.put("category_mean", Units.toFraction(s.categoryMean()));
        if (Double.isNaN(s.positionConsistency())) o.putNull("position_consistency"); else o.put("position_consistency", Units.toFraction(s.positionConsistency()));
        if (rp.gamesParsed() == 0) o.putNull("reparse_disagreements"); else o.put("reparse_disagreements", rp.disagreements().size());
        o.put("games_reparsed", rp.gamesParsed());
        var ex = o.putArray("reparse_examples");
        rp.disagreements().stream().limit(5).forEach(d -> {
            ObjectNode x = ex.addObject();
            x.put("pair_id", d.pairId());
            x.put("line", d.line());
            x.put("game", d.game());
            x.put("stored", d.stored());
            x.put("parsed", d.parsed().toString());
        });
        var ci = o.putArray("overall_ci95");
        ci.add(Units.toFraction(s.overall().lo()));
        ci.add(Units.toFraction(s.overall().hi()));
        ObjectNode cis = o.putObject("ci95");   // seeded percentile bootstrap over pairs, fractions: name -> [lo, hi]
        s.ci95().forEach((k, iv) -> {
            var pair = cis.putArray(k);
            pair.add(Units.toFraction(iv.lo()));
            pair.add(Units.toFraction(iv.hi()));
        });
        o.put("protocol", r.singleGame() ? "single_game" : "both_orders");
        o.put("judge_name", r.judgeName());
        o.put("judge_model", r.judgeModel());
        ObjectNode c = o.putObject("counts");
        c.put("correct", s.correct());
        c.put("incorrect", s.incorrect());
        c.put("tie", s.tie());
        c.put("all_correct", s.allCorrect());
        c.put("all_incorrect", s.allIncorrect());
        c.put("some_correct", s.someCorrect());
        c.put("inconsistent", s.inconsistent());
        c.put("nulls", s.nulls());
        c.put("two_game_pairs", s.twoGamePairs());
        c.put("score_decision_mismatches", s.scoreDecisionMismatches());
        var cp = c.putObject("category_pairs");
        s.categoryPairs().forEach(cp::put);
        return o;
    }

    private static void printText(PrintWriter w, JudgeBenchAudit.Result r, JudgeBenchReparse.Result rp) {
        JudgeBenchScores s = r.scores();
        w.printf("judge: %s %s (%d pairs)%n", r.judgeName(), r.judgeModel(), s.pairs());
        w.printf("%-10s %7s %6s  %s%n", "category", "score", "pairs", "95% CI (bootstrap over pairs)");
        for (var e : s.categories().entrySet())
            w.printf("%-10s %7.2f %6d  %s%n", e.getKey(), e.getValue(), s.categoryPairs().get(e.getKey()), ci(s, e.getKey()).replace("95% CI ", ""));
        w.printf("overall (pair-weighted, JudgeBench code) %.2f [95%% CI %.2f, %.2f]%n", s.overall().value(), s.overall().lo(), s.overall().hi());
        w.printf("overall (mean of 4 categories, published tables) %.2f %s%n", s.categoryMean(), ci(s, "category_mean"));
        w.printf("position consistency %.2f%% %s (%d of %d two-order pairs inconsistent)%n", s.positionConsistency(),
                ci(s, "position_consistency"), s.inconsistent(), s.twoGamePairs());
        if (rp.gamesParsed() > 0)
            w.printf("re-parse of %d stored replies: %d disagree with the stored decision%n", rp.gamesParsed(), rp.disagreements().size());
    }

    private static String ci(JudgeBenchScores s, String key) {
        var iv = s.ci95().get(key);
        return iv == null || Double.isNaN(iv.lo()) ? "" : String.format(Locale.ROOT, "[95%% CI %.2f, %.2f]", iv.lo(), iv.hi());
    }
}
