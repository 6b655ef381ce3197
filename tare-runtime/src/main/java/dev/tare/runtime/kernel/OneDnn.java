package dev.tare.runtime.kernel;

import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The oneDNN (libdnnl, C API v2: Debian bookworm's 2.6.x) CPU library bound by hand through java.lang.foreign.
 *
 * <p>Found through {@code -Dtare.onednn.lib=/path/libdnnl.so.2}, else {@code libdnnl.so.2} / {@code libdnnl.so} on the
 * system loader path (then {@code libdnnl.so.3}, only to report it). oneDNN 3.x changed the C API (opaque memory descriptors, per-primitive
 * descriptor constructors) and is reported as unavailable rather than bound wrongly. One CPU engine serves every
 * primitive; streams are created per call (a CPU stream is a small object, and one stream is not safe to share).
 *
 * <p>Threads: Debian's build runs on OpenMP (libgomp). Each call sets the calling thread's OpenMP thread count
 * (a per-thread setting) to {@link KernelPool#threads()} ({@code -Dtare.kernel.threads}), or to 1 inside
 * {@link KernelPool#sequential} and on pool workers, so {@code OMP_NUM_THREADS} does not apply to tare's calls.
 * Before loading the library, {@code OMP_WAIT_POLICY=passive} is put into the environment unless already set, so
 * that idle OpenMP workers sleep instead of spinning against tare's own Java kernel threads between calls.
 */
public final class OneDnn {
    /** System property naming the library file to load instead of searching the loader path. */
    public static final String LIB_PROPERTY = "tare.onednn.lib";
    /** sizeof(dnnl_memory_desc_t) in oneDNN 2.6 on x86-64 (gcc, from dnnl_types.h); the offsets below are checked at load. */
    static final long MD_BYTES = 696;
    private static final long OP_DESC_BYTES = 4096;   // sizeof(dnnl_matmul_desc_t) is 2800 in 2.6; over-allocated
    // offsets in dnnl_memory_desc_t (v2), from offsetof() with gcc
    static final long MD_NDIMS = 0, MD_DIMS = 8, MD_OFFSET0 = 304, MD_FORMAT_KIND = 312, MD_STRIDES = 320,
            MD_INNER_NBLKS = 416, MD_INNER_BLKS = 424, MD_INNER_IDXS = 520;
    static final int DT_BF16 = 2, DT_F32 = 3;
    static final int TAG_ANY = 1, TAG_AB = 3, TAG_BA = 22;
    static final int FORMAT_KIND_BLOCKED = 2;
    static final int ARG_SRC = 1, ARG_DST = 17, ARG_WEIGHTS = 33, ARG_SCRATCHPAD = 80, ARG_FROM = 1, ARG_TO = 17;
    static final int QUERY_IMPL_INFO_STR = 8, QUERY_WEIGHTS_MD = 131, QUERY_SCRATCHPAD_MD = 136;
    private static final int ENGINE_CPU = 1, STREAM_DEFAULT_FLAGS = 1, SCRATCHPAD_USER = 1;
    private static final int ISA_AVX512_CORE_BF16 = 0xe7;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final AddressLayout P = ValueLayout.ADDRESS;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;

    /** The library, or why it is not usable: exactly one of the two is present. */
    record Availability(OneDnn lib, String reason) {
        OneDnn require(String what) {
            if (lib == null) throw new IllegalStateException(what + " needs oneDNN, which is not usable: " + reason);
            return lib;
        }
    }

    private static final class Holder {
        static final Availability AVAILABILITY = open(System.getProperty(LIB_PROPERTY));
    }

    final MethodHandle memoryDescInitByTag, matmulDescInit, primitiveDescCreate, primitiveDescQueryMd, primitiveDescQuery,
            primitiveDescDestroy, primitiveCreate, primitiveDestroy, memoryDescGetSize, memoryDescEqual, memoryCreate,
            memoryDestroy, primitiveExecute, streamCreate, streamWait, streamDestroy, reorderPrimitiveDescCreate,
            attrCreate, attrSetScratchpadMode, attrDestroy, status2str, sgemm;
    private final MethodHandle ompSetNumThreads;   // null where the build is not OpenMP-threaded
    final MemorySegment engine;
    final MemorySegment userScratchpadAttr;         // primitive attributes: scratchpad passed by the caller (thread-safe)
    private final String version;
    private final int isa;
    private final String library;

    private OneDnn(SymbolLookup lib, String library) throws Throwable {
        this.library = library;
        // the version first: a oneDNN 3.x library lacks v2 symbols, and should be reported as the wrong version
        MemorySegment v = ((MemorySegment) h(lib, "dnnl_version", FunctionDescriptor.of(P)).invokeExact()).reinterpret(32);
        int major = v.get(I, 0), minor = v.get(I, 4), patch = v.get(I, 8), cpuRuntime = v.get(I, 24);
        version = major + "." + minor + "." + patch;
        if (major != 2)
            throw new UnsupportedOperationException("oneDNN " + version + " in " + library
                    + " has a C API this binding does not speak (it needs oneDNN 2.x, e.g. Debian's libdnnl2)");
        memoryDescInitByTag = h(lib, "dnnl_memory_desc_init_by_tag", FunctionDescriptor.of(I, P, I, P, I, I));
        matmulDescInit = h(lib, "dnnl_matmul_desc_init", FunctionDescriptor.of(I, P, P, P, P, P));
        primitiveDescCreate = h(lib, "dnnl_primitive_desc_create", FunctionDescriptor.of(I, P, P, P, P, P));
        primitiveDescQueryMd = h(lib, "dnnl_primitive_desc_query_md", FunctionDescriptor.of(P, P, I, I));
        primitiveDescQuery = h(lib, "dnnl_primitive_desc_query", FunctionDescriptor.of(I, P, I, I, P));
        primitiveDescDestroy = h(lib, "dnnl_primitive_desc_destroy", FunctionDescriptor.of(I, P));
        primitiveCreate = h(lib, "dnnl_primitive_create", FunctionDescriptor.of(I, P, P));
        primitiveDestroy = h(lib, "dnnl_primitive_destroy", FunctionDescriptor.of(I, P));
        memoryDescGetSize = h(lib, "dnnl_memory_desc_get_size", FunctionDescriptor.of(L, P));
        memoryDescEqual = h(lib, "dnnl_memory_desc_equal", FunctionDescriptor.of(I, P, P));
        memoryCreate = h(lib, "dnnl_memory_create", FunctionDescriptor.of(I, P, P, P, P));
        memoryDestroy = h(lib, "dnnl_memory_destroy", FunctionDescriptor.of(I, P));
        primitiveExecute = h(lib, "dnnl_primitive_execute", FunctionDescriptor.of(I, P, P, I, P));
        streamCreate = h(lib, "dnnl_stream_create", FunctionDescriptor.of(I, P, P, I));
        streamWait = h(lib, "dnnl_stream_wait", FunctionDescriptor.of(I, P));
        streamDestroy = h(lib, "dnnl_stream_destroy", FunctionDescriptor.of(I, P));
        reorderPrimitiveDescCreate = h(lib, "dnnl_reorder_primitive_desc_create", FunctionDescriptor.of(I, P, P, P, P, P, P));
        attrCreate = h(lib, "dnnl_primitive_attr_create", FunctionDescriptor.of(I, P));
        attrSetScratchpadMode = h(lib, "dnnl_primitive_attr_set_scratchpad_mode", FunctionDescriptor.of(I, P, I));
        attrDestroy = h(lib, "dnnl_primitive_attr_destroy", FunctionDescriptor.of(I, P));
        status2str = h(lib, "dnnl_status2str", FunctionDescriptor.of(P, I));
        // not Linker.Option.critical (which would let it read Java arrays in place): a call lasts milliseconds, and a
        // long critical call crashed the VM here under JFR's sampler ("corrupted size vs. prev_size")
        sgemm = h(lib, "dnnl_sgemm", FunctionDescriptor.of(I, ValueLayout.JAVA_BYTE, ValueLayout.JAVA_BYTE, L, L, L,
                ValueLayout.JAVA_FLOAT, P, L, P, L, ValueLayout.JAVA_FLOAT, P, L));
        MethodHandle isaFn = h(lib, "dnnl_get_effective_cpu_isa", FunctionDescriptor.of(I));
        isa = (int) isaFn.invokeExact();
        MethodHandle omp = null;
        if (cpuRuntime == 2) {   // DNNL_RUNTIME_OMP: libgomp is loaded as a dependency of libdnnl
            Optional<MemorySegment> f = lib.find("omp_set_num_threads")
                    .or(() -> lookupQuietly("libgomp.so.1").flatMap(g -> g.find("omp_set_num_threads")));
            if (f.isPresent()) omp = LINKER.downcallHandle(f.get(), FunctionDescriptor.ofVoid(I));
        }
        ompSetNumThreads = omp;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(P);
            check((int) h(lib, "dnnl_engine_create", FunctionDescriptor.of(I, P, I, L)).invokeExact(out, ENGINE_CPU, 0L), "engine_create");
            engine = out.get(P, 0);
            check((int) attrCreate.invokeExact(out), "primitive_attr_create");
            userScratchpadAttr = out.get(P, 0);
            check((int) attrSetScratchpadMode.invokeExact(userScratchpadAttr, SCRATCHPAD_USER), "primitive_attr_set_scratchpad_mode");
            // the struct offsets above were read from 2.6's headers: check them on a known descriptor before trusting them
            MemorySegment probe = md(a, 3, 5, DT_F32, TAG_BA);
            long[] seen = {probe.get(I, MD_NDIMS), probe.get(L, MD_DIMS), probe.get(L, MD_DIMS + 8), probe.get(I, 104),
                    probe.get(I, MD_FORMAT_KIND), probe.get(L, MD_STRIDES), probe.get(L, MD_STRIDES + 8), probe.get(I, MD_INNER_NBLKS)};
            if (!java.util.Arrays.equals(seen, new long[] {2, 3, 5, DT_F32, FORMAT_KIND_BLOCKED, 1, 3, 0}))
                throw new UnsupportedOperationException("oneDNN " + version + " lays out dnnl_memory_desc_t differently from 2.6 "
                        + "(ndims, dims, data_type, format_kind, strides, inner_nblks read as " + java.util.Arrays.toString(seen) + ")");
        }
    }

    private static MethodHandle h(SymbolLookup lib, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new UnsupportedOperationException("symbol " + name + " missing")), fd);
    }

    private static Optional<SymbolLookup> lookupQuietly(String name) {
        try {
            return Optional.of(SymbolLookup.libraryLookup(name, Arena.global()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The library as configured by {@code -Dtare.onednn.lib} (loaded once), or empty when it is not usable. */
    public static Optional<OneDnn> get() { return Optional.ofNullable(Holder.AVAILABILITY.lib()); }

    /** Why oneDNN is not usable, or empty when it is. */
    public static Optional<String> unavailableReason() { return Optional.ofNullable(Holder.AVAILABILITY.reason()); }

    static Availability availability() { return Holder.AVAILABILITY; }

    /** Loads {@code path} (a file), or with {@code path} null searches the loader path; never throws. */
    static Availability open(String path) {
        List<String> tried = new ArrayList<>();
        try {
            SymbolLookup lib = null;
            String found = null;
            if (path != null && !path.isBlank()) {
                tried.add(path);
                if (!Files.isRegularFile(Path.of(path)))
                    return new Availability(null, "-D" + LIB_PROPERTY + "=" + path + ": no such file");
                preferPassiveOpenMp();
                lib = SymbolLookup.libraryLookup(Path.of(path), Arena.global());
                found = path;
            } else {
                preferPassiveOpenMp();
                for (String name : List.of("libdnnl.so.2", "libdnnl.so", "libdnnl.so.3")) {   // .so.3: only to say it is 3.x
                    tried.add(name);
                    Optional<SymbolLookup> l = lookupQuietly(name);
                    if (l.isPresent()) { lib = l.get(); found = name; break; }
                }
                if (lib == null)
                    return new Availability(null, "library " + String.join(" / ", tried) + " not found on the loader path"
                            + " (install Debian's libdnnl2, or name the file with -D" + LIB_PROPERTY + "=/path/libdnnl.so.2)");
            }
            return new Availability(new OneDnn(lib, found), null);
        } catch (Throwable t) {
            return new Availability(null, "cannot use oneDNN from " + (tried.isEmpty() ? "?" : tried.getLast()) + " (-D" + LIB_PROPERTY
                    + "): " + (t.getMessage() != null ? t.getMessage() : t.toString()));
        }
    }

    private static boolean passiveSet;

    /** setenv("OMP_WAIT_POLICY", "passive", 0) before libgomp is loaded (it reads the environment once, at load). */
    private static synchronized void preferPassiveOpenMp() {
        if (passiveSet || System.getenv("OMP_WAIT_POLICY") != null) return;
        passiveSet = true;
        try (Arena a = Arena.ofConfined()) {
            MethodHandle setenv = LINKER.downcallHandle(LINKER.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(I, P, P, I));
            int ignored = (int) setenv.invokeExact(a.allocateFrom("OMP_WAIT_POLICY"), a.allocateFrom("passive"), 0);
        } catch (Throwable ignored) {
            // not fatal: OpenMP workers then spin for a while after each call
        }
    }

    /** oneDNN's version, e.g. "2.6.3". */
    public String version() { return version; }

    /** The library file or name that was loaded. */
    public String library() { return library; }

    /** The instruction set oneDNN dispatches to on this CPU, e.g. "avx512_core_bf16". */
    public String isaName() {
        return switch (isa) {
            case 0x1 -> "sse41";
            case 0x3 -> "avx";
            case 0x7 -> "avx2";
            case 0x407 -> "avx2_vnni";
            case 0xf -> "avx512_mic";
            case 0x1f -> "avx512_mic_4ops";
            case 0x27 -> "avx512_core";
            case 0x67 -> "avx512_core_vnni";
            case 0xe7 -> "avx512_core_bf16";
            case 0x3e7 -> "avx512_core_amx";
            default -> "isa 0x" + Integer.toHexString(isa);
        };
    }

    /** Whether oneDNN runs bf16 math with bf16 instructions here (AVX-512-BF16 or AMX; its ISA ⊇ avx512_core_bf16). */
    public boolean hasBf16() { return (isa & ISA_AVX512_CORE_BF16) == ISA_AVX512_CORE_BF16; }

    /** The bf16 flags of /proc/cpuinfo (avx512_bf16, amx_bf16), empty where there are none or the file is absent. */
    public static List<String> cpuBf16Flags() {
        return cpuFlags().stream().filter(f -> f.equals("avx512_bf16") || f.equals("amx_bf16")).toList();
    }

    /** The first processor's flags in /proc/cpuinfo, in its order; empty where the file is absent or unreadable. */
    public static List<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("flags")) return List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
        } catch (IOException | RuntimeException ignored) {
            // not Linux: no flags to report
        }
        return List.of();
    }

    /** Sets the calling thread's OpenMP thread count (a per-thread setting); a no-op without OpenMP. */
    void setThreads(int n) {
        if (ompSetNumThreads == null) return;
        try {
            ompSetNumThreads.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("omp_set_num_threads failed: " + t, t);
        }
    }

    /**
     * C[m×n] = A[m×k]·B[k×n] (row-major, leading dimensions lda, ldb, ldc; beta 0: C is only written) with oneDNN's f32
     * sgemm on the calling thread's OpenMP thread count; a, b and c are native segments.
     */
    void sgemm(long m, long n, long k, MemorySegment a, long lda, MemorySegment b, long ldb, MemorySegment c, long ldc) {
        int status;
        try {
            status = (int) sgemm.invokeExact((byte) 'N', (byte) 'N', m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("dnnl_sgemm " + m + " x " + k + " x " + n + ": " + t, t);
        }
        check(status, "sgemm " + m + " x " + k + " x " + n);
    }

    /** Throws with oneDNN's status name unless {@code status} is dnnl_success. */
    void check(int status, String what) {
        if (status == 0) return;
        String s;
        try {
            s = ((MemorySegment) status2str.invokeExact(status)).reinterpret(64).getString(0);
        } catch (Throwable t) {
            s = "status " + status;
        }
        throw new IllegalStateException("oneDNN " + what + " failed: " + s);
    }

    /** A new plain 2-D memory descriptor {dims0, dims1} of {@code dataType} with format {@code tag}, in {@code arena}. */
    MemorySegment md(Arena arena, long d0, long d1, int dataType, int tag) {
        MemorySegment md = arena.allocate(MD_BYTES, 8);
        MemorySegment dims = arena.allocate(MemoryLayout.sequenceLayout(12, L));
        dims.setAtIndex(L, 0, d0);
        dims.setAtIndex(L, 1, d1);
        try {
            check((int) memoryDescInitByTag.invokeExact(md, 2, dims, dataType, tag), "memory_desc_init_by_tag");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return md;
    }

    /** A matmul primitive descriptor src [M,K] bf16 · weights {@code wMd} → dst [M,N] f32, user scratchpad; caller destroys. */
    MemorySegment matmulPd(Arena arena, MemorySegment srcMd, MemorySegment wMd, MemorySegment dstMd) throws Throwable {
        MemorySegment op = arena.allocate(OP_DESC_BYTES, 8);
        check((int) matmulDescInit.invokeExact(op, srcMd, wMd, MemorySegment.NULL, dstMd), "matmul_desc_init");
        MemorySegment out = arena.allocate(P);
        check((int) primitiveDescCreate.invokeExact(out, op, userScratchpadAttr, engine, MemorySegment.NULL), "matmul primitive_desc_create");
        return out.get(P, 0);
    }

    /** A copy (in {@code arena}) of the memory descriptor a primitive descriptor reports for {@code query}. */
    MemorySegment queryMd(Arena arena, MemorySegment pd, int query) throws Throwable {
        MemorySegment md = ((MemorySegment) primitiveDescQueryMd.invokeExact(pd, query, 0)).reinterpret(MD_BYTES);
        MemorySegment copy = arena.allocate(MD_BYTES, 8);
        if (!md.equals(MemorySegment.NULL)) copy.copyFrom(md);
        return copy;
    }

    /** Bytes of memory a descriptor describes (0 for the zero descriptor). */
    long bytes(MemorySegment md) throws Throwable { return (long) memoryDescGetSize.invokeExact(md); }

    /** The implementation name of a primitive descriptor, e.g. "brg:avx512_core_bf16". */
    String implName(MemorySegment pd) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(P);
            check((int) primitiveDescQuery.invokeExact(pd, QUERY_IMPL_INFO_STR, 0, out), "primitive_desc_query(impl_info_str)");
            return out.get(P, 0).reinterpret(256).getString(0);
        }
    }

    /** Creates a primitive from {@code pd} (oneDNN's primitive cache makes a repeat cheap). */
    MemorySegment primitive(MemorySegment pd) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(P);
            check((int) primitiveCreate.invokeExact(out, pd), "primitive_create");
            return out.get(P, 0);
        }
    }

    void destroyPd(MemorySegment pd) {
        try {
            int ignored = (int) primitiveDescDestroy.invokeExact(pd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void destroyPrimitive(MemorySegment p) {
        try {
            int ignored = (int) primitiveDestroy.invokeExact(p);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Executes {@code primitive} on a fresh stream with memory objects wrapping the given buffers
     * ({@code args[i]} is the argument kind, {@code mds[i]} and {@code data[i]} its descriptor and native buffer),
     * waits for it and frees the stream and memory objects.
     */
    void execute(MemorySegment primitive, int[] args, MemorySegment[] mds, MemorySegment[] data) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            int n = args.length;
            MemorySegment out = a.allocate(P);
            MemorySegment[] mems = new MemorySegment[n];
            MemorySegment stream = MemorySegment.NULL;
            try {
                for (int i = 0; i < n; i++) {
                    check((int) memoryCreate.invokeExact(out, mds[i], engine, data[i]), "memory_create");
                    mems[i] = out.get(P, 0);
                }
                MemorySegment execArgs = a.allocate(16L * n, 8);   // dnnl_exec_arg_t {int arg; dnnl_memory_t memory;}
                for (int i = 0; i < n; i++) {
                    execArgs.set(I, 16L * i, args[i]);
                    execArgs.set(P, 16L * i + 8, mems[i]);
                }
                check((int) streamCreate.invokeExact(out, engine, STREAM_DEFAULT_FLAGS), "stream_create");
                stream = out.get(P, 0);
                check((int) primitiveExecute.invokeExact(primitive, stream, n, execArgs), "primitive_execute");
                check((int) streamWait.invokeExact(stream), "stream_wait");
            } finally {
                if (!stream.equals(MemorySegment.NULL)) { int ignored = (int) streamDestroy.invokeExact(stream); }
                for (MemorySegment m : mems) if (m != null) { int ignored = (int) memoryDestroy.invokeExact(m); }
            }
        }
    }

    /**
     * Executes a matmul primitive (see {@link #execute}) on src · weights → dst, passing {@code scratch} (at least
     * scratchBytes) as its scratchpad when it needs one (scratchBytes &gt; 0).
     */
    void executeMatmul(MemorySegment primitive, MemorySegment srcMd, MemorySegment wMd, MemorySegment dstMd, MemorySegment scratchMd,
                       long scratchBytes, MemorySegment src, MemorySegment w, MemorySegment dst, MemorySegment scratch) throws Throwable {
        if (scratchBytes > 0)
            execute(primitive, new int[] {ARG_SRC, ARG_WEIGHTS, ARG_DST, ARG_SCRATCHPAD}, new MemorySegment[] {srcMd, wMd, dstMd, scratchMd},
                    new MemorySegment[] {src, w, dst, scratch.asSlice(0, scratchBytes)});
        else
            execute(primitive, new int[] {ARG_SRC, ARG_WEIGHTS, ARG_DST}, new MemorySegment[] {srcMd, wMd, dstMd}, new MemorySegment[] {src, w, dst});
    }

    @Override
    public String toString() { return "oneDNN " + version + " (" + isaName() + ", " + library + ")"; }
}
