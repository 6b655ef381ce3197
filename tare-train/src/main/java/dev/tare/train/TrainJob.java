package dev.tare.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tare.data.AtomicFiles;
import dev.tare.data.PreferenceItem;
import dev.tare.data.pairs.PairsReader;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.text.TokenizationConvention;
import dev.tare.train.grad.GradDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One training run from files to files: read preference pairs ({@code prompt/chosen/rejected} JSONL), encode them with
 * the model's chat template, hold out pairs (a fraction of the prompts, or a second file), train ({@link Trainer}) with
 * checkpoints beside the output, and write a PEFT adapter folder (LoRA) or a Hugging Face checkpoint (full), each with
 * {@code tare_train.json} saying how it was made. The output folder is written once, at the end.
 */
public record TrainJob(Path model, Path pairs, Path evalPairs, double heldOutFraction, int maxLength, Integer maxPairs,
                       TrainSettings settings, Path out, Path checkpointDir) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a finished run reports. */
    public record Summary(int trainPairs, int heldOutPairs, int droppedTooLong, List<String> adapted, Trainer.Result result, Path out) {}

    /** The checkpoint folder used when none is given: {@code <out>.checkpoints} beside the output. */
    public static Path defaultCheckpointDir(Path out) {
        Path abs = out.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".checkpoints");
    }

    /** Runs the job; {@code log} receives one-line notes (data counts, resume) as they happen. */
    public Summary run(Trainer.Listener listener, Consumer<String> log) {
        requireFreshOutput(out);
        List<PreferenceItem> items = subset(PairsReader.read(pairs), maxPairs, settings.seed());
        PairData.Encoded enc;
        PairData.Encoded evalEnc = null;
        try (HfTokenizer tok = HfTokenizer.load(model)) {
            ConversationEncoder encoder = ConversationEncoder.of(tok, TokenizationConvention.WITHOUT_SPECIAL_TOKENS);
            enc = PairData.encode(items, encoder, maxLength);
            if (evalPairs != null) evalEnc = PairData.encode(PairsReader.read(evalPairs), encoder, maxLength);
        }
        int dropped = enc.droppedPairs() + (evalEnc == null ? 0 : evalEnc.droppedPairs());
        if (dropped > 0)
            log.accept(dropped + " pair(s) over --max-length " + maxLength + " tokens were left out (never truncated), e.g. " + enc.tooLong().stream().limit(3).toList());
        PairData.Split split = evalEnc != null ? new PairData.Split(enc.pairs(), evalEnc.pairs())
                : PairData.split(enc.pairs(), enc.promptOf(), heldOutFraction, settings.seed());
        if (split.train().isEmpty()) throw new IllegalArgumentException(pairs + ": no training pairs left");
        log.accept(split.train().size() + " training pairs, " + split.heldOut().size() + " held-out pairs"
                + (evalPairs != null ? " (from " + evalPairs + ")" : " (" + Math.round(100 * heldOutFraction) + "% of the prompts)"));
        try (GradDecoder d = GradDecoder.open(model)) {
            List<String> adapted;
            if (settings.full()) {
                d.trainAll();
                adapted = List.of();
            } else {
                adapted = LoraInit.peftDefault(d, settings.lora(), settings.seed());
            }
            String runId = model.toAbsolutePath().normalize() + "|" + (settings.full() ? "full" : "lora");
            Path ck = checkpointDir == null ? defaultCheckpointDir(out) : checkpointDir;
            Trainer.Result r = Trainer.run(d, split.train(), split.heldOut(), settings, runId, ck, listener);
            String prov = provenance(split, dropped, r);
            if (settings.full()) FullCheckpointWriter.write(out, d, model, Map.of("tare_train.json", prov));
            else PeftAdapterWriter.write(out, d, settings.lora(), model.toAbsolutePath().normalize().toString(), JSON.readTree(prov));
            try {
                if (Files.isDirectory(ck)) AtomicFiles.deleteTree(ck);
            } catch (IOException e) {
                log.accept("could not remove the checkpoints in " + ck + ": " + e.getMessage());
            }
            return new Summary(split.train().size(), split.heldOut().size(), dropped, adapted, r, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void requireFreshOutput(Path out) {
        if (!Files.exists(out)) return;
        try (var s = Files.list(out)) {
            if (!Files.isDirectory(out) || s.findAny().isPresent()) throw new IllegalArgumentException("output folder " + out + " exists and is not empty");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<PreferenceItem> subset(List<PreferenceItem> items, Integer max, long seed) {
        if (max == null || max >= items.size()) return items;
        if (max < 1) throw new IllegalArgumentException("--max-pairs must be ≥ 1, got " + max);
        List<PreferenceItem> s = new ArrayList<>(items);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = s.size() - 1; i > 0; i--) java.util.Collections.swap(s, i, rng.nextInt(i + 1));
        return List.copyOf(s.subList(0, max));
    }

    private String provenance(PairData.Split split, int dropped, Trainer.Result r) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "tare train");
        p.put("model", model.toAbsolutePath().normalize().toString());
        p.put("pairs", ordered("file", pairs.toAbsolutePath().normalize().toString(), "sha256", sha256(pairs)));
        if (evalPairs != null) p.put("eval_pairs", ordered("file", evalPairs.toAbsolutePath().normalize().toString(), "sha256", sha256(evalPairs)));
        p.put("train_pairs", split.train().size());
        p.put("held_out_pairs", split.heldOut().size());
        p.put("dropped_over_max_length", dropped);
        p.put("max_length", maxLength);
        TrainSettings s = settings;
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("mode", s.full() ? "full" : "lora");
        if (!s.full()) st.put("lora", ordered("target_modules", s.lora().targets(), "r", s.lora().r(), "lora_alpha", s.lora().alpha(),
                "lora_dropout", s.lora().dropout(), "use_rslora", s.lora().rslora()));
        st.put("direction", s.loss().undesired() ? "undesired" : "desired");
        st.put("margin", s.loss().margin());
        st.put("epochs", s.epochs());
        st.put("lr", s.lr());
        st.put("schedule", s.schedule().name().toLowerCase(java.util.Locale.ROOT));
        st.put("warmup_ratio", s.warmupRatio());
        st.put("optimizer", ordered("name", "AdamW (torch.optim.AdamW semantics)", "betas", List.of(0.9, 0.999), "eps", 1e-8, "weight_decay", s.weightDecay()));
        st.put("max_grad_norm", s.maxGradNorm());
        st.put("batch_pairs", s.batchPairs());
        st.put("micro_batch_pairs", s.microPairs());
        st.put("seed", s.seed());
        p.put("settings", st);
        p.put("epochs", r.epochs());
        p.put("optimizer_steps", r.steps());
        p.put("tokens", r.tokens());
        p.put("resumed_from_step", r.resumedFrom());
        p.put("lambda_convention", "apply with tare's --lambda = PEFT's signed scaling (lambda -x subtracts x*LoRA) or --subtract x (the published scripts' '+x subtracts')");
        return JSON.writeValueAsString(p) + "\n";
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static String sha256(Path f) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
