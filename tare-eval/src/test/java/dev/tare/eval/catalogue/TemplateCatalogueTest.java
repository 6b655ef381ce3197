package dev.tare.eval.catalogue;

import dev.tare.data.DataFormatException;
import dev.tare.data.Message;
import dev.tare.runtime.text.ChatTemplate;
import dev.tare.runtime.text.ChatTemplateException;
import dev.tare.runtime.text.TokenizerConfig;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.tare.eval.catalogue.Catalogue.error;
import static dev.tare.eval.catalogue.Catalogue.survives;

/** Tokenizer configs and chat templates (they come from model repositories: Jinja2's behaviour, bounded work). */
class TemplateCatalogueTest {
    @TempDir Path tmp;
    private int n;

    private static Object render(String src) {
        return ChatTemplate.named("t.jinja", src).render(List.of(Message.user("hi")), false, Map.of("d", Map.of("a", 1)));
    }

    private Object config(String json) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tok" + (n++)));
        Files.writeString(dir.resolve("tokenizer_config.json"), json);
        return TokenizerConfig.read(dir).chatTemplate();
    }

    @TestFactory
    Stream<DynamicTest> templates() {
        Class<ChatTemplateException> ct = ChatTemplateException.class;
        Class<DataFormatException> df = DataFormatException.class;
        String loops = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% for e in range(1000) %}x"
                + "{% endfor %}{% endfor %}{% endfor %}{% endfor %}";
        return new Catalogue()
                .add("plain template", survives("user: hi"), () -> render("{% for m in messages %}{{ m.role }}: {{ m.content }}{% endfor %}"))
                .add("message text holding template code", survives("{{ 7*7 }}{% if %}"),
                        () -> ChatTemplate.of("{{ messages[0].content }}").render(List.of(Message.user("{{ 7*7 }}{% if %}")), false, Map.of()))
                .add("unknown filter", error(ct, "t.jinja", "no filter named 'shout'"), () -> render("{{ messages[0].content | shout }}"))
                .add("unknown test", error(ct, "t.jinja", "no test named 'shouty'"), () -> render("{{ messages[0].content is shouty }}"))
                .add("|items", survives("a=1"), () -> render("{% for k, v in d|items %}{{ k }}={{ v }}{% endfor %}"))
                .add("finite recursive macro", survives("321"), () -> render("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}"))
                .add("infinitely recursive macro", error(ct, "t.jinja", "recursion"), () -> render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"))
                .add("four nested range(1000) loops", error(ct, "t.jinja", "render budget exceeded"), () -> render(loops))
                .add("range(5000)", survives("5000"), () -> render("{{ range(5000) | length }}"))
                .add("range past the sandbox's MAX_RANGE", error(ct, "MAX_RANGE (100000)"), () -> render("{{ range(100001) | length }}"))
                .add("raise_exception", error(ct, "t.jinja", "raised: no system role"), () -> render("{{ raise_exception('no system role') }}"))
                .add("unknown tag", error(ct, "t.jinja", "nosuchtag"), () -> render("{% nosuchtag %}"))
                .add("unknown function", error(ct, "t.jinja", "nosuchfn"), () -> render("{{ nosuchfn(1) }}"))
                .add("chat_template a number", error(df, "tokenizer_config.json", "chat_template"), () -> config("{\"chat_template\": 5}"))
                .add("named templates without 'default'", error(df, "chat_template", "default"),
                        () -> config("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"}]}"))
                .add("tokenizer_config.json not JSON", error(df, "tokenizer_config.json", "not valid JSON"), () -> config("{\"chat_template\": "))
                .add("special token of the wrong type", error(df, "bos_token"), () -> config("{\"bos_token\": 5}"))
                .tests();
    }
}
