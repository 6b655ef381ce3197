package dev.tare.data.gsm8k;

import dev.tare.data.DataFormatException;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GSM8K worked answer as steps (its non-blank lines before {@code ####}, 1-based in messages) of text and
 * calculations, plus the final answer as GSM8K writes it. Calculations are the {@code <<expr=result>>} annotations
 * and, where a line has none, plain equations in the text ("20/4 = $5") whose left side evaluates exactly to the
 * number after '=' (an equation that does not check out stays text). Text keeps everything a reader sees: the
 * annotations are dropped (RM-Bench-style responses do not show them), and so are stray backticks.
 */
public record Gsm8kSolution(List<Step> steps, String answer) {
    public Gsm8kSolution {
        steps = List.copyOf(steps);
    }

    /** A piece of a step: visible text or a calculation. */
    public sealed interface Segment permits Text, Calc {}

    /** Visible text. */
    public record Text(String text) implements Segment {}

    /**
     * A calculation; {@code annotated} tells a {@code <<...>>} annotation from a plain equation found in the text. Its
     * visible operands sit in the text before it and its visible result at the start of the text after it.
     */
    public record Calc(Gsm8kCalc calc, boolean annotated) implements Segment {}

    /** One line of the worked answer. */
    public record Step(List<Segment> segments) {
        public Step {
            segments = List.copyOf(segments);
        }

        /** What a reader sees: the text segments joined, whitespace runs collapsed. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (Segment s : segments) if (s instanceof Text t) sb.append(t.text());
            return sb.toString().replaceAll("\\s+", " ").strip();
        }

        /** The calculations of this step, in order. */
        public List<Gsm8kCalc> calcs() {
            List<Gsm8kCalc> out = new ArrayList<>();
            for (Segment s : segments) if (s instanceof Calc c) out.add(c.calc());
            return out;
        }
    }

    /** The final answer's exact value ("1,200" → 1200). */
    public BigDecimal answerValue() {
        return Gsm8kNumbers.parse(answer);
    }

    /** Parses an item's worked answer; a malformed annotation is a {@link DataFormatException} at {@code file}:line, field 'answer'. */
    public static Gsm8kSolution of(Gsm8kItem item, Path file) {
        try {
            return parse(item.answer(), item.gold());
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, item.line(), "answer", e.getMessage());
        }
    }

    /** Parses a worked answer whose final answer is {@code gold}; problems are {@link IllegalArgumentException}s. */
    public static Gsm8kSolution parse(String worked, String gold) {
        int end = worked.lastIndexOf("####");
        if (end < 0) throw new IllegalArgumentException("no final answer after '####'");
        if (!gold.strip().matches("-?" + Gsm8kNumbers.NUM)) throw new IllegalArgumentException("final answer '" + gold + "' is not a number");
        List<Step> steps = new ArrayList<>();
        int lineNo = 0;
        for (String line : worked.substring(0, end).split("\n")) {
            if (line.isBlank()) continue;
            lineNo++;
            try {
                steps.add(step(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("step " + lineNo + ": " + e.getMessage());
            }
        }
        if (steps.isEmpty()) throw new IllegalArgumentException("no worked steps before '####'");
        return new Gsm8kSolution(steps, gold.strip());
    }

    private static Step step(String line) {
        List<Segment> out = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = line.indexOf("<<", i);
            int close = line.indexOf(">>", i);
            if (close >= 0 && (open < 0 || close < open)) throw new IllegalArgumentException("'>>' without '<<'");
            if (open < 0) {
                text(line.substring(i), out);
                break;
            }
            text(line.substring(i, open), out);
            close = line.indexOf(">>", open + 2);
            if (close < 0) throw new IllegalArgumentException("'<<' without '>>'");
            String inner = line.substring(open + 2, close);
            if (inner.contains("<<")) throw new IllegalArgumentException("'<<' inside '<<" + inner + ">>'");
            out.add(new Calc(Gsm8kCalc.parse(inner), true));
            i = close + 2;
        }
        return new Step(out);
    }

    private static final String OP = "(?:\\s*[-+*/×÷−–]\\s*|\\s+x\\s+)";
    /** A plain equation in text: numbers joined by operators, '=', a number ("$40 − $4 = $36", "12 x 2 = 24"). */
    private static final Pattern EQUATION = Pattern.compile("(?<![A-Za-z0-9_.,$])(\\$?" + Gsm8kNumbers.NUM + "(?:" + OP + "\\$?"
            + Gsm8kNumbers.NUM + ")+)(\\s*=\\s*\\$?)(" + Gsm8kNumbers.NUM + ")(?![0-9A-Za-z_]|\\.\\d|,\\d)");

    /** Adds visible text, splitting off the plain equations that check out as calculations. */
    private static void text(String s, List<Segment> out) {
        s = s.replace("`", "");
        if (s.isEmpty()) return;
        Matcher m = EQUATION.matcher(s);
        int from = 0;
        while (m.find()) {
            String expr = m.group(1).replace("$", "").replace(",", "").replaceAll("\\s+x\\s+", "*")
                    .replace('×', '*').replace('÷', '/').replace('−', '-').replace('–', '-');
            BigDecimal stated = Gsm8kNumbers.parse(m.group(3));
            BigDecimal value;
            try {
                value = Gsm8kCalc.value(expr).orElse(null);
            } catch (IllegalArgumentException e) {
                value = null;   // e.g. a division by zero in prose: not a calculation
            }
            if (value == null || value.compareTo(stated) != 0) continue;
            out.add(new Text(s.substring(from, m.start(3))));
            out.add(new Calc(new Gsm8kCalc(expr.replaceAll("\\s+", ""), stated), false));
            from = m.start(3);
        }
        out.add(new Text(s.substring(from)));
    }
}
