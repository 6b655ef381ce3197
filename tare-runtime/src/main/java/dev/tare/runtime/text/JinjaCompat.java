package dev.tare.runtime.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Source rewrites that make jinjava read Jinja2 chat templates the way Python does, applied inside
 * {@code {{ }}} and {@code {% %}} tags only (never inside string literals or plain text):
 * <ul>
 *   <li>keyword-argument values in calls are parenthesised: jinjava binds {@code =} tighter than arithmetic, so
 *       {@code namespace(i=messages|length - 1)} would otherwise compute {@code (i=messages|length) - 1};</li>
 *   <li>the reversing slice {@code x[::-1]} (jinjava has no slice step) becomes {@code x|reverse};</li>
 *   <li>lstrip_blocks as Jinja does it: jinjava strips blanks before a block tag even mid-line ({@code a{% if x %} {%
 *       endif %}b} would lose its space), so its option is off and the blanks that start a line are removed here;</li>
 *   <li>one trailing newline of the template is dropped (Jinja's default {@code keep_trailing_newline=False}).</li>
 * </ul>
 */
final class JinjaCompat {
    private JinjaCompat() {}

    static String rewrite(String src) {
        if (src.endsWith("\r\n")) src = src.substring(0, src.length() - 2);
        else if (src.endsWith("\n")) src = src.substring(0, src.length() - 1);
        StringBuilder out = new StringBuilder(src.length() + 64);
        int i = 0;
        while (i < src.length()) {
            int open = nextTagOpen(src, i);
            if (open < 0) { out.append(src, i, src.length()); break; }
            out.append(src, i, open);
            char kind = src.charAt(open + 1);
            if (kind != '{' && !(open + 2 < src.length() && src.charAt(open + 2) == '+')) lstrip(out);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int end = tagEnd(src, open + 2, close);
            if (end < 0) { out.append(src, open, src.length()); break; }
            String body = src.substring(open + 2, end);
            if (kind == '#' || isRawOrMacro(body)) {
                out.append(src, open, end + 2);
            } else {
                out.append(src, open, open + 2).append(rewriteExpression(body)).append(close);
            }
            i = end + 2;
            if (kind == '%' && isRaw(body)) {
                int endRaw = src.indexOf("endraw", i);
                if (endRaw < 0) { out.append(src, i, src.length()); break; }
                int after = src.indexOf("%}", endRaw);
                out.append(src, i, after + 2);
                i = after + 2;
            }
        }
        return out.toString();
    }

    /** Jinja's lstrip_blocks: spaces and tabs before a block or comment tag go only when they start the line. */
    private static void lstrip(StringBuilder out) {
        int j = out.length();
        while (j > 0 && (out.charAt(j - 1) == ' ' || out.charAt(j - 1) == '\t')) j--;
        if (j == out.length()) return;
        if (j == 0 || out.charAt(j - 1) == '\n' || out.charAt(j - 1) == '\r') out.setLength(j);
    }

    private static int nextTagOpen(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** End of a tag (index of its closing delimiter), skipping string literals. */
    private static int tagEnd(String s, int from, String close) {
        if (close.equals("#}")) return s.indexOf(close, from);
        char quote = 0;
        for (int i = from; i + 1 < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isRaw(String body) { return stripWs(body).startsWith("raw"); }

    private static boolean isRawOrMacro(String body) {
        String b = stripWs(body);
        return b.startsWith("raw") || b.startsWith("macro") || b.startsWith("call");
    }

    private static String stripWs(String body) {
        String b = body.strip();
        if (b.startsWith("-") || b.startsWith("+")) b = b.substring(1).strip();
        return b;
    }

    /** Rewrites one tag body. */
    static String rewriteExpression(String e) {
        StringBuilder out = new StringBuilder(e.length() + 16);
        Deque<Character> stack = new ArrayDeque<>(); // '(' call, 'p' plain paren, '[' bracket, '{' brace, 'k' open kwarg paren
        char quote = 0;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < e.length()) out.append(e.charAt(++i));
                else if (c == quote) quote = 0;
                continue;
            }
            switch (c) {
                case '\'', '"' -> { quote = c; out.append(c); }
                case '(' -> {
                    boolean call = isCall(out);
                    out.append(c);
                    stack.push(call ? '(' : 'p');
                    if (call) i = maybeOpenKwarg(e, i + 1, out, stack) - 1;
                }
                case ',' -> {
                    closeKwarg(out, stack);
                    out.append(c);
                    if (!stack.isEmpty() && stack.peek() == '(') i = maybeOpenKwarg(e, i + 1, out, stack) - 1;
                }
                case ')' -> {
                    closeKwarg(out, stack);
                    if (!stack.isEmpty()) stack.pop();
                    out.append(c);
                }
                case '[' -> {
                    if (e.startsWith("[::-1]", i)) {
                        out.append("|reverse");
                        i += 5;
                    } else {
                        stack.push('[');
                        out.append(c);
                    }
                }
                case ']', '}' -> {
                    if (!stack.isEmpty()) stack.pop();
                    out.append(c);
                }
                case '{' -> { stack.push('{'); out.append(c); }
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void closeKwarg(StringBuilder out, Deque<Character> stack) {
        if (!stack.isEmpty() && stack.peek() == 'k') {
            stack.pop();
            out.append(')');
        }
    }

    /** At an argument start: if it is {@code name=value} (not {@code ==}), copy {@code name=(} and mark it open. */
    private static int maybeOpenKwarg(String e, int from, StringBuilder out, Deque<Character> stack) {
        int j = from;
        while (j < e.length() && Character.isWhitespace(e.charAt(j))) j++;
        int nameStart = j;
        while (j < e.length() && (Character.isLetterOrDigit(e.charAt(j)) || e.charAt(j) == '_')) j++;
        if (j == nameStart || Character.isDigit(e.charAt(nameStart))) return from;
        int k = j;
        while (k < e.length() && Character.isWhitespace(e.charAt(k))) k++;
        if (k < e.length() && e.charAt(k) == '=' && (k + 1 >= e.length() || e.charAt(k + 1) != '=')) {
            out.append(e, from, k + 1).append('(');
            stack.push('k');
            return k + 1;
        }
        return from;
    }

    /** True when the '(' about to be written follows a callable name, subscript or call (not an operator). */
    private static boolean isCall(StringBuilder out) {
        int j = out.length() - 1;
        while (j >= 0 && Character.isWhitespace(out.charAt(j))) j--;
        if (j < 0) return false;
        char p = out.charAt(j);
        if (p == ')' || p == ']') return true;
        if (!(Character.isLetterOrDigit(p) || p == '_')) return false;
        int end = j + 1;
        while (j >= 0 && (Character.isLetterOrDigit(out.charAt(j)) || out.charAt(j) == '_')) j--;
        String word = out.substring(j + 1, end);
        return !switch (word) {
            case "and", "or", "not", "in", "is", "if", "else", "elif", "for", "set", "return" -> true;
            default -> false;
        };
    }

    /** A filter ({@code x|name}, {@code {% filter name %}}) or test ({@code x is name}) a template uses, at its line. */
    record NameUse(String name, boolean test, int line) {}

    /** Every filter and test name the (rewritten) template's tags use, skipping comments, raw blocks and string literals. */
    static List<NameUse> filtersAndTests(String src) {
        List<NameUse> uses = new ArrayList<>();
        int i = 0;
        while (i < src.length()) {
            int open = nextTagOpen(src, i);
            if (open < 0) break;
            char kind = src.charAt(open + 1);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int end = tagEnd(src, open + 2, close);
            if (end < 0) break;
            String body = src.substring(open + 2, end);
            i = end + 2;
            if (kind == '#') continue;
            int line = 1 + (int) src.substring(0, open).chars().filter(c -> c == '\n').count();
            if (kind == '%' && isRaw(body)) {
                int endRaw = src.indexOf("endraw", i);
                if (endRaw < 0) break;
                i = src.indexOf("%}", endRaw) + 2;
                continue;
            }
            if (kind == '%' && stripWs(body).startsWith("filter ")) {
                String rest = stripWs(body).substring(7).strip();
                int j = 0;
                while (j < rest.length() && (Character.isLetterOrDigit(rest.charAt(j)) || rest.charAt(j) == '_')) j++;
                if (j > 0) uses.add(new NameUse(rest.substring(0, j), false, line));
            }
            scanExpression(body, line, uses);
        }
        return uses;
    }

    private static void scanExpression(String e, int line, List<NameUse> uses) {
        List<String> words = new ArrayList<>(); // identifiers, "|" and other single symbols, outside string literals
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int j = i + 1;
                while (j < e.length() && e.charAt(j) != c) j += e.charAt(j) == '\\' ? 2 : 1;
                i = j;
                words.add("'");
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < e.length() && (Character.isLetterOrDigit(e.charAt(j)) || e.charAt(j) == '_')) j++;
                words.add(e.substring(i, j));
                i = j - 1;
            } else if (!Character.isWhitespace(c)) {
                words.add(String.valueOf(c));
            }
        }
        for (int k = 0; k + 1 < words.size(); k++) {
            String w = words.get(k);
            if (w.equals("|") && isIdentifier(words.get(k + 1))) {
                uses.add(new NameUse(words.get(k + 1), false, line));
            } else if (w.equals("is")) {
                int n = k + 1 < words.size() && words.get(k + 1).equals("not") ? k + 2 : k + 1;
                if (n < words.size() && isIdentifier(words.get(n))) uses.add(new NameUse(words.get(n), true, line));
            }
        }
    }

    private static boolean isIdentifier(String w) {
        return !w.isEmpty() && (Character.isLetter(w.charAt(0)) || w.charAt(0) == '_');
    }
}
