package dev.tare.cli.judge;

import dev.tare.data.SharedData;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A tiny random-weight causal LM folder: an hf-parity checkpoint plus a word-level tokenizer ("wN" is id N) and a chat template. */
public final class TinyCausalLm {
    private TinyCausalLm() {}

    public static Path make(Path dir, String fixture) throws Exception {
        String env = System.getenv("TARE_HF_PARITY");
        Path src = env != null ? Path.of(env).resolve(fixture) : SharedData.root().map(r -> r.resolve("fixtures/hf-parity/" + fixture)).orElse(null);
        assumeTrue(src != null && Files.isDirectory(src), "hf-parity fixture " + fixture + " not found: skipping");
        Files.createDirectories(dir);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        dev.tare.runtime.tiny.TinyCheckpoint.writeWordLevelTokenizer(dir, "{{ bos_token }} {% for m in messages %}{{ m['content'] }} {% endfor %}", false);
        return dir;
    }
}
