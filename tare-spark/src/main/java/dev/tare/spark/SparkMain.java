package dev.tare.spark;

import dev.tare.data.AtomicFiles;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.Benchmark;
import dev.tare.debias.calibration.CalibrationSettings;
import dev.tare.eval.EvalReport;
import dev.tare.eval.EvalSummary;
import dev.tare.metrics.stats.Bootstrap;
import dev.tare.results.ResultsReader;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tare-spark score|relabel|bench}: the Spark entry point (spark-submit --class dev.tare.spark.SparkMain, or plain
 * java in local mode). score: parts on the executors, then the results joined, audited and calibrated on the driver;
 * relabel: a calibrated results file re-ordered into a DPO file; bench: pairs/s through Spark vs one tare process.
 */
@Command(name = "tare-spark", mixinStandardHelpOptions = true, subcommands = {SparkMain.Score.class, SparkMain.RelabelCommand.class, SparkMain.Bench.class},
        description = "tare on Apache Spark: score, audit, calibrate and relabel preference corpora.")
public final class SparkMain implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkMain()).execute(args));
    }

    /** The rows of the input parsed on the driver, in row order (for the collected audit). */
    public static List<PreferenceItem> collectItems(SparkSession spark, ScoreSettings s) {
        List<RowText> rows = new ArrayList<>(SparkScore.rows(spark, s).collect());
        rows.sort(java.util.Comparator.comparingLong(RowText::position));
        List<PreferenceItem> out = new ArrayList<>(rows.size());
        for (RowText r : rows) out.add(r.item(s.input(), s.reader()));
        return out;
    }

    /** The session: spark-submit's master, else local[*] (tare spark's local mode) or --master. */
    static SparkSession session(String master) {
        SparkConf conf = new SparkConf().setAppName("tare-spark");
        if (master != null) conf.setMaster(master);
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** score: see the class comment. */
    @Command(name = "score", mixinStandardHelpOptions = true, description = {
            "Scores a JSONL or Parquet preference file on Spark executors (one model per executor JVM), resumable by part;",
            "then joins the parts into OUT/results.jsonl and writes tare eval's summary.json/report.html and",
            "tare calibrate's calibrated.jsonl (LOWESS on chars over every response) for data that fits the driver."})
    static final class Score implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--data", required = true, paramLabel = "URI", description = "JSONL rows, or a Parquet file or folder of part files (a local path or any Hadoop URI).") String data;
        @Option(names = "--format", defaultValue = "auto", description = {"auto, jsonl or parquet (default ${DEFAULT-VALUE}: .parquet is Parquet, .jsonl/.ndjson/.json",
                "JSONL, else Parquet when every file of the input is Parquet by name or its PAR1 magic).",
                "Parquet rows are taken in file path order, then row order within each file."}) String format;
        @Option(names = "--benchmark", defaultValue = "rewardbench", description = "rewardbench or pairs (default ${DEFAULT-VALUE}).") String benchmark;
        @Option(names = "--scorer", required = true, paramLabel = "SPEC", description = "local:DIR[,...] or http:URL[,...] (tare's scorer spec).") String scorer;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Local folder for results.jsonl, summary.json, report.html, calibrated.jsonl.") Path out;
        @Option(names = "--parts", paramLabel = "URI", description = "Folder of the part files (default OUT/parts; any Hadoop URI).") String parts;
        @Option(names = "--rows-per-part", defaultValue = "1024", description = "Rows per part, the resume unit (default ${DEFAULT-VALUE}).") int rowsPerPart;
        @Option(names = "--batch", defaultValue = "0", description = "Conversations per scorer call (0: the scorer's own).") int batch;
        @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).") String master;
        @Option(names = "--parquet", paramLabel = "URI", description = "Also write the results as one Parquet folder here (any Hadoop URI).") String parquet;
        @Option(names = "--no-analysis", description = "Only score the parts (for corpora that do not fit the driver).") boolean noAnalysis;
        @Option(names = "--bootstrap", defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES, description = "Bootstrap resamples (default ${DEFAULT-VALUE}, tare eval's).") int resamples;
        @Option(names = "--seed", defaultValue = "" + Bootstrap.DEFAULT_SEED, description = "Bootstrap and calibration seed (default ${DEFAULT-VALUE}, tare eval's).") long seed;
        @Option(names = "--frac", defaultValue = "1.0", description = "LOWESS span (default ${DEFAULT-VALUE}).") double frac;
        @Option(names = "--alpha", defaultValue = "1.0", description = "Calibration strength (default ${DEFAULT-VALUE}).") double alpha;

        @Override public Integer call() throws Exception {
            ScoreSettings st;
            try {
                st = new ScoreSettings(data, benchmark, scorer, parts != null ? parts : out.resolve("parts").toAbsolutePath().toString(), rowsPerPart, batch, format);
                st = new ScoreSettings(st.input(), st.benchmark(), st.scorer(), st.parts(), st.rowsPerPart(), st.batchSize(), InputFormat.resolve(st));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PrintWriter w = spec.commandLine().getOut();
            try (SparkSession spark = session(master)) {
                SparkScore.Outcome o = SparkScore.run(spark, st);
                double scored = o.results().stream().mapToLong(PartResult::rows).sum();
                w.printf("scored %d rows in %d parts (%d found finished) in %.1f s: %.1f pairs/s%n", o.rows(), o.parts(), o.skipped(),
                        o.seconds(), scored / o.seconds());
                if (parquet != null) {
                    SparkScore.writeParquet(spark, st.parts(), o.parts(), parquet);
                    w.println("wrote " + parquet);
                }
                if (noAnalysis) { w.flush(); return 0; }
                Files.createDirectories(out);
                Path results = out.resolve("results.jsonl");
                SparkScore.concatenate(st.parts(), o.parts(), results);
                List<PreferenceItem> items = collectItems(spark, st);
                CalibrationSettings cs = CalibrationSettings.defaults().withFrac(frac).withAlpha(alpha);
                CorpusAnalysis a = CorpusAnalysis.of(st.reader(), items, results, new CalibrationSettings(cs.frac(), cs.iterations(),
                        cs.alpha(), cs.ratio(), cs.minCount(), cs.exactRepoWindow(), seed, cs.penaltyCoefficient()), new Bootstrap(resamples, seed, 0.95));
                a.write(out, new EvalReport.RunInfo(st.scorerRedacted(), data, results.toString(), o.seconds(), o.settings(st)));
                w.println(EvalSummary.leaderboardRow(a.audit()));
                w.println("wrote " + results + ", " + out.resolve("summary.json") + ", " + out.resolve("report.html") + ", " + out.resolve("calibrated.jsonl"));
            }
            w.flush();
            return 0;
        }
    }

    /** relabel: see the class comment. */
    @Command(name = "relabel", mixinStandardHelpOptions = true, description = {
            "Re-orders each pair by its (calibrated) reward: flipped when r(chosen) - r(rejected) < -margin; within the",
            "margin kept or dropped. Writes OUT/dpo.jsonl (prompt, chosen, rejected: TRL/OpenRLHF) and OUT/relabel.json."})
    static final class RelabelCommand implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--data", required = true, paramLabel = "FILE", description = "The pairs (JSONL, JSON or Parquet).") Path data;
        @Option(names = "--benchmark", defaultValue = "rewardbench", description = "rewardbench or pairs (default ${DEFAULT-VALUE}).") String benchmark;
        @Option(names = "--scores", required = true, paramLabel = "FILE", description = "Results in row order: OUT/calibrated.jsonl (or results.jsonl for raw rewards).") Path scores;
        @Option(names = "--margin", defaultValue = "0", description = "Reward gap within which a pair is ambiguous (default ${DEFAULT-VALUE}).") double margin;
        @Option(names = "--ambiguous", defaultValue = "keep", description = "keep (as labelled) or drop pairs within the margin (default ${DEFAULT-VALUE}).") String ambiguous;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for dpo.jsonl and relabel.json.") Path out;

        @Override public Integer call() throws Exception {
            Relabel.Ambiguous amb;
            try {
                amb = Relabel.Ambiguous.parse(ambiguous);
                if (!(margin >= 0)) throw new IllegalArgumentException("--margin must be >= 0, got " + margin);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            List<PreferenceItem> items = Benchmark.byName(benchmark).read(data);
            Relabel.Outcome r = Relabel.run(items, ResultsReader.read(scores), margin, amb);
            var report = r.report().json(margin, amb.name().toLowerCase(java.util.Locale.ROOT));
            report.put("scores", scores.toString());
            AtomicFiles.replaceDirectory(out, java.util.Set.of("dpo.jsonl", "relabel.json"), dir -> {
                Relabel.writeDpo(dir.resolve("dpo.jsonl"), r.pairs());
                AtomicFiles.writeString(dir.resolve("relabel.json"), report.toPrettyString() + "\n");
            });
            PrintWriter w = spec.commandLine().getOut();
            w.println(report.toPrettyString());
            w.println("wrote " + out.resolve("dpo.jsonl") + ", " + out.resolve("relabel.json"));
            w.flush();
            return 0;
        }
    }

    /** bench: see the class comment. */
    @Command(name = "bench", mixinStandardHelpOptions = true, description = {
            "Scores the same rows in this process (tare eval's runner) and through Spark, checks that the results are",
            "the same bytes, and prints pairs/s of each on this machine."})
    static final class Bench implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL rows (local).") Path data;
        @Option(names = "--benchmark", defaultValue = "rewardbench", description = "rewardbench or pairs (default ${DEFAULT-VALUE}).") String benchmark;
        @Option(names = "--scorer", required = true, paramLabel = "SPEC", description = "local:DIR[,...] or http:URL[,...].") String scorer;
        @Option(names = "--rows-per-part", defaultValue = "256", description = "Rows per part (default ${DEFAULT-VALUE}).") int rowsPerPart;
        @Option(names = "--batch", defaultValue = "0", description = "Conversations per scorer call (0: the scorer's own).") int batch;
        @Option(names = "--parallel", defaultValue = "1", description = "Batches in flight in the single process (default ${DEFAULT-VALUE}).") int parallel;
        @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).") String master;

        @Override public Integer call() throws Exception {
            Path tmp = Files.createTempDirectory("tare-spark-bench");
            try {
                List<PreferenceItem> items = Benchmark.byName(benchmark).read(data);
                Path single = tmp.resolve("single.jsonl");
                long t0 = System.nanoTime();
                try (var s = dev.tare.scorers.ScorerSpec.parse(scorer).rewardScorer(System::getenv);
                     var p = dev.tare.core.Progress.stderr("single", items.size())) {
                    dev.tare.eval.EvalRunner.run(items, s, single, false,
                            new dev.tare.eval.EvalRunner.Options(batch, parallel, 256, java.time.Duration.ofSeconds(5)), p);
                }
                double singleSecs = (System.nanoTime() - t0) / 1e9;
                ScoreSettings st = new ScoreSettings(data.toAbsolutePath().toString(), benchmark, scorer,
                        tmp.resolve("parts").toString(), rowsPerPart, batch);
                SparkScore.Outcome o;
                String master;
                try (SparkSession spark = session(this.master)) {
                    master = spark.sparkContext().master();
                    o = SparkScore.run(spark, st);
                }
                Path joined = tmp.resolve("spark.jsonl");
                SparkScore.concatenate(st.parts(), o.parts(), joined);
                boolean same = Files.mismatch(single, joined) == -1;
                PrintWriter w = spec.commandLine().getOut();
                w.printf("single process: %d pairs in %.1f s = %.1f pairs/s (parallel %d)%n", items.size(), singleSecs, items.size() / singleSecs, parallel);
                w.printf("spark %s: %d pairs in %d parts in %.1f s = %.1f pairs/s (job total, reading and checks included)%n",
                        master, o.rows(), o.parts(), o.seconds(), o.rows() / o.seconds());
                w.println("results " + (same ? "identical" : "DIFFER"));
                w.flush();
                return same ? 0 : 1;
            } finally {
                AtomicFiles.deleteTree(tmp);
            }
        }
    }
}
