package dev.tare.cli.eval;

import picocli.CommandLine;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.eval.EvalRunner;
import dev.tare.core.Progress;
import dev.tare.results.ResultsReader;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `tare score`: scores a dataset with a reward model into a resumable per-example results file. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score every response of a dataset with a reward model; writes one JSON line per item "
                + "(id, subset, model, scores_chosen, scores_rejected, results) in dataset order.",
                "Kill it at any time and rerun with --resume: it continues after the last complete line."})
public final class ScoreCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cli;

    @Option(names = "--model", paramLabel = "DIR|ORG/NAME", description = "Local reward model directory (same as --scorer local:DIR).")
    Path model;

    @Option(names = "--scorer", paramLabel = "SPEC", description = "local:DIR[,adapter=DIR,lambda=X] | "
            + "http:URL[,protocol=tare|vllm-pooling|vllm-classify|tei,model=NAME,label=L,token=env:VAR,timeout=S,retries=N,concurrency=N,batch=N]")
    String scorer;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Dataset file (.jsonl, .json or .parquet), or a Hugging Face dataset ORG/NAME[@REV][:FILE].")
    Path data;

    @Option(names = "--benchmark", defaultValue = "pairs", paramLabel = "NAME",
            description = "Dataset format: rewardbench, rewardbench2, rm-bench or pairs (default: ${DEFAULT-VALUE}).")
    String benchmark;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Results file (JSON Lines).")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run in --out.")
    boolean resume;

    @Option(names = "--batch-size", defaultValue = "0", paramLabel = "N",
            description = "Conversations per scorer call (default: the scorer's preference).")
    int batchSize;

    @Option(names = "--parallel", defaultValue = "1", paramLabel = "N", description = "Batches scored at once (default: 1).")
    int parallel;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Score only the first N items.")
    int limit;

    @Option(names = "--explain", defaultValue = "0", paramLabel = "K",
            description = "For a gated multi-objective model (ArmoRM): print the K objectives that drive its rewards (mean coefficient, "
                    + "reward, contribution, chosen-minus-rejected contribution, share of responses where it is in the top K).")
    int explain;

    @Override public Integer call() {
        if (explain < 0) throw new IllegalArgumentException("--explain K needs K ≥ 1");
        String spec = scorer != null ? scorer : model != null ? "local:" + model : null;
        if (spec == null) throw new IllegalArgumentException("give --model DIR or --scorer SPEC");
        if (scorer != null && model != null) throw new IllegalArgumentException("give either --model or --scorer, not both");
        List<PreferenceItem> items = Benchmark.byName(benchmark).read(dev.tare.data.hub.HubResolver.dataFile(data, EvalRun.preferredSplit(benchmark)));
        if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        long t0 = System.nanoTime();
        EvalRunner.Outcome o;
        try (RewardScorer s = ScorerSpec.parse(spec).rewardScorer(System::getenv);
             Progress p = Progress.stderr("score", items.size())) {
            o = EvalRunner.run(items, s, out, resume, new EvalRunner.Options(batchSize, parallel, 256,
                    java.time.Duration.ofSeconds(5)), p);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        List<ScoredItem> res = ResultsReader.read(out);
        long withResult = res.stream().filter(r -> r.results() != null).count();
        double acc = res.stream().filter(r -> r.results() != null).mapToDouble(ScoredItem::results).sum();
        cli.commandLine().getOut().printf(Locale.ROOT, "scored %d items (%d resumed) in %.1f s -> %s%s%n", o.total(), o.resumed(), secs, out,
                withResult == 0 ? "" : String.format(Locale.ROOT, "; accuracy %.2f%% over %d items", 100 * acc / withResult, withResult));
        if (explain > 0) cli.commandLine().getOut().print(dev.tare.eval.ObjectiveExplanation.of(out, res, explain).table());
        return 0;
    }
}
