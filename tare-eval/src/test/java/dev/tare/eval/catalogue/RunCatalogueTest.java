package dev.tare.eval.catalogue;

import dev.tare.core.Progress;
import dev.tare.data.AtomicFiles;
import dev.tare.data.DataFormatException;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.eval.EvalRunner;
import dev.tare.runtime.tiny.TinyCheckpoint;
import dev.tare.scorers.RewardScorer;
import dev.tare.scorers.local.LocalRewardScorer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static dev.tare.eval.catalogue.Catalogue.error;
import static dev.tare.eval.catalogue.Catalogue.survives;

/** Runs: resumable results files (what a resume checks) and command output folders (all at once). */
class RunCatalogueTest {
    @TempDir Path tmp;
    private int n;

    private static List<PreferenceItem> items(int count) {
        List<PreferenceItem> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new PreferenceItem("q" + i, "s", List.of(Message.user("question " + i)), List.of("a longer good answer " + i),
                    List.of("bad " + i), Map.of()));
        }
        return out;
    }

    /** Rewards = response length: a scorer with a name and nothing else. */
    private record Length(String name) implements RewardScorer {
        @Override public double[] score(List<List<Message>> conversations) {
            return conversations.stream().mapToDouble(c -> c.getLast().content().length()).toArray();
        }
    }

    private static Progress quiet() {
        return new Progress("t", -1, new PrintStream(OutputStream.nullOutputStream()), false, Duration.ofHours(1), System::nanoTime);
    }

    private static Object run(List<PreferenceItem> items, RewardScorer s, Path out, boolean resume) {
        return EvalRunner.run(items, s, out, resume, EvalRunner.Options.defaults(), quiet()).resumed();
    }

    /** A file holding the first 3 of 6 items, scored by 'length'. */
    private Path partial() { return partial("length"); }

    private Path partial(String scorer) {
        Path p = tmp.resolve("run" + (n++) + ".jsonl");
        run(items(3), new Length(scorer), p, false);
        return p;
    }

    private Path model(long seed) {
        Path rm = tmp.resolve("rm");
        TinyCheckpoint.write(rm, TinyCheckpoint.Spec.defaults(), seed);
        return rm;
    }

    private Object local(Path rm, Path out, boolean resume, LocalRewardScorer.Options options) {
        try (var s = LocalRewardScorer.open(rm, options)) {
            return run(items(6), s, out, resume);
        }
    }

    private Path localPartial() {
        Path p = tmp.resolve("local" + (n++) + ".jsonl");
        try (var s = LocalRewardScorer.open(model(1), LocalRewardScorer.Options.defaults())) {
            run(items(3), s, p, false);
        }
        return p;
    }

    @TestFactory
    Stream<DynamicTest> runs() {
        Class<IllegalStateException> refused = IllegalStateException.class;
        var dflt = LocalRewardScorer.Options.defaults();
        return new Catalogue()
                .add("resume of the same run", survives(3), () -> run(items(6), new Length("length"), partial(), true))
                .add("rerun into a file without --resume", error(refused, "--resume"), () -> run(items(6), new Length("length"), partial(), false))
                .add("resume with the items reordered", error(refused, "line 2 is", "cannot resume"), () -> {
                    List<PreferenceItem> it = new ArrayList<>(items(6));
                    Collections.swap(it, 1, 4);
                    return run(it, new Length("length"), partial(), true);
                })
                .add("resume under another scorer", error(refused, "scored by 'length'", "'other'"), () -> run(items(6), new Length("other"), partial(), true))
                .add("resume with a shorter dataset", error(refused, "has 3 items but the dataset has only 2"), () -> run(items(2), new Length("length"), partial(), true))
                .add("torn last line (killed mid-write)", survives(2), () -> {
                    Path p = partial();
                    byte[] b = Files.readAllBytes(p);
                    Files.write(p, java.util.Arrays.copyOf(b, b.length - 7));
                    return run(items(6), new Length("length"), p, true);
                })
                .add("corrupt middle line", error(DataFormatException.class, ":2:"), () -> {
                    Path p = partial();
                    List<String> lines = new ArrayList<>(Files.readAllLines(p));
                    lines.set(1, "{oops");
                    Files.write(p, lines);
                    return run(items(6), new Length("length"), p, true);
                })
                .add("resume with the same checkpoint", survives(3), () -> local(model(1), localPartial(), true, dflt))
                .add("resume with another checkpoint in the same folder", error(refused, "different model: weights"), () -> {
                    Path p = localPartial();
                    return local(model(2), p, true, dflt);
                })
                .add("resume with another max length", error(refused, "settings"), () -> local(model(1), localPartial(), true, dflt.withMaxLength(64)))
                .add("resume of a file with no identity by a local model", error(refused, "records no model identity"),
                        () -> {
                    Path p = localPartial(); // as an older tare wrote it: score_token recorded, no identity
                    var json = new com.fasterxml.jackson.databind.ObjectMapper();
                    List<String> lines = new ArrayList<>();
                    for (String l : Files.readAllLines(p)) {
                        var o = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(l);
                        o.remove(EvalRunner.IDENTITY);
                        lines.add(o.toString());
                    }
                    Files.write(p, lines);
                    return local(model(1), p, true, dflt);
                })
                .add("output folder holding other work", error(IllegalArgumentException.class, "notes.txt"), () -> {
                    Path out = Files.createDirectories(tmp.resolve("work" + (n++)));
                    Files.writeString(out.resolve("notes.txt"), "mine");
                    AtomicFiles.replaceDirectory(out, Set.of("summary.json"), d -> Files.writeString(d.resolve("summary.json"), "{}"));
                    return out;
                })
                .add("rerun killed before its folder is complete", survives("run 1"), () -> {
                    Path out = tmp.resolve("out" + (n++));
                    AtomicFiles.replaceDirectory(out, Set.of("a", "b"), d -> { Files.writeString(d.resolve("a"), "run 1"); Files.writeString(d.resolve("b"), "run 1"); });
                    try {
                        AtomicFiles.replaceDirectory(out, Set.of("a", "b"), d -> { Files.writeString(d.resolve("a"), "run 2"); throw new IOException("killed"); });
                    } catch (RuntimeException expected) {
                        // the second run died
                    }
                    return Files.readString(out.resolve("a")).equals(Files.readString(out.resolve("b"))) ? Files.readString(out.resolve("b")) : "mixed";
                })
                .tests();
    }
}
