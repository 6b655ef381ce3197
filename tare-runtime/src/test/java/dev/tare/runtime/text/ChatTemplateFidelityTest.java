package dev.tare.runtime.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Templates come from model repositories: they render as Jinja2 (transformers' ImmutableSandboxedEnvironment) renders
 * them, raise where Jinja2 raises, and cannot spin or fill memory. Expected values are Jinja2 3.1's.
 */
class ChatTemplateFidelityTest {
    private static final Map<String, Object> VARS;
    static {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("a", 1);
        d.put("b", 2);
        VARS = Map.of("d", d, "names", List.of("bob", "Alice", "carol"));
    }

    private static String render(String src) { return ChatTemplate.of(src).renderRaw(VARS); }

    private static ChatTemplateException fails(String src) {
        return assertThrows(ChatTemplateException.class, () -> render(src));
    }

    @Test
    void unknownFilterOrTestIsAnErrorAsInJinja2() {
        var e = fails("{% for m in messages %}{{ m.content | nosuchfilter }}{% endfor %}");
        assertTrue(e.getMessage().contains("no filter named 'nosuchfilter'"), e.getMessage());
        var t = fails("line one\n{{ 'x' is not nosuchtest }}");
        assertTrue(t.getMessage().contains("line 2: no test named 'nosuchtest'"), t.getMessage());
        // a '|' or 'is' inside a string literal is text, not a filter or test
        assertEquals("a|b is c", render("{{ 'a|b is c' }}"));
    }

    @Test
    void itemsFilterIsDictItems() {
        assertEquals("a=1;b=2;", render("{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %}"));
        assertEquals("", render("{% for k, v in missing|items %}{{ k }}{% endfor %}"));
    }

    @Test
    void minMaxAndTheTestsJinjavaLacks() {
        // jinja2: ['bob','Alice','carol']|min -> 'Alice' (case-insensitive), |max -> 'carol'
        assertEquals("Alice carol True False", render("{{ names|min }} {{ names|max }} {{ 'trim' is filter }} {{ 'nope' is test }}")
                .replace("true", "True").replace("false", "False"));
    }

    @Test
    void recursiveMacrosWorkAndInfiniteRecursionRaises() {
        assertEquals("321", render("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}"));
        var e = fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        assertTrue(e.getMessage().contains("recursion"), e.getMessage());
    }

    @Test
    void rangeGivesEveryItemUpToTheSandboxLimit() {
        assertEquals("5000 [2, 5, 8] [10, 6, 2]", render("{{ range(5000) | length }} {{ range(2, 10, 3) }} {{ range(10, 0, -4) }}"));
        var e = fails("{{ range(100001) | length }}");
        assertTrue(e.getMessage().contains("MAX_RANGE (100000)"), e.getMessage());
    }

    @Test
    void nestedLoopsRunOutOfBudgetFastNamingTheTemplate() {
        String four = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% for d in range(1000) %}"
                + "x{% endfor %}{% endfor %}{% endfor %}{% endfor %}";
        String empty = four.replace("x", "");
        for (String src : List.of(four, empty)) {
            var e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(ChatTemplateException.class,
                    () -> ChatTemplate.named("models/evil/tokenizer_config.json chat_template", src).renderRaw(Map.of())));
            assertTrue(e.getMessage().startsWith("models/evil/tokenizer_config.json chat_template: render budget exceeded"),
                    e.getMessage());
        }
    }

    @Test
    void outputSizeAndTimeAreBudgetedToo() {
        var small = ChatTemplate.named("t.jinja", "{% for a in range(100) %}0123456789{% endfor %}")
                .withBudget(new ChatTemplate.Budget(1_000_000, 500, Duration.ofSeconds(10)));
        var e = assertThrows(ChatTemplateException.class, () -> small.renderRaw(Map.of()));
        assertTrue(e.getMessage().contains("t.jinja: render budget exceeded: output longer than 500 characters"), e.getMessage());
        var slow = ChatTemplate.named("t.jinja", "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
                .withBudget(new ChatTemplate.Budget(Long.MAX_VALUE, 1000, Duration.ofMillis(200)));
        var t = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(ChatTemplateException.class, () -> slow.renderRaw(Map.of())));
        assertTrue(t.getMessage().contains("render budget exceeded: more than 200 ms"), t.getMessage());
    }

    @Test
    void theTokenizersTemplateIsNamedByItsFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ x | nosuch }}\"}");
        TokenizerConfig c = TokenizerConfig.read(dir);
        var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.named(c.chatTemplateOrigin(), c.chatTemplate()));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer_config.json") + " chat_template: line 1: no filter named 'nosuch'"),
                e.getMessage());
    }
}
