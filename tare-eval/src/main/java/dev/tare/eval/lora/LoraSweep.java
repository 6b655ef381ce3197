package dev.tare.eval.lora;

import dev.tare.data.PreferenceItem;
import dev.tare.debias.lora.LambdaSweep;
import dev.tare.eval.EvalRunner;
import dev.tare.eval.ItemScorer;
import dev.tare.core.Progress;
import dev.tare.metrics.rmbench.RmBenchMetrics;
import dev.tare.metrics.rmbench.RmBenchScores;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.scorers.local.LocalRewardScorer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The bias-LoRA strength sweep on RM-Bench: the base is loaded once with the adapter, each λ is a view of it
 * ({@link LoraModel#withStrengths}) scored through {@link EvalRunner#score} on token ids computed once, the real
 * base model (adapter off, base head) is scored as its own row, and λ is chosen on a seeded selection split by a
 * {@link LambdaSweep.Rule} and reported on the held-out part. λ is the adapter's signed strength (PEFT's scaling):
 * λ = −1 subtracts the adapter fully.
 * <p>
 * It lives in tare-eval, not tare-debias, because it scores through {@link EvalRunner} and the local scorer, and
 * tare-eval already depends on tare-debias (whose {@link LambdaSweep} holds the choice itself).
 */
public final class LoraSweep {
    private LoraSweep() {}

    /**
     * What to sweep: signed strengths (must include 0), the score head, the choice rule, the selection share and
     * seed of the split (also the seed of the {@code maxItems} subset, null = all items), and the token limit.
     */
    public record Settings(List<Double> lambdas, HeadChoice head, LambdaSweep.Rule rule, double selection, long seed,
                           Integer maxItems, int maxLength) {
        public Settings {
            if (lambdas == null || !lambdas.contains(0.0)) throw new IllegalArgumentException("the lambdas must include 0 (the reference of the selection rule)");
            for (double l : lambdas) if (!Double.isFinite(l)) throw new IllegalArgumentException("lambda must be finite, got " + l);
            if (head == null || rule == null) throw new IllegalArgumentException("head and rule are required");
            if (maxItems != null && maxItems < 1) throw new IllegalArgumentException("max items must be >= 1, got " + maxItems);
            lambdas = lambdas.stream().distinct().sorted().toList();
        }
    }

    /**
     * A finished sweep: the items scored, the split, every λ's results (λ order), the base model's results (with
     * {@link HeadChoice#BASE} these are the λ = 0 results themselves: that row is the base model exactly), the table
     * and choice ({@code result.base()} is the base model's row), and the seconds spent loading and scoring.
     */
    public record Outcome(List<PreferenceItem> items, LambdaSweep.Split split, Map<Double, List<ScoredItem>> byLambda,
                          List<ScoredItem> base, boolean baseScoredSeparately, LambdaSweep.Result result, double seconds) {
        /** RM-Bench on the held-out part at {@code lambda}, with bootstrap CIs ({@link Bootstrap#defaults()}). */
        public RmBenchScores heldOutReport(double lambda) {
            List<ScoredItem> scored = byLambda.get(lambda);
            if (scored == null) throw new IllegalArgumentException("lambda " + lambda + " was not swept");
            return RmBenchMetrics.compute(scored.stream().filter(it -> split.heldOut().contains(key(it))).toList(), Bootstrap.defaults());
        }
    }

    /**
     * Runs the sweep of the adapter in {@code adapterDir} on base {@code model} over RM-Bench {@code items}. Writes
     * {@code results-lambda=X.jsonl} (and {@code results-base.jsonl} when the base model is scored separately) into
     * {@code resultsDir} unless it is null; adapter warnings go to {@code warnings}; {@code progress} counts items scored.
     */
    public static Outcome run(Path model, Path adapterDir, List<PreferenceItem> items, Settings s, Path resultsDir,
                              Progress progress, Consumer<String> warnings) {
        List<PreferenceItem> chosen = subset(items, s.maxItems(), s.seed());
        LambdaSweep.Split split = LambdaSweep.split(chosen.stream().map(LoraSweep::key).toList(), s.selection(), s.seed());
        LoraAdapter adapter = LoraAdapter.load(adapterDir);
        Map<Double, List<ScoredItem>> byLambda = new TreeMap<>();
        List<ScoredItem> base;
        boolean scoreBase = s.head() == HeadChoice.ADAPTER;
        long t0 = System.nanoTime();
        try (LoraModel lm = LoraModel.open(model, List.of(adapter)); HfTokenizer tok = HfTokenizer.load(model)) {
            lm.warnings().forEach(warnings);
            var options = LocalRewardScorer.Options.defaults().withMaxLength(s.maxLength());
            var encoder = ConversationEncoder.of(tok, options.convention());
            String baseName = model.toAbsolutePath().normalize().getFileName().toString();
            String name = baseName + "+" + adapter.name();
            // tokenize once: the ids do not depend on lambda or on the head
            Map<PreferenceItem, int[][]> ids = encode(LocalRewardScorer.of(name, lm.rewardModel(s.head()), tok, encoder, options), chosen);
            progress.setTotal((long) (s.lambdas().size() + (scoreBase ? 1 : 0)) * chosen.size());
            for (double lambda : s.lambdas()) {
                LoraModel at = lm.withStrengths(Map.of(adapter.name(), lambda));
                LocalRewardScorer scorer = LocalRewardScorer.of(name, at.rewardModel(s.head()), tok, encoder, options);
                List<ScoredItem> scored = EvalRunner.score(chosen, tokenized(scorer, ids, Map.of("lambda", lambda)), EvalRunner.Options.defaults(), progress);
                byLambda.put(lambda, scored);
                if (resultsDir != null) ResultsWriter.writeAll(resultsDir.resolve("results-lambda=" + fmt(lambda) + ".jsonl"), scored);
            }
            if (scoreBase) {
                // the real base model: the adapter off (strength 0) read through the base head
                LocalRewardScorer plain = LocalRewardScorer.of(baseName, lm.withStrengths(Map.of(adapter.name(), 0.0)).rewardModel(HeadChoice.BASE),
                        tok, encoder, options);
                base = EvalRunner.score(chosen, tokenized(plain, ids, Map.of("base_model", true)), EvalRunner.Options.defaults(), progress);
                if (resultsDir != null) ResultsWriter.writeAll(resultsDir.resolve("results-base.jsonl"), base);
            } else {
                base = byLambda.get(0.0); // head base: lambda 0 is the base model exactly
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Bootstrap point = new Bootstrap(1, s.seed(), 0.95);
        LambdaSweep.Result res = LambdaSweep.run(byLambda, base, LoraSweep::key, split, its -> metrics(RmBenchMetrics.compute(its, point)), s.rule());
        return new Outcome(chosen, split, Collections.unmodifiableMap(byLambda), base, scoreBase, res, seconds);
    }

    /** A seeded random subset of {@code max} items (all of them when {@code max} is null or not smaller). */
    public static List<PreferenceItem> subset(List<PreferenceItem> items, Integer max, long seed) {
        if (max == null || max >= items.size()) return items;
        List<PreferenceItem> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new Random(seed));
        return shuffled.subList(0, max);
    }

    /** RM-Bench metrics in percent: hard/normal/easy/score overall and per domain group ("chat/hard", ...). */
    public static Map<String, Double> metrics(RmBenchScores r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("hard", 100 * r.hard().value());
        m.put("normal", 100 * r.normal().value());
        m.put("easy", 100 * r.easy().value());
        m.put("score", 100 * r.score().value());
        for (RmBenchScores.Domain d : r.domains()) {
            m.put(d.name() + "/hard", 100 * d.hard().value());
            m.put(d.name() + "/normal", 100 * d.normal().value());
            m.put(d.name() + "/easy", 100 * d.easy().value());
        }
        return m;
    }

    /** λ as written in file names and tables: "0", "-0.5", "1". */
    public static String fmt(double lambda) {
        String s = Double.toString(lambda);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** The split key of an item: "domain/id" (RM-Bench ids repeat across domains). */
    public static String key(PreferenceItem it) { return it.meta().get("domain") + "/" + it.id(); }

    public static String key(ScoredItem it) { return it.domain() + "/" + it.id(); }

    /** Token ids of every item's 3 chosen then 3 rejected conversations. */
    private static Map<PreferenceItem, int[][]> encode(LocalRewardScorer scorer, List<PreferenceItem> items) {
        Map<PreferenceItem, int[][]> ids = new IdentityHashMap<>();
        for (PreferenceItem it : items) {
            if (it.chosen().size() != 3 || it.rejected().size() != 3)
                throw new IllegalArgumentException("item " + key(it) + ": RM-Bench items need 3 chosen and 3 rejected responses, got "
                        + it.chosen().size() + " and " + it.rejected().size());
            int[][] rows = new int[6][];
            for (int j = 0; j < 3; j++) {
                rows[j] = scorer.encode(it.conversation(it.chosen().get(j))).ids();
                rows[3 + j] = scorer.encode(it.conversation(it.rejected().get(j))).ids();
            }
            ids.put(it, rows);
        }
        return ids;
    }

    /**
     * Scores items from their token ids (no tokenizing per λ); each result carries the item's domain and {@code tag}
     * (its λ, or base_model: true). Batches hold whole items and at least the scorer's preferred batch.
     */
    private static ItemScorer tokenized(LocalRewardScorer scorer, Map<PreferenceItem, int[][]> ids, Map<String, Object> tag) {
        return new ItemScorer() {
            @Override public String name() { return scorer.name(); }

            @Override public Map<String, Object> provenance() { return scorer.provenance(); }

            @Override public Map<String, String> identity() { return scorer.identity(); }

            @Override public int preferredBatchSize() { return 6 * (scorer.preferredBatchSize() / 6 + 1); }

            @Override public List<ScoredItem> score(List<PreferenceItem> batch) {
                int[][] rows = new int[6 * batch.size()][];
                for (int k = 0; k < batch.size(); k++) System.arraycopy(ids.get(batch.get(k)), 0, rows, 6 * k, 6);
                double[] s = scorer.scoreIds(rows);
                List<ScoredItem> out = new ArrayList<>(batch.size());
                for (int k = 0; k < batch.size(); k++) {
                    PreferenceItem it = batch.get(k);
                    Map<String, Object> extra = new LinkedHashMap<>();
                    extra.put("domain", it.meta().get("domain"));
                    extra.putAll(tag);
                    out.add(new ScoredItem(it.id(), it.subset(), scorer.name(),
                            List.of(s[6 * k], s[6 * k + 1], s[6 * k + 2]), List.of(s[6 * k + 3], s[6 * k + 4], s[6 * k + 5]), null, extra));
                }
                return out;
            }
        };
    }
}
