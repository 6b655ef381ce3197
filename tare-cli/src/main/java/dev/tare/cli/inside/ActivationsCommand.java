package dev.tare.cli.inside;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.core.Progress;
import dev.tare.data.AtomicFiles;
import dev.tare.data.Jsonl;
import dev.tare.data.Message;
import dev.tare.data.bbq.BbqItem;
import dev.tare.data.bbq.BbqReader;
import dev.tare.eval.inside.ActivationItem;
import dev.tare.eval.inside.ActivationPosition;
import dev.tare.eval.inside.ActivationRun;
import dev.tare.eval.inside.BbqActivationItems;
import dev.tare.scorers.local.LocalChatGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * `tare activations`: the residual stream per layer of a local causal LM over BBQ items or a JSONL, into .npy + items.jsonl.
 * The output folder appears all at once ({@link AtomicFiles#replaceDirectory}): the run fills a temp folder beside it,
 * renamed into place at the end, so a run killed midway leaves the previous run's pair whole (and a folder holding
 * other files is refused untouched, before the model runs).
 */
@Command(name = "activations", mixinStandardHelpOptions = true,
        description = {"Run a local causal LM over BBQ items (--bbq) or prompts (--jsonl) and store the residual stream of every "
                + "layer at one position per item: OUT/activations.npy, float32 [items, layers + 1, hidden] (0 = embeddings, "
                + "l = after decoder layer l-1, last = final-normed) and OUT/items.jsonl (id, group, 0/1 labels, the reply). "
                + "BBQ labels: ambiguous, and from the greedy reply committed, correct, stereotype."})
public final class ActivationsCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cli;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Local HF *ForCausalLM folder with tokenizer and chat template.")
    Path model;

    @Option(names = "--bbq", paramLabel = "PATH", description = "BBQ data: a folder of category .jsonl files or one file.")
    Path bbq;

    @Option(names = "--jsonl", paramLabel = "FILE", description = "Rows {\"id\", \"prompt\", optional \"group\", \"response\", \"labels\": {name: 0|1}}.")
    Path jsonl;

    @Option(names = "--position", defaultValue = "last_prompt", paramLabel = "P", description = "last, last_prompt or response_mean (default ${DEFAULT-VALUE}).")
    String position;

    @Option(names = "--max-tokens", defaultValue = "8", paramLabel = "N", description = "Greedy reply length when no response is given (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Only the first N items (0 = all).")
    int limit;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Override public Integer call() {
        if ((bbq == null) == (jsonl == null)) throw new IllegalArgumentException("give exactly one of --bbq and --jsonl");
        ActivationPosition pos = ActivationPosition.parse(position);
        List<ActivationItem> items;
        if (bbq != null) {
            List<BbqItem> b = readBbq(bbq, limit);
            items = BbqActivationItems.of(b);
        } else {
            items = readJsonl(jsonl);
            if (limit > 0 && limit < items.size()) items = items.subList(0, limit);
        }
        PrintWriter w = cli.commandLine().getOut();
        ActivationRun.Outcome[] done = new ActivationRun.Outcome[1];
        List<ActivationItem> run = items;
        try (LocalChatGenerator g = LocalChatGenerator.load(model, 1); Progress p = Progress.stderr("activations", items.size())) {
            AtomicFiles.replaceDirectory(out, Set.of("activations.npy", "items.jsonl"), dir ->
                    done[0] = ActivationRun.run(run, g, pos, maxTokens, dir.resolve("activations.npy"), dir.resolve("items.jsonl"), p));
        }
        ActivationRun.Outcome o = done[0];
        w.printf("%d items x %d hidden-states indices x %d at %s -> %s%n", o.items(), o.layers(), o.hidden(), pos.key(), out.resolve("activations.npy"));
        for (var e : o.labelCounts().entrySet()) w.printf("label %-12s 0: %d  1: %d%n", e.getKey(), e.getValue()[0], e.getValue()[1]);
        w.flush();
        return 0;
    }

    /** BBQ items from a folder of category files or one file, the first {@code limit} (0 = all). */
    static List<BbqItem> readBbq(Path data, int limit) {
        if (!Files.exists(data)) throw new IllegalArgumentException("no BBQ data at " + data);
        List<BbqItem> items = new ArrayList<>();
        for (Path f : Files.isDirectory(data) ? BbqReader.jsonlFiles(data) : List.of(data)) items.addAll(BbqReader.read(f));
        if (items.isEmpty()) throw new IllegalArgumentException(data + ": no BBQ items");
        return limit > 0 && limit < items.size() ? items.subList(0, limit) : items;
    }

    static List<ActivationItem> readJsonl(Path file) {
        return Jsonl.read(file, (line, n) -> {
            String id = line.text("id");
            String prompt = line.text("prompt");
            JsonNode g = n.get("group"), r = n.get("response"), lab = n.get("labels");
            if (g != null && !g.isTextual()) throw line.error("group", "expected a string");
            if (r != null && !r.isNull() && !r.isTextual()) throw line.error("response", "expected a string");
            Map<String, Integer> labels = new HashMap<>();
            if (lab != null && !lab.isNull()) {
                if (!lab.isObject()) throw line.error("labels", "expected an object of 0/1 values");
                for (var e : lab.properties()) {
                    JsonNode v = e.getValue();
                    if (!v.isIntegralNumber() || (v.asInt() != 0 && v.asInt() != 1)) throw line.error("labels." + e.getKey(), "must be 0 or 1, got " + v);
                    labels.put(e.getKey(), v.asInt());
                }
            }
            return new ActivationItem(id, g == null ? null : g.asText(), List.of(Message.user(prompt)),
                    r == null || r.isNull() ? null : r.asText(), labels, null);
        });
    }
}
