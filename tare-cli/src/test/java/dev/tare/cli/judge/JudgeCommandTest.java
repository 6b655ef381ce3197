package dev.tare.cli.judge;

import dev.tare.testkit.FakeJudgeServer;
import dev.tare.cli.TareCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** `tare judge` against a loopback OpenAI-compatible judge that prefers the longer response. */
class JudgeCommandTest {
    @TempDir Path tmp;

    private String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            int rc = TareCli.commandLine().execute(args);
            assertEquals(0, rc, buf.toString());
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    @Test
    void pairRankAndBestOfNWithRealVerdicts() throws Exception {
        Path r1 = Files.writeString(tmp.resolve("short.txt"), "Paris.");
        Path r2 = Files.writeString(tmp.resolve("long.txt"), "The capital of France is Paris, on the Seine.");
        Path r3 = Files.writeString(tmp.resolve("mid.txt"), "It is Paris, France.");
        try (FakeJudgeServer s = new FakeJudgeServer(FakeJudgeServer::prefersLonger)) {
            String judge = "openai:" + s.url() + ",model=fake";
            String pair = run("judge", "--judge", judge, "--question", "Capital of France?", "--responses", r1.toString(), r2.toString());
            assertTrue(pair.contains("order 1 (response 1 shown as A): B better (slight)"), pair);
            assertTrue(pair.contains("order 2 (response 2 shown as A, flipped back): B better (slight)"), pair);
            assertTrue(pair.contains("combined: response 2") && pair.contains("(position-consistent)"), pair);
            assertTrue(pair.contains("cost: 2 judge calls"), pair);

            String rank = run("judge", "--judge", judge, "--template", "gram-r2", "--mode", "rank", "--question", "Capital?",
                    "--responses", r1.toString(), r2.toString(), r3.toString());
            assertTrue(rank.matches("(?s).*1\\s+2\\.0\\s+\\S*long\\.txt.*2\\s+1\\.0\\s+\\S*mid\\.txt.*3\\s+0\\.0\\s+\\S*short\\.txt.*"), rank);
            assertTrue(rank.contains("judge calls: 6"), rank);

            String best = run("judge", "--judge", judge, "--mode", "best-of-n", "--one-order", "--question", "Capital?",
                    "--responses", r1.toString(), r2.toString(), r3.toString());
            assertTrue(best.contains("best: 1 ("), best);
            assertTrue(best.contains("judge calls: 2"), best);

            String vote = run("judge", "--judge", judge, "--votes", "3", "--temperature", "0.7", "--question", "Capital?",
                    "--responses", r2.toString(), r1.toString());
            assertTrue(vote.contains("response 1 6 votes, response 2 0 votes, 0 abstained"), vote);
            assertTrue(vote.contains("cost: 6 judge calls"), vote);
        }
    }

    @Test
    void specSeedIsTheBaseOfDistinctVoteSeeds() throws Exception {
        Path r1 = Files.writeString(tmp.resolve("a.txt"), "Paris.");
        Path r2 = Files.writeString(tmp.resolve("b.txt"), "The capital of France is Paris.");
        try (FakeJudgeServer s = new FakeJudgeServer(FakeJudgeServer::prefersLonger)) {
            String vote = run("judge", "--judge", "openai:" + s.url() + ",model=fake,seed=7", "--votes", "5", "--temperature", "0.7",
                    "--question", "Capital?", "--responses", r1.toString(), r2.toString());
            assertTrue(vote.contains("cost: 10 judge calls"), vote);
            // 5 votes per order: S..S+4 shown one way, S+5..S+9 swapped; never one fixed seed for every vote
            assertEquals(java.util.stream.LongStream.range(7, 17).boxed().toList(), s.seeds.stream().sorted().toList());
            s.seeds.clear();
            run("judge", "--judge", "openai:" + s.url() + ",model=fake,seed=7", "--seed", "100", "--votes", "2", "--temperature", "0.7",
                    "--question", "Capital?", "--responses", r1.toString(), r2.toString());
            assertEquals(List.of(100L, 101L, 102L, 103L), s.seeds.stream().sorted().toList(), "--seed overrides the spec's base");
        }
    }

    @Test
    void unparseableRepliesAreReportedNotGuessed() throws Exception {
        Path r1 = Files.writeString(tmp.resolve("a.txt"), "one");
        Path r2 = Files.writeString(tmp.resolve("b.txt"), "two two");
        try (FakeJudgeServer s = new FakeJudgeServer(u -> "Both are fine, I think A is nice but B too.")) {
            String out = run("judge", "--judge", "openai:" + s.url() + ",model=fake", "--question", "q", "--responses", r1.toString(), r2.toString());
            assertTrue(out.contains("order 1 (response 1 shown as A): unparseable: no [[...]] verdict label"), out);
            assertTrue(out.contains("combined: tie (not position-consistent)"), out);
        }
    }
}
