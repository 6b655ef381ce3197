package dev.tare.scorers.judge;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RewardBench generative judges (MT-Bench pair-v2 without tie): `[[A]]` or `[[B]]`. reward-bench checks "[[A]]"
 * before "[[B]]"; a reply with both (apart from labels taken from the judged responses, see {@link QuotedMarks}) is ambiguous and Unparseable.
 */
public final class RewardBenchVerdictParser implements VerdictParser {
    private static final Pattern RB = Pattern.compile("\\[\\[([AB])\\]\\]");

    @Override public Verdict parse(String reply, List<String> judged) {
        if (reply == null || reply.isBlank()) return Verdict.Unparseable.none("empty reply");
        Matcher m = RB.matcher(reply);
        List<QuotedMarks.Mark> marks = new ArrayList<>();
        while (m.find()) marks.add(new QuotedMarks.Mark(m.start(), m.end(), m.start(1), m.end(1)));
        QuotedMarks.Own own = QuotedMarks.own(reply, marks, List.of("A", "B"), judged);
        Set<String> found = new LinkedHashSet<>();
        for (QuotedMarks.Mark k : own.marks()) found.add(k.content(reply));
        if (found.isEmpty()) return Verdict.Unparseable.none(own.reason("[[A]]/[[B]] labels", "no [[A]] or [[B]] verdict"));
        if (found.size() > 1) return new Verdict.Unparseable("both [[A]] and [[B]] in the reply");
        return new Verdict.Prefer(found.contains("A") ? Verdict.Side.A : Verdict.Side.B, Verdict.Strength.PLAIN);
    }
}
