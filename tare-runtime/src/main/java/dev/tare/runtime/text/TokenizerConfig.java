package dev.tare.runtime.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a Hugging Face {@code tokenizer_config.json} (plus {@code special_tokens_map.json} and a separate
 * {@code chat_template.jinja}, when present) that scoring needs: special-token strings and the chat template.
 */
public record TokenizerConfig(String bosToken, String eosToken, String padToken, String unkToken,
                              String chatTemplate, String chatTemplateOrigin) {

    /** A config whose chat template (if any) came from an unnamed source. */
    public TokenizerConfig(String bosToken, String eosToken, String padToken, String unkToken, String chatTemplate) {
        this(bosToken, eosToken, padToken, unkToken, chatTemplate, "chat template");
    }

    /** Reads the files of a model directory; absent files give empty fields. */
    public static TokenizerConfig read(Path dir) {
        ObjectMapper om = new ObjectMapper();
        Map<String, String> tokens = new LinkedHashMap<>();
        String template = null;
        String origin = "chat template";
        Path stm = dir.resolve("special_tokens_map.json");
        if (Files.isRegularFile(stm)) collectTokens(stm, readJson(om, stm), tokens);
        Path tc = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tc)) {
            JsonNode root = readJson(om, tc);
            collectTokens(tc, root, tokens);
            JsonNode t = root.get("chat_template");
            origin = tc + " chat_template";
            if (t != null && t.isTextual()) {
                template = t.asText();
            } else if (t != null && t.isArray()) {
                for (JsonNode e : t) {
                    if ("default".equals(e.path("name").asText())) template = e.path("template").asText();
                }
                if (template == null) {
                    throw new DataFormatException(tc, 0, "chat_template", "a list of named templates without a 'default' one");
                }
            } else if (t != null && !t.isNull()) {
                throw new DataFormatException(tc, 0, "chat_template", "expected a string or a list, got " + t.getNodeType());
            }
        }
        Path jinja = dir.resolve("chat_template.jinja");
        if (template == null && Files.isRegularFile(jinja)) {
            try {
                template = Files.readString(jinja);
                origin = jinja.toString();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jinja, e);
            }
        }
        return new TokenizerConfig(tokens.get("bos_token"), tokens.get("eos_token"), tokens.get("pad_token"),
                tokens.get("unk_token"), template, origin);
    }

    public Optional<String> chatTemplateSource() { return Optional.ofNullable(chatTemplate); }

    /** The special-token variables transformers passes to a chat template (bos_token, eos_token, ...), non-null only. */
    public Map<String, Object> templateVariables() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (bosToken != null) m.put("bos_token", bosToken);
        if (eosToken != null) m.put("eos_token", eosToken);
        if (padToken != null) m.put("pad_token", padToken);
        if (unkToken != null) m.put("unk_token", unkToken);
        return m;
    }

    private static JsonNode readJson(ObjectMapper om, Path p) {
        try {
            return om.readTree(p.toFile());
        } catch (IOException e) {
            throw new DataFormatException(p, 0, null, "not valid JSON: " + e.getMessage(), e);
        }
    }

    private static void collectTokens(Path file, JsonNode root, Map<String, String> out) {
        for (String key : new String[]{"bos_token", "eos_token", "pad_token", "unk_token"}) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) continue;
            if (v.isTextual()) out.put(key, v.asText());
            else if (v.isObject() && v.path("content").isTextual()) out.put(key, v.get("content").asText());
            else throw new DataFormatException(file, 0, key, "expected a token string or {\"content\": ...}, got " + v);
        }
    }
}
