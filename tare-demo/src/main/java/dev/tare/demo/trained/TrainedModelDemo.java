package dev.tare.demo.trained;

import dev.tare.core.Progress;
import dev.tare.data.PreferenceItem;
import dev.tare.data.gsm8k.Gsm8kPairs;
import dev.tare.data.gsm8k.Gsm8kSynth;
import dev.tare.debias.audit.AuditInput;
import dev.tare.debias.audit.AuditPlan;
import dev.tare.debias.audit.AuditResult;
import dev.tare.debias.audit.BiasAudit;
import dev.tare.debias.audit.Calibration;
import dev.tare.debias.audit.Layout;
import dev.tare.debias.audit.Pairing;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.debias.calibration.Method;
import dev.tare.debias.calibration.RewardCalibration;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.bias.Feature;
import dev.tare.eval.lora.LoraSweep;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.train.BradleyTerry;
import dev.tare.train.LoraSpec;
import dev.tare.train.Schedule;
import dev.tare.train.TrainJob;
import dev.tare.train.TrainSettings;
import dev.tare.train.Trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The main job's default: the whole debiasing method on a real transformer reward model that tare trained itself
 * ({@link dev.tare.demo.model.DemoModel}), on synthetic GSM8K-format problems in RM-Bench's 3 styles. (1) audit,
 * (2) post-hoc LOWESS calibration on length, (3) a style forget-LoRA trained by tare in the undesired direction,
 * (4) the λ sweep with λ chosen on the selection half under a correctness-loss budget, reported on the held-out half,
 * (5) calibration stacked on the subtraction. Every step is the library's own (TrainJob, LoraSweep, BiasAudit).
 */
public final class TrainedModelDemo {
    private TrainedModelDemo() {}

    /**
     * The demo's knobs: held-out RM-Bench items (split into selection and held-out halves by {@code selection}), the
     * forget-LoRA's training problems (3 style pairs each), epochs and learning rate, the "+x subtracts" grid, the
     * correctness budget (points of Normal accuracy the chosen λ may lose on the selection half), and the seed (the
     * shipped model's recipe seed: held-out problems are drawn from it and never trained on).
     */
    public record Settings(int items, int forgetProblems, int forgetEpochs, double forgetLr, List<Double> subtract,
                           double budgetPoints, double selection, long seed) {
        public Settings {
            if (items < 4) throw new IllegalArgumentException("need at least 4 items, got " + items);
            if (forgetProblems < 1 || forgetEpochs < 1) throw new IllegalArgumentException("forget-LoRA problems and epochs must be >= 1");
            if (!(budgetPoints >= 0) || Double.isInfinite(budgetPoints)) throw new IllegalArgumentException("budget must be >= 0 points, got " + budgetPoints);
            if (!subtract.contains(0.0)) throw new IllegalArgumentException("the grid must include 0 (the reference)");
            subtract = List.copyOf(subtract);
        }

        /** The shipped defaults (the numbers in the README were measured with these). */
        public static Settings defaults(long seed) {
            return new Settings(200, 200, 2, 1e-3, List.of(0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0), 1.0, 0.5, seed);
        }

        /** These settings with another correctness budget. */
        public Settings withBudget(double points) {
            return new Settings(items, forgetProblems, forgetEpochs, forgetLr, subtract, points, selection, seed);
        }

        /** tare's signed λ (PEFT scaling; −x subtracts) of each "+x subtracts" grid value. */
        public List<Double> lambdas() { return subtract.stream().map(x -> x == 0 ? 0.0 : -x).toList(); }
    }

    /**
     * A finished run: the model folder, the forget-LoRA training summary, the sweep, and two held-out audits — the base
     * model before/after LOWESS calibration (fitted on the selection half), and the chosen λ before/after the same
     * calibration refitted on its own scores (stacked).
     */
    public record Outcome(Path model, Path adapter, Settings settings, TrainJob.Summary forget, LoraSweep.Outcome sweep,
                          AuditResult calibrated, AuditResult stacked, double seconds) {
        public AuditResult.Side base() { return calibrated.before(); }
        public AuditResult.Side lora() { return stacked.before(); }
        public double chosenLambda() { return sweep.result().chosen(); }
    }

    /**
     * Runs steps (2)–(5) on the reward model in {@code model}, writing the forget-LoRA and the sweep's per-λ results
     * under {@code out}; {@code log} gets one line per stage.
     */
    public static Outcome run(Path model, Path out, Settings s, Bootstrap boot, Trainer.Listener listener, Consumer<String> log) {
        long t0 = System.nanoTime();
        // (3) the forget-LoRA: style pairs (chosen concise, rejected markdown, same correctness) of fresh problems,
        // trained in the undesired direction so the adapter carries the preference for style alone
        long forgetSeed = s.seed() + 2_000_003L;
        var pairs = Gsm8kPairs.build(Gsm8kSynth.generate(s.forgetProblems(), forgetSeed), "synth", Path.of("synthetic"),
                Gsm8kPairs.Mode.STYLE, forgetSeed, Gsm8kPairs.SlipRule.ANSWER).pairs();
        Path pairsFile = out.resolve("forget-style-pairs.jsonl");
        Gsm8kPairs.write(pairsFile, pairs);
        Path adapter = out.resolve("forget-style");
        log.accept("training the style forget-LoRA: " + pairs.size() + " style pairs, direction undesired, " + s.forgetEpochs()
                + " epochs (tare train)");
        TrainSettings ts = new TrainSettings(new LoraSpec(List.of("q_proj", "k_proj", "v_proj", "o_proj"), 8, 16, 0.05, false),
                s.forgetEpochs(), s.forgetLr(), Schedule.LINEAR, 0.0, 0.0, 1.0, 8, 8, new BradleyTerry(0, true), s.seed(), 0);
        TrainJob.Summary forget = new TrainJob(model, pairsFile, null, 0.05, 0, null, ts, adapter, out.resolve("forget-style.checkpoints"))
                .run(listener, log);

        // (4) the λ sweep on held-out problems, λ chosen on the selection half
        List<PreferenceItem> items = dev.tare.demo.model.DemoModel.heldOutItems(s.seed(), s.items());
        LambdaSweep.Rule rule = new LambdaSweep.Rule("hard", "normal", s.budgetPoints(), LambdaSweep.Reference.BASE);
        var settings = new LoraSweep.Settings(s.lambdas(), HeadChoice.BASE, rule, s.selection(), s.seed(), null, 512);
        log.accept("sweeping " + s.lambdas().size() + " strengths over " + items.size() + " held-out RM-Bench items");
        LoraSweep.Outcome sweep;
        try (Progress p = Progress.stderr("sweep", -1)) {
            sweep = LoraSweep.run(model, adapter, items, settings, out.resolve("sweep"), p, w -> log.accept("warning: " + w));
        }

        // (2) and (5): LOWESS on length fitted on the selection half, measured on the held-out half
        Set<String> sel = sweep.split().selection(), held = sweep.split().heldOut();
        AuditResult calibrated = heldOutCalibration(sweep.byLambda().get(0.0), items, sel, held, boot);
        AuditResult stacked = heldOutCalibration(sweep.byLambda().get(sweep.result().chosen()), items, sel, held, boot);
        return new Outcome(model, adapter, s, forget, sweep, calibrated, stacked, (System.nanoTime() - t0) / 1e9);
    }

    /** The features the demo audits: length in characters and markdown elements. */
    public static final List<Feature> FEATURES = List.of(Feature.CHARS, Feature.MARKDOWN);

    /** The audit plan: RM-Bench scores, LOWESS on chars (frac 1, alpha 1), correlations with chars and markdown, longer-wins. */
    public static AuditPlan plan() {
        String chars = Feature.CHARS.cliName();
        return new AuditPlan(BenchmarkScoring.RM_BENCH,
                Calibration.Fit.of(List.of(new RewardCalibration.Step(Method.LWR, chars)), CalibrationSettings.defaults()),
                List.of(chars, Feature.MARKDOWN.cliName()), List.of(chars, Feature.MARKDOWN.cliName()), Pairing.ALL_COMBINATIONS);
    }

    /** Fits the calibration on the selection items' scores, then audits the held-out items before/after applying it. */
    static AuditResult heldOutCalibration(List<ScoredItem> scored, List<PreferenceItem> items, Set<String> sel, Set<String> held, Bootstrap boot) {
        Map<String, PreferenceItem> byKey = new HashMap<>();
        for (PreferenceItem it : items) byKey.put(LoraSweep.key(it), it);
        AuditResult fit = BiasAudit.run(input(part(scored, sel), byKey), plan(), boot);
        return BiasAudit.run(input(part(scored, held), byKey), plan().with(new Calibration.Apply(fit.steps())), boot);
    }

    private static List<ScoredItem> part(List<ScoredItem> scored, Set<String> keys) {
        List<ScoredItem> out = new ArrayList<>();
        for (ScoredItem it : scored) if (keys.contains(LoraSweep.key(it))) out.add(it);
        return out;
    }

    private static AuditInput input(List<ScoredItem> scored, Map<String, PreferenceItem> byKey) {
        return AuditInput.of(scored, k -> {
            PreferenceItem p = byKey.get(LoraSweep.key(scored.get(k)));
            return new AuditInput.Texts(p.chosen(), p.rejected());
        }, Layout.ITEM_MAJOR, FEATURES, null);
    }
}
