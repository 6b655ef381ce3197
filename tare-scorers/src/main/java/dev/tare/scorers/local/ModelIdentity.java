package dev.tare.scorers.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a local scorer's rewards depend on, as short SHA-256 digests: the model's config.json, its weights (each
 * .safetensors file's name, size, header and 64 evenly spaced 4 KiB samples of its data: cheap, and a retrained
 * checkpoint of the same architecture, whose header is the same, still changes them), the
 * tokenizer files and chat template, the LoRA adapter (config and weight headers) with its λ and head, and the scoring
 * settings. A resumed run must match it item for item.
 */
final class ModelIdentity {
    private static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja");

    private static final int SAMPLES = 64, SAMPLE_BYTES = 4096;

    private ModelIdentity() {}

    static Map<String, String> of(Path modelDir, Path chatTemplate, Path adapterDir, Double lambda, String head, String settings) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("config", digest(d -> file(d, modelDir.resolve("config.json"))));
        m.put("weights", digest(d -> weights(d, modelDir)));
        m.put("tokenizer", digest(d -> {
            for (String f : TOKENIZER_FILES) file(d, modelDir.resolve(f));
            if (chatTemplate != null) file(d, chatTemplate);
        }));
        if (adapterDir != null) {
            m.put("adapter", digest(d -> {
                file(d, adapterDir.resolve("adapter_config.json"));
                weights(d, adapterDir);
            }) + "@lambda=" + lambda + ",head=" + head);
        }
        m.put("settings", digest(d -> d.update(settings.getBytes(StandardCharsets.UTF_8))));
        return m;
    }

    private interface Feed { void into(MessageDigest d) throws IOException; }

    private static String digest(Feed feed) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            feed.into(d);
            return HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model files for the run identity: " + e.getMessage(), e);
        }
    }

    /** A file's name and bytes (a missing file counts as its name alone). */
    private static void file(MessageDigest d, Path f) throws IOException {
        d.update((f.getFileName() + "\0").getBytes(StandardCharsets.UTF_8));
        if (!Files.isRegularFile(f)) return;
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
    }

    /** Each .safetensors file's name, size, header (tensor names, dtypes, shapes, offsets) and data samples; the shard index. */
    private static void weights(MessageDigest d, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        file(d, dir.resolve("model.safetensors.index.json"));
        for (Path f : files) {
            d.update((f.getFileName() + "\0" + Files.size(f) + "\0").getBytes(StandardCharsets.UTF_8));
            try (FileChannel ch = FileChannel.open(f)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                if (ch.read(len, 0) != 8) continue;
                long n = len.flip().getLong();
                if (n <= 0 || n > Math.min(ch.size() - 8, 100L << 20)) continue; // the reader reports a bad header
                ByteBuffer header = ByteBuffer.allocate((int) n);
                while (header.hasRemaining() && ch.read(header, 8 + header.position()) > 0) { }
                d.update(header.flip());
                long start = 8 + n, span = ch.size() - start;
                ByteBuffer sample = ByteBuffer.allocate(SAMPLE_BYTES);
                for (int k = 0; k < SAMPLES && span > 0; k++) {
                    sample.clear();
                    ch.read(sample, start + span * k / SAMPLES);
                    d.update(sample.flip());
                }
            }
        }
    }
}
