package dev.tare.data.gsm8k;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;

/**
 * A plausible error in a GSM8K solution: one calculation's result is slipped ({@link Kind}) and every later
 * calculation that uses the changed value is recomputed with it (the value is replaced textually in later expressions
 * and text, and changed results propagate in turn), so the slip reaches the final answer, which then differs from
 * the correct one. {@link #find} is deterministic given the seed and the question's index (its file line).
 *
 * <p>Choice: all (calculation, kind) candidates in a seeded random order; the first whose propagated solution is
 * "clean" wins (every changed value stays non-negative, integers stay integers, no changed value also appears in the
 * question, where replacing it textually would be ambiguous); else the first that only breaks the last two rules;
 * else, when no calculation reaches the answer (the final step is prose, or the answer is a unit conversion of the
 * last result), a {@link Kind#FINAL_DIGIT} slip of the answer where the last step that states it writes it.
 * Candidates whose slip leaves the final answer unchanged, needs a non-terminating decimal or makes a value
 * negative are never used.
 */
public record Gsm8kSlip(Kind kind, int step, BigDecimal from, BigDecimal to, String detail, Gsm8kSolution wrong) {

    /** How a result is slipped. */
    public enum Kind {
        /** One digit of the result off by one (72 → 73, 72 → 62). */
        DIGIT("digit"),
        /** The inverse operator applied to the same operands: + for -, - for +, / for *, * for / (48/2 written as 96). */
        OPERATOR("operator"),
        /** A dropped carry in an addition (48+24 → 62) or the smaller-from-larger digit in a subtraction (72-48 → 36). */
        CARRY("carry"),
        /** A decimal-point slip in a product or quotient: the result ×10 or ÷10. */
        TIMES_TEN("times-ten"),
        /** No calculation reaches the answer: one digit of the final answer off by one where the solution states it. */
        FINAL_DIGIT("final-digit"),
        /**
         * The steps are left as they are and only the final answer is off by one digit, so it disagrees with the
         * solution's own last result: a slip a small model can learn to see (see {@link #answer}).
         */
        ANSWER("answer");

        private final String label;

        Kind(String label) { this.label = label; }

        /** The name written in pair metadata. */
        public String label() { return label; }
    }

    /** The wrong final answer, written as GSM8K writes answers. */
    public String wrongAnswer() { return wrong.answer(); }

    /**
     * The slip for one question, or empty when none reaches the final answer (the caller counts it as a skip).
     * {@code question} is the problem text (its numbers make a replacement ambiguous).
     */
    public static Optional<Gsm8kSlip> find(Gsm8kSolution s, String question, long seed, long index) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, index));
        List<Calc> calcs = calcs(s);
        List<int[]> order = new ArrayList<>();   // {calc index, kind ordinal}
        for (int j = 0; j < calcs.size(); j++) {
            if (!calcs.get(j).calc().hasOperator()) continue;
            for (Kind k : Kind.values()) if (k != Kind.FINAL_DIGIT && k != Kind.ANSWER) order.add(new int[]{j, k.ordinal()});
        }
        for (int i = order.size() - 1; i > 0; i--) {   // Fisher-Yates with the seeded generator
            int r = rnd.nextInt(i + 1);
            int[] t = order.get(i);
            order.set(i, order.get(r));
            order.set(r, t);
        }
        Set<BigDecimal> asked = new HashSet<>();
        Matcher m = Gsm8kNumbers.TOKEN.matcher(question);
        while (m.find()) asked.add(Gsm8kNumbers.key(Gsm8kNumbers.parse(m.group())));
        Gsm8kSlip fallback = null;
        for (int[] c : order) {
            Calc calc = calcs.get(c[0]);
            Kind kind = Kind.values()[c[1]];
            Optional<BigDecimal> to = slip(kind, calc.calc(), rnd);
            if (to.isEmpty()) continue;
            Propagated p = propagate(s, c[0], to.get());
            if (p == null) continue;
            Gsm8kSlip slip = new Gsm8kSlip(kind, calc.step(), calc.calc().result(), to.get(),
                    Gsm8kCalc.pretty(calc.calc().expression()) + " = " + Gsm8kNumbers.plain(to.get())
                            + " (should be " + Gsm8kNumbers.plain(calc.calc().result()) + ")", p.wrong());
            boolean clean = p.changes().stream().noneMatch(ch -> asked.contains(Gsm8kNumbers.key(ch[0]))
                    || isInteger(ch[0]) && !isInteger(ch[1]));
            if (clean) return Optional.of(slip);
            if (fallback == null) fallback = slip;
        }
        if (fallback != null) return Optional.of(fallback);
        return finalDigit(s, rnd);
    }

    /**
     * The {@link Kind#ANSWER} slip: every step unchanged, the final answer with its last digit off by one (up or down,
     * chosen by the seed and index), so right and wrong answers differ in one place at the end; empty for a negative answer.
     */
    public static Optional<Gsm8kSlip> answer(Gsm8kSolution s, long seed, long index) {
        BigDecimal g = s.answerValue();
        String plain = Gsm8kNumbers.plain(g);
        List<BigDecimal> options = digitSlips(g).stream().filter(v -> {
            String o = Gsm8kNumbers.plain(v);
            return o.length() == plain.length() && o.regionMatches(0, plain, 0, plain.length() - 1);
        }).toList();
        if (options.isEmpty()) return Optional.empty();
        BigDecimal to = options.get(new SplittableRandom(mix(seed, index)).nextInt(options.size()));
        return Optional.of(new Gsm8kSlip(Kind.ANSWER, s.steps().size(), g, to, "final answer given as " + Gsm8kNumbers.plain(to)
                + " after a last step that gives " + Gsm8kNumbers.plain(g), new Gsm8kSolution(s.steps(), Gsm8kNumbers.format(to, s.answer()))));
    }

    /** A calculation with its 1-based step. */
    private record Calc(Gsm8kCalc calc, int step) {}

    private static List<Calc> calcs(Gsm8kSolution s) {
        List<Calc> out = new ArrayList<>();
        for (int i = 0; i < s.steps().size(); i++) for (Gsm8kCalc c : s.steps().get(i).calcs()) out.add(new Calc(c, i + 1));
        return out;
    }

    /** The slipped result of {@code c} under {@code kind} (one of the valid options, at random), or empty if none applies. */
    static Optional<BigDecimal> slip(Kind kind, Gsm8kCalc c, SplittableRandom rnd) {
        BigDecimal r = c.result();
        List<BigDecimal> options = new ArrayList<>();
        switch (kind) {
            case DIGIT, FINAL_DIGIT, ANSWER -> options.addAll(digitSlips(r));
            case OPERATOR -> {
                List<Gsm8kCalc.Token> ops = Gsm8kCalc.tokens(c.expression()).stream().filter(Gsm8kCalc.Token::binary).toList();
                for (int k = 0; k < ops.size(); k++) {
                    char swapped = switch (ops.get(k).text()) { case "+" -> '-'; case "-" -> '+'; case "*" -> '/'; default -> '*'; };
                    try {
                        Gsm8kCalc.value(Gsm8kCalc.withOperator(c.expression(), k, swapped)).ifPresent(options::add);
                    } catch (IllegalArgumentException e) {
                        // a division by zero: not an option
                    }
                }
            }
            case CARRY -> carry(c.expression()).ifPresent(options::add);
            case TIMES_TEN -> {
                if (!c.expression().contains("*") && !c.expression().contains("/")) break;   // a decimal-point slip of a product or quotient
                options.add(r.multiply(BigDecimal.TEN));
                options.add(r.divide(BigDecimal.TEN));
            }
        }
        List<BigDecimal> ok = options.stream().filter(v -> v.signum() >= 0 && v.compareTo(r) != 0)
                .map(Gsm8kNumbers::key).distinct().sorted(Comparator.naturalOrder()).toList();
        return ok.isEmpty() ? Optional.empty() : Optional.of(ok.get(rnd.nextInt(ok.size())));
    }

    /** Every value with one digit of {@code v} changed by one (no new leading zero); empty for negative values. */
    static List<BigDecimal> digitSlips(BigDecimal v) {
        List<BigDecimal> out = new ArrayList<>();
        if (v.signum() < 0) return out;
        String s = Gsm8kNumbers.plain(v);
        int dot = s.indexOf('.');
        int intLen = dot < 0 ? s.length() : dot;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '.') continue;
            for (int d : new int[]{-1, 1}) {
                int nd = ch - '0' + d;
                if (nd < 0 || nd > 9 || (i == 0 && nd == 0 && intLen > 1)) continue;
                out.add(new BigDecimal(s.substring(0, i) + (char) ('0' + nd) + s.substring(i + 1)));
            }
        }
        return out;
    }

    /** Column arithmetic without carries: a sum of non-negative integers, or a-b (a ≥ b) taking |digit difference| per column. */
    static Optional<BigDecimal> carry(String expression) {
        List<Gsm8kCalc.Token> t = Gsm8kCalc.tokens(expression);
        List<BigInteger> nums = new ArrayList<>();
        String op = null;
        for (int i = 0; i < t.size(); i++) {
            Gsm8kCalc.Token x = t.get(i);
            if (i % 2 == 0) {
                if (x.binary() || !x.text().matches("\\d+")) return Optional.empty();
                nums.add(new BigInteger(x.text()));
            } else {
                if (!x.binary() || !(x.text().equals("+") || x.text().equals("-"))) return Optional.empty();
                if (op != null && !op.equals(x.text())) return Optional.empty();
                op = x.text();
            }
        }
        if (op == null || t.size() % 2 == 0) return Optional.empty();
        if (op.equals("-") && (nums.size() != 2 || nums.get(0).compareTo(nums.get(1)) < 0)) return Optional.empty();
        int width = nums.stream().mapToInt(n -> n.toString().length()).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (int col = 0; col < width; col++) {
            int d;
            if (op.equals("+")) {
                d = 0;
                for (BigInteger n : nums) d += digit(n, col);
                d %= 10;
            } else {
                d = Math.abs(digit(nums.get(0), col) - digit(nums.get(1), col));
            }
            sb.append((char) ('0' + d));
        }
        return Optional.of(new BigDecimal(new BigInteger(sb.reverse().toString())));
    }

    private static int digit(BigInteger n, int col) {
        String s = n.toString();
        return col < s.length() ? s.charAt(s.length() - 1 - col) - '0' : 0;
    }

    /** A wrong solution and the (old, new) values that changed on the way. */
    private record Propagated(Gsm8kSolution wrong, List<BigDecimal[]> changes) {}

    /**
     * The solution with calculation {@code j} (0-based over all steps) giving {@code to}, every later expression and
     * text rewritten with the changed values and recomputed; null when a recomputed value is not a finite decimal, a
     * value turns or was negative, a divisor becomes zero, or the final answer does not change.
     */
    private static Propagated propagate(Gsm8kSolution s, int j, BigDecimal to) {
        Map<BigDecimal, BigDecimal> map = new HashMap<>();
        List<BigDecimal[]> changes = new ArrayList<>();
        List<Gsm8kSolution.Step> steps = new ArrayList<>();
        int ci = -1;
        boolean after = false;
        for (Gsm8kSolution.Step st : s.steps()) {
            List<Gsm8kSolution.Segment> segs = new ArrayList<>();
            for (Gsm8kSolution.Segment seg : st.segments()) {
                switch (seg) {
                    case Gsm8kSolution.Text t -> segs.add(after ? new Gsm8kSolution.Text(Gsm8kNumbers.substitute(t.text(), map)) : t);
                    case Gsm8kSolution.Calc c -> {
                        ci++;
                        BigDecimal old = c.calc().result();
                        if (ci < j) {
                            segs.add(c);
                            continue;
                        }
                        String expr = ci == j ? c.calc().expression() : Gsm8kNumbers.substitute(c.calc().expression(), map);
                        BigDecimal v;
                        if (ci == j) {
                            v = to;
                            after = true;
                        } else {
                            try {
                                v = Gsm8kCalc.value(expr).orElse(null);
                            } catch (IllegalArgumentException e) {
                                return null;   // the slip made a divisor zero
                            }
                            if (v == null) return null;
                        }
                        if (v.compareTo(old) != 0) {
                            if (v.signum() < 0 || old.signum() < 0) return null;
                            map.put(Gsm8kNumbers.key(old), v);
                            changes.add(new BigDecimal[]{old, v});
                        } else {
                            map.remove(Gsm8kNumbers.key(old));
                        }
                        segs.add(new Gsm8kSolution.Calc(new Gsm8kCalc(expr, v), c.annotated()));
                    }
                }
            }
            steps.add(new Gsm8kSolution.Step(segs));
        }
        BigDecimal wrong = map.get(Gsm8kNumbers.key(s.answerValue()));
        if (wrong == null) return null;
        return new Propagated(new Gsm8kSolution(steps, Gsm8kNumbers.format(wrong, s.answer())), changes);
    }

    /** The fallback: the answer's last mention in the steps and the final answer slipped by one digit. */
    private static Optional<Gsm8kSlip> finalDigit(Gsm8kSolution s, SplittableRandom rnd) {
        BigDecimal g = s.answerValue();
        Optional<BigDecimal> to = slip(Kind.FINAL_DIGIT, new Gsm8kCalc(Gsm8kNumbers.plain(g), g), rnd);
        if (to.isEmpty()) return Optional.empty();
        for (int si = s.steps().size() - 1; si >= 0; si--) {
            List<Gsm8kSolution.Segment> segs = new ArrayList<>(s.steps().get(si).segments());
            for (int k = segs.size() - 1; k >= 0; k--) {
                if (!(segs.get(k) instanceof Gsm8kSolution.Text t)) continue;
                Matcher m = Gsm8kNumbers.TOKEN.matcher(t.text());
                int start = -1, end = -1;
                while (m.find()) if (Gsm8kNumbers.parse(m.group()).compareTo(g) == 0) { start = m.start(); end = m.end(); }
                if (start < 0) continue;
                String tok = t.text().substring(start, end);
                segs.set(k, new Gsm8kSolution.Text(t.text().substring(0, start) + Gsm8kNumbers.format(to.get(), tok) + t.text().substring(end)));
                List<Gsm8kSolution.Step> steps = new ArrayList<>(s.steps());
                steps.set(si, new Gsm8kSolution.Step(segs));
                Gsm8kSolution wrong = new Gsm8kSolution(steps, Gsm8kNumbers.format(to.get(), s.answer()));
                return Optional.of(new Gsm8kSlip(Kind.FINAL_DIGIT, si + 1, g, to.get(), "final answer written as "
                        + Gsm8kNumbers.plain(to.get()) + " (should be " + Gsm8kNumbers.plain(g) + ")", wrong));
            }
        }
        return Optional.empty();
    }

    private static boolean isInteger(BigDecimal v) {
        return v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
    }

    /** SplitMix64-style mixing of seed and index into one generator seed. */
    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
