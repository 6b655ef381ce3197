package dev.tare.runtime.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import org.junit.jupiter.api.Test;

/**
 * No method of the runtime takes or returns a vector, a mask or a shuffle (see Panel256's class comment): such a helper,
 * once the JIT compiles it on its own, is refused inlining and boxes its vectors on every call. Measured: one-row BF16
 * products at 2.2–2.8 GFLOP/s instead of 41–58 through a 15-byte helper. Checks every class compiled from the runtime.
 */
class KernelShapeTest {
    @Test
    void noRuntimeMethodPassesVectorsAcrossACall() throws Exception {
        Path root = Path.of(PackedLinear.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path pkg = root.resolve("dev/tare/runtime");
        assertTrue(Files.isDirectory(pkg), "compiled runtime classes under " + pkg);
        List<String> classes = new ArrayList<>(), offenders = new ArrayList<>();
        try (var files = Files.walk(pkg)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replace('\\', '.');
                name = name.substring(0, name.length() - ".class".length());
                classes.add(name);
                Class<?> c = Class.forName(name, false, PackedLinear.class.getClassLoader());
                for (Method m : c.getDeclaredMethods()) {
                    boolean vector = isVector(m.getReturnType());
                    for (Class<?> t : m.getParameterTypes()) vector |= isVector(t);
                    if (vector && !m.isSynthetic()) offenders.add(name + "." + m.getName());
                }
            }
        }
        assertTrue(classes.contains(PackedLinear.class.getName()) && classes.contains("dev.tare.runtime.model.VecOps"),
                "the scan saw the kernels: " + classes.size() + " classes");
        assertEquals(List.of(), offenders, "methods passing vectors across a call");
    }

    private static boolean isVector(Class<?> t) {
        return Vector.class.isAssignableFrom(t) || VectorMask.class.isAssignableFrom(t) || VectorShuffle.class.isAssignableFrom(t);
    }
}
