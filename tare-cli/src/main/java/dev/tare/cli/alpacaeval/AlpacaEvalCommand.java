package dev.tare.cli.alpacaeval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.options.JsonFileOption;
import dev.tare.cli.options.SeedOption;
import dev.tare.debias.alpacaeval.RewardEvaluation;
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
 * leaderboard and GLM-weights CSVs next to or above the results); the scoring is AlpacaEvalScoring's and RewardEvaluation's.
 */
@Command(name = "alpacaeval", mixinStandardHelpOptions = true,
        description = {"AlpacaEval 2 metrics of results folders as tatsu-lab/alpaca_eval publishes them (results/<model>/ with",
                "annotations.json, directly or in an annotator sub-folder): raw win rate and standard error exactly as",
                "AlpacaEval computes them, and the length-controlled win rate (length_controlled_v1 GLM) on instruction",
                "difficulties estimated jointly from all the given folders (at least two) and calibrated on AlpacaEval's",
                "published GLM weights and leaderboard. Rates in percent."})
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
                    "ranking against the LC win rates, with bootstrap intervals over instructions."})
    String scorer;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;

    @Mixin JsonOption json;
    @Mixin JsonFileOption out;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Override public Integer call() throws Exception {
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
        if (scorer != null) {
            List<List<AlpacaAnnotation>> judged = runs.stream().filter(r -> !r.getFirst().generator1().equals(r.getFirst().generator2())).toList();
            if (judged.isEmpty()) throw new IllegalArgumentException("--scorer needs at least one model judged against the baseline");
            Map<String, Double> lc = new HashMap<>();
            for (AlpacaModelScores s : scores.models()) {
                if (s.lc() != null) lc.put(s.model(), s.lc().lcWinRate());
                else if (s.published() != null && !Double.isNaN(s.published().lcWinRate())) lc.put(s.model(), s.published().lcWinRate());
            }
            ScorerSpec spec = ScorerSpec.parse(scorer);
            try (RewardScorer rs = spec.rewardScorer(System::getenv)) {
                var scored = RewardScoring.score(rs, judged, lc);
                rm = RewardEvaluation.evaluate(spec.redacted(), scored.referenceRewards(), scored.referenceLengths(), scored.models(),
                        CalibrationSettings.defaults(), bootstrap.with(seed.seed()));
            }
            ObjectNode r = rm.json();
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
