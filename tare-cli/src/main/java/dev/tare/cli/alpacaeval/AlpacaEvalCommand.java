package dev.tare.cli.alpacaeval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.options.JsonFileOption;
import dev.tare.cli.options.SeedOption;
import dev.tare.cli.eval.EvalRun;
import dev.tare.debias.alpacaeval.ModelRewards;
import dev.tare.debias.alpacaeval.RewardEvaluation;
import dev.tare.eval.JudgeCost;
import dev.tare.eval.JudgeItemScorer;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.JudgeStats;
import dev.tare.scorers.judge.JudgeTemplate;
import dev.tare.scorers.judge.PairwiseJudge;
import dev.tare.debias.alpacaeval.RewardEvaluationScores;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.metrics.alpacaeval.AlpacaModelScores;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;
import dev.tare.cli.options.JsonOption;
import dev.tare.data.alpacaeval.AlpacaAnnotation;
import dev.tare.data.alpacaeval.AlpacaEvalReader;
import dev.tare.data.alpacaeval.AlpacaModelOutput;
import dev.tare.metrics.alpacaeval.AlpacaEvalScores;
import dev.tare.metrics.alpacaeval.AlpacaEvalScoring;
import dev.tare.metrics.alpacaeval.AlpacaPublished;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `tare alpacaeval`: AlpacaEval win rate, standard error and length-controlled win rate of published results folders.
 * Over 150 lines: it also finds AlpacaEval's layout (annotator sub-folders, a baseline folder with outputs only, the
 * leaderboard and GLM-weights CSVs next to or above the results); the scoring is AlpacaEvalScoring's and RewardEvaluation's
 * (a reward model via RewardScoring, a generative pairwise judge via JudgeScoring, uncalibrated).
 */
@Command(name = "alpacaeval", mixinStandardHelpOptions = true,
        description = {"AlpacaEval 2 metrics of results folders as tatsu-lab/alpaca_eval publishes them (results/<model>/ with",
                "annotations.json, directly or in an annotator sub-folder): raw win rate and standard error exactly as",
                "AlpacaEval computes them, and the length-controlled win rate (length_controlled_v1 GLM) on instruction",
                "difficulties estimated jointly from all the given folders (at least two) and calibrated on AlpacaEval's",
                "published GLM weights and leaderboard. Rates in percent. --scorer also evaluates a reward model or a",
                "pairwise judge as the evaluator."})
public final class AlpacaEvalCommand implements Callable<Integer> {
    static final String LEADERBOARD = "weighted_alpaca_eval_gpt4_turbo_leaderboard.csv";
    static final String WEIGHTS = "length_controlled_v1_weights_baseline_gpt4_1106_preview.csv";

    @Option(names = "--results", required = true, arity = "1..*", paramLabel = "DIR",
            description = "results folder(s) of one model each (or their annotations.json); the baseline's folder may hold model_outputs.json only")
    List<Path> results;

    @Option(names = "--leaderboard", paramLabel = "CSV",
            description = "AlpacaEval's leaderboard CSV (default: " + LEADERBOARD + " found next to or above a results folder)")
    Path leaderboard;

    @Option(names = "--glm-weights", paramLabel = "CSV",
            description = "AlpacaEval's length-controlled GLM weights CSV (default: " + WEIGHTS + " found next to or above a results folder)")
    Path glmWeights;

    @Option(names = "--scorer", paramLabel = "SPEC",
            description = {"Also evaluate a reward model as the judge: score every answer and the reference answers with SPEC",
                    "(local:DIR[,...] or http:URL[,...]); per-model reward win rate vs the reference and agreement with the",
                    "GPT-4 judge, raw and LOWESS-calibrated on length over all answers, and Spearman/Kendall of the model",
                    "ranking against the LC win rates, with bootstrap intervals over instructions. A generative judge",
                    "(judge:openai:URL,model=NAME[,...], judge:local:DIR[,...] or openai:URL,model=NAME) judges each answer",
                    "against the reference answer in both orders instead (2 calls per pair, 2K with votes=K); no length",
                    "calibration for a judge."})
    String scorer;

    @Option(names = "--judge-template", paramLabel = "NAME|FILE",
            description = "Judge prompt for a judge --scorer: arena-hard, rewardbench, gram-r2 or a template JSON (default: "
                    + EvalRun.DEFAULT_JUDGE_TEMPLATE + ", as tare eval; the spec's template= wins).")
    String judgeTemplate;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Evaluate the --scorer on the first N instructions only (the first model's order), for every model; "
                    + "AlpacaEval's own win rates always use every instruction.")
    int limit;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;

    @Mixin JsonOption json;
    @Mixin JsonFileOption out;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Override public Integer call() throws Exception {
        if (limit < 0) throw new IllegalArgumentException("--limit N needs N >= 1, got " + limit);
        if (scorer == null && (limit > 0 || judgeTemplate != null))
            throw new IllegalArgumentException((limit > 0 ? "--limit" : "--judge-template") + " applies to the --scorer evaluation; give --scorer SPEC");
        ScorerSpec scorerSpec = scorer == null ? null : ScorerSpec.parse(scorer); // a malformed spec fails before any reading
        List<List<AlpacaAnnotation>> runs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        List<List<AlpacaModelOutput>> outputsOnly = new ArrayList<>();
        for (Path dir : results) {
            Path outputs = dir.resolve("model_outputs.json");
            if (Files.isDirectory(dir) && Files.isRegularFile(outputs) && !hasAnnotations(dir)) {
                outputsOnly.add(AlpacaEvalReader.readModelOutputs(outputs));
                files.add(outputs.toString());
                continue;
            }
            Path f = AlpacaEvalReader.annotationsOf(dir);
            files.add(f.toString());
            runs.add(AlpacaEvalReader.readAnnotations(f));
        }
        for (List<AlpacaModelOutput> o : outputsOnly) {
            String model = o.getFirst().generator();
            if (runs.isEmpty() || !runs.getFirst().getFirst().generator1().equals(model))
                throw new IllegalArgumentException(model + ": model_outputs.json without the judge's annotations.json; only the baseline"
                        + (runs.isEmpty() ? "" : " (" + runs.getFirst().getFirst().generator1() + ")") + " can be scored without them");
            runs.add(selfJudged(o));
        }
        Path lb = leaderboard != null ? leaderboard : find(LEADERBOARD);
        Path w = glmWeights != null ? glmWeights : find(WEIGHTS);
        AlpacaPublished published = lb != null && w != null ? AlpacaPublished.read(lb, w) : null;
        AlpacaEvalScores scores = AlpacaEvalScoring.score(runs, published);
        ObjectNode summary = scores.json();
        RewardEvaluationScores rm = null;
        if (scorerSpec != null) {
            List<List<AlpacaAnnotation>> judged = runs.stream().filter(r -> !r.getFirst().generator1().equals(r.getFirst().generator2())).toList();
            if (judged.isEmpty()) throw new IllegalArgumentException("--scorer needs at least one model judged against the baseline");
            if (limit > 0) judged = firstInstructions(judged, limit);
            Map<String, Double> lc = new HashMap<>();
            for (AlpacaModelScores s : scores.models()) {
                if (s.lc() != null) lc.put(s.model(), s.lc().lcWinRate());
                else if (s.published() != null && !Double.isNaN(s.published().lcWinRate())) lc.put(s.model(), s.published().lcWinRate());
            }
            ObjectNode r;
            if (scorerSpec.isJudge()) {
                Judged jd = judge(scorerSpec, judged, lc);
                rm = jd.scores();
                r = rm.json();
                r.put("template", jd.template());
                r.put("votes", jd.votes());
                JudgeCost.put(r, jd.cost());
            } else {
                if (judgeTemplate != null) throw new IllegalArgumentException("--judge-template applies to a judge --scorer (judge:... or openai:...), not " + scorerSpec.redacted());
                try (RewardScorer rs = scorerSpec.rewardScorer(System::getenv)) {
                    var scored = RewardScoring.score(rs, judged, lc);
                    rm = RewardEvaluation.evaluate(scorerSpec.redacted(), scored.referenceRewards(), scored.referenceLengths(), scored.models(),
                            CalibrationSettings.defaults(), bootstrap.with(seed.seed()));
                }
                r = rm.json();
            }
            r.put("instructions", judged.getFirst().size());
            r.put("bootstrap_resamples", bootstrap.resamples());
            r.put("bootstrap_seed", seed.seed());
            summary.set("reward_model", r);
        }
        summary.set("annotations_files", MAPPER.valueToTree(files));
        if (published != null) {
            summary.put("leaderboard_csv", lb.toString());
            summary.put("glm_weights_csv", w.toString());
        }
        String text = MAPPER.writeValueAsString(summary);
        out.write(text);
        var pw = spec.commandLine().getOut();
        pw.print(json.json() ? text + "\n" : scores.table() + (rm == null ? "" : "\n" + rm.table()));
        pw.flush();
        return 0;
    }

    /** A judge's evaluation, the template name and votes it ran with, and its cost. */
    private record Judged(RewardEvaluationScores scores, String template, int votes, JudgeStats cost) {}

    /**
     * A generative judge as the evaluator: each model answer against the reference answer in both orders (tare eval's
     * JudgeItemScorer, votes=K as there), no length calibration; the judge's cost goes to stderr (and the JSON's "cost").
     */
    private Judged judge(ScorerSpec spec, List<List<AlpacaAnnotation>> judged, Map<String, Double> lc) {
        ScorerSpec.Judge js = spec instanceof ScorerSpec.Judge j ? j : null;
        String templateName = js != null ? js.option("template", judgeTemplate != null ? judgeTemplate : EvalRun.DEFAULT_JUDGE_TEMPLATE)
                : judgeTemplate != null ? judgeTemplate : EvalRun.DEFAULT_JUDGE_TEMPLATE;
        JudgeTemplate template = JudgeTemplate.load(templateName);
        int votes = js != null ? js.intOption("votes", 1) : 1;   // checked (>= 1, sampling when > 1) by JudgeItemScorer before any call
        if (js != null && js.option("mode", "pairwise").equals("round-robin"))
            throw new IllegalArgumentException("judge option mode=round-robin does not apply: tare alpacaeval judges each answer against the reference answer");
        List<ModelRewards> models;
        JudgeStats cost;
        try (ChatGenerator gen = spec.chatGenerator(System::getenv)) {
            PairwiseJudge pj = spec.pairwiseJudge(gen, templateName);
            models = JudgeScoring.score(new JudgeItemScorer(pj, gen.name(), votes), judged, lc);
            cost = pj.stats();
        }
        System.err.println("judge cost: " + cost);
        return new Judged(RewardEvaluation.evaluateJudge(spec.redacted(), models, bootstrap.with(seed.seed())), template.name(), votes, cost);
    }

    /** Each run restricted to the first {@code limit} instructions of the first run, in that run's order. */
    static List<List<AlpacaAnnotation>> firstInstructions(List<List<AlpacaAnnotation>> runs, int limit) {
        java.util.Set<String> keep = new java.util.HashSet<>();
        for (AlpacaAnnotation a : runs.getFirst().subList(0, Math.min(limit, runs.getFirst().size()))) keep.add(a.instruction());
        return runs.stream().map(r -> r.stream().filter(a -> keep.contains(a.instruction())).toList()).toList();
    }

    /** Whether the folder has an annotations.json (directly or in an annotator sub-folder). */
    private static boolean hasAnnotations(Path dir) {
        try {
            AlpacaEvalReader.annotationsOf(dir);
            return true;
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The baseline against itself, as AlpacaEval scores it: every pair a tie (win rate 50, LC 50 by construction). */
    static List<AlpacaAnnotation> selfJudged(List<AlpacaModelOutput> outputs) {
        return outputs.stream().map(o -> new AlpacaAnnotation(o.instruction(), o.dataset(), o.output(), o.generator(), o.output(),
                o.generator(), "self", 1.5)).toList();
    }

    /** The named file in a results folder or up to three folders above it (results/<model>/annotator/). */
    private Path find(String name) {
        for (Path dir : results) {
            Path p = dir.toAbsolutePath().normalize();
            for (int up = 0; up <= 3 && p != null; up++, p = p.getParent()) {
                Path f = p.resolve(name);
                if (Files.isRegularFile(f)) return f;
            }
        }
        return null;
    }
}
