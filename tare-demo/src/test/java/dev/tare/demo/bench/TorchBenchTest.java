package dev.tare.demo.bench;

import dev.tare.demo.generate.RandomQwen2Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The PyTorch comparison reports why it has no figures instead of failing the benchmark; the bench's ids are seeded. */
class TorchBenchTest {
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test void aMissingScriptOrInterpreterIsAReasonNotACrash(@TempDir Path dir) throws Exception {
        var missing = TorchBench.run(dir.resolve("nope.py"), "python3", dir, dir.resolve("ids.json"), 1, QUIET);
        assertEquals(new TorchBench.Failed("tools/bench/torch_bench.py not found (pass --torch-script FILE)"), missing);
        Path script = Files.writeString(dir.resolve("torch_bench.py"), "print('{}')\n");
        var noPython = TorchBench.run(script, dir.resolve("no-python").toString(), dir, dir.resolve("ids.json"), 1, QUIET);
        assertTrue(noPython instanceof TorchBench.Failed f && f.reason().startsWith("could not start " + dir.resolve("no-python")), noPython.toString());
    }

    @Test void randomIdsAreSeededAndBelowThePadId() {
        int[][] a = RuntimeBench.randomIds(3, 50, RuntimeBench.IDS_SEED), b = RuntimeBench.randomIds(3, 50, RuntimeBench.IDS_SEED);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.deepEquals(a, RuntimeBench.randomIds(3, 50, RuntimeBench.IDS_SEED + 1)));
        for (int[] row : a) for (int id : row) assertTrue(id >= 0 && id < RandomQwen2Checkpoint.PAD_ID, "id " + id);
    }
}
