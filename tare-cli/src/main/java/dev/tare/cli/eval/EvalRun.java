package dev.tare.cli.eval;

import dev.tare.data.PreferenceItem;
import dev.tare.data.hub.HubResolver;
import dev.tare.data.pairs.Benchmark;
import dev.tare.eval.EvalReport;
import dev.tare.eval.EvalRunner;
import dev.tare.eval.EvalSummary;
import dev.tare.core.Progress;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsReader;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import java.io.PrintWriter;

/**
 * One `tare eval` run (score resumably, then official scores, bias audit, calibrated view, report), the orchestration
 * that `tare eval` and `tare demo --model` both call with their parsed options.
 * Over 150 lines: the four evaluation flows (reward model, pairwise judge, JudgeBench, generative BBQ/RM-Bench) share
 * their option checks and output layout, so they stay together.
 */
public record EvalRun(String scorer, String benchmark, Path data, Path out, boolean resume, int batchSize, int parallel,
                      int limit, Bootstrap boot, String judgeTemplate) {
    /** The judge prompt tare eval uses when none is given. */
    public static final String DEFAULT_JUDGE_TEMPLATE = "rewardbench";

    /** The data file picked from a hub dataset with several: RewardBench's published {@code filtered} split. */
    static String preferredSplit(String benchmark) {
        return benchmark.equalsIgnoreCase("rewardbench") ? "filtered" : null;
    }

    /** Runs the evaluation; results (the leaderboard row) go to {@code stdout}, progress and costs to stderr. */
    public int run(PrintWriter stdout) throws Exception {
        if (!benchmark.equalsIgnoreCase("bbq")) { // a dataset name (org/name[@REV][:FILE]) that is no file here: from the hub
            Path local = HubResolver.dataFile(data, preferredSplit(benchmark));
            if (!local.equals(data)) return new EvalRun(scorer, benchmark, local, out, resume, batchSize, parallel, limit, boot, judgeTemplate).run(stdout);
        }
        String judgeTemplate = this.judgeTemplate;
        if (dev.tare.cli.judge.GenerativeEval.handles(scorer, benchmark)) {
            if (benchmark.equalsIgnoreCase("bbq")) {
                Files.createDirectories(out);
                return dev.tare.cli.judge.GenerativeEval.bbq(scorer, data, out, resume, limit, batchSize,
                        boot, stdout);
            }
            var js = ScorerSpec.Judge.parse(scorer);
            judgeTemplate = js.option("template", judgeTemplate);
            requireSamplingForVotes(judgeTemplate);
            Files.createDirectories(out);
        }
        ScorerSpec spec = ScorerSpec.parse(scorer);
        if (benchmark.equalsIgnoreCase("judgebench")) return judgeBench(spec, judgeTemplate, stdout);
        Benchmark b = Benchmark.byName(benchmark);
        if (spec.isJudge() && benchmark.equalsIgnoreCase("rm-bench") && roundRobin()) return judgeRanking(spec, b, judgeTemplate, stdout);
        if (spec.isJudge() && benchmark.equalsIgnoreCase("rm-bench")) {
            requireSamplingForVotes(judgeTemplate);
            List<PreferenceItem> items = b.read(data);
            if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
            Files.createDirectories(out);
            try (var gen = spec.chatGenerator(System::getenv)) {
                return dev.tare.cli.judge.GenerativeEval.rmBench(newJudge(gen, judgeTemplate), votes(), gen.name(), items, out,
                        resume, batchSize, boot, stdout);
            }
        }
        if (spec.isJudge() && b == Benchmark.REWARDBENCH2) return judgeRanking(spec, b, judgeTemplate, stdout);
        if (spec.isJudge()) return judge(spec, b, judgeTemplate, stdout);
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
        var result = EvalSummary.analyze(b, items, ResultsReader.read(results), boot);
        var objectives = dev.tare.eval.ObjectiveAudit.of(results, result, boot).orElse(null); // multi-objective models only
        EvalReport.write(result, new EvalReport.RunInfo(spec.redacted(), data.toString(),
                results.toString(), secs, settings), objectives, out);
        stdout.println(EvalSummary.leaderboardRow(result));
        stdout.flush();
        return 0;
    }

    /** The judge for tare eval: the template's decoding defaults, seeded by the spec's seed=S (default 42). */
    private dev.tare.scorers.judge.PairwiseJudge newJudge(dev.tare.scorers.judge.ChatGenerator gen, String judgeTemplate) {
        return ScorerSpec.parse(scorer).pairwiseJudge(gen, judgeTemplate);
    }

    /** votes=K &gt; 1 needs a sampling temperature (the spec's temperature=, else the template's): refused before any output. */
    private void requireSamplingForVotes(String judgeTemplate) {
        int k = votes();
        if (k <= 1) return;
        var t = dev.tare.scorers.judge.JudgeTemplate.load(judgeTemplate);
        if (ScorerSpec.Judge.parse(scorer).doubleOption("temperature", t.temperature()) == 0)
            throw new IllegalArgumentException("votes=" + k + " needs sampling: set temperature=T > 0 in the judge spec (greedy gives identical votes)");
    }

    /** Whether the judge spec asks for mode=round-robin (every pair of an item's responses, Copeland scores). */
    private boolean roundRobin() {
        return scorer.trim().startsWith("judge:") && ScorerSpec.Judge.parse(scorer).option("mode", "pairwise").equals("round-robin");
    }

    /** The spec's votes=K (1 without a judge: spec or without the option). */
    private int votes() {
        return scorer.trim().startsWith("judge:") ? ScorerSpec.Judge.parse(scorer).intOption("votes", 1) : 1;
    }

    /** A generative judge: every pair in both orders, then score, position consistency and length preference. */
    private int judge(ScorerSpec spec, Benchmark b, String judgeTemplate, PrintWriter stdout) throws Exception {
        requireSamplingForVotes(judgeTemplate);
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
            var judge = newJudge(gen, judgeTemplate);
            EvalRunner.run(items, new dev.tare.eval.JudgeItemScorer(judge, gen.name(), votes()), results, resume,
                    new EvalRunner.Options(batchSize, parallel, 256, Duration.ofSeconds(5)), p);
            cost = judge.stats();
            System.err.println("judge cost: " + cost);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        var r = dev.tare.eval.JudgeSummary.analyze(b, items, ResultsReader.read(results), boot);
        dev.tare.eval.JudgeSummary.write(r, new EvalReport.RunInfo(spec.redacted() + " template=" + template.name(),
                data.toString(), results.toString(), secs), cost, out);
        stdout.println(dev.tare.eval.JudgeSummary.leaderboardRow(r));
        stdout.flush();
        return 0;
    }

    /**
     * A pairwise judge on RewardBench 2's best-of-N items: every pair of an item's responses in both orders, Copeland
     * scores as the responses' scores, then the benchmark's own rules (1/k credit for a shared top score; Ties' formula).
     */
    private int judgeRanking(ScorerSpec spec, Benchmark b, String judgeTemplate, PrintWriter stdout) throws Exception {
        if (votes() != 1) throw new IllegalArgumentException("votes=K is not supported for round-robin ranking (rewardbench2); drop votes=");
        List<PreferenceItem> items = b.read(data);
        if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        Files.createDirectories(out);
        Path results = out.resolve("results.jsonl");
        long t0 = System.nanoTime();
        var template = dev.tare.scorers.judge.JudgeTemplate.load(judgeTemplate);
        dev.tare.scorers.judge.JudgeStats cost;
        try (var gen = spec.chatGenerator(System::getenv); Progress p = Progress.stderr("judge", items.size())) {
            var judge = newJudge(gen, judgeTemplate);
            EvalRunner.run(items, new dev.tare.eval.JudgeRankingItemScorer(judge, gen.name()), results, resume,
                    new EvalRunner.Options(batchSize, parallel, 256, Duration.ofSeconds(5)), p);
            cost = judge.stats();
            System.err.println("judge cost: " + cost);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        var result = EvalSummary.analyze(b, items, ResultsReader.read(results), boot);
        EvalReport.writeJudged(result, new EvalReport.RunInfo(spec.redacted() + " template=" + template.name() + " mode=round-robin",
                data.toString(), results.toString(), secs), cost, out);
        stdout.println(EvalSummary.leaderboardRow(result));
        stdout.flush();
        return 0;
    }

    /** JudgeBench: a reward model plays one game per pair, a judge both orders; scored with JudgeBench's rules. */
    private int judgeBench(ScorerSpec spec, String judgeTemplate, PrintWriter stdout) throws Exception {
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
                var judge = newJudge(gen, judgeTemplate);
                EvalRunner.run(items, new dev.tare.eval.JudgeItemScorer(judge, name, votes()), results, resume, opts, p);
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
                boot);
        var bias = spec.isJudge() ? dev.tare.eval.JudgeBias.analyze(items, rows, boot) : null;
        dev.tare.eval.JudgeBenchEval.write(name, scores, bias, cost, new EvalReport.RunInfo(spec.redacted(),
                data.toString(), results.toString(), secs), out);
        stdout.println(dev.tare.eval.JudgeBenchEval.leaderboardRow(name, scores, bias));
        stdout.flush();
        return 0;
    }
}
