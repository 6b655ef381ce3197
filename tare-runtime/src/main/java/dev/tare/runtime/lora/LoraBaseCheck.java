package dev.tare.runtime.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The one rule for attaching adapters to a base, used alike by the unmerged {@link LoraModel} and the
 * {@link LoraMerger}: every adapter module must be a base decoder linear layer of the same shape; every base linear
 * layer that the adapter config's target_modules (with layers_to_transform) selects must have LoRA tensors, as PEFT
 * would have created a LoRA layer there; a head copy must have the base head's size; the adapter's
 * base_model_name_or_path should name the base (warning only). It also decides which score head is read
 * ({@link #headSource}).
 */
public final class LoraBaseCheck {
    private LoraBaseCheck() {}

    /**
     * Refuses adapters that do not fit the base: {@code baseLinears} are the base's decoder linear layers, by module
     * name (e.g. "model.layers.3.self_attn.q_proj") with their shape {out, in}; {@code baseHeadFloats} is the size of
     * the base score head, or -1 when it has none (a causal LM).
     */
    public static void requireFit(List<LoraAdapter> adapters, Map<String, int[]> baseLinears, int baseHeadFloats, Path baseDir) {
        for (LoraAdapter a : adapters)
            for (LoraAdapter.Module m : a.modules().values()) {
                int[] shape = baseLinears.get(m.name());
                if (shape == null)
                    throw new IllegalArgumentException("adapter '" + a.name() + "' (" + a.dir() + ") targets module " + m.name() + ", which base model " + baseDir + " does not have");
                if (m.out() != shape[0] || m.in() != shape[1])
                    throw new IllegalArgumentException("adapter '" + a.name() + "' module " + m.name() + ": lora_A is [" + m.rank() + ", " + m.in() + "] and lora_B ["
                            + m.out() + ", " + m.rank() + "] but the base layer is [" + shape[0] + ", " + shape[1] + "]");
            }
        for (LoraAdapter a : adapters) requireCoverage(a, baseLinears.keySet(), baseDir);
        if (baseHeadFloats >= 0)
            for (LoraAdapter a : adapters)
                if (a.hasHead() && a.head().length != baseHeadFloats)
                    throw new IllegalArgumentException("adapter '" + a.name() + "' head copy has " + a.head().length + " floats, the base score head " + baseHeadFloats);
    }

    /**
     * The adapter whose modules_to_save head copy a reward model reads through, or empty for the base model's own head:
     * with {@link HeadChoice#BASE} always empty; with {@link HeadChoice#ADAPTER} the one adapter that carries a copy
     * (empty if none does; refused when several do, as PEFT allows one active modules_to_save).
     */
    public static Optional<LoraAdapter> headSource(List<LoraAdapter> adapters, HeadChoice head) {
        if (head == HeadChoice.BASE) return Optional.empty();
        List<LoraAdapter> withHead = adapters.stream().filter(LoraAdapter::hasHead).toList();
        if (withHead.size() > 1)
            throw new IllegalArgumentException("adapters " + withHead.stream().map(LoraAdapter::name).toList() + " each carry a score head copy;"
                    + " PEFT allows one active modules_to_save: use head 'base' or attach only one of them");
        return withHead.stream().findFirst();
    }

    /**
     * Refuses when PEFT, applied to a base with these linear modules (names like "model.layers.3.self_attn.q_proj"),
     * would have created LoRA layers that the adapter file has no tensors for.
     */
    public static void requireCoverage(LoraAdapter a, Collection<String> baseModules, Path baseDir) {
        TreeSet<String> missing = new TreeSet<>(LoraBaseCheck::byLayerThenName);
        for (String m : baseModules) if (a.config().targets(m) && !a.modules().containsKey(m)) missing.add(m);
        if (missing.isEmpty()) return;
        List<String> shown = new ArrayList<>(missing).subList(0, Math.min(8, missing.size()));
        throw new IllegalArgumentException("adapter/base mismatch: adapter '" + a.name() + "' (" + a.dir() + ", base_model_name_or_path "
                + a.config().baseModelNameOrPath() + ") on base " + baseDir + ": PEFT would have created LoRA layers for " + missing.size()
                + " module(s) " + shown + (missing.size() > shown.size() ? " ..." : "") + " (selected by target_modules "
                + (a.config().targetList() != null ? a.config().targetList() : a.config().targetRegex())
                + (a.config().layersToTransform() != null ? ", layers_to_transform " + a.config().layersToTransform() : "")
                + ") but the adapter has none: it was probably trained on a different (deeper or differently shaped) base");
    }

    /**
     * Config warnings of each adapter, plus one when the last path part of its base_model_name_or_path is neither
     * the base folder's name nor the last part of the base config's _name_or_path. Each line names the adapter folder.
     */
    public static List<String> warnings(Path baseDir, List<LoraAdapter> adapters) {
        List<String> out = new ArrayList<>();
        String folder = lastPart(baseDir.toAbsolutePath().normalize().toString());
        String nameOrPath = configNameOrPath(baseDir);
        for (LoraAdapter a : adapters) {
            for (String w : a.config().warnings()) out.add(a.dir() + ": " + w);
            String want = a.config().baseModelNameOrPath();
            if (want == null || want.isBlank()) continue;
            String last = lastPart(want);
            boolean same = last.equalsIgnoreCase(folder) || (nameOrPath != null && last.equalsIgnoreCase(lastPart(nameOrPath)));
            if (!same)
                out.add(a.dir() + ": base_model_name_or_path is '" + want + "' but the base is folder '" + folder + "'"
                        + (nameOrPath != null ? " (config _name_or_path '" + nameOrPath + "')" : "")
                        + ": check that the adapter was trained on this base");
        }
        return List.copyOf(out);
    }

    static String lastPart(String p) {
        String s = p.replace('\\', '/');
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        int i = s.lastIndexOf('/');
        return i < 0 ? s : s.substring(i + 1);
    }

    private static String configNameOrPath(Path baseDir) {
        Path f = baseDir.resolve("config.json");
        if (!Files.isRegularFile(f)) return null;
        try {
            JsonNode n = new ObjectMapper().readTree(f.toFile()).get("_name_or_path");
            return n == null || n.isNull() || n.asText().isBlank() ? null : n.asText();
        } catch (IOException e) {
            return null; // the model loader reports a broken config.json with its own message
        }
    }

    private static int byLayerThenName(String x, String y) {
        int lx = layer(x), ly = layer(y);
        return lx != ly ? Integer.compare(lx, ly) : x.compareTo(y);
    }

    private static int layer(String m) {
        java.util.regex.Matcher k = java.util.regex.Pattern.compile("\\.layers\\.(\\d+)\\.").matcher(m);
        return k.find() ? Integer.parseInt(k.group(1)) : -1;
    }
}
