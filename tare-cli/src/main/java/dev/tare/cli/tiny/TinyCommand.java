package dev.tare.cli.tiny;

import picocli.CommandLine;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.tiny.TinyCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** `tare tiny`: writes seeded random tiny checkpoints (and a LoRA adapter) laid out as on the hub, for examples. */
@Command(name = "tiny", mixinStandardHelpOptions = true,
        description = {"Write a seeded random tiny Llama checkpoint (config.json, model.safetensors, byte-level tokenizer,",
                "chat template) for trying tare without downloads: <out>/rm (reward model), <out>/judge (causal LM),",
                "<out>/bias-lora (a PEFT LoRA adapter for <out>/rm). Scores from random weights mean nothing."})
public final class TinyCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cli;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to create the checkpoints in.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights (not a bootstrap seed; default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--bf16", description = "Store weights in BF16 (default F32).")
    boolean bf16;

    @Override
    public Integer call() {
        if (Files.exists(out.resolve("rm"))) throw new IllegalArgumentException(out.resolve("rm") + " already exists");
        TinyCheckpoint.Spec d = TinyCheckpoint.Spec.defaults();
        TinyCheckpoint.Spec spec = new TinyCheckpoint.Spec(d.hidden(), d.layers(), d.heads(), d.kvHeads(), d.intermediate(),
                d.maxPositions(), false, bf16 ? DType.BF16 : DType.F32);
        TinyCheckpoint.write(out.resolve("rm"), spec, seed);
        TinyCheckpoint.write(out.resolve("judge"), spec.asCausal(), seed + 1);
        TinyCheckpoint.writeLora(out.resolve("bias-lora"), out.resolve("rm"), spec, List.of("q_proj", "v_proj", "o_proj"), 4, 8, seed + 2);
        cli.commandLine().getOut().println("wrote " + out.resolve("rm") + " (LlamaForSequenceClassification), " + out.resolve("judge")
                + " (LlamaForCausalLM), " + out.resolve("bias-lora") + " (PEFT LoRA r=4 on q/v/o)");
        return 0;
    }
}
