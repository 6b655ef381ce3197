package dev.tare.eval.bbq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Jsonl;
import dev.tare.data.Message;
import dev.tare.data.bbq.BbqItem;
import dev.tare.core.Progress;
import dev.tare.eval.judge.ResumableRows;
import dev.tare.scorers.judge.ChatGenerator;
import dev.tare.scorers.judge.ChoiceLetter;
import dev.tare.scorers.judge.Generation;
import dev.tare.scorers.judge.SamplingParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * BBQ for a generative model: each item becomes a single-letter multiple-choice prompt (context, question, options
 * A/B/C, "Reply with ONLY the single letter"), the reply is read with {@link ChoiceLetter} (a reply that is not one
 * letter is recorded as unparseable with prediction null, never guessed), and one row per item goes to a resumable
 * predictions file: category, example_id, prediction, the raw reply, and its token counts and seconds.
 */
public final class GenerativeBbq {
    private GenerativeBbq() {}

    /** Items generated now and resumed, unparseable replies, and the judging cost. */
    public record Outcome(int resumed, int generated, int unparseable, long promptTokens, long completionTokens, double seconds) {
        public double completionTokensPerSecond() { return seconds > 0 ? completionTokens / seconds : Double.NaN; }
    }

    /** The chat prompt for one item. */
    public static List<Message> prompt(BbqItem item) {
        List<String> a = item.answers();
        return List.of(Message.user(item.context() + "\n" + item.question() + "\nA. " + a.get(0) + "\nB. " + a.get(1)
                + "\nC. " + a.get(2) + "\nReply with ONLY the single letter (A, B or C) of the correct answer."));
    }

    public static String id(BbqItem item) { return item.key().toString(); }

    /** Generates the predictions file {@code out} for {@code items}, {@code batch} prompts per generator call. */
    public static Outcome run(List<BbqItem> items, ChatGenerator gen, SamplingParams params, int batch, Path out,
                              boolean resume, Progress progress) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
        List<String> ids = items.stream().map(GenerativeBbq::id).toList();
        int generated = 0, unparseable = 0;
        long pt = 0, ct = 0;
        double secs = 0;
        try (ResumableRows rows = ResumableRows.open(out, resume, ids)) {
            int done = rows.existing().size();
            for (JsonNode r : rows.existing()) {
                if (r.path("prediction").isNull()) unparseable++;
                pt += r.path("prompt_tokens").asLong();
                ct += r.path("completion_tokens").asLong();
                secs += r.path("seconds").asDouble();
            }
            progress.setTotal(items.size());
            progress.resumedAt(done);
            for (int from = done; from < items.size(); from += batch) {
                List<BbqItem> chunk = items.subList(from, Math.min(items.size(), from + batch));
                List<List<Message>> prompts = chunk.stream().map(GenerativeBbq::prompt).toList();
                List<Generation> gs = gen.generate(prompts, params);
                if (gs.size() != chunk.size()) throw new IllegalStateException(gen.name() + " returned " + gs.size() + " replies for " + chunk.size() + " prompts");
                List<ObjectNode> lines = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    BbqItem it = chunk.get(i);
                    Generation g = gs.get(i);
                    Optional<Character> letter = ChoiceLetter.parse(g.text(), "ABC");
                    ObjectNode o = Jsonl.MAPPER.createObjectNode();
                    o.put("id", id(it)).put("category", it.category()).put("example_id", it.exampleId());
                    if (letter.isPresent()) o.put("prediction", String.valueOf(letter.get()));
                    else { o.putNull("prediction"); unparseable++; }
                    o.put("reply", g.text()).put("prompt_tokens", g.promptTokens()).put("completion_tokens", g.completionTokens())
                            .put("seconds", g.seconds());
                    pt += g.promptTokens();
                    ct += g.completionTokens();
                    secs += g.seconds();
                    lines.add(o);
                }
                rows.append(lines);
                generated += chunk.size();
                progress.advance(chunk.size());
            }
            return new Outcome(done, generated, unparseable, pt, ct, secs);
        }
    }
}
