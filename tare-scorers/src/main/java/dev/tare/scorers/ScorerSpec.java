package dev.tare.scorers;

import dev.tare.data.Message;
import dev.tare.runtime.lora.HeadChoice;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.Generation;
import dev.tare.scorers.judge.SamplingParams;
import dev.tare.scorers.local.LocalChatGenerator;
import dev.tare.scorers.local.LocalRewardScorer;
import dev.tare.scorers.remote.HttpRewardScorer;
import dev.tare.scorers.remote.OpenAiChatGenerator;
import dev.tare.scorers.remote.RemoteSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A scorer named by a spec string ({@code tare eval/score --scorer}, {@code tare judge --judge}, a {@code tare serve}
 * deployment's {@code "scorer"}), parsed and validated here and only here: {@link Local local:DIR[,...]} (a checkpoint
 * run in-process, optionally with a LoRA adapter), {@link Http http:URL[,...]} (a reward endpoint; a bare
 * {@code http(s)://} URL works too), {@link OpenAi openai:URL,model=NAME[,...]} (a generative judge behind a
 * chat-completions endpoint) or {@link Judge judge:local:DIR|judge:openai:URL,...} (a generative judge with judge
 * options). Parsing checks the syntax and every value; {@link #rewardScorer}/{@link #chatGenerator} then touch files,
 * environment and models. {@link #redacted()} is the spec to print or record, with its tokens hidden.
 */
public sealed interface ScorerSpec permits ScorerSpec.Local, ScorerSpec.Http, ScorerSpec.OpenAi, ScorerSpec.Judge {

    /** Parses a spec; a malformed one is an {@link IllegalArgumentException} naming the part at fault. */
    static ScorerSpec parse(String spec) {
        String s = spec.trim();
        if (s.startsWith("judge:")) return Judge.parse(spec);
        if (s.startsWith("local:")) return Local.parse(s.substring(6), spec);
        if (s.startsWith("openai:")) return OpenAi.parse(s.substring(7), spec);
        if (s.startsWith("http:http://") || s.startsWith("http:https://")) return new Http(RemoteSpec.parse(s.substring(5)), spec);
        if (s.startsWith("http://") || s.startsWith("https://")) return new Http(RemoteSpec.parse(s), spec);
        throw new IllegalArgumentException("--scorer '" + redact(spec) + "': expected local:DIR[,adapter=DIR,lambda=X|subtract=X], "
                + "http:URL[,protocol=...] or openai:URL,model=NAME");
    }

    /** The spec as it was written. */
    String written();

    /** The spec as written with every {@code token=...} value shown as {@code ***}: what summaries and messages record. */
    default String redacted() { return redact(written()); }

    /** Whether this spec names a generative judge ({@code openai:}, {@code judge:}) rather than a scalar reward model. */
    default boolean isJudge() { return this instanceof OpenAi || this instanceof Judge; }

    /**
     * This spec with its relative model and adapter folders resolved against {@code base} (a deployment file's folder);
     * specs without such paths are returned as they are.
     */
    default ScorerSpec resolvedAgainst(Path base) { return this; }

    /** Opens the reward model of a {@code local:} or {@code http:} spec ({@code env} resolves token references). */
    default RewardScorer rewardScorer(Function<String, String> env) {
        return switch (this) {
            case Local l -> l.open(env);
            case Http h -> h.open(env);
            case OpenAi o -> throw new IllegalArgumentException("openai: names a generative judge, not a reward model; "
                    + "use it with tare eval (pairwise judging)");
            case Judge j -> throw new IllegalArgumentException("judge: names a generative judge, not a reward model; "
                    + "use it with tare eval (pairwise judging)");
        };
    }

    /**
     * The pairwise judge this spec asks for on {@code gen} with {@code template} (a name or a template file): the
     * template's decoding defaults, overridden by a {@code judge:} spec's temperature= and max_tokens=, sampling seeded
     * by its seed=S (default 42; voting@k uses S, S+1, …).
     */
    default dev.tare.scorers.judge.PairwiseJudge pairwiseJudge(ChatGenerator gen, String template) {
        var t = dev.tare.scorers.judge.JudgeTemplate.load(template);
        var js = this instanceof Judge j ? j : null;
        long base = js != null ? js.seed(42) : 42;
        double temperature = js != null ? js.doubleOption("temperature", t.temperature()) : t.temperature();
        int maxTokens = js != null ? js.intOption("max_tokens", t.maxTokens()) : t.maxTokens();
        return new dev.tare.scorers.judge.PairwiseJudge(gen, t, new dev.tare.scorers.judge.SamplingParams(maxTokens, temperature, 1.0, base));
    }

    /** Opens the chat generator of an {@code openai:} or {@code judge:} spec ({@code env} resolves token references). */
    default ChatGenerator chatGenerator(Function<String, String> env) {
        return switch (this) {
            case OpenAi o -> o.open(env);
            case Judge j -> j.open(env);
            case Local l -> throw new IllegalArgumentException("not a judge spec: local:");
            case Http h -> throw new IllegalArgumentException("not a judge spec: http:");
        };
    }

    /**
     * {@code text} with every {@code token=} assignment (an option, or a URL query parameter) replaced by
     * {@code token=***} up to the next comma, the option separator.
     */
    private static String redact(String text) { return text.replaceAll("token\\s*=[^,]*", "token=***"); }

    /**
     * {@code local:DIR[,adapter=DIR,lambda=X|subtract=X,head=adapter|base,KEY=VALUE...]}: the model directory run
     * in-process (a DIR or adapter DIR that is no folder but a Hugging Face name {@code org/name[@REV]} is taken from the
     * hub cache or downloaded when opened, see {@link dev.tare.data.hub.HubResolver#modelDir}; in a deployment file a
     * relative folder is resolved against the file's folder, and only a name that is no folder there goes to the hub), optionally with one PEFT LoRA adapter attached
     * at signed strength λ (PEFT's scaling, default 1; −1 subtracts it; {@code subtract=X} is the published forget-LoRA
     * scripts' convention, λ = −X), read through the adapter's score-head copy (PEFT's behaviour) or the base head. The other keys are
     * {@link LocalRewardScorer.Options#parse} options (convention, max-length, label, weights, chat-template,
     * score-token, batch). {@link LocalRewardScorer#open(Local)} opens it.
     */
    record Local(Path dir, Lora lora, LocalRewardScorer.Options options, String written, Beside beside) implements ScorerSpec {
        /** A LoRA adapter folder attached at signed strength λ, read through the chosen score head. */
        public record Lora(Path adapter, double lambda, HeadChoice head) {}

        /** The folder of the file the spec was written in (a deployment file) and its model/adapter paths as written. */
        public record Beside(Path base, Path dir, Path adapter) {}

        public Local(Path dir, Lora lora, LocalRewardScorer.Options options, String written) { this(dir, lora, options, written, null); }

        /**
         * The model folder to open: {@link #dir()}, or, for a spec from a deployment file whose {@code org/name[@REV]}
         * is no folder beside the file, that Hugging Face model (cache or hub, with {@code env}'s HF_* variables).
         */
        public Path modelDir(Function<String, String> env) {
            return beside == null ? dev.tare.data.hub.HubResolver.modelDir(dir, env)
                    : dev.tare.data.hub.HubResolver.modelDirBeside(beside.base(), beside.dir(), env);
        }

        /** The adapter folder to open, resolved as {@link #modelDir} does; null without an adapter. */
        public Path adapterDir(Function<String, String> env) {
            if (lora == null) return null;
            return beside == null ? dev.tare.data.hub.HubResolver.modelDir(lora.adapter(), env)
                    : dev.tare.data.hub.HubResolver.modelDirBeside(beside.base(), beside.adapter(), env);
        }

        /** A plain model directory with {@code options} and no adapter. */
        public static Local of(Path dir, LocalRewardScorer.Options options) {
            return new Local(dir, null, options, "local:" + dir);
        }

        /** Parses what follows {@code local:}; {@code written} is the whole spec as given. */
        static Local parse(String body, String written) {
            String[] parts = body.split(",");
            Path dir = Path.of(parts[0].trim());
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.isEmpty()) continue;
                int eq = p.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("local scorer: expected key=value, got '" + redact(p) + "'");
                if (kv.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim()) != null) {
                    throw new IllegalArgumentException("local scorer: option '" + p.substring(0, eq).trim() + "' given twice");
                }
            }
            String adapter = kv.remove("adapter");
            String lambda = kv.remove("lambda");
            String subtract = kv.remove("subtract");
            String head = kv.remove("head");
            if (lambda != null && subtract != null)
                throw new IllegalArgumentException("local scorer: give lambda= (PEFT's signed scaling, -x subtracts) or subtract= (+x subtracts), not both");
            LocalRewardScorer.Options opts = LocalRewardScorer.Options.parse(kv);
            if (adapter == null) {
                if (lambda != null || subtract != null || head != null) throw new IllegalArgumentException("local scorer: lambda/subtract/head need adapter=DIR");
                return new Local(dir, null, opts, written);
            }
            String key = subtract != null ? "subtract" : "lambda", given = subtract != null ? subtract : lambda;
            double lam;
            try {
                lam = given == null ? 1.0 : Double.parseDouble(given);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("local scorer: " + key + "=" + given + " is not a number");
            }
            if (!Double.isFinite(lam)) throw new IllegalArgumentException("local scorer: " + key + "=" + given + " is not a finite number");
            if (subtract != null) lam = lam == 0 ? 0.0 : -lam; // the published scripts' "+x subtracts" = PEFT's λ = −x
            HeadChoice hc = switch (head == null ? "adapter" : head.toLowerCase(Locale.ROOT)) {
                case "adapter" -> HeadChoice.ADAPTER;
                case "base" -> HeadChoice.BASE;
                default -> throw new IllegalArgumentException("local scorer: head=" + head + ": expected adapter or base");
            };
            return new Local(dir, new Lora(Path.of(adapter), lam, hc), opts, written);
        }

        /** The model (and its adapter at λ, when the spec names one), loaded now. */
        public LocalRewardScorer open() { return LocalRewardScorer.open(this); }

        /** As {@link #open()}, a Hugging Face name resolved with {@code env}'s HF_* variables. */
        public LocalRewardScorer open(Function<String, String> env) { return LocalRewardScorer.open(this, env); }

        /** Relative folders joined to {@code base}; one that is no folder there but an {@code org/name} is a Hugging Face name. */
        @Override public Local resolvedAgainst(Path base) {
            return new Local(base.resolve(dir), lora == null ? null : new Lora(base.resolve(lora.adapter()), lora.lambda(), lora.head()),
                    options, written, new Beside(base, dir, lora == null ? null : lora.adapter()));
        }
    }

    /**
     * {@code http:URL[,protocol=tare|vllm-pooling|vllm-classify|tei,model=..,label=..,token=..,timeout=S,retries=N,
     * concurrency=N,batch=N,chat-template=DIR]}, or the bare URL: a reward endpoint (see {@link RemoteSpec}).
     */
    record Http(RemoteSpec endpoint, String written) implements ScorerSpec {
        public HttpRewardScorer open(Function<String, String> env) { return endpoint.rewardScorer(env); }
    }

    /** {@code openai:URL,model=NAME[,token=..,timeout=S,...]}: a generative judge behind a chat-completions endpoint. */
    record OpenAi(RemoteSpec endpoint, String written) implements ScorerSpec {
        static OpenAi parse(String body, String written) {
            RemoteSpec r = RemoteSpec.parse(body);
            requireModel(r);
            return new OpenAi(r, written);
        }

        public ChatGenerator open(Function<String, String> env) { return new OpenAiChatGenerator(endpoint.chatClient(env)); }
    }

    /**
     * A generative judge: {@code [judge:]local:DIR[,batch=N]} (a causal LM run in-process) or
     * {@code [judge:]openai:URL,model=NAME[,token=..,timeout=S,...]}, either followed by judge options
     * {@code template=NAME|FILE}, {@code votes=K}, {@code temperature=T}, {@code max_tokens=N}, {@code seed=S},
     * {@code mode=pairwise|round-robin} (how a benchmark item with several responses is judged).
     * Exactly one of {@code model} (the local folder) and {@code endpoint} is set. A local model that is no folder but a
     * Hugging Face name {@code org/name[@REV]} is taken from the hub cache or downloaded when opened (in a deployment file
     * only when no such folder is beside the file; {@code besideFile} is then the file's folder).
     */
    record Judge(Path model, RemoteSpec endpoint, Map<String, String> options, String written, Local.Beside besideFile) implements ScorerSpec {
        private static final List<String> KEYS = List.of("template", "votes", "temperature", "max_tokens", "seed", "batch", "mode");

        public Judge {
            if ((model == null) == (endpoint == null)) throw new IllegalArgumentException("a judge is a local model or an endpoint");
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        }

        public Judge(Path model, RemoteSpec endpoint, Map<String, String> options, String written) {
            this(model, endpoint, options, written, null);
        }

        /** The local model folder to open (a Hugging Face name resolved with {@code env}'s HF_* variables); null for an endpoint. */
        public Path modelDir(Function<String, String> env) {
            if (model == null) return null;
            return besideFile == null ? dev.tare.data.hub.HubResolver.modelDir(model, env)
                    : dev.tare.data.hub.HubResolver.modelDirBeside(besideFile.base(), besideFile.dir(), env);
        }

        /** Parses a judge spec; the leading {@code judge:} may be left out ({@code tare judge --judge local:DIR}). */
        public static Judge parse(String spec) {
            String s = spec.trim();
            if (s.startsWith("judge:")) s = s.substring(6);
            boolean local;
            if (s.startsWith("local:")) local = true;
            else if (s.startsWith("openai:")) local = false;
            else throw new IllegalArgumentException("judge '" + redact(spec) + "': expected local:DIR[,...] or openai:URL,model=NAME[,...]");
            String[] parts = s.substring(local ? 6 : 7).split(",");
            List<String> rest = new ArrayList<>();
            rest.add(parts[0].trim());
            Map<String, String> opts = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.isEmpty()) continue;
                int eq = p.indexOf('=');
                String k = eq > 0 ? p.substring(0, eq).trim() : p;
                if (KEYS.contains(k)) {
                    if (eq <= 0) throw new IllegalArgumentException("judge option '" + k + "' needs a value (" + k + "=...)");
                    if (opts.put(k, p.substring(eq + 1).trim()) != null) throw new IllegalArgumentException("judge option '" + k + "' given twice");
                } else if (local) {
                    throw new IllegalArgumentException("unknown judge option '" + redact(k) + "' (known: " + String.join(", ", KEYS) + ")");
                } else {
                    rest.add(p);
                }
            }
            if (rest.getFirst().isEmpty())
                throw new IllegalArgumentException("judge '" + redact(spec) + "': no " + (local ? "model directory" : "URL"));
            Judge j;
            if (local) {
                j = new Judge(Path.of(rest.getFirst()), null, opts, spec);
            } else {
                String target = String.join(",", rest);
                if (!target.contains("model=")) throw new IllegalArgumentException("openai judge needs model=NAME: openai:URL,model=NAME");
                RemoteSpec r = RemoteSpec.parse(target);
                requireModel(r);
                j = new Judge(null, r, opts, spec);
            }
            for (String k : List.of("votes", "max_tokens", "batch")) j.intOption(k, 0);
            String mode = j.option("mode", "pairwise");
            if (!mode.equals("pairwise") && !mode.equals("round-robin"))
                throw new IllegalArgumentException("judge option mode=" + mode + ": expected pairwise (each chosen/rejected pair) or round-robin (every pair of an item's responses, Copeland scores)");
            j.doubleOption("temperature", 0);
            j.seed(0);
            return j;
        }

        /** A judge option, or {@code dflt}. */
        public String option(String key, String dflt) { return options.getOrDefault(key, dflt); }

        public int intOption(String key, int dflt) {
            String v = options.get(key);
            if (v == null) return dflt;
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("judge option " + key + "=" + v + " is not an integer");
            }
        }

        public double doubleOption(String key, double dflt) {
            String v = options.get(key);
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
            String v = options.get("seed");
            if (v == null) return dflt;
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("judge option seed=" + v + " is not an integer");
            }
        }

        @Override public Judge resolvedAgainst(Path base) {
            return model == null ? this : new Judge(base.resolve(model), null, options, written, new Local.Beside(base, model, null));
        }

        /**
         * Opens the generator (the model is loaded now for local:). Options max_tokens / temperature, when given,
         * override the decoding settings every caller asks for (e.g. a template's defaults); the seed is left to the
         * caller (see {@link #seed(long)}), so each vote keeps its own.
         */
        public ChatGenerator open(Function<String, String> env) {
            ChatGenerator g = model != null ? LocalChatGenerator.load(modelDir(env), intOption("batch", 8))
                    : new OpenAiChatGenerator(endpoint.chatClient(env));
            if (!options.containsKey("max_tokens") && !options.containsKey("temperature")) return g;
            return new ChatGenerator() {
                @Override public String name() { return g.name(); }

                @Override public List<Generation> generate(List<List<Message>> prompts, SamplingParams p) {
                    return g.generate(prompts, new SamplingParams(intOption("max_tokens", p.maxNewTokens()),
                            doubleOption("temperature", p.temperature()), p.topP(), p.seed()));
                }

                @Override public void close() { g.close(); }
            };
        }
    }

    private static void requireModel(RemoteSpec r) {
        String m = r.get("model");
        if (m == null || m.isBlank()) throw new IllegalArgumentException("openai scorer needs model=NAME");
    }
}
