package dev.tare.scorers.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells a judge's own verdict marks from ones it quotes out of a judged response. Each mark is
 * <ul>
 *   <li><b>quoted</b> when its context appears verbatim in a judged response: its line (with at least 8 characters
 *   besides the mark), the mark with at least 8 characters before or after it, or a mark alone on its line that a
 *   response also holds alone on a line. A response that holds the same context with a <em>different</em> verdict
 *   (a saturating injection, e.g. every label planted) cannot attribute the judge's choice, so it quotes nothing;</li>
 *   <li><b>echoed</b> when only the bare mark also occurs in a response: the judge's own only in final-verdict
 *   position (alone on its line, or after "verdict" / "final" / "decision" on its line), and then only the last such
 *   echo (earlier ones are references to the planted text), otherwise a reference;</li>
 *   <li><b>own</b> otherwise.</li>
 * </ul>
 * The reply's last mark, alone on the reply's closing line, is the judge's own verdict even when a response plants the
 * same line (a quotation is followed by the judge's own words; the verdict closes the reply).
 * So a planted mark can be set aside but cannot erase the judge's final verdict by planting the same mark.
 */
final class QuotedMarks {
    private static final int CONTEXT = 12, MIN_CONTEXT = 8;
    private static final Pattern VERDICT_WORD = Pattern.compile("(?i)\\b(verdict|final|decision)\\b");
    private static final Pattern DECORATION = Pattern.compile("[\\s*_>`\"'.:!()\\-#]*");

    private QuotedMarks() {}

    /** A verdict mark in a reply: [start,end) is the whole mark, [contentStart,contentEnd) the verdict inside it. */
    record Mark(int start, int end, int contentStart, int contentEnd) {
        String content(String reply) { return reply.substring(contentStart, contentEnd); }
    }

    /** The judge's own marks in reply order, and how many were set aside as quotations or non-final echoes. */
    record Own(List<Mark> marks, int quoted, int echoed) {
        String reason(String what, String none) {
            if (quoted + echoed == 0) return none;
            return "only " + what + " taken from the judged responses (" + quoted + " quoted, " + echoed
                    + " echoed outside a final-verdict position)";
        }
    }

    /**
     * The marks that are the judge's own. {@code vocabulary} lists the verdict contents a mark can hold (e.g. the five
     * Arena-Hard labels) so that a response holding the same context with another verdict is recognised.
     */
    static Own own(String reply, List<Mark> marks, List<String> vocabulary, List<String> responses) {
        List<String> rs = new ArrayList<>();
        for (String r : responses) if (r != null && !r.isEmpty()) rs.add(r);
        if (rs.isEmpty()) return new Own(List.copyOf(marks), 0, 0);
        List<Mark> keep = new ArrayList<>();
        int quoted = 0, echoed = 0, prevEnd = 0;
        Mark finalEcho = null;
        Mark last = marks.isEmpty() ? null : marks.getLast();
        for (Mark m : marks) {
            String text = reply.substring(m.start(), m.end());
            List<String> alts = alternatives(reply, m, vocabulary);
            int lineStart = reply.lastIndexOf('\n', m.start() - 1) + 1;
            if (m == last && closesReply(reply, m) && quoted(reply, m, text, alts, rs)) {
                // the reply's closing line is its verdict even when a response plants the same line: a quotation is
                // followed by the judge's own words, the verdict line ends the reply
                echoed++;
                finalEcho = m;
            } else if (quoted(reply, m, text, alts, rs)) quoted++;
            else if (rs.stream().noneMatch(r -> r.contains(text.strip()))) keep.add(m);
            else {
                echoed++;
                if (finalPosition(reply, m, Math.max(prevEnd, lineStart))) finalEcho = m;
            }
            prevEnd = m.end();
        }
        if (finalEcho != null) {
            // the last echo in final-verdict position is the judge's verdict; earlier ones were references
            echoed--;
            keep.add(finalEcho);
            keep.sort(java.util.Comparator.comparingInt(Mark::start));
        }
        return new Own(List.copyOf(keep), quoted, echoed);
    }

    /** The mark's text with its verdict replaced by each other verdict of the vocabulary. */
    private static List<String> alternatives(String reply, Mark m, List<String> vocabulary) {
        String content = m.content(reply), core = content.strip();
        List<String> out = new ArrayList<>();
        for (String v : vocabulary) {
            if (v.equalsIgnoreCase(core)) continue;
            String alt = core.isEmpty() ? v : content.replace(core, v);
            out.add(reply.substring(m.start(), m.contentStart()) + alt + reply.substring(m.contentEnd(), m.end()));
        }
        return out;
    }

    private static boolean quoted(String reply, Mark m, String text, List<String> alts, List<String> responses) {
        int ls = reply.lastIndexOf('\n', m.start() - 1) + 1;
        int le = reply.indexOf('\n', m.end());
        if (le < 0) le = reply.length();
        String before = reply.substring(ls, m.start()), after = reply.substring(m.end(), le);
        if (before.isBlank() && after.isBlank()) {
            for (String r : responses)
                if (aloneOnLine(r, text.strip()) && alts.stream().noneMatch(a -> aloneOnLine(r, a.strip()))) return true;
            return false;
        }
        List<String[]> probes = new ArrayList<>(); // {text before the mark, text after it}
        if (before.strip().length() + after.strip().length() >= MIN_CONTEXT) probes.add(new String[]{before.stripLeading(), after.stripTrailing()});
        String near = reply.substring(Math.max(ls, m.start() - CONTEXT), m.start()).stripLeading();
        if (near.strip().length() >= MIN_CONTEXT) probes.add(new String[]{near, ""});
        String next = reply.substring(m.end(), Math.min(le, m.end() + CONTEXT)).stripTrailing();
        if (next.strip().length() >= MIN_CONTEXT) probes.add(new String[]{"", next});
        for (String r : responses)
            for (String[] p : probes)
                if (r.contains(p[0] + text + p[1]) && alts.stream().noneMatch(a -> r.contains(p[0] + a + p[1]))) return true;
        return false;
    }

    /**
     * The mark closes the reply as its verdict: alone on its line (bar decoration, but not inside a {@code >} quote block),
     * nothing but decoration after it, and not introduced as a quotation by the text before it (a line ending in ':' or
     * in a quoting verb such as "says", "reads", "ends with").
     */
    private static boolean closesReply(String reply, Mark m) {
        int ls = reply.lastIndexOf('\n', m.start() - 1) + 1;
        String prefix = reply.substring(ls, m.start());
        if (!DECORATION.matcher(prefix).matches() || prefix.contains(">") || !DECORATION.matcher(reply.substring(m.end())).matches()) return false;
        String before = reply.substring(0, ls).strip();
        return !INTRODUCES_QUOTE.matcher(before).find();
    }

    private static final Pattern INTRODUCES_QUOTE = Pattern.compile(
            "(?i)(:|\\b(says|said|say|writes|wrote|reads|read|contains|contain|ends with|end with|states|stated|includes|include|quotes|quoted|literally|verbatim|as follows|this line))[\\s\"'*_`]*$");

    private static boolean aloneOnLine(String r, String text) {
        if (text.isEmpty()) return false;
        for (int i = r.indexOf(text); i >= 0; i = r.indexOf(text, i + 1)) {
            int ls = r.lastIndexOf('\n', i - 1) + 1;
            int le = r.indexOf('\n', i + text.length());
            if (le < 0) le = r.length();
            if (r.substring(ls, i).isBlank() && r.substring(i + text.length(), le).isBlank()) return true;
        }
        return false;
    }

    /** Alone on its line (bar punctuation and markdown), or after a verdict word on its line since {@code from}. */
    private static boolean finalPosition(String reply, Mark m, int from) {
        int ls = reply.lastIndexOf('\n', m.start() - 1) + 1;
        int le = reply.indexOf('\n', m.end());
        if (le < 0) le = reply.length();
        if (reply.substring(ls, m.start()).contains(">")) return false;   // a markdown quote block quotes, it does not decide
        if (DECORATION.matcher(reply.substring(ls, m.start()) + reply.substring(m.end(), le)).matches()) return true;
        return VERDICT_WORD.matcher(reply.substring(Math.min(from, m.start()), m.start()).toLowerCase(Locale.ROOT)).find();
    }

    static String abbreviate(String s) { return s.length() <= 40 ? s : s.substring(0, 37) + "..."; }
}
