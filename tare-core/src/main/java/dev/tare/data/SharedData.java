package dev.tare.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the `shared/` folder beside the project root (real benchmark data, fixtures, specs). */
public final class SharedData {
    private SharedData() {}

    /** $TARE_SHARED, the system property tare.shared, or ../shared / ../../shared from the working directory. */
    public static Optional<Path> root() {
        for (String c : new String[]{System.getenv("TARE_SHARED"), System.getProperty("tare.shared")}) {
            if (c != null && !c.isBlank() && Files.isDirectory(Path.of(c))) return Optional.of(Path.of(c).toAbsolutePath().normalize());
        }
        for (String c : new String[]{"../shared", "../../shared"}) {
            Path p = Path.of(c);
            if (Files.isDirectory(p.resolve("data"))) return Optional.of(p.toAbsolutePath().normalize());
        }
        return Optional.empty();
    }

    /** shared/data/&lt;name&gt; if present. */
    public static Optional<Path> data(String name) {
        return root().map(r -> r.resolve("data").resolve(name)).filter(Files::exists);
    }
}
