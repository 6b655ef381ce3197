package dev.tare.demo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads memory figures (kB fields such as VmRSS, VmHWM) from /proc/self/status; -1 where unavailable. */
public final class ProcStatus {
    private ProcStatus() {}

    public static long kib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    String v = line.substring(field.length() + 1).trim();
                    return Long.parseLong(v.split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
