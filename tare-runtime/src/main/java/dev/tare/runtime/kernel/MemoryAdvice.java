package dev.tare.runtime.kernel;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Access-pattern hints for memory-mapped weights (Linux {@code madvise}). An embedding table is read a few rows at a
 * time; with the kernel's default read-ahead every looked-up row pulls in its neighbours (up to hundreds of KiB), so a
 * Qwen-sized vocabulary's file pages pile up in the resident set. {@link #random} turns read-ahead off for a region.
 * A no-op where libc's madvise cannot be linked or the segment is not a file mapping.
 */
public final class MemoryAdvice {
    private static final int MADV_RANDOM = 1;   // Linux, all architectures
    private static final long PAGE = 4096;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle m = null;
        try {
            if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                Linker linker = Linker.nativeLinker();
                m = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            }
        } catch (RuntimeException | Error e) {
            m = null;
        }
        MADVISE = m;
    }

    private MemoryAdvice() {}

    /**
     * Drops a mapped {@code segment}'s pages from this process's resident set (they stay in the page cache and are
     * mapped again on the next read). For a table read a few rows at a time: with large page-cache folios one row
     * lookup maps a whole folio, and MADV_RANDOM does not stop that, so a 150k-row vocabulary ends up fully resident
     * after a few forwards. A no-op for other segments; advice only, never an error.
     */
    public static void release(MemorySegment segment) {
        if (!segment.isMapped()) return;
        try {
            segment.unload();
        } catch (UnsupportedOperationException | IllegalStateException ignored) {
            // closed or not advisable: keeping the pages is only a memory cost
        }
    }

    /** Advises random access for the pages under a mapped {@code segment}; true when the advice was taken. */
    public static boolean random(MemorySegment segment) {
        if (MADVISE == null || !segment.isMapped() || segment.byteSize() == 0) return false;
        long start = segment.address() & -PAGE;                      // madvise wants a page-aligned start
        long end = segment.address() + segment.byteSize();
        try {
            return (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_RANDOM) == 0;
        } catch (Throwable t) {
            return false;   // advice only: never fail a load over it
        }
    }
}
