package dev.tare.cli.lora;

import java.io.PrintWriter;
import dev.tare.core.Progress;
import dev.tare.runtime.kernel.DType;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraMerger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** `tare merge`: writes a new HF checkpoint with PEFT LoRA adapters merged at signed strengths λ. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge PEFT LoRA adapter(s) into a base checkpoint at strength λ (W + λ·alpha/r·B·A) and write a new Hugging Face checkpoint.")
public final class MergeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|ORG/NAME", description = "Base checkpoint directory (config.json + safetensors).")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR|ORG/NAME", description = "Adapter directory (adapter_config.json + adapter_model.safetensors, or a folder with one adapter subfolder). Repeatable.")
    List<Path> adapters;

    @Option(names = "--lambda", paramLabel = "X", description = "Signed strength per adapter (one value for all, or one per --adapter; default 1). Negative subtracts.")
    List<Double> lambdas;

    @Option(names = "--subtract", paramLabel = "X", description = "The published forget-LoRA scripts' convention: '+X subtracts X·LoRA', i.e. --lambda -X (one for all, or one per --adapter).")
    List<Double> subtract;

    @Option(names = "--head", defaultValue = "adapter", paramLabel = "adapter|base",
            description = "Score head of a reward model: 'adapter' = the adapter's modules_to_save copy, unscaled (PEFT's behaviour), 'base' = keep the base head. Default: ${DEFAULT-VALUE}.")
    String head;

    @Option(names = "--dtype", defaultValue = "same", paramLabel = "same|f32|bf16|f16",
            description = "Output dtype: 'same' keeps each tensor's dtype (merged weights computed in f32, rounded once, like PEFT). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--allow-overflow", description = "Write weights that overflow f16 (|w| > 65504) as inf instead of refusing the merge.")
    boolean allowOverflow;

    @Option(names = "--max-shard-size", defaultValue = "5GB", paramLabel = "SIZE", description = "Largest shard (e.g. 5GB, 500MB). Default: ${DEFAULT-VALUE}.")
    String maxShard;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint directory (must not exist or be empty); written atomically.")
    Path out;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        model = dev.tare.data.hub.HubResolver.modelDir(model); // org/name: from the Hugging Face cache or hub
        adapters = adapters.stream().map(dev.tare.data.hub.HubResolver::modelDir).toList();
        HeadChoice hc = switch (head.toLowerCase(Locale.ROOT)) {
            case "adapter" -> HeadChoice.ADAPTER;
            case "base" -> HeadChoice.BASE;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--head must be 'adapter' or 'base', got '" + head + "'");
        };
        DType dt = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "same" -> null;
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            case "f16", "float16" -> DType.F16;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--dtype must be same, f32, bf16 or f16, got '" + dtype + "'");
        };
        if (lambdas != null && subtract != null)
            throw new CommandLine.ParameterException(spec.commandLine(), "give --lambda (PEFT's signed scaling, -x subtracts) or --subtract (+x subtracts), not both");
        if (subtract != null) lambdas = subtract.stream().map(x -> x == 0 ? 0.0 : -x).toList();
        if (lambdas != null && lambdas.size() != 1 && lambdas.size() != adapters.size())
            throw new CommandLine.ParameterException(spec.commandLine(), "give one --lambda for all adapters or one per --adapter (" + adapters.size() + "), got " + lambdas.size());
        List<LoraAdapter> loaded = new ArrayList<>();
        Map<String, Double> strengths = new LinkedHashMap<>();
        for (int i = 0; i < adapters.size(); i++) {
            LoraAdapter a = LoraAdapter.load(adapters.get(i), "adapter" + i + ":" + LoraAdapter.resolveDir(adapters.get(i)).getFileName());
            loaded.add(a);
            strengths.put(a.name(), lambdas == null ? 1.0 : lambdas.get(lambdas.size() == 1 ? 0 : i));
        }
        for (String w : dev.tare.runtime.lora.LoraBaseCheck.warnings(model, loaded)) err.println("warning: " + w);
        try (Progress bar = Progress.on(err, "merging tensors", -1)) {
            LoraMerger.merge(model, loaded, strengths, new LoraMerger.Options(hc, dt, parseSize(maxShard), (done, total) -> {
                bar.setTotal(total);
                bar.update(done);
            }).withAllowOverflow(allowOverflow), out);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf("merged %d adapter(s) into %s -> %s (head %s, dtype %s)%n", loaded.size(), model, out, hc.name().toLowerCase(Locale.ROOT), dtype);
        for (LoraAdapter a : loaded) {
            boolean headCopy = a.hasHead();
            double l = strengths.get(a.name());
            o.printf("  %s  λ=%s (PEFT's signed scaling; --subtract %s)  %d LoRA layers%s%n", a.dir(), l, l == 0 ? 0.0 : -l, a.modules().size(),
                    headCopy ? (hc == HeadChoice.ADAPTER ? ", head: adapter copy (not scaled by λ)" : ", head copy ignored (base head kept)") : "");
        }
        return 0;
    }

    private long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        for (String[] u : new String[][]{{"GB", "1000000000"}, {"MB", "1000000"}, {"KB", "1000"}, {"B", "1"}})
            if (t.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        try {
            long v = (long) (Double.parseDouble(t) * mult);
            if (v < 1) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-shard-size '" + s + "' is not a size like 5GB or 500MB");
        }
    }
}
