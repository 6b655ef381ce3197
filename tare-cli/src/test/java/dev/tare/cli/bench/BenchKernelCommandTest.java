package dev.tare.cli.bench;

import static org.junit.jupiter.api.Assertions.*;

import dev.tare.cli.CliRun;
import dev.tare.demo.bench.MemoryBench;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BenchKernelCommandTest {

    @Test
    void printsTheOneRowRateAgainstTheMeasuredReadBandwidth() {
        CliRun r = CliRun.of("bench", "kernel", "--shape", "9x64x40", "--repeats", "2", "--memory-mib", "16");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("     9 x   64 x   40  java"), r.out());
        // the native f32 column wherever oneDNN loads (any ISA); without it only what can run is printed
        assertEquals(dev.tare.runtime.kernel.OneDnn.get().isPresent(), r.out().contains("native-f32 "), r.out());
        // the tile's ceiling beside one thread's peak, both measured in this run
        Matcher tile = Pattern.compile("Java register tile alone \\((256|512)-bit, 8 rows x 32 outputs, cache-resident, 1 thread\\): "
                + "BF16 ([0-9.]+) GFLOP/s = (\\d+)%, F32 ([0-9.]+) = (\\d+)% of one thread's f32 peak \\(([0-9.]+)\\)").matcher(r.out());
        assertTrue(tile.find(), r.out());
        double bf16 = Double.parseDouble(tile.group(2)), f32 = Double.parseDouble(tile.group(4)), peak1 = Double.parseDouble(tile.group(6));
        assertTrue(bf16 > 0 && f32 > 0 && peak1 > 0, r.out());
        assertEquals(Math.round(100 * bf16 / peak1), Integer.parseInt(tile.group(3)), 1, r.out());
        Matcher bw = Pattern.compile("memory read bandwidth: ([0-9.]+) GB/s on (\\d+) threads").matcher(r.out());
        assertTrue(bw.find(), r.out());
        assertTrue(Double.parseDouble(bw.group(1)) > 0, r.out());
        // 16 MiB holds one whole 896 x 4864 BF16 matrix (8.3 MiB): the rate is of the bytes actually streamed
        Matcher gemv = Pattern.compile("rows = 1 through 1 x 896 x 4864 BF16 weights \\(8 MiB\\): java ([0-9.]+) GB/s of weights = (\\d+)% of the read bandwidth")
                .matcher(r.out());
        assertTrue(gemv.find(), r.out());
        assertTrue(Double.parseDouble(gemv.group(1)) > 0, r.out());
    }

    @Test
    void zeroSkipsTheMemoryPartAndBadValuesAreRejected() {
        CliRun skip = CliRun.of("bench", "kernel", "--shape", "9x64x40", "--repeats", "1", "--memory-mib", "0");
        assertEquals(0, skip.rc(), skip.err());
        assertFalse(skip.out().contains("read bandwidth"), skip.out());
        for (String[] bad : new String[][] {{"--memory-mib", "8"}, {"--memory-mib", "-1"}, {"--repeats", "0"}, {"--shape", "1x2"}}) {
            CliRun r = CliRun.of("bench", "kernel", "--shape", "9x64x40", bad[0], bad[1]);
            assertNotEquals(0, r.rc(), String.join(" ", bad));
            assertTrue(r.err().contains(bad[0]), String.join(" ", bad) + ": " + r.err());
        }
        assertThrows(IllegalArgumentException.class, () -> MemoryBench.run(15, 1, false, System.err));
        assertThrows(IllegalArgumentException.class, () -> MemoryBench.run(16, 0, false, System.err));
    }
}
