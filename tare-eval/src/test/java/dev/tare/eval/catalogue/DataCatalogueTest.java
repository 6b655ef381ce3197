package dev.tare.eval.catalogue;

import dev.tare.data.DataFormatException;
import dev.tare.data.pairs.Benchmark;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.tare.eval.catalogue.Catalogue.error;
import static dev.tare.eval.catalogue.Catalogue.survives;

/** Data files (generic pairs; the benchmark readers share the containers and row loops). */
class DataCatalogueTest {
    @TempDir Path tmp;
    private int n;
    private static final String OK = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n";

    private Object pairs(String name, byte[] content) throws IOException {
        Path f = tmp.resolve((n++) + name);
        Files.write(f, content);
        return Benchmark.PAIRS.read(f).size();
    }

    private Object pairs(String content) throws IOException { return pairs("pairs.jsonl", content.getBytes(StandardCharsets.UTF_8)); }

    @TestFactory
    Stream<DynamicTest> data() {
        Class<DataFormatException> df = DataFormatException.class;
        return new Catalogue()
                .add("valid pairs", survives(2), () -> pairs(OK + OK))
                .add("empty file", error(df, "pairs.jsonl", "the file is empty"), () -> pairs(""))
                .add("blank lines only", error(df, "pairs.jsonl", "no items"), () -> pairs("\n\n"))
                .add("malformed JSON on line 2", error(df, "pairs.jsonl:2", "malformed JSON"), () -> pairs(OK + "{\"prompt\": \n" + OK))
                .add("a list on a line", error(df, "pairs.jsonl:1", "expected a JSON object"), () -> pairs("[1, 2]\n"))
                .add("two objects on one line", error(df, "pairs.jsonl:1"), () -> pairs(OK.strip() + OK))
                .add("repeated key", error(df, "pairs.jsonl:1", "Duplicate field 'chosen'"),
                        () -> pairs("{\"prompt\": \"p\", \"chosen\": \"a\", \"chosen\": \"c\", \"rejected\": \"b\"}\n"))
                .add("non-UTF-8 bytes on line 3", error(df, "pairs.jsonl:3", "not valid UTF-8"), () -> {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write((OK + OK).getBytes(StandardCharsets.UTF_8));
                    b.write(new byte[]{'{', '"', 'p', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
                    b.write(OK.repeat(400).getBytes(StandardCharsets.UTF_8));
                    return pairs("pairs.jsonl", b.toByteArray());
                })
                .add("\"chosen\": 5", error(df, "field 'chosen'", "NUMBER"), () -> pairs("{\"prompt\": \"p\", \"chosen\": 5, \"rejected\": \"b\"}\n"))
                .add("missing rejected", error(df, "field 'rejected'", "missing"), () -> pairs("{\"prompt\": \"p\", \"chosen\": \"a\"}\n"))
                .add("strings without a prompt", error(df, "field 'prompt'"), () -> pairs("{\"chosen\": \"a\", \"rejected\": \"b\"}\n"))
                .add("string vs message list", error(df, "field 'rejected'", "message list"),
                        () -> pairs("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": [{\"role\": \"assistant\", \"content\": \"b\"}]}\n"))
                .add("unknown file type", error(df, "unknown file type"), () -> pairs("pairs.txt", OK.getBytes(StandardCharsets.UTF_8)))
                .add("JSON array container", survives(2), () -> pairs("pairs.json", ("[" + OK.strip() + ",\n" + OK.strip() + "]").getBytes(StandardCharsets.UTF_8)))
                .add("JSON array with trailing content", error(df, "pairs.json"), () -> pairs("pairs.json", ("[" + OK.strip() + "]\n{}").getBytes(StandardCharsets.UTF_8)))
                .tests();
    }
}
