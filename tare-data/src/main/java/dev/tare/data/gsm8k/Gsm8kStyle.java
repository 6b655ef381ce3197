package dev.tare.data.gsm8k;

import java.util.ArrayList;
import java.util.List;

/**
 * The three RM-Bench surface styles a GSM8K solution is rendered in. Every variant ends with the final answer in one
 * sentence, "The answer is N." ({@code **N**} in bold in the markdown style), N written as GSM8K writes it; the
 * {@code <<...>>} annotations are never shown.
 * <ul>
 *   <li>{@link #CONCISE} plain text: only the key equations (every calculation with an operator, one per line,
 *       "48 ÷ 2 = 24"), then the last step in prose unless one of its calculations gives the answer, then the answer
 *       sentence.</li>
 *   <li>{@link #DETAILED} plain text: "Let's solve this step by step.", every worked step in prose, one per line, then
 *       the answer sentence.</li>
 *   <li>{@link #MARKDOWN} detailed with markdown: a "## Solution" header, the worked steps as a "- " bullet list,
 *       an "## Answer" header and the answer sentence with the number in bold.</li>
 * </ul>
 */
public enum Gsm8kStyle {
    CONCISE("concise"),
    DETAILED("detailed"),
    MARKDOWN("markdown");

    private final String label;

    Gsm8kStyle(String label) { this.label = label; }

    /** The name written in pair metadata. */
    public String label() { return label; }

    /** The solution rendered in this style. */
    public String render(Gsm8kSolution s) {
        return render(s, s);
    }

    /**
     * The solution rendered in this style with the lines of {@code layout} (the concise style's prose last step is
     * shown when no calculation of {@code layout}'s last step gives its answer): a wrong answer that only disagrees with
     * its own last step ({@link Gsm8kSlip.Kind#ANSWER}) keeps the right solution's lines.
     */
    public String render(Gsm8kSolution s, Gsm8kSolution layout) {
        return body(s, layout) + switch (this) {
            case CONCISE, DETAILED -> "The answer is " + s.answer() + ".";
            case MARKDOWN -> "The answer is **" + s.answer() + "**.";
        };
    }

    /**
     * The solution rendered in this style with the lines of {@code layout}, its answer sentence restating the result of
     * {@code layout}'s last calculation first, in plain text in every style: "The last result is 16, so the answer is 17."
     * The answer-slip pairs ({@link Gsm8kSlip.Kind#ANSWER}) render both sides so: the agreement of the two numbers, the
     * whole difference between right and wrong, stands in the last tokens of every style at the same distance.
     */
    public String renderRestated(Gsm8kSolution s, Gsm8kSolution layout) {
        List<Gsm8kCalc> calcs = layout.steps().getLast().calcs();
        if (calcs.isEmpty()) return render(s, layout);
        return body(s, layout) + "The last result is " + Gsm8kNumbers.plain(calcs.getLast().result()) + ", so the answer is " + s.answer() + ".";
    }

    /** Everything before the answer sentence, ending with the line break before it. */
    private String body(Gsm8kSolution s, Gsm8kSolution layout) {
        return switch (this) {
            case CONCISE -> {
                List<String> lines = new ArrayList<>();
                for (Gsm8kSolution.Step st : s.steps())
                    for (Gsm8kCalc c : st.calcs())
                        if (c.hasOperator()) lines.add(Gsm8kCalc.pretty(c.expression()) + " = " + Gsm8kNumbers.plain(c.result()));
                Gsm8kSolution.Step last = s.steps().getLast();
                boolean shown = layout.steps().getLast().calcs().stream()
                        .anyMatch(c -> c.hasOperator() && c.result().compareTo(layout.answerValue()) == 0);
                if (!shown) lines.add(sentence(last.text()));
                yield String.join("\n", lines) + "\n";
            }
            case DETAILED -> {
                StringBuilder sb = new StringBuilder("Let's solve this step by step.\n\n");
                for (Gsm8kSolution.Step st : s.steps()) sb.append(sentence(st.text())).append('\n');
                yield sb.append('\n').toString();
            }
            case MARKDOWN -> {
                StringBuilder sb = new StringBuilder("## Solution\n\n");
                for (Gsm8kSolution.Step st : s.steps()) sb.append("- ").append(sentence(st.text())).append('\n');
                yield sb.append("\n## Answer\n\n").toString();
            }
        };
    }

    /** The text with a full stop added unless it already ends a sentence. */
    private static String sentence(String text) {
        if (text.isEmpty() || ".!?".indexOf(text.charAt(text.length() - 1)) >= 0) return text;
        return text + ".";
    }
}
