package dev.tare.cli.train;

import dev.tare.train.BradleyTerry;
import dev.tare.train.LoraSpec;
import dev.tare.train.Schedule;
import dev.tare.train.TrainJob;
import dev.tare.train.TrainSettings;
import dev.tare.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

// Over 150 lines: the 25 training options, each declared once with its help; the work is TrainJob's and the rendering two small methods.
/**
 * `tare train`: Bradley-Terry training of a LoRA (or every weight) of a reward model on preference pairs; the job is
 * {@link TrainJob}. Over 150 lines: its ~20 options are PEFT's and transformers' TrainingArguments' knobs, each with its
 * description; the body only checks them and calls the library.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a reward model on preference pairs (prompt/chosen/rejected JSONL) with the Bradley-Terry loss:",
                "a PEFT LoRA adapter (default) or, with --full, every weight. --direction undesired trains the forget-LoRA",
                "(it learns to prefer the rejected side); subtract it afterwards with `tare sweep --subtract ...` or `tare merge --subtract X`.",
                "Resumes from <out>.checkpoints after an interruption when run again with the same arguments."})
public final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME", description = "Base reward model (HF sequence-classifier folder with tokenizer and chat template).")
    Path model;

    @Option(names = "--pairs", required = true, paramLabel = "FILE", description = "Training pairs: JSONL with prompt, chosen, rejected (e.g. from `tare pairs gsm8k`).")
    Path pairs;

    @Option(names = "--eval-pairs", paramLabel = "FILE", description = "Held-out pairs scored after each epoch (default: --held-out of the training prompts).")
    Path evalPairs;

    @Option(names = "--held-out", defaultValue = "0.05", paramLabel = "FRACTION", description = "Share of the prompts held out when no --eval-pairs (0: none; default: ${DEFAULT-VALUE}).")
    double heldOut;

    @Option(names = "--lora", defaultValue = "q_proj,k_proj,v_proj,o_proj", split = ",", paramLabel = "MODULES", description = "LoRA target modules (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--r", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int r;

    @Option(names = "--alpha", defaultValue = "16", description = "lora_alpha; the layer scaling is alpha/r (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--dropout", defaultValue = "0.05", description = "lora_dropout (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--rslora", description = "rsLoRA scaling alpha/sqrt(r).")
    boolean rslora;

    @Option(names = "--full", description = "Train every weight instead of a LoRA; writes a Hugging Face checkpoint.")
    boolean full;

    @Option(names = "--direction", defaultValue = "desired", paramLabel = "desired|undesired",
            description = "'undesired' swaps chosen and rejected: the forget-LoRA of the bias the pairs isolate (default: ${DEFAULT-VALUE}).")
    String direction;

    @Option(names = "--margin", defaultValue = "0", description = "Loss -log sigmoid(s_good - s_bad - margin) (default: ${DEFAULT-VALUE}).")
    double margin;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "1e-5", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", defaultValue = "linear", paramLabel = "linear|constant", description = "Learning-rate schedule after warm-up, as transformers' (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "RATIO", description = "Warm-up as a share of all optimizer steps (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW decoupled weight decay (betas 0.9/0.999, eps 1e-8; default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Clip gradients to this global norm; 0 = off (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "PAIRS", description = "Pairs per optimizer step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--micro-batch", paramLabel = "PAIRS", description = "Pairs per forward pass; smaller than --batch accumulates gradients (default: --batch).")
    Integer micro;

    @Option(names = "--max-length", defaultValue = "1024", description = "Pairs with a side longer than this many tokens are left out, never truncated (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--max-pairs", paramLabel = "N", description = "Train on a seeded random subset of N pairs (quick runs).")
    Integer maxPairs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the LoRA init, shuffling, dropout and held-out split; not a bootstrap seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "50", paramLabel = "STEPS", description = "Checkpoint interval in optimizer steps, besides each epoch end; 0 = epoch ends only (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "Checkpoint folder (default: <out>.checkpoints; removed after success).")
    Path checkpoints;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output: a PEFT adapter folder, or with --full a HF checkpoint (must not exist or be empty).")
    Path out;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        model = dev.tare.data.hub.HubResolver.modelDir(model); // org/name: from the Hugging Face cache or hub
        boolean undesired = switch (direction.toLowerCase(Locale.ROOT)) {
            case "desired" -> false;
            case "undesired" -> true;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--direction must be desired or undesired, got '" + direction + "'");
        };
        Schedule sched = switch (schedule.toLowerCase(Locale.ROOT)) {
            case "linear" -> Schedule.LINEAR;
            case "constant" -> Schedule.CONSTANT;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--schedule must be linear or constant, got '" + schedule + "'");
        };
        TrainSettings s;
        try {
            LoraSpec lora = full ? null : new LoraSpec(targets, r, alpha, dropout, rslora);
            s = new TrainSettings(lora, epochs, lr, sched, warmup, weightDecay, maxGradNorm, batch, micro == null ? batch : micro,
                    new BradleyTerry(margin, undesired), seed, checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        TrainJob job = new TrainJob(model, pairs, evalPairs, heldOut, maxLength, maxPairs, s, out, checkpoints);
        TrainJob.Summary sum;
        try (TrainProgress p = new TrainProgress("train", e -> {
            o.println(epochLine(e, s));
            o.flush();
        })) {
            sum = job.run(p, line -> System.err.println(line));
        }
        o.printf(Locale.ROOT, "trained %s on %d pairs (%d held out) in %d optimizer steps, %,d tokens, %.0f s%s%n",
                full ? "every weight" : "LoRA " + s.lora().targets() + " r=" + r + " alpha=" + fmt(alpha) + " on " + sum.adapted().size() + " modules",
                sum.trainPairs(), sum.heldOutPairs(), sum.result().steps(), sum.result().tokens(), sum.result().seconds(),
                sum.result().resumedFrom() > 0 ? " (resumed from step " + sum.result().resumedFrom() + ")" : "");
        o.println("wrote " + out + (full ? " (Hugging Face checkpoint)" : " (PEFT adapter: adapter_config.json, adapter_model.safetensors)") + " + tare_train.json");
        if (!full) {
            o.println("lambda convention: tare's --lambda is PEFT's signed scaling (-x subtracts x*LoRA); --subtract x is the published scripts' '+x subtracts'.");
            o.println("next: tare sweep --model " + model + " --adapter " + out + " --subtract=-1,-0.5,-0.2,0,0.1,0.2,0.3,0.5,0.7,1,2,3 --out sweep");
        }
        return 0;
    }

    static String epochLine(Trainer.Epoch e, TrainSettings s) {
        String head = String.format(Locale.ROOT, "epoch %d: train loss %.4f, pair accuracy %.1f%%", e.epoch(), e.trainLoss(), 100 * e.trainAccuracy());
        if (e.heldOut() == null) return head + " (no held-out pairs)";
        Trainer.HeldOut h = e.heldOut();
        return head + String.format(Locale.ROOT, "; held-out %d pairs: loss %.4f, accuracy %.1f%%%s, mean s_chosen - s_rejected %+.4f",
                h.pairs(), h.loss(), 100 * h.objectiveAccuracy(),
                s.loss().undesired() ? String.format(Locale.ROOT, " in the undesired direction (chosen > rejected on %.1f%%)", 100 * h.dataAccuracy()) : "",
                h.meanMargin());
    }

    static String fmt(double x) { return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x); }
}
