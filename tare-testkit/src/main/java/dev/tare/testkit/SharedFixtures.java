package dev.tare.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Oracle fixtures of ../shared assembled into the model-folder layout tare's scorers read (for tests in any module). */
public final class SharedFixtures {
    private SharedFixtures() {}

    /**
     * armorm-tiny's config.json and model.safetensors (the folder {@code TARE_ARMORM}, else SHARED/fixtures/armorm-tiny)
     * with SHARED's Llama 3 tokenizer, linked into DIR/armorm-tiny. A missing file is an error naming it (the fixture
     * exists but is incomplete: fail, never skip).
     */
    public static Path armormTiny(Path shared, Path dir) throws IOException {
        String env = System.getenv("TARE_ARMORM");
        Path fx = env != null && !env.isBlank() ? Path.of(env) : shared.resolve("fixtures/armorm-tiny");
        Path tok = shared.resolve("data/tokenizers/llama3_1");
        Path d = Files.createDirectories(dir.resolve("armorm-tiny"));
        for (Path f : List.of(fx.resolve("config.json"), fx.resolve("model.safetensors"), tok.resolve("tokenizer.json"), tok.resolve("tokenizer_config.json"))) {
            if (!Files.isRegularFile(f)) throw new IllegalStateException(f + " is missing");
            Files.createSymbolicLink(d.resolve(f.getFileName()), f.toAbsolutePath());
        }
        return d;
    }
}
