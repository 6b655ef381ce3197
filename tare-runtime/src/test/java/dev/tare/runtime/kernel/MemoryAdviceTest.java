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
}
