package dev.tare.scorers.judge;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reply that is only a choice: `A`, `B`, `(a)`, `B.`, `Output (a)`, `Response B`, `Assistant A`, or `tie`.
 * The whole reply must be that choice; a letter inside a sentence is Unparseable (it may be a word, not a verdict).
 */
public final class LetterVerdictParser implements VerdictParser {
    private static final Pattern CHOICE = Pattern.compile(
            "^\\W*(?:(?:output|response|assistant|answer)\\s*:?\\s*)?\\(?([ab])\\)?[\\s.!)\\]*]*$", Pattern.CASE_INSENSITIVE);

    @Override public Verdict parse(String reply, List<String> judged) {
        if (reply == null || reply.isBlank()) return Verdict.Unparseable.none("empty reply");
        String s = reply.strip();
        if (s.toLowerCase(Locale.ROOT).matches("\\W*tie\\W*")) return new Verdict.Tie(Verdict.TieKind.EQUAL);
        Matcher m = CHOICE.matcher(s);
        if (!m.matches()) return Verdict.Unparseable.none("reply is not a bare choice of A or B");
        return new Verdict.Prefer(m.group(1).equalsIgnoreCase("a") ? Verdict.Side.A : Verdict.Side.B, Verdict.Strength.PLAIN);
    }
}
