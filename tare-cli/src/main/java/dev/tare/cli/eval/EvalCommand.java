package dev.tare.cli.eval;

import dev.tare.cli.options.BootstrapOption;
import dev.tare.cli.options.SeedOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `tare eval`: scores a benchmark (resumably), then reports its official scores, bias audit and calibrated view. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a reward model on a benchmark: per-example results (resumable), the benchmark's official "
                + "scores with 95%% bootstrap CIs, a length/markdown bias audit, the same scores after LOWESS length "
                + "calibration, report.html and summary.json in --out, and one leaderboard row on stdout."})
public final class EvalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--scorer", required = true, paramLabel = "SPEC", description = "local:DIR[,adapter=DIR,lambda=X] | "
            + "http:URL[,protocol=tare|vllm-pooling|vllm-classify|tei,model=NAME,...] | openai:URL,model=NAME (pairwise judge, both orders)")
    String scorer;

    @Option(names = "--benchmark", required = true, paramLabel = "NAME",
            description = "rewardbench, rewardbench2, rm-bench, judgebench, pairs, or bbq (a generative model: judge:local:DIR or "
                    + "openai:URL,model=NAME; --data = the BBQ jsonl folder).")
    String benchmark;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "Benchmark file (.jsonl, .json or .parquet), or a Hugging Face dataset ORG/NAME[@REV][:FILE] (rewardbench: its filtered split).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (results.jsonl, summary.json, report.html).")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run in --out.")
    boolean resume;

    @Option(names = "--batch-size", defaultValue = "0", paramLabel = "N", description = "Conversations per scorer call.")
    int batchSize;

    @Option(names = "--parallel", defaultValue = "1", paramLabel = "N", description = "Batches scored at once.")
    int parallel;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Evaluate only the first N items.")
    int limit;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;

    @Option(names = "--judge-template", defaultValue = EvalRun.DEFAULT_JUDGE_TEMPLATE, paramLabel = "NAME|FILE",
            description = "Judge prompt for openai: scorers: arena-hard, rewardbench, gram-r2 or a template JSON (default: ${DEFAULT-VALUE}).")
    String judgeTemplate;

    @Option(names = "--explain", defaultValue = "0", paramLabel = "K",
            description = "For a gated multi-objective model (ArmoRM): print the K objectives that drive its rewards (mean coefficient, "
                    + "reward, contribution, chosen-minus-rejected contribution, share of responses where it is in the top K).")
    int explain;

    @Override public Integer call() throws Exception {
        if (explain < 0) throw new IllegalArgumentException("--explain K needs K ≥ 1");
        int rc = new EvalRun(scorer, benchmark, data, out, resume, batchSize, parallel, limit, bootstrap.with(seed.seed()), judgeTemplate)
                .run(spec.commandLine().getOut());
        if (rc == 0 && explain > 0) {
            Path results = out.resolve("results.jsonl");
            spec.commandLine().getOut().print(dev.tare.eval.ObjectiveExplanation.of(results, dev.tare.results.ResultsReader.read(results), explain).table());
        }
        return rc;
    }
}
