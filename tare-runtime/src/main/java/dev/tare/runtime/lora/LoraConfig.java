package dev.tare.runtime.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** A PEFT {@code adapter_config.json} (LoRA only): rank, alpha, rsLoRA, target modules, rank/alpha patterns and the named base. */
public record LoraConfig(Path file, int r, double loraAlpha, boolean useRslora, List<String> targetList, Pattern targetRegex,
                         Set<Integer> layersToTransform, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern,
                         String taskType, String baseModelNameOrPath, List<String> warnings) {

    /** Reads and validates {@code file}; refuses DoRA, non-LoRA PEFT types and features whose semantics are not implemented. */
    public static LoraConfig read(Path file) {
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new DataFormatException(file, 0, null, "cannot parse adapter config: " + e.getMessage(), e);
        }
        if (c == null || !c.isObject()) throw new DataFormatException(file, 0, null, "not a JSON object");
        String peft = c.path("peft_type").asText("LORA");
        if (!peft.equals("LORA")) throw new DataFormatException(file, 0, "peft_type", "'" + peft + "' is not supported (LORA only)");
        if (c.path("use_dora").asBoolean(false))
            throw new DataFormatException(file, 0, "use_dora", "DoRA adapters are not supported: their magnitude vector makes a signed strength non-linear (negating s does not negate the edit)");
        if (c.path("lora_bias").asBoolean(false)) throw new DataFormatException(file, 0, "lora_bias", "LoRA biases on lora_B are not supported");
        String bias = c.path("bias").asText("none");
        if (!bias.equals("none")) throw new DataFormatException(file, 0, "bias", "'" + bias + "' (trained replacement biases) is not supported; only \"none\"");
        JsonNode tp = c.get("target_parameters");
        if (tp != null && !tp.isNull() && !tp.isEmpty()) throw new DataFormatException(file, 0, "target_parameters", "parameter targeting is not supported");
        if (c.hasNonNull("layer_replication")) throw new DataFormatException(file, 0, "layer_replication", "not supported");
        // PEFT 0.14-0.21 variants that change the forward (not just the initialisation): refused, never ignored
        for (String k : List.of("alora_invocation_tokens", "trainable_token_indices", "arrow_config", "kasa_config", "monteclora_config")) {
            JsonNode v = c.get(k);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty()))
                throw new DataFormatException(file, 0, k, "is set (" + v + "): this PEFT variant changes the forward pass and is not supported by tare");
        }
        JsonNode lp = c.get("layers_pattern");
        if (lp != null && !lp.isNull() && !(lp.isTextual() && lp.asText().equals("layers")) && !(lp.isArray() && lp.size() == 1 && lp.get(0).asText().equals("layers")))
            throw new DataFormatException(file, 0, "layers_pattern", lp + " is not supported (tare counts decoder layers under model.layers.N)");
        for (String k : List.of("use_qalora", "use_bdlora"))
            if (c.path(k).asBoolean(false)) throw new DataFormatException(file, 0, k, "true is not supported (a different LoRA forward)");
        List<String> warnings = new ArrayList<>();
        if (c.path("fan_in_fan_out").asBoolean(false))
            warnings.add("fan_in_fan_out=true on nn.Linear targets: PEFT resets it to false for Linear layers, and so does tare");
        JsonNode rn = c.get("r");
        int r = rn == null || rn.isNull() ? 8 : rn.asInt();
        if (rn != null && !rn.isNull() && !rn.isIntegralNumber()) throw new DataFormatException(file, 0, "r", "must be an integer, got " + rn);
        if (r <= 0) throw new DataFormatException(file, 0, "r", "must be positive, got " + r);
        JsonNode an = c.get("lora_alpha");
        if (an != null && !an.isNull() && !an.isNumber()) throw new DataFormatException(file, 0, "lora_alpha", "must be a number, got " + an);
        double alpha = an == null || an.isNull() ? 8 : an.asDouble();
        JsonNode tm = c.get("target_modules");
        List<String> list = null;
        Pattern regex = null;
        if (tm == null || tm.isNull()) throw new DataFormatException(file, 0, "target_modules", "missing");
        if (tm.isTextual()) {
            if (tm.asText().equals("all-linear")) list = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
            else regex = Pattern.compile(tm.asText());
        } else if (tm.isArray()) {
            list = new ArrayList<>();
            for (JsonNode t : tm) list.add(t.asText());
        } else throw new DataFormatException(file, 0, "target_modules", "must be a list or a string");
        Set<Integer> layers = null;
        JsonNode lt = c.get("layers_to_transform");
        if (lt != null && !lt.isNull()) {
            layers = new TreeSet<>();
            if (lt.isArray()) for (JsonNode x : lt) layers.add(x.asInt());
            else layers.add(lt.asInt());
        }
        Map<String, Integer> rp = new LinkedHashMap<>();
        c.path("rank_pattern").fields().forEachRemaining(e -> rp.put(e.getKey(), e.getValue().asInt()));
        Map<String, Double> ap = new LinkedHashMap<>();
        c.path("alpha_pattern").fields().forEachRemaining(e -> ap.put(e.getKey(), e.getValue().asDouble()));
        return new LoraConfig(file, r, alpha, c.path("use_rslora").asBoolean(false), list, regex, layers, rp, ap,
                c.path("task_type").asText(null), c.path("base_model_name_or_path").asText(null), List.copyOf(warnings));
    }

    /** Whether PEFT would put a LoRA on base module {@code name} (e.g. "model.layers.0.self_attn.q_proj"). */
    public boolean targets(String name) {
        boolean hit = targetRegex != null ? targetRegex.matcher(name).matches()
                : targetList.stream().anyMatch(t -> name.equals(t) || name.endsWith("." + t));
        if (!hit || layersToTransform == null) return hit;
        java.util.regex.Matcher m = Pattern.compile("\\.layers\\.(\\d+)\\.").matcher(name);
        return m.find() && layersToTransform.contains(Integer.parseInt(m.group(1)));
    }

    /** PEFT 0.13's pattern key for a module: the first rank_pattern then alpha_pattern key k with re.match(".*\.k$", name). */
    private String patternKey(String name) {
        for (String k : rankPattern.keySet()) if (Pattern.compile(".*\\." + k).matcher(name).matches()) return k;
        for (String k : alphaPattern.keySet()) if (Pattern.compile(".*\\." + k).matcher(name).matches()) return k;
        return name;
    }

    /** Effective rank of module {@code name}. */
    public int rank(String name) { return rankPattern.getOrDefault(patternKey(name), r); }

    /** Effective scaling at strength 1: alpha/r, or alpha/√r with rsLoRA (per-module patterns applied). */
    public double scaling(String name) {
        String k = patternKey(name);
        int rr = rankPattern.getOrDefault(k, r);
        double a = alphaPattern.getOrDefault(k, loraAlpha);
        return useRslora ? a / Math.sqrt(rr) : a / rr;
    }
}
