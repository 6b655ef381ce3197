package dev.tare.runtime.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.el.ext.NamedParameter;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.Namespace;
import com.hubspot.jinjava.objects.collections.PyList;
import com.hubspot.jinjava.objects.collections.PyMap;
import com.hubspot.jinjava.tree.Node;
import dev.tare.data.Message;
import jinjava.javax.el.CompositeELResolver;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (Jinja) rendered with jinjava set up like transformers' environment:
 * trim_blocks, lstrip_blocks, loop controls, {@code raise_exception}, {@code strftime_now}, Python-style
 * {@code tojson}, {@code namespace(k=v, ...)}, Python string methods; nested interpretation is OFF, so message
 * text is never run as template code. Thread-safe.
 *
 * <p>Jinja2 fidelity where jinjava differs: an unknown filter or test is an error when the template is read (Jinja2's
 * TemplateAssertionError "No filter named ..."), {@code |items} is dict.items(), recursive macros work and infinite
 * recursion raises (Jinja2's RecursionError), {@code range} gives every item up to the sandbox's MAX_RANGE of 100,000
 * and raises beyond it (transformers renders in Jinja2's ImmutableSandboxedEnvironment). Every render runs under a
 * {@link Budget} (steps, output size, time), so a template from a model repository cannot spin or fill memory.
 */
public final class ChatTemplate {
    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();
    private static final ThreadLocal<Spend> SPEND = new ThreadLocal<>();
    private static final ThreadLocal<String> FAILED = new ThreadLocal<>();
    /** Jinja2's sandbox (transformers' ImmutableSandboxedEnvironment) refuses ranges longer than this. */
    static final int MAX_RANGE = 100_000;
    /** Nested macro calls allowed before a render fails as Jinja2's RecursionError would. */
    static final int MAX_MACRO_DEPTH = 200;

    /** What one render may spend: template steps (nodes rendered + range items), output characters, wall time. */
    public record Budget(long maxSteps, long maxOutputChars, Duration maxTime) {
        /** 10 M steps, 64 M characters, 10 s: far above any real chat template over a conversation. */
        public static final Budget DEFAULT = new Budget(10_000_000L, 64L << 20, Duration.ofSeconds(10));

        public Budget {
            if (maxSteps <= 0 || maxOutputChars <= 0 || maxTime == null || maxTime.isNegative() || maxTime.isZero()) {
                throw new IllegalArgumentException("render budget must be positive: " + maxSteps + " steps, "
                        + maxOutputChars + " chars, " + maxTime);
            }
        }
    }

    /** One render's spending against its budget; {@code exceeded} holds the first overrun. */
    private static final class Spend {
        final Budget budget;
        final long deadline;
        long steps;
        String exceeded;

        Spend(Budget budget) {
            this.budget = budget;
            this.deadline = System.nanoTime() + budget.maxTime().toNanos();
        }

        void charge(long n) {
            if (exceeded == null) {
                steps += n;
                if (steps > budget.maxSteps()) {
                    exceeded = "more than " + budget.maxSteps() + " steps (loops or recursion too large)";
                } else if (System.nanoTime() - deadline > 0) {
                    exceeded = "more than " + budget.maxTime().toMillis() + " ms";
                }
            }
            if (exceeded != null) throw new BudgetExceeded(exceeded);
        }
    }

    /** Thrown inside jinjava to unwind a render that ran out of budget. */
    private static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded(String message) { super(message, null, false, false); }
    }

    private final String origin;
    private final String source;
    private final String compiled;
    private final Jinjava jinjava;
    private final Clock clock;
    private final Budget budget;

    private ChatTemplate(String origin, String source, Clock clock, Budget budget) {
        this.origin = Objects.requireNonNull(origin, "origin");
        this.source = Objects.requireNonNull(source, "template");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.compiled = JinjaCompat.rewrite(source);
        this.jinjava = newEnvironment(budget);
        checkFiltersAndTests();
    }

    /** A template from its Jinja source; {@code strftime_now} reads the system clock. */
    public static ChatTemplate of(String source) { return named("chat template", source); }

    /** A template whose {@code strftime_now} reads {@code clock} (for reproducible renders). */
    public static ChatTemplate of(String source, Clock clock) {
        return new ChatTemplate("chat template", source, clock, Budget.DEFAULT);
    }

    /** A template read from {@code origin} (a file, or file + field), named so in every error. */
    public static ChatTemplate named(String origin, String source) {
        return new ChatTemplate(origin, source, Clock.systemDefaultZone(), Budget.DEFAULT);
    }

    /** This template rendering under another budget. */
    public ChatTemplate withBudget(Budget budget) { return new ChatTemplate(origin, source, clock, budget); }

    public String source() { return source; }

    /** Where the template came from, as its errors name it. */
    public String origin() { return origin; }

    public Budget budget() { return budget; }

    private ChatTemplateException error(String message, Throwable cause) {
        return new ChatTemplateException(origin + ": " + message, cause);
    }

    /** Renders {@code messages} with {@code add_generation_prompt} and the given extra variables (bos_token, tools, ...). */
    public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        List<Object> msgs = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("role", m.role());
            mm.put("content", m.content());
            msgs.add(mm);
        }
        Map<String, Object> ctx = new LinkedHashMap<>();
        if (variables != null) ctx.putAll(variables);
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        return renderRaw(ctx);
    }

    /** Renders with exactly these top-level variables (maps and lists become Python-like dicts and lists). */
    public String renderRaw(Map<String, ?> variables) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        variables.forEach((k, v) -> ctx.put(k, pyify(v)));
        // In Jinja the globals are variables too: templates test `strftime_now is defined` before calling it.
        for (String f : GLOBAL_FUNCTIONS) ctx.putIfAbsent(f, new GlobalFunction(f));
        CLOCK.set(clock);
        RAISED.remove();
        FAILED.remove();
        Spend spend = new Spend(budget);
        SPEND.set(spend);
        try {
            RenderResult r = jinjava.renderForResult(compiled, ctx);
            failIfOverBudget(spend, null);
            if (FAILED.get() != null) throw error(FAILED.get(), null);
            String raised = RAISED.get();
            if (raised != null) throw error("raised: " + raised, null);
            for (TemplateError e : r.getErrors()) {
                if (e.getException() instanceof OutputTooBigException o) failIfOverBudget(spend, o);
                if (e.getSeverity() == TemplateError.ErrorType.FATAL || isRecursion(e)) {
                    throw error("error at line " + e.getLineno() + ": " + e.getMessage(), null);
                }
            }
            String out = r.getOutput();
            if (out.length() > budget.maxOutputChars()) throw overOutput(null);
            return out;
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            failIfOverBudget(spend, e);
            if (FAILED.get() != null) throw error(FAILED.get(), e);
            String raised = RAISED.get();
            if (raised != null) throw error("raised: " + raised, e);
            if (e instanceof StackOverflowError) throw error("recursion too deep (Jinja2 raises RecursionError)", e);
            throw error("failed: " + e.getMessage(), e);
        } finally {
            CLOCK.remove();
            RAISED.remove();
            SPEND.remove();
            FAILED.remove();
        }
    }

    private void failIfOverBudget(Spend spend, Throwable cause) {
        if (spend.exceeded != null) throw error("render budget exceeded: " + spend.exceeded, cause);
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof OutputTooBigException) throw overOutput(cause);
        }
    }

    private ChatTemplateException overOutput(Throwable cause) {
        return error("render budget exceeded: output longer than " + budget.maxOutputChars() + " characters", cause);
    }

    /** jinjava reports a macro calling itself past the depth limit as a warning and renders ''; Jinja2 raises. */
    private static boolean isRecursion(TemplateError e) {
        String m = e.getMessage();
        return m != null && (m.contains("Cycle detected for macro") || m.contains("Max recursion limit"));
    }

    /** Jinja2 refuses an unknown filter or test when it compiles the template; jinjava would render ''. */
    private void checkFiltersAndTests() {
        var global = jinjava.getGlobalContext();
        for (JinjaCompat.NameUse use : JinjaCompat.filtersAndTests(compiled)) {
            boolean known = use.test() ? global.getExpTest(use.name()) != null : global.getFilter(use.name()) != null;
            if (!known) {
                throw error("line " + use.line() + ": no " + (use.test() ? "test" : "filter") + " named '" + use.name()
                        + "' (Jinja2 raises TemplateAssertionError)", null);
            }
        }
    }

    private static final List<String> GLOBAL_FUNCTIONS = List.of("raise_exception", "strftime_now", "namespace");

    /** Stands for a global function when a template reads its name as a variable (e.g. in an `is defined` test). */
    private record GlobalFunction(String name) {
        @Override public String toString() { return "<function " + name + ">"; }
    }

    private static Object pyify(Object v) {
        if (v instanceof PyMap || v instanceof PyList) return v;
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), pyify(x)));
            return new PyMap(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(pyify(x));
            return new PyList(out);
        }
        if (v instanceof Message m) return pyify(Map.of("role", m.role(), "content", m.content()));
        return v;
    }

    private static Jinjava newEnvironment(Budget budget) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false) // done by JinjaCompat: jinjava's also strips mid-line blanks
                .withNestedInterpretationEnabled(false)
                .withFailOnUnknownTokens(false)
                .withKeepTrailingNewline(true) // JinjaCompat drops the template's own trailing newline
                .withElResolver(resolver)
                .withProcessors(JinjavaProcessors.newBuilder().withNodePreProcessor(ChatTemplate::step).build())
                .withMaxOutputSize(budget.maxOutputChars())
                .withRangeLimit(MAX_RANGE)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(MAX_MACRO_DEPTH)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withWhitespaceRequiredWithinTokens(false)
                        .withAllowAdjacentTextNodes(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withEvaluateMapKeys(true)
                        .build())
                .build();
        Jinjava j = new Jinjava(config);
        j.registerFunction(function("raise_exception", "raiseException", String.class));
        j.registerFunction(function("strftime_now", "strftimeNow", String.class));
        j.registerFunction(function("namespace", "namespace", Object[].class));
        j.registerFunction(function("range", "range", Object[].class));
        j.registerFilter(new ToJson());
        j.registerFilter(new Trim());
        j.registerFilter(new Items());
        j.registerFilter(new MinMax("min"));
        j.registerFilter(new MinMax("max"));
        j.registerExpTest(new NameTest("callable", (v, i, a) -> v instanceof GlobalFunction));
        j.registerExpTest(new NameTest("escaped", (v, i, a) -> false));
        j.registerExpTest(new NameTest("filter", (v, i, a) -> v != null && i.getContext().getFilter(v.toString()) != null));
        j.registerExpTest(new NameTest("test", (v, i, a) -> v != null && i.getContext().getExpTest(v.toString()) != null));
        return j;
    }

    /** Charges one rendered node to the current render's budget. */
    private static void step(Node node, JinjavaInterpreter interpreter) {
        Spend s = SPEND.get();
        if (s != null) s.charge(1);
    }

    private static ELFunctionDefinition function(String name, String method, Class<?>... params) {
        try {
            Method m = ChatTemplate.class.getDeclaredMethod(method, params);
            m.setAccessible(true);
            return new ELFunctionDefinition("", name, m);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- template functions (called reflectively by jinjava) ----

    /** An error inside a template function: remembered, as jinjava rewraps what functions throw. */
    static ChatTemplateException fail(String message) {
        if (FAILED.get() == null) FAILED.set(message);
        return new ChatTemplateException(message);
    }

    static String raiseException(String message) {
        if (RAISED.get() == null) RAISED.set(message);
        throw new ChatTemplateException("chat template raised: " + message);
    }

    /** Jinja2's sandboxed range(stop) / range(start, stop[, step]): every item, OverflowError past MAX_RANGE. */
    static List<Long> range(Object... args) {
        if (args == null || args.length < 1 || args.length > 3) {
            throw fail("range expected 1 to 3 arguments, got " + (args == null ? 0 : args.length));
        }
        long[] a = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            if (!(args[i] instanceof Number n) || n instanceof Double || n instanceof Float) {
                throw fail("range: '" + args[i] + "' object cannot be interpreted as an integer");
            }
            a[i] = n.longValue();
        }
        long start = a.length == 1 ? 0 : a[0], stop = a.length == 1 ? a[0] : a[1], step = a.length == 3 ? a[2] : 1;
        if (step == 0) throw fail("range() arg 3 must not be zero");
        long len = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                : (start > stop ? (start - stop - step - 1) / -step : 0);
        if (len > MAX_RANGE) {
            throw fail("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
        }
        Spend s = SPEND.get();
        if (s != null) s.charge(len);
        List<Long> out = new ArrayList<>((int) len);
        for (long i = 0, v = start; i < len; i++, v += step) out.add(v);
        return out;
    }

    static String strftimeNow(String format) {
        Clock c = CLOCK.get();
        return strftime(ZonedDateTime.now(c == null ? Clock.systemDefaultZone() : c), format);
    }

    /** {@code namespace(a=1, b=2)} and {@code namespace({'a': 1})} as in Jinja2. */
    static Namespace namespace(Object... args) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (args != null) {
            for (Object a : args) {
                if (a instanceof NamedParameter np) values.put(np.getName(), np.getValue());
                else if (a instanceof Map<?, ?> m) m.forEach((k, v) -> values.put(String.valueOf(k), v));
                else if (a != null) throw new ChatTemplateException("namespace() takes keyword arguments or a dict, got " + a);
            }
        }
        return new Namespace(values);
    }

    /** Python's time.strftime for the directives chat templates use. */
    static String strftime(ZonedDateTime t, String format) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) { sb.append(c); continue; }
            char d = format.charAt(++i);
            switch (d) {
                case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'H' -> sb.append(String.format("%02d", t.getHour()));
                case 'I' -> sb.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> sb.append('%');
                default -> throw new ChatTemplateException("strftime_now: unsupported directive %" + d);
            }
        }
        return sb.toString();
    }

    /** transformers' tojson: json.dumps(x, ensure_ascii=False, indent=..., sort_keys=...). */
    private static final class ToJson implements Filter {
        @Override public String getName() { return "tojson"; }

        @Override public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            Integer indent = args.length > 0 && args[0] != null && !args[0].isBlank() ? Integer.valueOf(args[0].trim()) : null;
            return PythonJson.dumps(var, indent, false);
        }

        @Override public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object ind = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            Integer indent = ind == null ? null : ((Number) (ind instanceof Number ? ind : Integer.valueOf(ind.toString()))).intValue();
            boolean sort = Boolean.TRUE.equals(kwargs.get("sort_keys"));
            return PythonJson.dumps(var, indent, sort);
        }
    }

    /** Jinja2's items filter: a mapping's (key, value) pairs, as dict.items(); undefined gives none. */
    private static final class Items implements Filter {
        @Override public String getName() { return "items"; }

        @Override public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) return new PyList(new ArrayList<>());
            if (!(var instanceof Map<?, ?> m)) {
                throw fail("items: can only get item pairs from a mapping, got " + var.getClass().getSimpleName());
            }
            List<Object> pairs = new ArrayList<>(m.size());
            m.forEach((k, v) -> pairs.add(new PyList(new ArrayList<>(java.util.Arrays.asList(k, v)))));
            return new PyList(pairs);
        }
    }

    /** Jinja2's min/max filters: the smallest/largest item (strings compared case-insensitively), optionally by attribute. */
    private record MinMax(String name) implements Filter {
        @Override public String getName() { return name; }

        @Override public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, new Object[0], Map.of());
        }

        @Override public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (var == null) return null;
            Iterable<?> items = var instanceof Map<?, ?> m ? m.keySet() : var instanceof Iterable<?> it ? it
                    : var instanceof String str ? str.chars().mapToObj(c -> String.valueOf((char) c)).toList() : null;
            if (items == null) throw fail(name + ": '" + var.getClass().getSimpleName() + "' object is not iterable");
            boolean caseSensitive = Boolean.TRUE.equals(kwargs.getOrDefault("case_sensitive", args.length > 0 ? args[0] : false));
            Object attribute = kwargs.getOrDefault("attribute", args.length > 1 ? args[1] : null);
            Object best = null, bestKey = null;
            for (Object x : items) {
                Object key = attribute == null ? x : x instanceof Map<?, ?> m ? m.get(attribute.toString()) : null;
                if (key instanceof String str && !caseSensitive) key = str.toLowerCase(Locale.ROOT);
                if (best == null || compare(key, bestKey) * (name.equals("min") ? -1 : 1) > 0) { best = x; bestKey = key; }
            }
            return best;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private int compare(Object a, Object b) {
            if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue(), y.doubleValue());
            if (a instanceof Comparable ca && b != null && a.getClass() == b.getClass()) return ca.compareTo(b);
            throw fail(name + ": cannot compare " + a + " and " + b);
        }
    }

    /** A Jinja2 test that jinjava lacks. */
    private record NameTest(String name, TestFn fn) implements com.hubspot.jinjava.lib.exptest.ExpTest {
        interface TestFn { boolean test(Object value, JinjavaInterpreter interpreter, Object... args); }

        @Override public String getName() { return name; }

        @Override public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return fn.test(var, interpreter, args);
        }
    }

    /** Jinja's trim: Python str.strip() (Unicode whitespace), or strip(chars). */
    private static final class Trim implements Filter {
        @Override public String getName() { return "trim"; }

        @Override public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) return "";
            String chars = args.length > 0 ? args[0] : null;
            return PyStringMethods.rstrip(PyStringMethods.lstrip(var.toString(), chars), chars);
        }
    }
}
