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
