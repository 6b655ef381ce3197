package dev.tare.cli.train;

import dev.tare.cli.CliRun;
import dev.tare.cli.TareCli;
import dev.tare.runtime.lora.LoraAdapter;
import dev.tare.runtime.tiny.TinyCheckpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** `tare train` on a tiny random Llama RM: the adapter it writes, a kill -9 and resume, and bad input. */
class TrainCommandTest {
    @TempDir static Path tmp;
    static Path model, pairs;

    @BeforeAll
    static void setUp() throws IOException {
        model = tmp.resolve("rm");
        TinyCheckpoint.write(model, TinyCheckpoint.Spec.defaults(), 3);
        pairs = tmp.resolve("pairs.jsonl");
        Random r = new Random(0);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            int a = 2 + r.nextInt(50), b = 2 + r.nextInt(50);
            sb.append(String.format("{\"id\":\"q%d\",\"prompt\":\"What is %d plus %d?\",\"chosen\":\"%d + %d = %d.\",\"rejected\":\"## Solution\\n\\n- **%d** + **%d** = %d\\n\\n**Answer: %d**\"}%n",
                    i, a, b, a, b, a + b, a, b, a + b, a + b));
        }
        Files.writeString(pairs, sb);
    }

    static List<String> args(Path out) {
        return new ArrayList<>(List.of("train", "--model", model.toString(), "--pairs", pairs.toString(), "--lora", "q_proj,v_proj",
                "--r", "4", "--alpha", "8", "--dropout", "0.1", "--epochs", "2", "--lr", "1e-3", "--batch", "2", "--direction", "undesired",
                "--held-out", "0.1", "--checkpoint-every", "1", "--out", out.toString()));
    }

    @Test
    void writesAPeftAdapterWithEpochReports() throws Exception {
        Path out = tmp.resolve("forget");
        CliRun run = CliRun.of(args(out).toArray(String[]::new));
        assertEquals(0, run.rc(), run.err());
        assertTrue(run.out().contains("epoch 1: train loss"), run.out());
        assertTrue(run.out().contains("epoch 2: train loss"), run.out());
        assertTrue(run.out().contains("held-out 4 pairs"), run.out());
        assertTrue(run.out().contains("--subtract"), run.out());
        LoraAdapter a = LoraAdapter.load(out);
        assertEquals(8, a.modules().size());
        assertEquals(4, a.config().r());
        assertTrue(a.hasHead());
        assertFalse(Files.exists(tmp.resolve("forget.checkpoints")), "checkpoints are removed after success");
        var prov = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("tare_train.json").toFile());
        assertEquals("undesired", prov.at("/settings/direction").asText());
        assertEquals(2, prov.get("epochs").size());
        assertEquals(36, prov.get("train_pairs").asInt());
    }

    @Test
    void aKilledRunResumesToTheSameAdapter() throws Exception {
        Path ref = tmp.resolve("ref"), killed = tmp.resolve("killed");
        assertEquals(0, CliRun.of(args(ref).toArray(String[]::new)).rc());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, TareCli.class.getName()));
        cmd.addAll(args(killed));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path ck = tmp.resolve("killed.checkpoints");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (newestStep(ck) < 5 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(child.isAlive(), "child ended before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        long at = newestStep(ck);
        assertTrue(at >= 5 && at < 36, "killed mid-run at checkpoint " + at);
        assertFalse(Files.exists(killed.resolve("adapter_model.safetensors")), "no output before the end");

        CliRun resumed = CliRun.of(args(killed).toArray(String[]::new));
        assertEquals(0, resumed.rc(), resumed.err());
        assertTrue(resumed.out().contains("(resumed from step "), resumed.out());
        assertArrayEquals(Files.readAllBytes(ref.resolve("adapter_model.safetensors")), Files.readAllBytes(killed.resolve("adapter_model.safetensors")),
                "the resumed adapter differs from the uninterrupted run's");
    }

    static long newestStep(Path ck) throws IOException {
        if (!Files.isDirectory(ck)) return -1;
        try (Stream<Path> s = Files.list(ck)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d{9}")).mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(-1);
        }
    }

    @Test
    void badInputIsNamed() throws Exception {
        List<String> a = args(tmp.resolve("x1"));
        a.set(a.indexOf("undesired"), "sideways");
        CliRun r = CliRun.of(a.toArray(String[]::new));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("--direction must be desired or undesired"), r.err());

        a = args(tmp.resolve("x2"));
        a.set(a.indexOf("q_proj,v_proj"), "q_proj,lm_head");
        r = CliRun.of(a.toArray(String[]::new));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("LoRA target 'lm_head'"), r.err());

        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n{\"prompt\":\"p\",\"chosen\":\"a\"}\n");
        a = args(tmp.resolve("x3"));
        a.set(a.indexOf(pairs.toString()), bad.toString());
        r = CliRun.of(a.toArray(String[]::new));
        assertNotEquals(0, r.rc());
        assertTrue(r.err().contains("bad.jsonl") && r.err().contains("rejected"), r.err());

        Path full = tmp.resolve("x4");
        Files.createDirectories(full);
        Files.writeString(full.resolve("keep.txt"), "mine");
        r = CliRun.of(args(full).toArray(String[]::new));
        assertNotEquals(0, r.rc());
        assertTrue(r.err().contains("exists and is not empty"), r.err());
        assertEquals("mine", Files.readString(full.resolve("keep.txt")));
    }
}
