package dev.tare.cli.judge;

import dev.tare.data.Message;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.Generation;
import dev.tare.scorers.judge.SamplingParams;
import dev.tare.scorers.local.LocalChatGenerator;
import dev.tare.scorers.remote.OpenAiChatGenerator;
import dev.tare.scorers.remote.RemoteSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A generative judge named on the command line: {@code local:DIR[,batch=N]} (a causal LM run in-process) or
 * {@code openai:URL,model=NAME[,token=..,timeout=S,...]}, either followed by judge options {@code template=NAME|FILE},
 * {@code votes=K}, {@code temperature=T}, {@code max_tokens=N}, {@code seed=S}. A leading {@code judge:} is accepted.
 */
public record JudgeSpec(String kind, String target, Map<String, String> judgeOptions) {
    private static final List<String> JUDGE_KEYS = List.of("template", "votes", "temperature", "max_tokens", "seed", "batch");

    public static JudgeSpec parse(String spec) {
        String s = spec.trim();
        if (s.startsWith("judge:")) s = s.substring(6);
        String kind;
        if (s.startsWith("local:")) kind = "local";
        else if (s.startsWith("openai:")) kind = "openai";
        else throw new IllegalArgumentException("judge '" + spec + "': expected local:DIR[,...] or openai:URL,model=NAME[,...]");
        String[] parts = s.substring(kind.length() + 1).split(",");
        List<String> rest = new ArrayList<>();
        rest.add(parts[0].trim());
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String k = eq > 0 ? p.substring(0, eq).trim() : p;
            if (JUDGE_KEYS.contains(k)) {
                if (opts.put(k, p.substring(eq + 1).trim()) != null) throw new IllegalArgumentException("judge option '" + k + "' given twice");
            } else if (kind.equals("local")) {
                throw new IllegalArgumentException("unknown judge option '" + k + "' (known: " + String.join(", ", JUDGE_KEYS) + ")");
            } else {
                rest.add(p);
            }
        }
        if (rest.getFirst().isEmpty()) throw new IllegalArgumentException("judge '" + spec + "': no " + (kind.equals("local") ? "model directory" : "URL"));
        return new JudgeSpec(kind, String.join(",", rest), Map.copyOf(opts));
    }

    /** A judge option, or {@code dflt}. */
    public String option(String key, String dflt) { return judgeOptions.getOrDefault(key, dflt); }

    public int intOption(String key, int dflt) {
        String v = judgeOptions.get(key);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("judge option " + key + "=" + v + " is not an integer");
        }
    }

    public double doubleOption(String key, double dflt) {
        String v = judgeOptions.get(key);
        if (v == null) return dflt;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("judge option " + key + "=" + v + " is not a number");
        }
    }

    /**
     * The base sampling seed: option {@code seed=S}, else {@code dflt}. It is a base, not a fixed seed: voting@k
     * samples use S, S+1, …, S+k−1 (a fixed seed would make k identical votes), so callers build their
     * {@link SamplingParams} from it rather than the generator overriding every call's seed.
     */
    public long seed(long dflt) {
        String v = judgeOptions.get("seed");
        if (v == null) return dflt;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("judge option seed=" + v + " is not an integer");
        }
    }

    /**
     * Opens the generator (the model is loaded now for local:). Options max_tokens / temperature, when given,
     * override the decoding settings every caller asks for (e.g. a template's defaults); the seed is left to the
     * caller (see {@link #seed(long)}), so each vote keeps its own.
     */
    public ChatGenerator open(Function<String, String> env) {
        ChatGenerator g;
        if (kind.equals("local")) g = LocalChatGenerator.load(Path.of(target), intOption("batch", 8));
        else {
            if (!target.contains("model=")) throw new IllegalArgumentException("openai judge needs model=NAME: openai:URL,model=NAME");
            g = new OpenAiChatGenerator(RemoteSpec.parse(target).chatClient(env));
        }
        if (!judgeOptions.containsKey("max_tokens") && !judgeOptions.containsKey("temperature")) return g;
        ChatGenerator inner = g;
        return new ChatGenerator() {
            @Override public String name() { return inner.name(); }

            @Override public List<Generation> generate(List<List<Message>> prompts, SamplingParams p) {
                SamplingParams q = new SamplingParams(intOption("max_tokens", p.maxNewTokens()), doubleOption("temperature", p.temperature()),
                        p.topP(), p.seed());
                return inner.generate(prompts, q);
            }

            @Override public void close() { inner.close(); }
        };
    }
}
