package dev.tare.scorers.judge;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GRAM-R²-style verdicts in an answer tag, `<answer>A</answer>` / `<answer>B</answer>` (case-insensitive tag and
 * letter, surrounding spaces, quotes and brackets allowed; `tie` / `A=B` read as a tie; a final tag left unclosed
 * runs to the end). Tags inside &lt;think&gt;…&lt;/think&gt; (or an unterminated &lt;think&gt;) are never read, nor
 * tags taken from the judged responses (see {@link QuotedMarks}). Several tags follow the policy (UNIQUE: all must agree; LAST: the last
 * counts). Any other tag content is Unparseable.
 */
public final class AnswerTagVerdictParser implements VerdictParser {
    private static final Pattern THINK = Pattern.compile("(?is)<think>.*?(</think>|$)");
    private static final Pattern TAG = Pattern.compile("(?is)<answer>(.*?)(?:</answer>|$)");
    private final Policy policy;

    public AnswerTagVerdictParser(Policy policy) { this.policy = policy; }

    /** GRAM-R²: the last answer outside &lt;think&gt;. */
    public static AnswerTagVerdictParser gram() { return new AnswerTagVerdictParser(Policy.LAST); }

    @Override public Verdict parse(String reply, List<String> judged) {
        if (reply == null || reply.isBlank()) return Verdict.Unparseable.none("empty reply");
        // Blank out <think> blocks (keeping offsets) so nothing inside them is ever read.
        StringBuilder visible = new StringBuilder(reply);
        Matcher t = THINK.matcher(reply);
        while (t.find()) for (int i = t.start(); i < t.end(); i++) visible.setCharAt(i, ' ');
        String text = visible.toString();
        Matcher m = TAG.matcher(text);
        List<QuotedMarks.Mark> marks = new ArrayList<>();
        while (m.find()) marks.add(new QuotedMarks.Mark(m.start(), m.end(), m.start(1), m.end(1)));
        QuotedMarks.Own own = QuotedMarks.own(text, marks, List.of("A", "B", "tie"), judged);
        List<String> contents = new ArrayList<>();
        for (QuotedMarks.Mark k : own.marks()) contents.add(k.content(text));
        if (contents.isEmpty()) return Verdict.Unparseable.none(own.reason("<answer> blocks", "no <answer> block outside <think>"));
        if (policy == Policy.LAST) return read(contents.getLast());
        List<Verdict> verdicts = new ArrayList<>();
        for (String c : contents) verdicts.add(read(c));
        if (new LinkedHashSet<>(verdicts).size() > 1) return new Verdict.Unparseable("conflicting <answer> tags " + contents);
        return verdicts.getFirst();
    }

    private static Verdict read(String content) {
        String s = content.strip().replaceAll("^[\\s\\[(\"'`*]+|[\\s\\])\"'`*.]+$", "").strip().toUpperCase(Locale.ROOT);
        return switch (s) {
            case "A" -> new Verdict.Prefer(Verdict.Side.A, Verdict.Strength.PLAIN);
            case "B" -> new Verdict.Prefer(Verdict.Side.B, Verdict.Strength.PLAIN);
            case "TIE", "A=B" -> new Verdict.Tie(Verdict.TieKind.EQUAL);
            default -> new Verdict.Unparseable("unrecognised <answer> content '" + QuotedMarks.abbreviate(content.strip()) + "'");
        };
    }
}
