package dev.tare.cli.bench;

import dev.tare.demo.bench.PrefixBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** `tare bench prefix`: parses the shape and runs {@link PrefixBench} (shared prompts computed once vs full passes). */
@Command(name = "prefix", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scoring items of one prompt and several responses with the prompt computed once (local scorer option",
                "share-prefix=N) vs every sequence in full, on a random Qwen2.5-0.5B-shaped BF16 reward model; prints both rates."})
public final class BenchPrefixCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--layers", defaultValue = "4", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--items", defaultValue = "4", description = "Items (prompts) (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--prompt-tokens", defaultValue = "384", description = "Prompt tokens per item (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--responses", defaultValue = "2", description = "Responses per item: 2 = RewardBench, 6 = RM-Bench (default: ${DEFAULT-VALUE}).")
    int responses;

    @Option(names = "--response-tokens", defaultValue = "128", description = "Tokens per response (default: ${DEFAULT-VALUE}).")
    int responseTokens;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each after a warm-up (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override public Integer call() throws Exception {
        PrefixBench.run(new PrefixBench.Settings(layers, items, promptTokens, responses, responseTokens, repeats), spec.commandLine().getOut(), System.err);
        return 0;
    }
}
