package dev.tare.runtime.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for packed weights from the C allocator, freed when the segment becomes unreachable.
 * Arena allocations count against -XX:MaxDirectMemorySize (by default the heap limit), which a multi-GB model
 * easily exceeds; malloc'd memory does not. Falls back to {@link Arena#ofAuto()} where libc cannot be linked.
 */
final class NativeMemory {
    private static final MethodHandle ALLOC, FREE;

    static {
        MethodHandle a = null, f = null;
        try {
            Linker linker = Linker.nativeLinker();
            var lookup = linker.defaultLookup();
            a = linker.downcallHandle(lookup.find("aligned_alloc").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            f = linker.downcallHandle(lookup.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        } catch (RuntimeException | Error e) {
            a = f = null;
        }
        ALLOC = a;
        FREE = f;
    }

    private NativeMemory() {}

    /** Whether allocations come from the C allocator (else from an automatic arena). */
    static boolean usesMalloc() { return ALLOC != null; }

    /** An uninitialised, 64-byte aligned segment of {@code bytes} (the caller writes all of it), released once unreachable. */
    static MemorySegment allocate(long bytes) {
        return allocate(bytes, Arena.ofAuto());
    }

    /** As {@link #allocate(long)}, freed when {@code arena} closes (C allocator: not limited by MaxDirectMemorySize). */
    static MemorySegment allocate(long bytes, Arena arena) {
        if (ALLOC == null) return arena.allocate(bytes, 64);
        long size = (Math.max(bytes, 1) + 63) & ~63L;
        MemorySegment p;
        try {
            p = (MemorySegment) ALLOC.invokeExact(64L, size);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc failed: " + t, t);
        }
        if (p.equals(MemorySegment.NULL))
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
        return p.reinterpret(bytes, arena, NativeMemory::free);
    }

    /**
     * A native buffer per thread, grown on demand and kept while it is at most {@code keepBytes} (so a thread holds at
     * most that much until it ends); a larger request gets a buffer of its own, freed when its lease closes. Segments
     * are uninitialised and usable by the kernel pool's workers.
     */
    static final class PerThread {
        private final long keepBytes;
        private final ThreadLocal<MemorySegment[]> held = ThreadLocal.withInitial(() -> new MemorySegment[1]);

        PerThread(long keepBytes) { this.keepBytes = keepBytes; }

        /** At least {@code bytes} of this thread's buffer (at least 1 MiB when kept), until the lease is closed. */
        Lease lease(long bytes) {
            MemorySegment[] h = held.get();
            if (h[0] != null && h[0].byteSize() >= bytes) return new Lease(h[0], null);
            if (bytes <= keepBytes) return new Lease(h[0] = allocate(Math.max(bytes, 1L << 20)), null);
            Arena own = Arena.ofShared();   // shared: the kernel threads work in it
            return new Lease(allocate(bytes, own), own);
        }
    }

    /** A buffer from {@link PerThread#lease}: {@code owned} (freed on close) for a one-off buffer, null for the kept one. */
    record Lease(MemorySegment segment, Arena owned) implements AutoCloseable {
        @Override public void close() { if (owned != null) owned.close(); }
    }

    private static void free(MemorySegment s) {
        try {
            FREE.invokeExact(s);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed: " + t, t);
        }
    }
}
