package dev.tare.cli.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.pairs.Benchmark;
import dev.tare.metrics.BenchmarkScores;
import dev.tare.metrics.BenchmarkScoring;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsFiles;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
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
import java.util.List;
import java.util.concurrent.Callable;

/** `tare metrics`: official RewardBench v1 / v2 and RM-Bench scores with bootstrap CIs from a per-example results file. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Scores a per-example results file the way the benchmark authors do, with 95%% bootstrap CIs.",
                "Accepts tare results JSONL, RewardBench leaderboard per-model JSON (eval-set-scores/<org>/<model>.json,",
                "column or row form) and RM-Bench's own result arrays (score_chosen/score_rejected)."})
public final class MetricsCommand implements Callable<Integer> {
    @Option(names = "--benchmark", required = true, description = "rewardbench | rewardbench2 | rm-bench | pairs")
    String benchmark;

    @Option(names = "--results", required = true, arity = "1..*",
            description = "per-example results file(s) (.jsonl or .json); several files are pooled (e.g. RM-Bench's per-domain outputs)")
    List<Path> results;

    @Mixin JsonOption json;
    @Mixin JsonFileOption out;

    @Option(names = "--convert-to", description = "also write the items as tare results JSONL (e.g. from a leaderboard JSON)")
    Path convertTo;

    @Mixin BootstrapOption bootstrap;
    @Mixin SeedOption seed;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Override public Integer call() throws Exception {
        Benchmark b = Benchmark.byName(benchmark);
        List<ScoredItem> items = new java.util.ArrayList<>();
        for (Path p : results) items.addAll(ResultsFiles.read(p));
        checkUniqueKeys(items);
        if (convertTo != null) ResultsWriter.writeAll(convertTo, items);
        Bootstrap boot = bootstrap.with(seed.seed());
        PrintWriter w = spec.commandLine().getOut();
        BenchmarkScores scores = BenchmarkScoring.of(b).score(items, boot);
        ObjectNode summary = scores.json();
        summary.put("benchmark", b.cliName());
        summary.set("results_files", MAPPER.valueToTree(results.stream().map(Path::toString).toList()));
        summary.put("bootstrap_resamples", bootstrap.resamples());
        summary.put("bootstrap_seed", seed.seed());
        String text = MAPPER.writeValueAsString(summary);
        out.write(text);
        w.println(json.json() ? text : scores.table());
        w.flush();
        return 0;
    }

    /** Pooled files must not score the same item twice. */
    private static void checkUniqueKeys(List<ScoredItem> items) {
        java.util.Set<ScoredItem.Key> seen = new java.util.HashSet<>();
        for (ScoredItem it : items)
            if (!seen.add(it.key())) throw new IllegalArgumentException("item " + it.key() + " appears twice in the results");
    }
}
