package dev.tare.cli.bench;

import dev.tare.demo.bench.LoraBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * `tare bench lora`: parses the sizes and runs {@link LoraBench} (unmerged LoRA overhead vs the base forward, merge
 * time and memory).
 */
@Command(name = "lora", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Unmerged LoRA overhead vs the base forward (target <= 10 %%), and merge time/memory, on a random",
                "Qwen2.5-0.5B-shaped BF16 reward model with a random PEFT adapter (written to a temp folder)."})
public final class BenchLoraCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--layers", defaultValue = "24", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--seq-len", defaultValue = "512", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--sequences", defaultValue = "2", description = "Sequences per forward run (default: ${DEFAULT-VALUE}).")
    int sequences;

    @Option(names = "--rank", defaultValue = "16", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--targets", defaultValue = "q_proj,k_proj,v_proj,o_proj", split = ",",
            description = "Adapted modules (default: ${DEFAULT-VALUE}; add gate_proj,up_proj,down_proj for all-linear).")
    List<String> targets;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per variant after a warm-up (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--skip-merge", description = "Do not time the merge.")
    boolean skipMerge;

    @Override
    public Integer call() throws Exception {
        LoraBench.run(new LoraBench.Settings(layers, seqLen, sequences, rank, targets, repeats, !skipMerge), spec.commandLine().getOut(), System.err);
        return 0;
    }
}
