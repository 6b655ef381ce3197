package dev.tare.eval;

import dev.tare.core.Progress;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.results.ResultsWriter;
import dev.tare.results.ScoredItem;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.ScorerException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Scores a dataset into a per-example results file, resumably. Items are grouped into batches of at most
 * {@code batchSize} conversations (each item's chosen responses, then its rejected ones); up to {@code parallel}
 * batches are scored at once, and results are appended strictly in dataset order, one flushed line per item, with
 * an fsync every {@code syncEvery} items or {@code syncInterval}. With {@code resume}, a torn last line is cut off,
 * the items already in the file are checked against the dataset (same keys, same model, in order) and skipped, and
 * scoring continues after them; the finished file is byte-identical to an uninterrupted run's.
 */
public final class EvalRunner {
    /** Batch size in conversations (0 = the scorer's preference), batches in flight, and fsync cadence. */
    public record Options(int batchSize, int parallel, int syncEvery, Duration syncInterval) {
        public Options {
            if (batchSize < 0) throw new IllegalArgumentException("batch size must be >= 0");
            if (parallel < 1) throw new IllegalArgumentException("parallel must be >= 1");
            if (syncEvery < 1) throw new IllegalArgumentException("syncEvery must be >= 1");
        }

        public static Options defaults() { return new Options(0, 1, 256, Duration.ofSeconds(5)); }

        public Options withBatchSize(int b) { return new Options(b, parallel, syncEvery, syncInterval); }
        public Options withParallel(int p) { return new Options(batchSize, p, syncEvery, syncInterval); }
    }

    /** What a run did: items found already done (resumed), items scored now, and whether a torn line was cut. */
    public record Outcome(Path file, int resumed, int scored, long conversations) {
        public int total() { return resumed + scored; }
    }

    private EvalRunner() {}

    /** Scores {@code items} with {@code scorer} into {@code out}; see the class comment. */
    public static Outcome run(List<PreferenceItem> items, RewardScorer scorer, Path out, boolean resume,
                              Options opt, Progress progress) {
        return run(items, ItemScorer.of(scorer), out, resume, opt, progress);
    }

    /** Same, for any item scorer (e.g. a pairwise judge). */
    public static Outcome run(List<PreferenceItem> items, ItemScorer scorer, Path out, boolean resume,
                              Options opt, Progress progress) {
        if (!resume && Files.exists(out) && sizeOf(out) > 0) {
            throw new IllegalStateException(out + " already exists; pass --resume to continue it, or remove it");
        }
        String model = scorer.name();
        Map<String, Object> provenance = withIdentity(scorer.provenance(), scorer.identity());
        try (ResultsWriter w = resume ? ResultsWriter.resume(out) : ResultsWriter.create(out)) {
            List<ScoredItem> done = w.existing();
            checkResumable(out, done, items, model, provenance);
            progress.setTotal(items.size());
            progress.resumedAt(done.size());
            int[] scored = {0};
            long[] lastSync = {System.nanoTime()};
            int[] sinceSync = {0};
            long convs = scoreInOrder(items, done.size(), scorer, opt, progress, res -> {
                for (ScoredItem s : res) w.append(withProvenance(s, provenance));
                scored[0] += res.size();
                sinceSync[0] += res.size();
                if (sinceSync[0] >= opt.syncEvery() || System.nanoTime() - lastSync[0] >= opt.syncInterval().toNanos()) {
                    w.sync();
                    sinceSync[0] = 0;
                    lastSync[0] = System.nanoTime();
                }
            });
            return new Outcome(out, done.size(), scored[0], convs);
        }
    }

    /**
     * Scores {@code items} in memory, batched and in flight exactly as {@link #run} does (no file, nothing resumed):
     * one result per item, in dataset order; the progress advances by items.
     */
    public static List<ScoredItem> score(List<PreferenceItem> items, ItemScorer scorer, Options opt, Progress progress) {
        List<ScoredItem> out = new ArrayList<>(items.size());
        Map<String, Object> provenance = scorer.provenance();
        scoreInOrder(items, 0, scorer, opt, progress, res -> res.forEach(r -> out.add(withProvenance(r, provenance))));
        return out;
    }

    /**
     * The scoring loop: items from index {@code from} on, grouped into batches of at most {@code batchSize}
     * conversations, up to {@code parallel} batches in flight; each batch's results go to {@code sink} strictly in
     * dataset order. Returns the conversations scored.
     */
    private static long scoreInOrder(List<PreferenceItem> items, int from, ItemScorer scorer, Options opt, Progress progress,
                                     Consumer<List<ScoredItem>> sink) {
        String model = scorer.name();
        int batchSize = opt.batchSize() > 0 ? opt.batchSize() : Math.max(1, scorer.preferredBatchSize());
        Iterator<PreferenceItem> it = items.subList(from, items.size()).iterator();
        long convs = 0;
        ArrayDeque<Future<List<ScoredItem>>> inFlight = new ArrayDeque<>();
        ArrayDeque<Integer> firstIndex = new ArrayDeque<>();
        int next = from;
        try (ExecutorService pool = Executors.newFixedThreadPool(opt.parallel(), Thread.ofPlatform().daemon().name("tare-score-", 0).factory())) {
            while (it.hasNext() || !inFlight.isEmpty()) {
                while (it.hasNext() && inFlight.size() < opt.parallel()) {
                    List<PreferenceItem> batch = new ArrayList<>();
                    int n = 0;
                    while (it.hasNext() && (batch.isEmpty() || n + size(items.get(next + batch.size())) <= batchSize)) {
                        PreferenceItem p = it.next();
                        batch.add(p);
                        n += size(p);
                    }
                    firstIndex.add(next);
                    next += batch.size();
                    convs += n;
                    inFlight.add(pool.submit(() -> {
                        List<ScoredItem> r = scorer.score(batch);
                        if (r.size() != batch.size()) throw new ScorerException(model + " returned " + r.size() + " results for " + batch.size() + " items");
                        return r;
                    }));
                }
                Future<List<ScoredItem>> head = inFlight.poll();
                int at = firstIndex.poll();
                List<ScoredItem> res;
                try {
                    res = head.get();
                } catch (ExecutionException e) {
                    inFlight.forEach(f -> f.cancel(true));
                    Throwable c = e.getCause();
                    if (c instanceof InBatch ib) {   // the scorer named one conversation: name its item, not the batch's first
                        PreferenceItem p = items.get(at + ib.item);
                        ScorerException se = (ScorerException) ib.getCause();
                        throw se.at("scoring item " + (at + ib.item + 1) + " (" + p.subset() + "/" + p.id() + ", " + ib.response + ") failed: ");
                    }
                    String where = "scoring item " + (at + 1) + " (" + items.get(at).subset() + "/" + items.get(at).id() + ") failed: ";
                    if (c instanceof ScorerException se) throw se.at(where);
                    throw new IllegalStateException(where + c, c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    inFlight.forEach(f -> f.cancel(true));
                    throw new IllegalStateException("interrupted", e);
                }
                sink.accept(res);
                progress.advance(res.size());
            }
        }
        return convs;
    }

    /** A scorer failure on one conversation of a batch, carried to the loop with the item (index in the batch) it belongs to. */
    private static final class InBatch extends RuntimeException {
        final int item;
        final String response;

        private InBatch(int item, String response, ScorerException cause) {
            super(cause.detail(), cause, false, false);
            this.item = item;
            this.response = response;
        }

        /** {@code e} itself when it names no conversation, else wrapped with the item and response it names. */
        static RuntimeException of(List<PreferenceItem> batch, ScorerException e) {
            int c = e.conversation();
            if (c < 0) return e;
            for (int k = 0; k < batch.size(); k++) {
                PreferenceItem p = batch.get(k);
                int nc = p.chosen().size(), nr = p.rejected().size();
                if (c < nc) return new InBatch(k, nc == 1 ? "chosen response" : "chosen response " + (c + 1), e);
                if (c < nc + nr) return new InBatch(k, nr == 1 ? "rejected response" : "rejected response " + (c - nc + 1), e);
                c -= nc + nr;
            }
            return e;
        }
    }

    /** The identity field every line of a resumable run records (see {@link dev.tare.scorers.RewardScorer#identity()}). */
    public static final String IDENTITY = "identity";

    /** The provenance with the scorer's identity (when it has one) as one more field. */
    static Map<String, Object> withIdentity(Map<String, Object> provenance, Map<String, String> identity) {
        if (identity.isEmpty()) return provenance;
        Map<String, Object> m = new LinkedHashMap<>(provenance);
        m.put(IDENTITY, new LinkedHashMap<>(identity));
        return m;
    }

    /** The line with the scorer's provenance fields (e.g. score_token) added after the item's own extras. */
    static ScoredItem withProvenance(ScoredItem s, Map<String, Object> provenance) {
        if (provenance.isEmpty()) return s;
        Map<String, Object> extra = new LinkedHashMap<>(s.extra());
        for (var e : provenance.entrySet()) {
            Object had = extra.putIfAbsent(e.getKey(), e.getValue());
            if (had != null && !had.equals(e.getValue()))
                throw new IllegalStateException("item " + s.subset() + "/" + s.id() + " already has a field '" + e.getKey() + "' = " + had
                        + " that the scorer's " + e.getKey() + " = " + e.getValue() + " would overwrite");
        }
        return new ScoredItem(s.id(), s.subset(), s.model(), s.scoresChosen(), s.scoresRejected(), s.results(), extra);
    }

    private static void checkResumable(Path out, List<ScoredItem> done, List<PreferenceItem> items, String model,
                                       Map<String, Object> provenance) {
        if (done.size() > items.size()) {
            throw new IllegalStateException(out + " has " + done.size() + " items but the dataset has only " + items.size()
                    + ": not a run of this dataset");
        }
        for (int i = 0; i < done.size(); i++) {
            ScoredItem s = done.get(i);
            PreferenceItem p = items.get(i);
            ScoredItem.Key want = key(p);
            if (!s.key().equals(want)) {
                throw new IllegalStateException(out + " line " + (i + 1) + " is " + s.key() + " but dataset item " + (i + 1)
                        + " is " + want + ": the file is from another dataset or order; cannot resume");
            }
            if (!model.equals(s.model())) {
                throw new IllegalStateException(out + " line " + (i + 1) + " was scored by '" + s.model()
                        + "' but this run's scorer is '" + model + "'; cannot resume");
            }
            for (var e : provenance.entrySet()) {
                Object had = s.extra().get(e.getKey());
                if (e.getKey().equals(IDENTITY)) {
                    checkIdentity(out, i + 1, had, (Map<?, ?>) e.getValue());
                    continue;
                }
                if (had == null || !String.valueOf(had).equals(String.valueOf(e.getValue())))
                    throw new IllegalStateException(out + " line " + (i + 1) + " was scored with " + e.getKey() + "=" + had
                            + " but this run uses " + e.getKey() + "=" + e.getValue() + "; cannot resume (the rewards would mix two settings)");
            }
        }
    }

    /** Refuses to resume a file whose line records another model identity (or none), naming what differs. */
    private static void checkIdentity(Path out, int line, Object had, Map<?, ?> now) {
        if (!(had instanceof Map<?, ?> was)) {
            throw new IllegalStateException(out + " line " + line + " records no model identity (written by an older tare or "
                    + "another scorer), so it cannot be checked against this run's model; cannot resume: start a new file");
        }
        List<String> differ = new ArrayList<>();
        java.util.Set<Object> keys = new java.util.LinkedHashSet<>(now.keySet());
        keys.addAll(was.keySet());
        for (Object k : keys) {
            if (!String.valueOf(was.get(k)).equals(String.valueOf(now.get(k)))) {
                differ.add(k + " (file " + was.get(k) + ", this run " + now.get(k) + ")");
            }
        }
        if (!differ.isEmpty()) {
            throw new IllegalStateException(out + " line " + line + " was scored by a different model: " + String.join(", ", differ)
                    + " differ; cannot resume (the file would mix two models' rewards): start a new file");
        }
    }

    static ScoredItem.Key key(PreferenceItem p) {
        return new ScoredItem.Key(p.meta().get("domain"), p.subset(), p.id());
    }

    private static int size(PreferenceItem p) { return p.chosen().size() + p.rejected().size(); }

    /** Scores one batch of items in one scorer call and maps the rewards back to items. */
    static List<ScoredItem> scoreBatch(List<PreferenceItem> batch, RewardScorer scorer, String model) {
        List<List<Message>> convs = new ArrayList<>();
        for (PreferenceItem p : batch) {
            for (String c : p.chosen()) convs.add(p.conversation(c));
            for (String r : p.rejected()) convs.add(p.conversation(r));
        }
        double[] r;
        try {
            r = scorer.score(convs);
        } catch (ScorerException e) {
            throw InBatch.of(batch, e);
        }
        if (r.length != convs.size()) {
            throw new ScorerException(scorer.name() + " returned " + r.length + " rewards for " + convs.size() + " conversations");
        }
        List<ScoredItem> out = new ArrayList<>(batch.size());
        int k = 0;
        for (PreferenceItem p : batch) {
            List<Double> ch = new ArrayList<>(), rj = new ArrayList<>();
            for (int i = 0; i < p.chosen().size(); i++) ch.add(finite(r[k++], scorer, p));
            for (int i = 0; i < p.rejected().size(); i++) rj.add(finite(r[k++], scorer, p));
            out.add(toScored(p, model, ch, rj));
        }
        return out;
    }

    /** As {@link #scoreBatch}, with each response's objective breakdown in the line's {@link ObjectiveColumns#FIELD} extra. */
    static List<ScoredItem> scoreBatchExplained(List<PreferenceItem> batch, dev.tare.scorers.ObjectiveScorer scorer) {
        List<List<Message>> convs = new ArrayList<>();
        for (PreferenceItem p : batch) {
            for (String c : p.chosen()) convs.add(p.conversation(c));
            for (String r : p.rejected()) convs.add(p.conversation(r));
        }
        List<dev.tare.runtime.model.ObjectiveScores> o;
        try {
            o = scorer.explain(convs);
        } catch (ScorerException e) {
            throw InBatch.of(batch, e);
        }
        if (o.size() != convs.size()) {
            throw new ScorerException(scorer.name() + " returned " + o.size() + " breakdowns for " + convs.size() + " conversations");
        }
        List<ScoredItem> out = new ArrayList<>(batch.size());
        int k = 0;
        for (PreferenceItem p : batch) {
            List<Double> ch = new ArrayList<>(), rj = new ArrayList<>();
            List<dev.tare.runtime.model.ObjectiveScores> oc = new ArrayList<>(), or = new ArrayList<>();
            for (int i = 0; i < p.chosen().size(); i++) { oc.add(o.get(k)); ch.add(finite(scorer.reward(o.get(k++)), scorer, p)); }
            for (int i = 0; i < p.rejected().size(); i++) { or.add(o.get(k)); rj.add(finite(scorer.reward(o.get(k++)), scorer, p)); }
            ScoredItem s = toScored(p, scorer.name(), ch, rj);
            Map<String, Object> extra = new LinkedHashMap<>(s.extra());
            extra.put(ObjectiveColumns.FIELD, ObjectiveColumns.toExtra(oc, or));
            out.add(new ScoredItem(s.id(), s.subset(), s.model(), s.scoresChosen(), s.scoresRejected(), s.results(), extra));
        }
        return out;
    }

    private static double finite(double v, RewardScorer s, PreferenceItem p) {
        if (!Double.isFinite(v)) throw new ScorerException(s.name() + " returned " + v + " for " + p.subset() + "/" + p.id());
        return v;
    }

    /**
     * The result line for an item: one chosen and one rejected → a pair (1 iff chosen &gt; rejected); one chosen and
     * several rejected → best-of-N (1/k at a k-way tie on top); otherwise (RM-Bench style grids, RewardBench 2 Ties)
     * no per-item result. The item's meta fields become extra fields, in key order.
     */
    public static ScoredItem toScored(PreferenceItem p, String model, List<Double> chosen, List<Double> rejected) {
        // sorted: PreferenceItem.meta is an immutable map whose iteration order changes from one JVM to the next
        Map<String, Object> extra = new LinkedHashMap<>(new java.util.TreeMap<>(p.meta()));
        if (chosen.size() == 1 && rejected.size() == 1) {
            return ScoredItem.pair(p.id(), p.subset(), model, chosen.getFirst(), rejected.getFirst(), extra);
        }
        if (chosen.size() == 1 && !rejected.isEmpty()) {
            return ScoredItem.bestOfN(p.id(), p.subset(), model, chosen, rejected, extra);
        }
        return new ScoredItem(p.id(), p.subset(), model, chosen, rejected, null, extra);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
