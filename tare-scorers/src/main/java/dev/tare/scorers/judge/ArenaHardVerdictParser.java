package dev.tare.scorers.judge;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Arena-Hard verdict labels `[[A>>B]]`, `[[A>B]]`, `[[A=B]]`, `[[B>A]]`, `[[B>>A]]` read as JudgeBench's ArenaHard
 * judge does: every match of `\[\[([AB<>=]+)\]\]`; none → Unparseable; under {@link Policy#UNIQUE} (JudgeBench)
 * several distinct raw labels (even A>>B with A>B) → Unparseable; under {@link Policy#LAST} the last label counts.
 * `>>` maps to STRONG, `>` to SLIGHT. A label outside the five (e.g. `[[A<B]]`) is Unparseable, never guessed.
 * Labels taken from the judged responses are set aside first ({@link QuotedMarks}): quoted ones always, bare
 * echoes of a planted label unless in final-verdict position, so planting labels cannot erase the judge's verdict.
 */
public final class ArenaHardVerdictParser implements VerdictParser {
    private static final Pattern LABEL = Pattern.compile("\\[\\[([AB<>=]+)\\]\\]");
    private static final List<String> LABELS = List.of("A>>B", "A>B", "A=B", "B>A", "B>>A");
    private final Policy policy;

    public ArenaHardVerdictParser(Policy policy) { this.policy = policy; }

    /** JudgeBench's rule (all labels must be one distinct label). */
    public static ArenaHardVerdictParser judgeBench() { return new ArenaHardVerdictParser(Policy.UNIQUE); }

    @Override public Verdict parse(String reply, List<String> judged) {
        if (reply == null || reply.isBlank()) return Verdict.Unparseable.none("empty reply");
        Matcher m = LABEL.matcher(reply);
        List<QuotedMarks.Mark> marks = new ArrayList<>();
        while (m.find()) marks.add(new QuotedMarks.Mark(m.start(), m.end(), m.start(1), m.end(1)));
        QuotedMarks.Own own = QuotedMarks.own(reply, marks, LABELS, judged);
        List<String> labels = new ArrayList<>();
        for (QuotedMarks.Mark k : own.marks()) labels.add(k.content(reply));
        if (labels.isEmpty()) return Verdict.Unparseable.none(own.reason("verdict labels", "no [[...]] verdict label"));
        String label;
        if (policy == Policy.UNIQUE) {
            Set<String> distinct = new LinkedHashSet<>(labels);
            if (distinct.size() > 1) return new Verdict.Unparseable("conflicting verdict labels " + distinct);
            label = labels.getFirst();
        } else {
            label = labels.getLast();
        }
        return switch (label) {
            case "A>>B" -> new Verdict.Prefer(Verdict.Side.A, Verdict.Strength.STRONG);
            case "A>B" -> new Verdict.Prefer(Verdict.Side.A, Verdict.Strength.SLIGHT);
            case "B>A" -> new Verdict.Prefer(Verdict.Side.B, Verdict.Strength.SLIGHT);
            case "B>>A" -> new Verdict.Prefer(Verdict.Side.B, Verdict.Strength.STRONG);
            case "A=B" -> new Verdict.Tie(Verdict.TieKind.EQUAL);
            default -> new Verdict.Unparseable("unrecognised verdict label [[" + label + "]]");
        };
    }
}
