package dev.tare.data.gsm8k;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One GSM8K calculation {@code <<expression=result>>}: numbers (decimals allowed, {@code .5} too), {@code + - * /},
 * Python's floor division {@code //} (the annotations were written for a Python calculator: {@code <<560//10=56>>}),
 * unary minus or plus and parentheses, evaluated exactly (rational arithmetic; a value is a decimal only when it
 * terminates). The result is a number or a fraction of two ({@code <<3/4=3/4>>}).
 * {@link #parse} is strict: a malformed annotation, or one whose stated result is not the expression's value, is an
 * {@link IllegalArgumentException} whose message the caller places at file:line.
 */
public record Gsm8kCalc(String expression, BigDecimal result) {

    /** One token of an expression: a number, an operator or a parenthesis; {@code binary} marks binary operators. */
    public record Token(String text, boolean binary) {}

    /** Parses the inside of {@code <<...>>} (without the brackets) and checks that the result is the expression's value. */
    public static Gsm8kCalc parse(String inner) {
        String where = "calculation '<<" + inner + ">>'";
        int eq = inner.indexOf('=');
        if (eq < 0 || eq != inner.lastIndexOf('=')) throw new IllegalArgumentException(where + ": expected exactly one '='");
        String expr = inner.substring(0, eq).strip();
        String res = inner.substring(eq + 1).strip();
        String number = "-?(\\d+(\\.\\d*)?|\\.\\d+)";
        if (!res.matches(number + "(/" + number + ")?"))
            throw new IllegalArgumentException(where + ": result '" + res + "' is not a number");
        BigDecimal stated;
        try {
            stated = value(res).orElseThrow(() -> new IllegalArgumentException("its value is not a finite decimal"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": result '" + res + "': " + e.getMessage());
        }
        BigDecimal value;
        try {
            value = value(expr).orElseThrow(() -> new IllegalArgumentException("its value is not a finite decimal"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        if (value.compareTo(stated) != 0)
            throw new IllegalArgumentException(where + ": states " + res + " but " + expr + " = " + Gsm8kNumbers.plain(value));
        return new Gsm8kCalc(expr, stated);
    }

    /** True unless the expression is a bare number (a step that copies a value, e.g. {@code <<6=6>>}). */
    public boolean hasOperator() {
        return tokens(expression).stream().anyMatch(Token::binary);
    }

    /**
     * The exact value of {@code expression}; empty when it is not a finite decimal (e.g. 10/3). Malformed input or a
     * division by zero is an {@link IllegalArgumentException}.
     */
    public static Optional<BigDecimal> value(String expression) {
        Parser p = new Parser(tokens(expression));
        Q q = p.expr();
        if (p.i != p.t.size()) throw new IllegalArgumentException("unexpected '" + p.t.get(p.i).text() + "' in '" + expression + "'");
        return q.decimal();
    }

    /** Tokens of an expression; '-' or '+' at the start or after an operator or '(' is unary (not {@code binary}). */
    public static List<Token> tokens(String expression) {
        List<Token> out = new ArrayList<>();
        String s = expression;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) { i++; continue; }
            if (Character.isDigit(c) || c == '.') {
                int j = i;
                while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) j++;
                String num = s.substring(i, j);
                if (!num.matches("\\d+(\\.\\d*)?|\\.\\d+")) throw new IllegalArgumentException("bad number '" + num + "' in '" + expression + "'");
                out.add(new Token(num, false));
                i = j;
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                out.add(new Token("//", true));
                i += 2;
            } else if ("+-*/".indexOf(c) >= 0) {
                boolean unary = (c == '-' || c == '+') && (out.isEmpty() || out.getLast().binary()
                        || out.getLast().text().equals("(") || out.getLast().text().equals("-") || out.getLast().text().equals("+"));
                out.add(new Token(String.valueOf(c), !unary));
                i++;
            } else if (c == '(' || c == ')') {
                out.add(new Token(String.valueOf(c), false));
                i++;
            } else {
                throw new IllegalArgumentException("unexpected character '" + c + "' in '" + expression + "'");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("empty expression");
        return out;
    }

    /** The expression with its {@code k}-th binary operator (0-based) replaced by {@code op}. */
    public static String withOperator(String expression, int k, char op) {
        List<Token> t = tokens(expression);
        StringBuilder sb = new StringBuilder();
        int seen = 0;
        for (Token x : t) sb.append(x.binary() && seen++ == k ? String.valueOf(op) : x.text());
        return sb.toString();
    }

    /** The expression as shown in a rendered solution: spaced binary operators, '×' for '*' and '÷' for '/'. */
    public static String pretty(String expression) {
        StringBuilder sb = new StringBuilder();
        for (Token x : tokens(expression)) {
            if (x.binary()) sb.append(' ').append(switch (x.text()) { case "*" -> "×"; case "/", "//" -> "÷"; default -> x.text(); }).append(' ');
            else sb.append(x.text());
        }
        return sb.toString();
    }

    /** An exact rational n/d (d > 0). */
    private record Q(BigInteger n, BigInteger d) {
        static Q of(BigDecimal v) {
            return v.scale() <= 0 ? new Q(v.toBigIntegerExact(), BigInteger.ONE)
                    : new Q(v.unscaledValue(), BigInteger.TEN.pow(v.scale())).reduced();
        }
        Q reduced() {
            BigInteger g = n.gcd(d);
            if (g.signum() == 0) return this;
            Q q = new Q(n.divide(g), d.divide(g));
            return q.d.signum() < 0 ? new Q(q.n.negate(), q.d.negate()) : q;
        }
        Q plus(Q o) { return new Q(n.multiply(o.d).add(o.n.multiply(d)), d.multiply(o.d)).reduced(); }
        Q minus(Q o) { return plus(new Q(o.n.negate(), o.d)); }
        Q times(Q o) { return new Q(n.multiply(o.n), d.multiply(o.d)).reduced(); }
        Q over(Q o) {
            if (o.n.signum() == 0) throw new IllegalArgumentException("division by zero");
            return new Q(n.multiply(o.d), d.multiply(o.n)).reduced();
        }
        Q floor() {
            return new Q(n.subtract(n.mod(d)).divide(d), BigInteger.ONE);
        }
        Optional<BigDecimal> decimal() {
            try {
                return Optional.of(new BigDecimal(n).divide(new BigDecimal(d)));
            } catch (ArithmeticException e) {
                return Optional.empty();
            }
        }
    }

    /** Recursive descent: expr = term (('+'|'-') term)*, term = factor (('*'|'/'|'//') factor)*, factor = ('-'|'+') factor | '(' expr ')' | number. */
    private static final class Parser {
        final List<Token> t;
        int i;

        Parser(List<Token> t) { this.t = t; }

        Q expr() {
            Q v = term();
            while (i < t.size() && t.get(i).binary() && (t.get(i).text().equals("+") || t.get(i).text().equals("-"))) {
                String op = t.get(i++).text();
                Q r = term();
                v = op.equals("+") ? v.plus(r) : v.minus(r);
            }
            return v;
        }

        Q term() {
            Q v = factor();
            while (i < t.size() && t.get(i).binary() && List.of("*", "/", "//").contains(t.get(i).text())) {
                String op = t.get(i++).text();
                Q r = factor();
                v = switch (op) {
                    case "*" -> v.times(r);
                    case "/" -> v.over(r);
                    default -> v.over(r).floor();
                };
            }
            return v;
        }

        Q factor() {
            if (i >= t.size()) throw new IllegalArgumentException("expression ends too early");
            Token x = t.get(i++);
            if ((x.text().equals("-") || x.text().equals("+")) && !x.binary()) {
                Q v = factor();
                return x.text().equals("-") ? new Q(v.n().negate(), v.d()) : v;
            }
            if (x.text().equals("(")) {
                Q v = expr();
                if (i >= t.size() || !t.get(i).text().equals(")")) throw new IllegalArgumentException("missing ')'");
                i++;
                return v;
            }
            if (x.binary() || x.text().equals(")")) throw new IllegalArgumentException("unexpected '" + x.text() + "'");
            String s = x.text().endsWith(".") ? x.text().substring(0, x.text().length() - 1) : x.text();
            return Q.of(new BigDecimal(s));
        }
    }
}
