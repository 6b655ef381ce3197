package dev.tare.cli.eval;

import dev.tare.data.Message;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.lora.LoraModel;
import dev.tare.runtime.text.ChatTemplate;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.scorers.RenderedTextScorer;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.local.LocalRewardScorer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the scorer of a {@code local:DIR[,adapter=DIR,lambda=X,head=adapter|base,KEY=VALUE...]} spec: the model
 * directory run in-process, optionally with one PEFT LoRA adapter attached at signed strength λ (default 1; −1
 * subtracts it), reading through the adapter's score-head copy (PEFT's behaviour) or the base head. Other keys are
 * {@link LocalRewardScorer.Options#parse} options (convention, max-length, label, weights, chat-template, score-token, batch).
 */
final class LocalScorers {
    private LocalScorers() {}

    static RewardScorer open(String body) {
        String[] parts = body.split(",");
        Path dir = Path.of(parts[0].trim());
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("local scorer: model directory " + dir + " does not exist");
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("local scorer: expected key=value, got '" + p + "'");
            if (kv.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("local scorer: option '" + p.substring(0, eq).trim() + "' given twice");
            }
        }
        String adapter = kv.remove("adapter");
        String lambda = kv.remove("lambda");
        String head = kv.remove("head");
        LocalRewardScorer.Options opts = LocalRewardScorer.Options.parse(kv);
        if (adapter == null) {
            if (lambda != null || head != null) throw new IllegalArgumentException("local scorer: lambda/head need adapter=DIR");
            return LocalRewardScorer.open(dir, opts);
        }
        double lam;
        try {
            lam = lambda == null ? 1.0 : Double.parseDouble(lambda);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("local scorer: lambda=" + lambda + " is not a number");
        }
        HeadChoice hc = switch (head == null ? "adapter" : head.toLowerCase(Locale.ROOT)) {
            case "adapter" -> HeadChoice.ADAPTER;
            case "base" -> HeadChoice.BASE;
            default -> throw new IllegalArgumentException("local scorer: head=" + head + ": expected adapter or base");
        };
        LoraAdapter a = LoraAdapter.load(Path.of(adapter));
        LoraModel lm = LoraModel.open(dir, List.of(a));
        for (String w : lm.warnings()) System.err.println("warning: " + w);
        HfTokenizer tok = null;
        try {
            tok = HfTokenizer.load(dir);
            ChatTemplate template;
            if (opts.chatTemplate() != null) {
                try {
                    template = ChatTemplate.of(Files.readString(opts.chatTemplate()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read chat template " + opts.chatTemplate() + ": " + e.getMessage(), e);
                }
            } else {
                template = tok.chatTemplate().orElseThrow(() -> new IllegalArgumentException(dir.resolve("tokenizer_config.json")
                        + ": no chat_template; pass chat-template=FILE.jinja"));
            }
            var encoder = new ConversationEncoder(tok, template, opts.convention(), opts.templateVariables());
            String name = dir.toAbsolutePath().normalize().getFileName() + "+" + a.name()
                    + String.format(Locale.ROOT, "@%s", lam);
            // λ is bound to this scorer's view of the loaded base (shared weights), not set on the adapter
            LocalRewardScorer inner = LocalRewardScorer.of(name, lm.withStrengths(Map.of(a.name(), lam)).rewardModel(hc), tok, encoder, opts);
            HfTokenizer t = tok;
            return new RenderedTextScorer() {
                @Override public String name() { return inner.name(); }
                @Override public double[] score(List<List<Message>> conversations) { return inner.score(conversations); }
                @Override public double[] scoreRendered(List<String> texts) { return inner.scoreRendered(texts); }
                @Override public int preferredBatchSize() { return inner.preferredBatchSize(); }
                @Override public java.util.Map<String, Object> provenance() { return inner.provenance(); }
                @Override public java.util.Set<String> specialTokenTexts() { return inner.specialTokenTexts(); }
                @Override public void close() {
                    inner.close();
                    lm.close();
                    t.close();
                }
            };
        } catch (RuntimeException e) {
            lm.close();
            if (tok != null) tok.close();
            throw e;
        }
    }
}
