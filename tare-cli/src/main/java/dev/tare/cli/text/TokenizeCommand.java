package dev.tare.cli.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tare.data.DataFormatException;
import dev.tare.data.Message;
import dev.tare.runtime.text.ChatTemplate;
import dev.tare.runtime.text.ConversationEncoder;
import dev.tare.runtime.text.EncodedConversation;
import dev.tare.runtime.text.HfTokenizer;
import dev.tare.runtime.text.TokenizationConvention;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** `tare tokenize`: shows how a conversation is rendered by a chat template and tokenized (ids, doubled BOS, truncation). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Render a conversation with a model's chat template and show the token ids a reward model sees.")
public final class TokenizeCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "Directory with tokenizer.json (+ tokenizer_config.json).")
    Path tokenizer;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "A .jinja template instead of tokenizer_config.json's.")
    Path chatTemplate;

    @Option(names = "--messages", paramLabel = "FILE", description = "JSON array of {\"role\", \"content\"} objects.")
    Path messages;

    @Option(names = "--user", paramLabel = "TEXT", description = "User turn (with --assistant, instead of --messages).")
    String user;

    @Option(names = "--assistant", paramLabel = "TEXT", description = "Assistant response.")
    String assistant;

    @Option(names = "--convention", defaultValue = "WITHOUT_SPECIAL_TOKENS", paramLabel = "C",
            description = "WITHOUT_SPECIAL_TOKENS (default, = apply_chat_template(tokenize=True)) or WITH_SPECIAL_TOKENS "
                    + "(tokenizer(rendered_text), as RewardBench's pipeline does).")
    TokenizationConvention convention;

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N",
            description = "Truncate: drop prompt tokens from the left (leading BOS kept), keep the response whole.")
    int maxLength;

    @Override public void run() {
        List<Message> conv = conversation();
        PrintWriter out = spec.commandLine().getOut();
        try (HfTokenizer tok = HfTokenizer.load(tokenizer)) {
            ChatTemplate t = chatTemplate != null ? ChatTemplate.named(chatTemplate.toString(), read(chatTemplate))
                    : tok.chatTemplate().orElseThrow(() -> new IllegalArgumentException(
                            tokenizer.resolve("tokenizer_config.json") + " has no chat_template: pass --chat-template FILE"));
            ConversationEncoder enc = new ConversationEncoder(tok, t, convention, Map.of());
            EncodedConversation e = enc.encode(conv, maxLength);
            out.println("rendered: " + new ObjectMapper().valueToTree(enc.render(conv)));
            out.println("tokens: " + e.length() + " (prompt " + e.promptLength() + ", response " + (e.length() - e.promptLength())
                    + (e.truncatedPromptTokens() > 0 ? ", " + e.truncatedPromptTokens() + " prompt tokens truncated" : "") + ")");
            out.println("ids: " + Arrays.toString(e.ids()));
            if (e.doubledBos()) {
                out.println("warning: doubled BOS " + tok.specialTokens().bos().text() + " (the template writes one, "
                        + convention + " adds another)");
            }
        }
        out.flush();
    }

    private List<Message> conversation() {
        if (messages != null) {
            if (user != null || assistant != null) throw new IllegalArgumentException("give --messages or --user/--assistant, not both");
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(messages.toFile());
            } catch (IOException e) {
                throw new DataFormatException(messages, 0, null, "not valid JSON: " + e.getMessage(), e);
            }
            if (root == null || !root.isArray()) throw new DataFormatException(messages, 0, null, "expected a JSON array of messages");
            List<Message> out = new ArrayList<>();
            for (int i = 0; i < root.size(); i++) {
                JsonNode m = root.get(i);
                for (String f : new String[]{"role", "content"}) {
                    if (!m.path(f).isTextual()) throw new DataFormatException(messages, 0, "[" + i + "]." + f, "missing or not a string");
                }
                out.add(new Message(m.get("role").asText(), m.get("content").asText()));
            }
            if (out.isEmpty()) throw new DataFormatException(messages, 0, null, "no messages");
            return out;
        }
        if (user == null) throw new IllegalArgumentException("give --messages FILE or --user TEXT [--assistant TEXT]");
        return assistant == null ? List.of(Message.user(user)) : List.of(Message.user(user), Message.assistant(assistant));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
