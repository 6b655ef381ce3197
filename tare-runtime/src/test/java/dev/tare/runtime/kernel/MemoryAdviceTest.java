package dev.tare.runtime.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryAdviceTest {
    @Test
    void randomAccessAdviceIsTakenForMappedRegionsAndLeavesTheDataReadable(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("w.bin");
        byte[] bytes = new byte[3 * 4096 + 100];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31);
        Files.write(f, bytes);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            MemorySegment unaligned = all.asSlice(4096 + 17, 5000);   // madvise needs a page-aligned start: rounded down
            boolean linux = System.getProperty("os.name").toLowerCase().contains("linux");
            assertEquals(linux, MemoryAdvice.random(unaligned));
            for (int i = 0; i < 5000; i += 997) assertEquals(bytes[4096 + 17 + i], unaligned.get(ValueLayout.JAVA_BYTE, i));
            assertFalse(MemoryAdvice.random(arena.allocate(64)), "not a file mapping: no advice");
        }
    }

    /** Resident kB of the mapping that starts at {@code address}, from /proc/self/smaps. */
    private static long residentKb(long address) throws Exception {
        String start = Long.toHexString(address);
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) in = line.startsWith(start + "-");
            else if (in && line.startsWith("Rss:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no mapping at " + start + " in /proc/self/smaps");
    }

    @Test
    void releaseDropsAMappingsPagesFromTheResidentSetAndTheyReadBackUnchanged(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps");
        Path f = dir.resolve("table.bin");
        byte[] bytes = new byte[64 * 4096];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 7 + 3);
        Files.write(f, bytes);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            long sum = 0;
            for (int i = 0; i < bytes.length; i += 4096) sum += all.get(ValueLayout.JAVA_BYTE, i);   // every page mapped in
            assertTrue(residentKb(all.address()) >= 64 * 4, "touched pages are resident: " + residentKb(all.address()) + " kB");
            MemoryAdvice.release(all);
            assertEquals(0, residentKb(all.address()), "released");
            long again = 0;
            for (int i = 0; i < bytes.length; i += 4096) again += all.get(ValueLayout.JAVA_BYTE, i);
            assertEquals(sum, again);
            assertEquals(bytes[12345], all.get(ValueLayout.JAVA_BYTE, 12345));
            MemoryAdvice.release(arena.allocate(64));   // not a mapping: nothing to do, no error
        }
    }
}
