package dev.tare.scorers.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.tare.testkit.LoopbackServer;
import dev.tare.testkit.LoopbackServer.Reply;
import static org.junit.jupiter.api.Assertions.*;

/**
 * protocol=tei with chat-template=DIR: each conversation is rendered client-side with the folder's chat template
 * (special tokens from tokenizer_config.json) and sent as one single-text input; the request body is checked byte for
 * byte against the text transformers' apply_chat_template(tokenize=False) gives for this template (written by hand).
 */
class TeiChatTemplateTest {
    @TempDir Path tmp;

    /** A Llama-3-style template: BOS once, then a header and end-of-turn token around each message. */
    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
            + "{{ m['content'] | trim }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}";

    Path modelDir() throws Exception {
        Path d = tmp.resolve("rm");
        Files.createDirectories(d);
        var cfg = JsonHttpClient.MAPPER.createObjectNode();
        cfg.put("bos_token", "<|begin_of_text|>").put("eos_token", "<|eot_id|>").put("chat_template", TEMPLATE);
        Files.writeString(d.resolve("tokenizer_config.json"), cfg.toString());
        return d;
    }

    @Test void teiSendsEachConversationRenderedWithTheChatTemplate() throws Exception {
        Path dir = modelDir();
        try (var srv = new LoopbackServer(s -> {
            if (s.path().equals("/info")) // TEI's Info (router/src/lib.rs): a one-label classifier is reported as a reranker
                return Reply.json("{\"model_id\":\"rm\",\"model_type\":{\"reranker\":{\"id2label\":{\"0\":\"LABEL_0\"},"
                        + "\"label2id\":{\"LABEL_0\":0}}},\"max_input_length\":4096}");
            StringBuilder sb = new StringBuilder("[");
            for (JsonNode in : s.body().get("inputs")) {
                if (sb.length() > 1) sb.append(',');
                sb.append("[{\"score\":").append(in.get(0).asText().length()).append(",\"label\":\"LABEL_0\"}]");
            }
            return Reply.json(sb.append(']').toString());
        })) {
            var convs = List.of(
                    List.of(new Message("system", "be brief"), Message.user("What is 2+2? "), Message.assistant("4")),
                    List.of(Message.user("Say hi"), Message.assistant("Hi!")),
                    List.of(Message.user("Name a colour"), Message.assistant("Blue")));
            var spec = RemoteSpec.parse(srv.base() + ",protocol=tei,chat-template=" + dir + ",batch=2");
            try (var sc = spec.rewardScorer(Map.<String, String>of()::get)) {
                double[] got = sc.score(convs);
                String first = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nbe brief<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>";
                String second = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nSay hi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHi!<|eot_id|>";
                String third = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nName a colour<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nBlue<|eot_id|>";
                assertEquals(first.length(), got[0]);
                assertEquals(second.length(), got[1]);
                assertEquals(third.length(), got[2]);
                assertEquals("/info", srv.seen.getFirst().path(), "the served model is checked first");
                var predict = srv.seen.subList(1, srv.seen.size());
                assertEquals(2, predict.size(), "3 conversations in requests of 2");
                String body0 = predict.stream().filter(x -> x.body().get("inputs").size() == 2).findFirst().orElseThrow().body().toString();
                String body1 = predict.stream().filter(x -> x.body().get("inputs").size() == 1).findFirst().orElseThrow().body().toString();
                String tail = ",\"raw_scores\":true,\"truncate\":true,\"truncation_direction\":\"Left\"}";
                assertEquals("{\"inputs\":[[" + json(first) + "],[" + json(second) + "]]" + tail, body0);
                assertEquals("{\"inputs\":[[" + json(third) + "]]" + tail, body1);
                assertTrue(predict.stream().allMatch(x -> x.path().equals("/predict")));
            }
        }
    }

    @Test void chatTemplateIsRefusedWhereItCannotApply() throws Exception {
        Path dir = modelDir();
        var e = assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,protocol=tare,chat-template=" + dir)
                .rewardScorer(Map.<String, String>of()::get));
        assertTrue(e.getMessage().contains("protocol=tei only"), e.getMessage());
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        Files.writeString(bare.resolve("tokenizer_config.json"), "{\"bos_token\":\"<s>\"}");
        e = assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,protocol=tei,chat-template=" + bare)
                .rewardScorer(Map.<String, String>of()::get));
        assertTrue(e.getMessage().contains("no chat_template"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RemoteSpec.parse("http://h:1,protocol=tei,chat-template=" + tmp.resolve("nope"))
                .rewardScorer(Map.<String, String>of()::get));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    static String json(String s) { return JsonHttpClient.MAPPER.getNodeFactory().textNode(s).toString(); }
}
