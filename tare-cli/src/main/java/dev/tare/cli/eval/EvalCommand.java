package dev.tare.cli.eval;

import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.eval.EvalReport;
import dev.tare.eval.EvalRunner;
import dev.tare.eval.EvalSummary;
import dev.tare.eval.Progress;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsReader;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** `tare eval`: scores a benchmark (resumably), then reports its official scores, bias audit and calibrated view. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a reward model on a benchmark: per-example results (resumable), the benchmark's official "
                + "scores with 95%% bootstrap CIs, a length/markdown bias audit, the same scores after LOWESS length "
                + "calibration, report.html and summary.json in --out, and one leaderboard row on stdout."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--scorer", required = true, paramLabel = "SPEC", description = "local:DIR[,adapter=DIR,lambda=X] | "
            + "http:URL[,protocol=tare|vllm-pooling|vllm-classify|tei,model=NAME,...] | openai:URL,model=NAME (pairwise judge, both orders)")
    String scorer;

    @Option(names = "--benchmark", required = true, paramLabel = "NAME",
            description = "rewardbench, rewardbench2, rm-bench, judgebench, pairs, or bbq (a generative model: judge:local:DIR or "
                    + "openai:URL,model=NAME; --data = the BBQ jsonl folder).")
    String benchmark;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "Benchmark file (.jsonl, .json or .parquet).")
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

    @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N", description = "Bootstrap resamples for CIs (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--seed", defaultValue = "20240607", paramLabel = "N", description = "Bootstrap seed.")
    long seed;

    @Option(names = "--judge-template", defaultValue = "rewardbench", paramLabel = "NAME|FILE",
            description = "Judge prompt for openai: scorers: arena-hard, rewardbench, gram-r2 or a template JSON (default: ${DEFAULT-VALUE}).")
    String judgeTemplate;

    @Override public Integer call() throws Exception {
        refuseJudgeOnBestOfN();
        if (dev.tare.cli.judge.GenerativeEval.handles(scorer, benchmark)) {
            Files.createDirectories(out);
            if (benchmark.equalsIgnoreCase("bbq"))
                return dev.tare.cli.judge.GenerativeEval.bbq(scorer, data, out, resume, limit, batchSize,
                        new Bootstrap(resamples, seed, 0.95), new java.io.PrintWriter(System.out, true));
            var js = ScorerSpec.Judge.parse(scorer);
            if (js.intOption("votes", 1) != 1)
                throw new IllegalArgumentException("votes=K is for tare judge (voting@k on one pair); tare eval judges each order once");
            judgeTemplate = js.option("template", judgeTemplate);
        }
        ScorerSpec spec = ScorerSpec.parse(scorer);
        if (benchmark.equalsIgnoreCase("judgebench")) return judgeBench(spec);
        Benchmark b = Benchmark.byName(benchmark);
        if (spec.isJudge() && benchmark.equalsIgnoreCase("rm-bench")) {
            List<PreferenceItem> items = b.read(data);
            if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
            Files.createDirectories(out);
            try (var gen = spec.chatGenerator(System::getenv)) {
                return dev.tare.cli.judge.GenerativeEval.rmBench(newJudge(gen), gen.name(), items, out,
                        resume, batchSize, new Bootstrap(resamples, seed, 0.95), new java.io.PrintWriter(System.out, true));
            }
        }
        if (spec.isJudge()) return judge(spec, b);
        List<PreferenceItem> items = b.read(data);
        if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        Files.createDirectories(out);
        Path results = out.resolve("results.jsonl");
        long t0 = System.nanoTime();
        java.util.Map<String, Object> settings;
        try (RewardScorer s = spec.rewardScorer(System::getenv); Progress p = Progress.stderr("eval", items.size())) {
            settings = s.provenance();
            EvalRunner.run(items, s, results, resume, new EvalRunner.Options(batchSize, parallel, 256, Duration.ofSeconds(5)), p);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        var result = EvalSummary.analyze(b, items, ResultsReader.read(results), new Bootstrap(resamples, seed, 0.95));
        EvalReport.write(result, new EvalReport.RunInfo(spec.redacted(), data.toString(),
                results.toString(), secs, settings), out);
        System.out.println(EvalSummary.leaderboardRow(result));
        return 0;
    }

    /**
     * Pairwise judges (openai:, judge:) compare one chosen with one rejected response; RewardBench 2 is best-of-N
     * (1 chosen vs 3+ rejected, several chosen in Ties). Refused here, before anything under --out is created.
     */
    private void refuseJudgeOnBestOfN() {
        String s = scorer.trim();
        boolean judge = s.startsWith("openai:") || s.startsWith("judge:");
        String b = benchmark.trim().toLowerCase(java.util.Locale.ROOT);
        if (!judge || b.equals("bbq") || b.equals("judgebench") || Benchmark.byName(benchmark) != Benchmark.REWARDBENCH2) return;
        throw new IllegalArgumentException("--scorer " + s.substring(0, s.indexOf(':') + 1) + "... is a pairwise judge, but --benchmark "
                + benchmark + " is best-of-N (1 chosen vs 3+ rejected responses per item, several chosen in Ties), which needs a "
                + "score for every response: use a reward model (local:DIR or http:URL), or judge a pair benchmark "
                + "(rewardbench, rm-bench, judgebench, pairs); nothing was written to " + out);
    }

    /** The judge for tare eval: the template's decoding defaults, seeded by the spec's seed=S (default 42). */
    private dev.tare.scorers.judge.PairwiseJudge newJudge(dev.tare.scorers.judge.ChatGenerator gen) {
        var t = dev.tare.scorers.judge.JudgeTemplate.load(judgeTemplate);
        long base = scorer.trim().startsWith("judge:") ? ScorerSpec.Judge.parse(scorer).seed(42) : 42;
        return new dev.tare.scorers.judge.PairwiseJudge(gen, t, new dev.tare.scorers.judge.SamplingParams(t.maxTokens(), t.temperature(), 1.0, base));
    }

    /** A generative judge: every pair in both orders, then score, position consistency and length preference. */
    private Integer judge(ScorerSpec spec, Benchmark b) throws Exception {
        List<PreferenceItem> items = b.read(data);
        if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem p = items.get(i);
            if (p.chosen().size() != 1 || p.rejected().size() != 1)
                throw new IllegalArgumentException(data + ": item " + (i + 1) + " (" + p.subset() + "/" + p.id() + ") has "
                        + p.chosen().size() + " chosen and " + p.rejected().size() + " rejected responses; pairwise judges "
                        + "evaluate 1 chosen vs 1 rejected (nothing was written to " + out + ")");
        }
        Files.createDirectories(out);
        Path results = out.resolve("results.jsonl");
        long t0 = System.nanoTime();
        var template = dev.tare.scorers.judge.JudgeTemplate.load(judgeTemplate);
        dev.tare.scorers.judge.JudgeStats cost;
        try (var gen = spec.chatGenerator(System::getenv); Progress p = Progress.stderr("judge", items.size())) {
            var judge = newJudge(gen);
            EvalRunner.run(items, new dev.tare.eval.JudgeItemScorer(judge, gen.name()), results, resume,
                    new EvalRunner.Options(batchSize, parallel, 256, Duration.ofSeconds(5)), p);
            cost = judge.stats();
            System.err.println("judge cost: " + cost);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        var r = dev.tare.eval.JudgeSummary.analyze(b, items, ResultsReader.read(results), new Bootstrap(resamples, seed, 0.95));
        dev.tare.eval.JudgeSummary.write(r, new EvalReport.RunInfo(spec.redacted() + " template=" + template.name(),
                data.toString(), results.toString(), secs), cost, out);
        System.out.println(dev.tare.eval.JudgeSummary.leaderboardRow(r));
        return 0;
    }

    /** JudgeBench: a reward model plays one game per pair, a judge both orders; scored with JudgeBench's rules. */
    private Integer judgeBench(ScorerSpec spec) throws Exception {
        var pairs = dev.tare.data.judgebench.JudgeBenchReader.readPairs(data);
        if (limit > 0 && limit < pairs.size()) pairs = pairs.subList(0, limit);
        List<PreferenceItem> items = dev.tare.eval.JudgeBenchEval.items(pairs);
        Files.createDirectories(out);
        Path results = out.resolve("results.jsonl");
        long t0 = System.nanoTime();
        var opts = new EvalRunner.Options(batchSize, parallel, 256, Duration.ofSeconds(5));
        String name;
        dev.tare.scorers.judge.JudgeStats cost = null;
        if (spec.isJudge()) {
            try (var gen = spec.chatGenerator(System::getenv); Progress p = Progress.stderr("judge", items.size())) {
                name = gen.name();
                var judge = newJudge(gen);
                EvalRunner.run(items, new dev.tare.eval.JudgeItemScorer(judge, name), results, resume, opts, p);
                cost = judge.stats();
                System.err.println("judge cost: " + cost);
            }
        } else {
            try (RewardScorer s = spec.rewardScorer(System::getenv); Progress p = Progress.stderr("eval", items.size())) {
                name = s.name();
                EvalRunner.run(items, s, results, resume, opts, p);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        var rows = ResultsReader.read(results);
        var scores = dev.tare.eval.JudgeBenchEval.score(dev.tare.eval.JudgeBenchEval.outputs(pairs, rows, name),
                new Bootstrap(resamples, seed, 0.95));
        var bias = spec.isJudge() ? dev.tare.eval.JudgeBias.analyze(items, rows, new Bootstrap(resamples, seed, 0.95)) : null;
        dev.tare.eval.JudgeBenchEval.write(name, scores, bias, cost, new EvalReport.RunInfo(spec.redacted(),
                data.toString(), results.toString(), secs), out);
        System.out.println(dev.tare.eval.JudgeBenchEval.leaderboardRow(name, scores, bias));
        return 0;
    }
}
