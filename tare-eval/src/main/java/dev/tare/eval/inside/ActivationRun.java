package dev.tare.eval.inside;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.core.Progress;
import dev.tare.data.AtomicFiles;
import dev.tare.data.Jsonl;
import dev.tare.data.npy.NpyArray;
import dev.tare.runtime.model.CausalLM;
import dev.tare.runtime.model.Sampling;
import dev.tare.scorers.local.LocalChatGenerator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a local causal LM over items and streams the residual stream at one position per item into
 * {@code activations.npy}, float32 [items, layers + 1, hidden] (index 0 = embeddings, l = after decoder layer l − 1,
 * the last = final-normed, as transformers' output_hidden_states), with {@code items.jsonl} beside it (row, id, group,
 * labels, reply). Responses that are not given are generated greedily (up to {@code maxNewTokens}).
 */
public final class ActivationRun {
    private ActivationRun() {}

    /** What was written. */
    public record Outcome(int items, int layers, int hidden, Map<String, int[]> labelCounts) {}

    public static Outcome run(List<ActivationItem> items, LocalChatGenerator gen, ActivationPosition position, int maxNewTokens,
                              Path npy, Path itemsFile, Progress progress) {
        if (items.isEmpty()) throw new IllegalArgumentException("no items to run");
        if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be >= 1");
        CausalLM lm = gen.model();
        int L = lm.config().numLayers() + 1, H = lm.config().hiddenSize();
        int[] stops = gen.stopTokenIds();
        List<String> lines = new ArrayList<>(items.size());
        Map<String, int[]> counts = new TreeMap<>();
        progress.setTotal(items.size());
        try (NpyArray.Writer w = NpyArray.Writer.open(npy, new int[]{items.size(), L, H})) {
            try {
                for (int r = 0; r < items.size(); r++) {
                    ActivationItem it = items.get(r);
                    int[] prompt = gen.promptIds(it.prompt());
                    int[] resp;
                    String reply;
                    if (it.response() != null) {
                        reply = it.response();
                        resp = gen.encode(reply);
                    } else {
                        int[] g = lm.generate(prompt, maxNewTokens, Sampling.greedy(), stops);
                        resp = g.length > 0 && Arrays.binarySearch(stops, g[g.length - 1]) >= 0 ? Arrays.copyOf(g, g.length - 1) : g;
                        reply = gen.decode(resp);
                    }
                    int[] seq = Arrays.copyOf(prompt, prompt.length + resp.length);
                    System.arraycopy(resp, 0, seq, prompt.length, resp.length);
                    float[][] hs = lm.hiddenStates(seq);
                    float[] row = new float[H];
                    for (int l = 0; l < L; l++) {
                        switch (position) {
                            case LAST -> System.arraycopy(hs[l], (seq.length - 1) * H, row, 0, H);
                            case LAST_PROMPT -> System.arraycopy(hs[l], (prompt.length - 1) * H, row, 0, H);
                            case RESPONSE_MEAN -> {
                                if (resp.length == 0) throw new IllegalStateException("item " + it.id() + ": empty response, no mean over response tokens");
                                double[] acc = new double[H];
                                for (int t = prompt.length; t < seq.length; t++) for (int i = 0; i < H; i++) acc[i] += hs[l][t * H + i];
                                for (int i = 0; i < H; i++) row[i] = (float) (acc[i] / resp.length);
                            }
                        }
                        w.append(row, 0, H);
                    }
                    Map<String, Integer> labels = new TreeMap<>(it.labels());
                    if (it.replyLabels() != null) labels.putAll(it.replyLabels().apply(reply));
                    for (var e : labels.entrySet()) counts.computeIfAbsent(e.getKey(), k -> new int[2])[e.getValue() == 1 ? 1 : 0]++;
                    ObjectNode o = Jsonl.MAPPER.createObjectNode();
                    o.put("row", r).put("id", it.id()).put("group", it.group());
                    ObjectNode lab = o.putObject("labels");
                    labels.forEach(lab::put);
                    o.put("reply", reply).put("prompt_tokens", prompt.length).put("response_tokens", resp.length);
                    lines.add(Jsonl.MAPPER.writeValueAsString(o));
                    progress.advance(1);
                }
            } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
                w.abandon();
                if (e instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e);
            }
        }
        AtomicFiles.writeText(itemsFile, out -> {
            for (String s : lines) out.write(s + "\n");
        });
        return new Outcome(items.size(), L, H, counts);
    }
}
