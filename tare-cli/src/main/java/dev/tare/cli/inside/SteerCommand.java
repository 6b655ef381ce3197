package dev.tare.cli.inside;

import dev.tare.cli.options.BootstrapOption;
import dev.tare.data.AtomicFiles;
import dev.tare.data.bbq.BbqItem;
import dev.tare.eval.inside.Direction;
import dev.tare.eval.inside.SteerSweep;
import dev.tare.runtime.model.Steering;
import dev.tare.scorers.judge.SamplingParams;
import dev.tare.scorers.local.LocalChatGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `tare steer`: an α sweep of activation steering on generative BBQ with a local causal LM; per-α table, JSON and plots.
 * Over 150 lines: two modes (BBQ generation, RM-Bench reward models with the levers to compare) with 17 options; the sweeps are tare-eval's.
 * <p>Outputs appear all at once. With --rm-bench the folder holds only steer.json (and direction.npy with --style),
 * so it is written whole with {@link AtomicFiles#replaceDirectory} (a folder holding other files is refused
 * untouched). With --bbq it also holds the resumable alpha_&lt;a&gt;/predictions.jsonl, so it is never replaced:
 * steer.html and steer.json are written as one set ({@link AtomicFiles#writeSet}); steer.json is written last; its
 * presence means the folder's summary files are complete.
 */
@Command(name = "steer", mixinStandardHelpOptions = true,
        description = {"Add alpha * v to the residual stream after decoder layer L at every position (prompt and generated) "
                + "and run generative BBQ per alpha: prints acc_ambig, acc_disambig, abstain_disambig, commit_bias_ambig, "
                + "s_AMB and s_DIS with 95%% CIs per alpha; writes OUT/steer.json, OUT/steer.html (bias/accuracy vs alpha, "
                + "the conditional-bias vs coverage frontier) and OUT/alpha_<a>/predictions.jsonl (resumable)."})
public final class SteerCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cli;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Local HF *ForCausalLM folder with tokenizer and chat template.")
    Path model;

    @Option(names = "--bbq", paramLabel = "PATH", description = "BBQ data: a folder of category .jsonl files or one file (a causal LM --model).")
    Path bbq;

    @Option(names = "--rm-bench", paramLabel = "PATH", description = "RM-Bench data (a *_filtered.json file or their folder): steer a reward model --model.")
    Path rmBench;

    @Option(names = "--style", paramLabel = "S", description = "--rm-bench without --direction: the direction is the style's mean difference "
            + "at the score token after layer L, markdown (detailed markdown - detailed plain) or length (detailed plain - concise).")
    String style;

    @Option(names = "--calibrate", description = "--rm-bench: add a row for the unsteered RM LOWESS-calibrated on the style's feature "
            + "(chars for length, the markdown count for markdown; RC-LWR over all responses, as tare calibrate).")
    boolean calibrate;

    @Option(names = "--compare", paramLabel = "SPEC", description = "--rm-bench: add a row scored by this scorer spec on the same items, e.g. "
            + "local:RM,adapter=forget-lora,lambda=-1 (tare's lambda is PEFT's signed scaling: -1 subtracts; the forget-LoRA "
            + "scripts call that +1). Repeatable.")
    List<String> compare = new java.util.ArrayList<>();

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N", description = "--rm-bench: truncate each conversation's prompt "
            + "to fit N tokens, as the scorer option max-length=N (0 = none: an input over max_position_embeddings is refused).")
    int maxLength;

    @Option(names = "--layer", required = true, paramLabel = "L", description = "Decoder layer after which alpha * v is added (0-based).")
    int layer;

    @Option(names = "--direction", paramLabel = "FILE",
            description = ".npy: a vector [hidden], or tare probe's directions.npy / weights.npy [layers + 1, hidden] (row L + 1 is used).")
    Path direction;

    @Option(names = "--orthogonalise", paramLabel = "FILE", description = "Remove the component along this direction (same forms as --direction), e.g. the committed-vs-abstained direction.")
    Path orthogonalise;

    @Option(names = "--unit", description = "Scale v to unit length before alpha (after orthogonalising).")
    boolean unit;

    @Option(names = "--alphas", required = true, split = ",", paramLabel = "A,B,...", description = "Steering strengths, e.g. -4,0,2,6.")
    double[] alphas;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Only the first N items (0 = all).")
    int limit;

    @Option(names = "--max-tokens", defaultValue = "8", paramLabel = "N", description = "Reply length (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Prompts generated together (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--resume", description = "Keep the predictions already in OUT/alpha_<a>/.")
    boolean resume;

    @Mixin BootstrapOption bootstrap;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    /** --orthogonalise and --unit applied to a direction. */
    private float[] shape(float[] v, int L, int H) {
        if (orthogonalise != null) v = Steering.orthogonalise(v, Direction.load(orthogonalise, layer, L, H));
        if (unit) {
            double n = 0;
            for (float x : v) n += (double) x * x;
            if (n == 0) throw new IllegalArgumentException("the direction is zero: cannot scale it to unit length");
            for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / Math.sqrt(n));
        }
        return v;
    }

    /** The files a --rm-bench run writes: OUT holds only these (replaced whole). */
    static final java.util.Set<String> RM_FILES = java.util.Set.of("steer.json", "direction.npy");

    /** Reward-model steering on RM-Bench: the per-alpha Hard / Normal / Easy table, reward change and style gap. */
    private int rm() throws java.io.IOException {
        List<dev.tare.data.PreferenceItem> items = dev.tare.data.rmbench.RmBenchReader.readPath(rmBench);
        if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        if (items.isEmpty()) throw new IllegalArgumentException(rmBench + ": no RM-Bench items");
        if (direction == null && style == null) throw new IllegalArgumentException("--rm-bench needs --direction FILE or --style markdown|length");
        dev.tare.eval.inside.RmSteerSweep.Style st = dev.tare.eval.inside.RmSteerSweep.Style.parse(style == null ? "markdown" : style);
        PrintWriter w = cli.commandLine().getOut();
        List<dev.tare.eval.inside.RmSteerSweep.Row> rows;
        Steering s;
        try (dev.tare.scorers.local.LocalRewardScorer rm = dev.tare.scorers.local.LocalRewardScorer.open(model,
                dev.tare.scorers.local.LocalRewardScorer.Options.defaults().withMaxLength(maxLength))) {
            int L = rm.model().config().numLayers(), H = rm.model().config().hiddenSize();
            if (layer < 0 || layer >= L) throw new IllegalArgumentException("--layer " + layer + ": the model has decoder layers 0.." + (L - 1));
            float[] v;
            if (direction != null) {
                v = Direction.load(direction, layer, L, H);
            } else {
                try (dev.tare.core.Progress p = dev.tare.core.Progress.stderr("style direction", items.size())) {
                    v = dev.tare.eval.inside.RmSteerSweep.direction(items, rm, layer, st, p);
                }
            }
            s = new Steering(layer, shape(v, L, H), 0);
            List<dev.tare.eval.inside.RmSteerSweep.Other> others = new java.util.ArrayList<>();
            try {
                for (String spec : compare) {
                    var parsed = dev.tare.scorers.ScorerSpec.parse(spec);
                    others.add(new dev.tare.eval.inside.RmSteerSweep.Other(parsed.redacted(), parsed.rewardScorer(System::getenv)));
                }
                try (dev.tare.core.Progress p = dev.tare.core.Progress.stderr("steer rm", (long) (alphas.length + 1 + others.size()) * items.size())) {
                    rows = dev.tare.eval.inside.RmSteerSweep.run(items, rm, s, st, alphas, calibrate, others,
                            bootstrap.with(dev.tare.metrics.stats.Bootstrap.DEFAULT_SEED), p);
                }
            } finally {
                for (var o : others) o.scorer().close();
            }
        }
        // the folder appears whole: a rerun killed midway leaves the previous run's files, never a mix of two runs
        String json = dev.tare.eval.inside.RmSteerSweep.toJson(s, st, rows).toPrettyString() + "\n";
        AtomicFiles.replaceDirectory(out, RM_FILES, dir -> {
            AtomicFiles.writeString(dir.resolve("steer.json"), json);
            if (direction == null) new dev.tare.data.npy.NpyArray(new int[]{s.vector().length}, s.vector()).write(dir.resolve("direction.npy"));
        });
        w.printf("%d RM-Bench items, alpha * v after decoder layer %d, v = %s%n", items.size(), layer,
                direction != null ? direction.toString() : st.name().toLowerCase(java.util.Locale.ROOT) + " style direction (written to direction.npy)");
        dev.tare.eval.inside.RmSteerSweep.printTable(w, rows);
        w.println("wrote " + out.resolve("steer.json"));
        w.flush();
        return 0;
    }

    @Override public Integer call() throws Exception {
        if ((bbq == null) == (rmBench == null)) throw new IllegalArgumentException("give exactly one of --bbq (a causal LM) and --rm-bench (a reward model)");
        if (rmBench == null && (calibrate || !compare.isEmpty())) throw new IllegalArgumentException("--calibrate and --compare compare levers on a reward model: they need --rm-bench");
        if (rmBench != null) return rm();
        if (direction == null) throw new IllegalArgumentException("--bbq needs --direction FILE");
        List<BbqItem> items = ActivationsCommand.readBbq(bbq, limit);
        Path dataDir = Files.isDirectory(bbq) ? bbq : bbq.toAbsolutePath().getParent();
        PrintWriter w = cli.commandLine().getOut();
        List<SteerSweep.Row> rows;
        Steering s;
        try (LocalChatGenerator g = LocalChatGenerator.load(model, batch)) {
            int L = g.model().config().numLayers(), H = g.model().config().hiddenSize();
            if (layer < 0 || layer >= L) throw new IllegalArgumentException("--layer " + layer + ": the model has decoder layers 0.." + (L - 1));
            float[] v = Direction.load(direction, layer, L, H);
            s = new Steering(layer, shape(v, L, H), 0);
            Files.createDirectories(out);
            rows = SteerSweep.run(items, dataDir, g, s, alphas, new SamplingParams(maxTokens, 0, 1.0, 0), batch, out, resume,
                    bootstrap.with(dev.tare.metrics.stats.Bootstrap.DEFAULT_SEED));
        }
        // OUT keeps the resumable alpha_<a>/ folders: the summary pair is one set, steer.json (the marker) last
        String json = SteerSweep.toJson(s, rows).toPrettyString() + "\n", html = SteerSweep.html("tare steer: layer " + layer, s, rows);
        java.util.Map<String, AtomicFiles.FileBody> files = new java.util.LinkedHashMap<>();
        files.put("steer.html", f -> AtomicFiles.writeString(f, html));
        files.put("steer.json", f -> AtomicFiles.writeString(f, json));
        AtomicFiles.writeSet(out, files, "steer.json");
        w.printf("%d BBQ items, alpha * v after decoder layer %d%s%n", items.size(), layer, orthogonalise != null ? " (v orthogonalised against " + orthogonalise.getFileName() + ")" : "");
        SteerSweep.printTable(w, rows);
        w.println("wrote " + out.resolve("steer.json") + " and " + out.resolve("steer.html"));
        w.flush();
        return 0;
    }
}
