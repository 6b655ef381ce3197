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
 * The oneDNN (libdnnl, C API v3) CPU library bound by hand through java.lang.foreign.
 *
 * <p>Found through {@code -Dtare.onednn.lib=/path/libdnnl.so.3}, else the build bundled with tare (Maven's
 * {@code org.bytedeco:dnnl} natives for linux-x86_64, unpacked once into a cache folder: {@link BundledOneDnn}), else
 * {@code libdnnl.so.3} on the system loader path. oneDNN 2.x (Debian bookworm's libdnnl2) has another C API
 * (memory descriptors as structs, operation descriptors) and is reported as unusable rather than bound wrongly. One CPU
 * engine serves every primitive; streams are created per call (a CPU stream is a small object, and one stream is not
 * safe to share). Memory descriptors are handles owned by the arena they were made in (destroyed when it closes).
 *
 * <p>Threads: the bundled build runs on OpenMP (libgomp). Each call sets the calling thread's OpenMP thread count
 * (a per-thread setting) to {@link KernelPool#threads()} ({@code -Dtare.kernel.threads}), or to 1 inside
 * {@link KernelPool#sequential}, on pool workers and for the per-thread blocks of a product cut by rows
 * ({@link NativeLinear#splitRows}), so {@code OMP_NUM_THREADS} does not apply to tare's calls.
 * Before loading the library, {@code OMP_WAIT_POLICY=passive} is put into the environment unless already set, so
 * that idle OpenMP workers sleep instead of spinning against tare's own Java kernel threads between calls.
 */
public final class OneDnn {
    /** System property naming the library file to load instead of the bundled one. */
    public static final String LIB_PROPERTY = "tare.onednn.lib";
    // enum values of oneDNN 3.x's dnnl_types.h / dnnl_common_types.h
    static final int DT_BF16 = 2, DT_F32 = 3;
    static final int TAG_ANY = 1, TAG_AB = 3, TAG_BA = 14;
    static final int FORMAT_KIND_BLOCKED = 2;
    static final int ARG_SRC = 1, ARG_DST = 17, ARG_WEIGHTS = 33, ARG_SCRATCHPAD = 80, ARG_FROM = 1, ARG_TO = 17;
    static final int QUERY_IMPL_INFO_STR = 8, QUERY_WEIGHTS_MD = 131, QUERY_SCRATCHPAD_MD = 136;
    private static final int QUERY_STRIDES = 14, QUERY_NDIMS = 256, QUERY_DIMS = 257, QUERY_DATA_TYPE = 258,
            QUERY_SUBMEMORY_OFFSET = 259, QUERY_FORMAT_KIND = 262, QUERY_INNER_NBLKS = 263, QUERY_INNER_BLKS = 264,
            QUERY_INNER_IDXS = 265;
    private static final int ENGINE_CPU = 1, STREAM_DEFAULT_FLAGS = 1, SCRATCHPAD_USER = 1, RUNTIME_OMP = 2;
    private static final int ISA_AVX512_CORE_BF16 = 0xe7;
    private static final int MAX_DIMS = 12;   // DNNL_MAX_NDIMS: a dnnl_dims_t is int64_t[12]

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

    final MethodHandle memoryDescCreateWithTag, memoryDescDestroy, memoryDescClone, memoryDescQuery, matmulPdCreate,
            primitiveDescQueryMd, primitiveDescQuery, primitiveDescDestroy, primitiveCreate, primitiveDestroy, memoryDescGetSize,
            memoryDescEqual, memoryCreate, memoryDestroy, primitiveExecute, streamCreate, streamWait, streamDestroy,
            reorderPrimitiveDescCreate, attrCreate, attrSetScratchpadMode, attrDestroy, status2str, sgemm;
    private final MethodHandle ompSetNumThreads;   // null where the build is not OpenMP-threaded
    final MemorySegment engine;
    final MemorySegment userScratchpadAttr;         // primitive attributes: scratchpad passed by the caller (thread-safe)
    private final String version;
    private final int isa;
    private final String library;

    /** {@code lib}: libdnnl; {@code openMp}: the libgomp it was linked against where it was loaded from a known file, else null. */
    private OneDnn(SymbolLookup lib, String library, SymbolLookup openMp) throws Throwable {
        this.library = library;
        // the version first: a oneDNN 2.x library lacks v3 symbols, and should be reported as the wrong version
        MemorySegment v = ((MemorySegment) h(lib, "dnnl_version", FunctionDescriptor.of(P)).invokeExact()).reinterpret(32);
        int major = v.get(I, 0), minor = v.get(I, 4), patch = v.get(I, 8), cpuRuntime = v.get(I, 24);
        version = major + "." + minor + "." + patch;
        if (major != 3)
            throw new UnsupportedOperationException("oneDNN " + version + " in " + library
                    + " has a C API this binding does not speak (it needs oneDNN 3.x, as bundled with tare)");
        memoryDescCreateWithTag = h(lib, "dnnl_memory_desc_create_with_tag", FunctionDescriptor.of(I, P, I, P, I, I));
        memoryDescDestroy = h(lib, "dnnl_memory_desc_destroy", FunctionDescriptor.of(I, P));
        memoryDescClone = h(lib, "dnnl_memory_desc_clone", FunctionDescriptor.of(I, P, P));
        memoryDescQuery = h(lib, "dnnl_memory_desc_query", FunctionDescriptor.of(I, P, I, P));
        matmulPdCreate = h(lib, "dnnl_matmul_primitive_desc_create", FunctionDescriptor.of(I, P, P, P, P, P, P, P));
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
        if (cpuRuntime == RUNTIME_OMP) {   // libgomp is loaded as a dependency of libdnnl
            Optional<MemorySegment> f = (openMp != null ? openMp.find("omp_set_num_threads") : Optional.<MemorySegment>empty())
                    .or(() -> lib.find("omp_set_num_threads"))
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
            // the enum values above were read from 3.x's headers: check them on a known descriptor before trusting them
            MemorySegment p = md(a, 3, 5, DT_F32, TAG_BA);
            Blocked probe = layout(p);
            long[] dims = dimsQuery(p, QUERY_DIMS);
            long[] seen = {query(p, QUERY_NDIMS), dims[0], dims[1], query(p, QUERY_DATA_TYPE),
                    probe.strides()[0], probe.strides()[1], probe.innerBlks().length};
            if (!java.util.Arrays.equals(seen, new long[] {2, 3, 5, DT_F32, 1, 3, 0}))
                throw new UnsupportedOperationException("oneDNN " + version + " describes memory differently from 3.x's headers "
                        + "(ndims, dims, data_type, strides, inner_nblks read as " + java.util.Arrays.toString(seen) + ")");
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

    /**
     * Loads {@code path} (a file), or with {@code path} null the build bundled with tare ({@link BundledOneDnn}), else
     * {@code libdnnl.so.3} on the loader path; never throws.
     */
    static Availability open(String path) {
        List<String> tried = new ArrayList<>();
        try {
            SymbolLookup lib = null, openMp = null;
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
                tried.add("the bundled build (unpacked under " + BundledOneDnn.cacheRoot() + ", $TARE_CACHE)");
                Optional<Path> bundled = BundledOneDnn.folder();
                if (bundled.isPresent()) {
                    Path dir = bundled.get();
                    tried.add(dir.resolve("libdnnl.so.3").toString());
                    // the OpenMP runtime first, by its file: libdnnl's own lookup of libgomp.so.1 then finds this one
                    openMp = SymbolLookup.libraryLookup(dir.resolve("libgomp.so.1"), Arena.global());
                    lib = SymbolLookup.libraryLookup(dir.resolve("libdnnl.so.3"), Arena.global());
                    found = dir.resolve("libdnnl.so.3").toString();
                } else {
                    tried.add("libdnnl.so.3");
                    Optional<SymbolLookup> l = lookupQuietly("libdnnl.so.3");
                    if (l.isEmpty())
                        return new Availability(null, "no oneDNN build is bundled for " + BundledOneDnn.platform()
                                + " and libdnnl.so.3 is not on the loader path (name a oneDNN 3.x library with -D"
                                + LIB_PROPERTY + "=/path/libdnnl.so.3)");
                    lib = l.get();
                    found = "libdnnl.so.3";
                }
            }
            return new Availability(new OneDnn(lib, found, openMp), null);
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

    /** oneDNN's version, e.g. "3.13.0". */
    public String version() { return version; }

    /** The library file or name that was loaded. */
    public String library() { return library; }

    /** The instruction set oneDNN dispatches to on this CPU, e.g. "avx512_core_bf16". */
    public String isaName() {
        return switch (isa) {
            case 0x1 -> "sse41";
            case 0x3 -> "avx";
            case 0x7 -> "avx2";
            case 0xf -> "avx2_vnni";
            case 0x1f -> "avx2_vnni_2";
            case 0x27 -> "avx512_core";
            case 0x67 -> "avx512_core_vnni";
            case 0xe7 -> "avx512_core_bf16";
            case 0x1ef -> "avx10_1_512 (avx512_core_fp16)";
            case 0xfef -> "avx10_1_512_amx (avx512_core_amx)";
            case 0x1fef -> "avx10_1_512_amx_fp16";
            case 0x201ff -> "avx10_2_512";
            case 0x22fff -> "avx10_2_512_amx_2";
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

    /** A new plain 2-D memory descriptor {dims0, dims1} of {@code dataType} with format {@code tag}, owned by {@code arena}. */
    MemorySegment md(Arena arena, long d0, long d1, int dataType, int tag) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dims = a.allocate(MemoryLayout.sequenceLayout(MAX_DIMS, L));
            dims.setAtIndex(L, 0, d0);
            dims.setAtIndex(L, 1, d1);
            MemorySegment out = a.allocate(P);
            check((int) memoryDescCreateWithTag.invokeExact(out, 2, dims, dataType, tag), "memory_desc_create_with_tag");
            return owned(arena, out.get(P, 0));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code handle} (a memory descriptor this thread made) tied to {@code arena}: destroyed when the arena closes. */
    private MemorySegment owned(Arena arena, MemorySegment handle) {
        return handle.reinterpret(arena, h -> {
            try {
                int ignored = (int) memoryDescDestroy.invokeExact(h);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
    }

    /** A matmul primitive descriptor src [M,K] · weights {@code wMd} → dst [M,N], user scratchpad; caller destroys. */
    MemorySegment matmulPd(Arena arena, MemorySegment srcMd, MemorySegment wMd, MemorySegment dstMd) throws Throwable {
        MemorySegment out = arena.allocate(P);
        check((int) matmulPdCreate.invokeExact(out, engine, srcMd, wMd, MemorySegment.NULL, dstMd, userScratchpadAttr),
                "matmul primitive_desc_create");
        return out.get(P, 0);
    }

    /**
     * A copy, owned by {@code arena}, of the memory descriptor a primitive descriptor reports for {@code query}
     * (the primitive descriptor's own is freed with it); {@link MemorySegment#NULL} where it reports none.
     */
    MemorySegment queryMd(Arena arena, MemorySegment pd, int query) throws Throwable {
        MemorySegment md = (MemorySegment) primitiveDescQueryMd.invokeExact(pd, query, 0);
        if (md.equals(MemorySegment.NULL)) return MemorySegment.NULL;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(P);
            check((int) memoryDescClone.invokeExact(out, md), "memory_desc_clone");
            return owned(arena, out.get(P, 0));
        }
    }

    /**
     * Where the element at logical position (d0, d1) of a blocked memory descriptor lies: offset0 + Σ outer index ·
     * stride, with the inner blocks (innermost last) in between, as oneDNN's dnnl_blocking_desc_t describes it.
     */
    record Blocked(long offset0, long[] strides, long[] innerBlks, int[] innerIdxs) {
        /** The element offset of logical position (d0, d1). */
        long offset(long d0, long d1) {
            long[] pos = {d0, d1};
            long off = offset0, blockStride = 1;
            for (int b = innerBlks.length - 1; b >= 0; b--) {
                int d = innerIdxs[b];
                off += (pos[d] % innerBlks[b]) * blockStride;
                pos[d] /= innerBlks[b];
                blockStride *= innerBlks[b];
            }
            return off + pos[0] * strides[0] + pos[1] * strides[1];
        }
    }

    /** The blocked layout of a 2-D descriptor; an error where oneDNN chose another format kind. */
    Blocked layout(MemorySegment md) throws Throwable {
        long ndims = query(md, QUERY_NDIMS), kind = query(md, QUERY_FORMAT_KIND);
        if (ndims != 2) throw new IllegalStateException("oneDNN descriptor has " + ndims + " dimensions, expected 2");
        if (kind != FORMAT_KIND_BLOCKED) throw new IllegalStateException("oneDNN chose a non-blocked layout (format kind " + kind + ")");
        int nblks = (int) query(md, QUERY_INNER_NBLKS);
        long[] strides = java.util.Arrays.copyOf(dimsQuery(md, QUERY_STRIDES), 2);
        long[] blks = java.util.Arrays.copyOf(dimsQuery(md, QUERY_INNER_BLKS), nblks);
        long[] idxs = dimsQuery(md, QUERY_INNER_IDXS);
        int[] innerIdxs = new int[nblks];
        for (int i = 0; i < nblks; i++) innerIdxs[i] = (int) idxs[i];
        long offset0;
        try (Arena a = Arena.ofConfined()) {
            offset0 = queried(a, md, QUERY_SUBMEMORY_OFFSET).get(L, 0);   // an int64_t
        }
        return new Blocked(offset0, strides, blks, innerIdxs);
    }

    /** An int-valued query of a memory descriptor (ndims, data type, format kind, inner_nblks). */
    private long query(MemorySegment md, int what) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            return queried(a, md, what).get(I, 0);
        }
    }

    /** A dims-valued query of a memory descriptor (dims, strides, inner blocks / indices): oneDNN hands a pointer to its array. */
    private long[] dimsQuery(MemorySegment md, int what) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            return queried(a, md, what).get(P, 0).reinterpret(8L * MAX_DIMS).toArray(L);
        }
    }

    /** dnnl_memory_desc_query's result for {@code what}, in 8 bytes of {@code a} (room for an int, an int64 or a pointer). */
    private MemorySegment queried(Arena a, MemorySegment md, int what) throws Throwable {
        MemorySegment out = a.allocate(8, 8);
        check((int) memoryDescQuery.invokeExact(md, what, out), "memory_desc_query(" + what + ")");
        return out;
    }

    /** Bytes of memory a descriptor describes (0 for the zero descriptor and for none). */
    long bytes(MemorySegment md) throws Throwable {
        return md.equals(MemorySegment.NULL) ? 0 : (long) memoryDescGetSize.invokeExact(md);
    }

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
