package dev.tare.runtime.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plain bf16 matrix products C[m×n] (f32) = A[m×k]·B on oneDNN, one thread per call, both operands given per call
 * (no weight to prepare): the two products of bf16 attention, S = Q·Kᵀ and O = P·V, run in parallel jobs.
 *
 * <p>Operands are row-major in native memory: A [m, k] bf16; B either [n, k] bf16 ({@link #timesTransposed}, keys
 * as they are stored) or [k, n] bf16 ({@link #times}, values); C [m, n] f32. Sums are f32 (oneDNN's AMX / AVX-512-BF16
 * kernels), so each product is exact up to the order of its f32 additions. Primitives are compiled per (m, n, k, kind)
 * and cached, up to {@value #MAX_CACHED} (callers keep the shapes few by padding m and n); beyond that a call builds and
 * frees its own. Scratchpads come from a per-thread buffer.
 */
public final class NativeMatmul {
    static final int MAX_CACHED = 512;
    private static final NativeMemory.PerThread SCRATCH = new NativeMemory.PerThread(16L << 20);

    private record Prim(MemorySegment primitive, MemorySegment aMd, MemorySegment bMd, MemorySegment cMd, MemorySegment scratchMd,
                        long scratchBytes) {}

    private static final class Holder {
        static final NativeMatmul BF16 = OneDnn.get().filter(OneDnn::hasBf16).map(d -> new NativeMatmul(d, MAX_CACHED)).orElse(null);
    }

    private final OneDnn dnn;
    private final int maxCached;
    private final Arena arena = Arena.ofShared();   // descriptors of cached primitives: live as long as the library
    private final ConcurrentHashMap<Long, Prim> prims = new ConcurrentHashMap<>();

    /** Products on {@code dnn} keeping up to {@code maxCached} compiled shapes (tests use a small bound). */
    NativeMatmul(OneDnn dnn, int maxCached) {
        this.dnn = dnn;
        this.maxCached = maxCached;
    }

    /** The number of shapes compiled and kept. */
    int cached() { return prims.size(); }

    /** The bf16 products where oneDNN loads and the CPU has bf16 instructions (AVX-512-BF16 or AMX), else empty. */
    public static Optional<NativeMatmul> bf16() { return Optional.ofNullable(Holder.BF16); }

    /** C[m×n] ← A[m×k]·Bᵀ for B stored [n, k] (row j of B is column j of the product's right operand). */
    public void timesTransposed(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c) {
        run(m, n, k, true, a, b, c);
    }

    /** C[m×n] ← A[m×k]·B for B stored [k, n]. */
    public void times(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c) {
        run(m, n, k, false, a, b, c);
    }

    private void run(int m, int n, int k, boolean transposed, MemorySegment a, MemorySegment b, MemorySegment c) {
        if (m <= 0 || n <= 0 || k <= 0 || m >= 1 << 20 || n >= 1 << 20 || k >= 1 << 20)
            throw new IllegalArgumentException("matmul shape " + m + " x " + k + " x " + n + " outside [1, 2^20)");
        check("A", a, 2L * m * k);
        check("B", b, 2L * n * k);
        check("C", c, 4L * m * n);
        long key = (long) m << 42 | (long) n << 22 | (long) k << 1 | (transposed ? 1 : 0);
        Prim p = prims.get(key);
        boolean transientPrim = false;
        dnn.setThreads(1);   // before creating: oneDNN fixes a primitive's thread count at creation
        if (p == null) {
            if (prims.size() < maxCached) p = prims.computeIfAbsent(key, kk -> build(m, n, k, transposed, arena));
            else {
                p = build(m, n, k, transposed, Arena.ofAuto());
                transientPrim = true;
            }
        }
        try (NativeMemory.Lease s = SCRATCH.lease(Math.max(64, p.scratchBytes()))) {
            dnn.executeMatmul(p.primitive(), p.aMd(), p.bMd(), p.cMd(), p.scratchMd(), p.scratchBytes(), a, b, c, s.segment());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("oneDNN bf16 matmul " + m + " x " + k + " x " + n + ": " + t, t);
        } finally {
            if (transientPrim) dnn.destroyPrimitive(p.primitive());
        }
    }

    private static void check(String what, MemorySegment s, long bytes) {
        if (!s.isNative() || s.byteSize() < bytes)
            throw new IllegalArgumentException(what + " must be a native segment of at least " + bytes + " bytes, got "
                    + (s.isNative() ? s.byteSize() + " bytes" : "a heap segment"));
    }

    private Prim build(int m, int n, int k, boolean transposed, Arena where) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment aMd = dnn.md(where, m, k, OneDnn.DT_BF16, OneDnn.TAG_AB);
            // weights dims {K, N}: stored [n, k] is format ba (element (kk, j) at j·k + kk), stored [k, n] format ab
            MemorySegment bMd = dnn.md(where, k, n, OneDnn.DT_BF16, transposed ? OneDnn.TAG_BA : OneDnn.TAG_AB);
            MemorySegment cMd = dnn.md(where, m, n, OneDnn.DT_F32, OneDnn.TAG_AB);
            MemorySegment pd = dnn.matmulPd(tmp, aMd, bMd, cMd);
            try {
                MemorySegment scratchMd = dnn.queryMd(where, pd, OneDnn.QUERY_SCRATCHPAD_MD);
                return new Prim(dnn.primitive(pd), aMd, bMd, cMd, scratchMd, dnn.bytes(scratchMd));
            } finally {
                dnn.destroyPd(pd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("oneDNN bf16 matmul " + m + " x " + k + " x " + n + ": " + t, t);
        }
    }

    /** dst's bf16 elements [at, at + n) ← x[from, from + n) rounded to nearest even ({@link DType#toBf16}'s bits). */
    public static void toBf16(float[] x, int from, int n, MemorySegment dst, long at) { NativeLinear.toBf16(x, from, n, dst, at); }
}
