package dev.tare.data.pairs;

import dev.tare.data.DataFormatException;
import dev.tare.data.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PairsReaderTest {
    @TempDir Path dir;

    @Test void stringsAndMessageLists() throws Exception {
        Path f = dir.resolve("pairs.jsonl");
        Files.writeString(f, """
                {"prompt": "Hi", "chosen": "Hello", "rejected": "Bye", "source": "web"}
                {"chosen": [{"role": "system", "content": "Be kind"}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "good"}],
                 "rejected": [{"role": "system", "content": "Be kind"}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "bad"}], "id": "x7"}
                """.replace("\n \"rejected\"", " \"rejected\""));
        var items = DatasetReader.read("pairs", f);
        assertEquals(2, items.size());
        assertEquals("1", items.get(0).id());
        assertEquals("web", items.get(0).meta().get("source"));
        assertEquals(List.of(new Message("system", "Be kind"), Message.user("Q")), items.get(1).prompt());
        assertEquals(List.of("good"), items.get(1).chosen());
        assertEquals(List.of("bad"), items.get(1).rejected());
        assertEquals("default", items.get(1).subset());
    }

    @Test void errorsNameTheField() throws Exception {
        Path f = dir.resolve("pairs.jsonl");
        Files.writeString(f, "{\"chosen\": \"a\", \"rejected\": \"b\"}\n");
        assertEquals("prompt", assertThrows(DataFormatException.class, () -> PairsReader.read(f)).field());
        Files.writeString(f, "{\"chosen\": [{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"a\"}], "
                + "\"rejected\": [{\"role\":\"user\",\"content\":\"other\"},{\"role\":\"assistant\",\"content\":\"b\"}]}\n");
        assertEquals("rejected", assertThrows(DataFormatException.class, () -> PairsReader.read(f)).field());
        Files.writeString(f, "{\"chosen\": [{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"user\",\"content\":\"a\"}], "
                + "\"rejected\": [{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"b\"}]}\n");
        assertEquals("chosen[1].role", assertThrows(DataFormatException.class, () -> PairsReader.read(f)).field());
        Files.writeString(f, "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": [{\"role\":\"assistant\",\"content\":\"b\"}]}\n");
        assertEquals("rejected", assertThrows(DataFormatException.class, () -> PairsReader.read(f)).field());
        assertThrows(IllegalArgumentException.class, () -> DatasetReader.read("nope", f));
    }

    @Test void aMistypedFieldIsBlamedNotItsPartner() throws Exception {
        Path f = dir.resolve("pairs.jsonl");
        Files.writeString(f, "{\"prompt\": \"p\", \"chosen\": 5, \"rejected\": \"b\"}\n");
        var e = assertThrows(DataFormatException.class, () -> PairsReader.read(f));
        assertEquals("chosen", e.field(), e.getMessage());
        assertTrue(e.getMessage().contains("got NUMBER"), e.getMessage());
        Files.writeString(f, "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": {\"x\": 1}}\n");
        assertEquals("rejected", assertThrows(DataFormatException.class, () -> PairsReader.read(f)).field());
    }

    @Test void nonUtf8IsReportedAtItsRealLine() throws Exception {
        Path f = dir.resolve("pairs.jsonl");
        String ok = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n";
        var bytes = new java.io.ByteArrayOutputStream();
        bytes.write((ok + ok).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        bytes.write(new byte[]{'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        bytes.write(ok.repeat(3).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(f, bytes.toByteArray());
        var e = assertThrows(DataFormatException.class, () -> PairsReader.read(f));
        assertEquals(3, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        Path j = dir.resolve("pairs.json"); // the JSON-array container too
        Files.write(j, ("[\n" + ok.strip() + ",\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(j, new byte[]{'{', '"', 'p', '"', ':', '"', (byte) 0xFF, '"', '}', ']', '\n'}, java.nio.file.StandardOpenOption.APPEND);
        assertEquals(3, assertThrows(DataFormatException.class, () -> PairsReader.read(j)).line());
    }
}
