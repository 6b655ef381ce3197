package dev.tare.cli.pairs;

import dev.tare.data.gsm8k.Gsm8kPairs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** `tare pairs gsm8k`: GSM8K style / correctness / cross preference pairs with plausible propagated slips. */
@Command(name = "gsm8k", mixinStandardHelpOptions = true,
        description = {"GSM8K preference pairs: each question's correct solution and a plausibly wrong one (one arithmetic slip "
                + "propagated to the final answer), each in the RM-Bench styles concise, detailed and markdown; three pairs per "
                + "question in the chosen mode. Output: the generic pairs format (--benchmark pairs) with the variant metadata."})
public final class PairsGsm8kCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "GSM8K train.jsonl or test.jsonl (question, answer ending in '#### N').")
    Path data;

    @Option(names = "--mode", required = true, paramLabel = "style|correctness|cross", converter = ModeConverter.class,
            description = {"style: same correctness, chosen = plainer (concise/detailed) vs markdown;",
                    "correctness: same style, chosen = correct;",
                    "cross: chosen = correct but plain, rejected = wrong but detailed/markdown."})
    Gsm8kPairs.Mode mode;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the slips (which calculation is perturbed and how); the same seed gives the same file (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N questions.")
    Integer limit;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL, written all-or-nothing.")
    Path out;

    @Override public Integer call() {
        if (limit != null && limit < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        Gsm8kPairs.Result r = Gsm8kPairs.build(data, mode, seed, limit == null ? 0 : limit);
        Gsm8kPairs.write(out, r.pairs());
        if (!r.skipped().isEmpty()) {
            spec.commandLine().getErr().println("tare pairs gsm8k: skipped " + (r.questions() - r.used()) + " questions: "
                    + r.skipped().entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ")));
        }
        spec.commandLine().getOut().println("wrote " + r.summary() + " -> " + out);
        return 0;
    }

    /** Parses --mode case-insensitively. */
    static final class ModeConverter implements CommandLine.ITypeConverter<Gsm8kPairs.Mode> {
        @Override public Gsm8kPairs.Mode convert(String s) {
            try {
                return Gsm8kPairs.Mode.parse(s);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
