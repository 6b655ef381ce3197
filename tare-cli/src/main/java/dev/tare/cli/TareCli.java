package dev.tare.cli;

import picocli.CommandLine;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** The `tare` command line: one subcommand per pipeline step. */
@Command(name = "tare", mixinStandardHelpOptions = true, version = "tare 0.1.0",
        description = "Measure and remove bias in reward models.",
        subcommands = {
                CommandLine.HelpCommand.class,
                dev.tare.cli.demo.DemoCommand.class,
                dev.tare.cli.alpacaeval.AlpacaEvalCommand.class,
                dev.tare.cli.report.ReportCommand.class,
                dev.tare.cli.calibrate.CalibrateCommand.class,
                dev.tare.cli.compare.CompareCommand.class,
                dev.tare.cli.bbq.BbqCommand.class,
                dev.tare.cli.judgebench.JudgeBenchCommand.class,
                dev.tare.cli.bench.BenchCommand.class,
                dev.tare.cli.lora.MergeCommand.class,
                dev.tare.cli.metrics.MetricsCommand.class,
                dev.tare.cli.pairs.PairsCommand.class,
                dev.tare.cli.eval.ScoreCommand.class,
                dev.tare.cli.eval.EvalCommand.class,
                dev.tare.cli.judge.JudgeCommand.class,
                dev.tare.cli.serve.ServeCommand.class,
                dev.tare.cli.spark.SparkCommand.class,
                dev.tare.cli.sweep.SweepCommand.class,
                dev.tare.cli.tiny.TinyCommand.class,
                dev.tare.cli.train.TrainCommand.class,
                dev.tare.cli.text.TokenizeCommand.class,
                dev.tare.cli.inside.ActivationsCommand.class,
                dev.tare.cli.inside.ProbeCommand.class,
                dev.tare.cli.inside.SteerCommand.class,
        })
public final class TareCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        // results go to picocli's out (every command prints there); it writes to System.out, flushed at each line
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, System.out.charset()), true));
        int rc = cl.execute(args);
        cl.getOut().flush();
        System.exit(rc);
    }

    /** The configured command line (tests execute commands through it). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new TareCli());
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            line.getErr().println("tare: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("TARE_DEBUG") != null) ex.printStackTrace(line.getErr());
            return 2;
        });
        return cl;
    }
}
