package dev.tare.train;

import dev.tare.train.grad.GradDecoder;
import dev.tare.train.grad.Param;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bradley-Terry reward-model training on a {@link GradDecoder} whose trainable parameters are already set (LoRA terms
 * and the head copy by {@link LoraInit}, or every weight): per epoch a seeded shuffle, optimizer steps of
 * {@code batchPairs} pairs accumulated over micro-batches, clipping, torch's AdamW on the schedule, then the held-out
 * pairs scored. Checkpoints every {@code checkpointEvery} steps and at each epoch end let a killed run resume to the
 * same result, bit for bit.
 */
public final class Trainer {
    private Trainer() {}

    /** Progress callbacks (on the training thread). */
    public interface Listener {
        default void resumed(long step, long totalSteps) {}

        default void step(Step s) {}

        default void epoch(Epoch e) {}
    }

    /**
     * After optimizer step {@code step} (1-based) of {@code totalSteps}: the running mean loss and pair accuracy of the
     * epoch so far (in the training direction), the learning rate used, the gradient norm before clipping, and tokens /
     * seconds since this process (re)started.
     */
    public record Step(long step, long totalSteps, int epoch, int epochs, double loss, double accuracy, double lr, double gradNorm,
                       long tokens, double seconds) {
        public double tokensPerSecond() { return seconds > 0 ? tokens / seconds : 0; }
    }

    /** Held-out pairs after an epoch: accuracy in the training direction and in the data's, mean s_c − s_r, mean loss. */
    public record HeldOut(int pairs, double objectiveAccuracy, double dataAccuracy, double meanMargin, double loss) {}

    /** One finished epoch (1-based): its mean training loss and accuracy, and the held-out result (null without held-out pairs). */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, HeldOut heldOut) {}

    /** A finished run: its epochs, optimizer steps, tokens processed, and the step it resumed from (0: fresh). */
    public record Result(List<Epoch> epochs, long steps, long tokens, double seconds, long resumedFrom) {}

    /**
     * Trains {@code d}'s trainable parameters on {@code train}, scoring {@code heldOut} after each epoch. With a
     * {@code checkpointDir}, resumes from its newest checkpoint when one exists for the same {@code runId}, settings and
     * data (else refuses), and writes new ones there.
     */
    public static Result run(GradDecoder d, List<TokenPair> train, List<TokenPair> heldOut, TrainSettings s, String runId,
                             Path checkpointDir, Listener listener) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training pairs");
        List<Param> params = d.trainable();
        if (params.isEmpty()) throw new IllegalStateException("the model has no trainable parameters");
        int n = train.size();
        long perEpoch = (n + s.batchPairs() - 1) / s.batchPairs(), total = perEpoch * s.epochs();
        long warmup = Math.round(s.warmupRatio() * total);
        AdamW adam = AdamW.withWeightDecay(s.weightDecay());
        String fingerprint = fingerprint(runId, s, train, heldOut);

        long step = 0, tokensBefore = 0, resumedFrom = 0;
        double lossSum = 0;
        long correct = 0, seen = 0;
        List<Epoch> epochs = new ArrayList<>();
        if (checkpointDir != null) {
            var ck = TrainCheckpoint.latest(checkpointDir, fingerprint);
            if (ck.isPresent()) {
                TrainCheckpoint c = ck.get();
                for (Param p : params) {
                    float[] v = c.values().get(p.name());
                    if (v == null || v.length != p.size()) throw new IllegalStateException("checkpoint in " + checkpointDir + " lacks " + p.name());
                    System.arraycopy(v, 0, p.value(), 0, v.length);
                    p.changed();
                }
                adam.restore(c.step(), c.first(), c.second());
                step = resumedFrom = c.step();
                tokensBefore = c.tokens();
                epochs.addAll(c.epochs());
                lossSum = c.lossSum();
                correct = c.correct();
                seen = c.seen();
                listener.resumed(step, total);
            }
        }
        long t0 = System.nanoTime(), tokens = 0;
        while (step < total) {
            int epoch = (int) (step / perEpoch);
            int[] order = permutation(n, s.seed(), epoch);
            long b = step % perEpoch;
            int from = (int) (b * s.batchPairs()), to = Math.min(n, from + s.batchPairs());
            params.forEach(Param::zeroGrad);
            int k = 0;
            for (int m = from; m < to; m += s.microPairs(), k++) {
                List<int[][]> micro = new ArrayList<>();
                for (int i = m; i < Math.min(to, m + s.microPairs()); i++) {
                    TokenPair p = train.get(order[i]);
                    micro.add(new int[][]{p.chosen(), p.rejected()});
                }
                PairStep.Outcome o = PairStep.accumulate(d, s.loss(), micro, to - from, mix(s.seed(), step, k), true);
                lossSum += o.loss() * o.pairs();
                correct += o.correct();
                seen += o.pairs();
                tokens += o.tokens();
            }
            double norm = GradClip.clip(params, s.maxGradNorm());
            double lr = s.schedule().lr(s.lr(), step, total, warmup);
            adam.step(params, lr);
            step++;
            double secs = (System.nanoTime() - t0) / 1e9;
            listener.step(new Step(step, total, epoch + 1, s.epochs(), lossSum / seen, (double) correct / seen, lr, norm, tokens, secs));
            boolean epochEnd = step % perEpoch == 0;
            if (epochEnd) {
                Epoch e = new Epoch(epoch + 1, lossSum / seen, (double) correct / seen, heldOut.isEmpty() ? null : evaluate(d, heldOut, s));
                epochs.add(e);
                listener.epoch(e);
                lossSum = 0;
                correct = 0;
                seen = 0;
            }
            if (checkpointDir != null && step < total && (epochEnd || (s.checkpointEvery() > 0 && step % s.checkpointEvery() == 0)))
                TrainCheckpoint.save(checkpointDir, fingerprint, step, tokensBefore + tokens, epochs, lossSum, correct, seen, params, adam);
        }
        return new Result(List.copyOf(epochs), step, tokensBefore + tokens, (System.nanoTime() - t0) / 1e9, resumedFrom);
    }

    /** Scores the held-out pairs (no dropout) in micro-batches. */
    public static HeldOut evaluate(GradDecoder d, List<TokenPair> pairs, TrainSettings s) {
        int objective = 0, data = 0;
        double margin = 0, loss = 0;
        for (int m = 0; m < pairs.size(); m += s.microPairs()) {
            List<TokenPair> chunk = pairs.subList(m, Math.min(pairs.size(), m + s.microPairs()));
            int[][] ids = new int[2 * chunk.size()][];
            for (int i = 0; i < chunk.size(); i++) {
                ids[i] = chunk.get(i).chosen();
                ids[chunk.size() + i] = chunk.get(i).rejected();
            }
            float[][] sc = d.forward(ids, 0, false).scores();
            float[] c = new float[chunk.size()], r = new float[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                c[i] = sc[i][0];
                r[i] = sc[chunk.size() + i][0];
                if (c[i] > r[i]) data++;
                margin += c[i] - r[i];
            }
            BradleyTerry.Result res = s.loss().evaluate(c, r, 1);
            objective += res.correct();
            loss += res.loss() * chunk.size();
        }
        int n = pairs.size();
        return new HeldOut(n, (double) objective / n, (double) data / n, margin / n, loss / n);
    }

    /** The epoch's order of the {@code n} training pairs: a Fisher-Yates shuffle seeded by (seed, epoch). */
    static int[] permutation(int n, long seed, int epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch, -1));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A well-mixed 64-bit seed from (seed, a, b) (SplitMix64 finaliser). */
    static long mix(long seed, long a, long b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** SHA-256 over the run id (model, LoRA), the settings and every token of the data: what a checkpoint must match. */
    static String fingerprint(String runId, TrainSettings s, List<TokenPair> train, List<TokenPair> heldOut) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((runId + "\n" + s + "\n").getBytes(StandardCharsets.UTF_8));
            for (List<TokenPair> list : List.of(train, heldOut)) {
                for (TokenPair p : list) {
                    md.update(p.id().getBytes(StandardCharsets.UTF_8));
                    for (int[] ids : new int[][]{p.chosen(), p.rejected()}) {
                        md.update((byte) 0x1f);
                        for (int t : ids) md.update(new byte[]{(byte) (t >>> 24), (byte) (t >>> 16), (byte) (t >>> 8), (byte) t});
                    }
                }
                md.update((byte) 0x1e);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The trainable parameters' values by name (for tests and writers). */
    public static Map<String, float[]> values(GradDecoder d) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Param p : d.trainable()) out.put(p.name(), p.value().clone());
        return out;
    }
}
