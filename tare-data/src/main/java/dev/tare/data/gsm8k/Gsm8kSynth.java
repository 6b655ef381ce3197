package dev.tare.data.gsm8k;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tare.data.Jsonl;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * A seeded generator of grade-school arithmetic word problems in GSM8K's format (the question; worked steps, one per
 * line, each calculation annotated {@code a*b=<<a*b=c>>c}; the final {@code #### N}), for data a clone makes itself:
 * seven templates (shopping, sharing, rates, ages, savings, reading, baking) of 2 to 4 steps over small non-negative
 * integers, with a small closed vocabulary. The last step ends with its result ("The total in dollars is 12+4=16."), so the
 * final answer sentence follows the last result at a fixed distance in every style. Item {@code i} (1-based, its {@link Gsm8kItem#line}) depends only on the
 * seed and {@code i}, so a longer run extends a shorter one. The same items feed {@link Gsm8kPairs} and
 * {@link #rmBench} (RM-Bench's three styles × correct / incorrect).
 */
public final class Gsm8kSynth {
    private Gsm8kSynth() {}

    /** A person of the problems: name, subject and possessive pronoun. */
    private record Person(String name, String he, String his) {
        String He() { return Character.toUpperCase(he.charAt(0)) + he.substring(1); }
    }

    private static final List<Person> PEOPLE = List.of(new Person("Mia", "she", "her"), new Person("Liam", "he", "his"),
            new Person("Ava", "she", "her"), new Person("Noah", "he", "his"), new Person("Emma", "she", "her"),
            new Person("Omar", "he", "his"), new Person("Zoe", "she", "her"), new Person("Leo", "he", "his"),
            new Person("Nina", "she", "her"), new Person("Sam", "he", "his"));
    private static final List<String> GOODS = List.of("pencils", "notebooks", "apples", "stickers", "markers", "balloons", "oranges", "books");
    private static final List<String> THINGS = List.of("marbles", "candies", "cards", "shells", "beads", "crayons");
    private static final List<String> MADE = List.of("toys", "cups", "bottles", "boxes", "shirts");
    private static final List<String> GIFTS = List.of("game", "kite", "ball", "bike", "lamp");
    private static final List<String> FOODS = List.of("muffins", "cookies", "rolls", "cupcakes");

    /** The templates, each a function of the generator and the problem index. */
    private static final List<BiFunction<SplittableRandom, Integer, String[]>> TEMPLATES = List.of(
            Gsm8kSynth::shopping, Gsm8kSynth::sharing, Gsm8kSynth::rates, Gsm8kSynth::ages, Gsm8kSynth::savings,
            Gsm8kSynth::reading, Gsm8kSynth::baking);

    /** {@code n} problems from {@code seed}; item i's line is i (1-based). */
    public static List<Gsm8kItem> generate(int n, long seed) {
        if (n < 0) throw new IllegalArgumentException("number of problems must be ≥ 0, got " + n);
        List<Gsm8kItem> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) out.add(item(seed, i));
        return out;
    }

    /** Problem {@code i} (1-based) of {@code seed}. */
    public static Gsm8kItem item(long seed, int i) {
        SplittableRandom r = new SplittableRandom(mix(seed, i));
        String[] qa = TEMPLATES.get(r.nextInt(TEMPLATES.size())).apply(r, i);
        String gold = qa[1].substring(qa[1].lastIndexOf("####") + 4).strip();
        return new Gsm8kItem(qa[0], qa[1], gold, i);
    }

    /**
     * RM-Bench items (domain math) of {@code items}: the prompt is the question, chosen = the right solution and
     * rejected = the slipped one (by {@code rule}), each in the styles [concise, detailed, markdown] as
     * {@code RmBenchReader} orders them. Ids {@code synth-<line>}; meta: domain, domain_group, slip, answers.
     */
    public static List<PreferenceItem> rmBench(List<Gsm8kItem> items, long seed, Gsm8kPairs.SlipRule rule) {
        List<PreferenceItem> out = new ArrayList<>();
        for (Gsm8kItem it : items) {
            Gsm8kSolution right = Gsm8kSolution.parse(it.answer(), it.gold());
            Optional<Gsm8kSlip> slip = Gsm8kPairs.slip(right, it, seed, rule);
            if (slip.isEmpty()) throw new IllegalStateException("synthetic problem " + it.line() + " has no slip: " + it.answer());
            List<String> chosen = new ArrayList<>(), rejected = new ArrayList<>();
            for (Gsm8kStyle st : Gsm8kStyle.values()) {
                chosen.add(Gsm8kPairs.render(new Gsm8kPairs.Side(st, true), right, slip.get()));
                rejected.add(Gsm8kPairs.render(new Gsm8kPairs.Side(st, false), right, slip.get()));
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("domain", "math");
            meta.put("domain_group", "math");
            meta.put("slip", slip.get().kind().label());
            meta.put("correct_answer", right.answer());
            meta.put("wrong_answer", slip.get().wrongAnswer());
            out.add(new PreferenceItem("synth-" + it.line(), "math", List.of(Message.user(it.question())), chosen, rejected, meta));
        }
        return out;
    }

    /** Writes problems as GSM8K JSONL ({@code question, answer}), all-or-nothing; {@code Gsm8kReader.read} reads it back. */
    public static void write(Path out, List<Gsm8kItem> items) {
        Jsonl.writeAll(out, items.stream().map(it -> Jsonl.MAPPER.createObjectNode().put("question", it.question()).put("answer", it.answer())).toList());
    }

    /**
     * Writes RM-Bench items as JSONL rows ({@code id, subset, domain, prompt, chosen[3], rejected[3]} + meta),
     * all-or-nothing; {@code RmBenchReader.read} reads them back.
     */
    public static void writeRmBench(Path out, List<PreferenceItem> items) {
        List<ObjectNode> rows = new ArrayList<>();
        for (PreferenceItem p : items) {
            ObjectNode o = Jsonl.MAPPER.createObjectNode();
            o.put("id", p.id()).put("subset", p.subset()).put("domain", p.meta().getOrDefault("domain", "math"));
            o.put("prompt", p.prompt().getLast().content());
            p.chosen().forEach(o.putArray("chosen")::add);
            p.rejected().forEach(o.putArray("rejected")::add);
            for (String k : List.of("slip", "correct_answer", "wrong_answer")) if (p.meta().containsKey(k)) o.put(k, p.meta().get(k));
            rows.add(o);
        }
        Jsonl.writeAll(out, rows);
    }


    // ---- templates: each returns {question, worked answer ending in "#### N"} ----

    private static String[] shopping(SplittableRandom r, int i) {
        Person p = pick(r, PEOPLE);
        String g1 = pick(r, GOODS), g2 = other(r, GOODS, g1);
        int a = between(r, 2, 9), pa = between(r, 2, 9), b = between(r, 2, 9), pb = between(r, 1, 9);
        boolean change = r.nextBoolean();
        int c1 = a * pa, c2 = b * pb, t = c1 + c2;
        List<String> steps = new ArrayList<>(List.of(
                "The " + g1 + " cost " + calc(a, '*', pa) + " dollars.",
                "The " + g2 + " cost " + calc(b, '*', pb) + " dollars.",
                "The total in dollars is " + calc(c1, '+', c2) + "."));
        String q = p.name() + " buys " + a + " " + g1 + " for " + pa + " dollars each and " + b + " " + g2 + " for " + pb + " dollars each.";
        if (change) {
            int bill = 10 * (t / 10 + 1 + r.nextInt(3));
            steps.add("The change in dollars is " + calc(bill, '-', t) + ".");
            q += " " + p.He() + " pays with " + bill + " dollars. How much change does " + p.he() + " get?";
            return qa(q, steps, bill - t);
        }
        return qa(q + " How much does " + p.he() + " spend in all?", steps, t);
    }

    private static String[] sharing(SplittableRandom r, int i) {
        Person p = pick(r, PEOPLE), o = other(r, PEOPLE, p);
        String th = pick(r, THINGS);
        int n = between(r, 2, 9), k = between(r, 3, 9), m = between(r, 2, 5), total = n * k;
        int g = total % m == 0 ? m * between(r, 1, 2) : total % m + m * r.nextInt(2);
        if (g >= total) g = total % m == 0 ? m : total % m;
        int left = total - g;
        String q = p.name() + " has " + n + " bags with " + k + " " + th + " in each bag. " + p.He() + " gives " + g + " " + th
                + " to " + o.name() + " and shares the rest equally among " + m + " friends. How many " + th + " does each friend get?";
        return qa(q, List.of(
                p.name() + " has " + calc(n, '*', k) + " " + th + ".",
                "After giving some to " + o.name() + " " + p.he() + " has " + calc(total, '-', g) + " " + th + " left.",
                "The number of " + th + " for each friend is " + calc(left, '/', m) + "."), left / m);
    }

    private static String[] rates(SplittableRandom r, int i) {
        String th = pick(r, MADE);
        int rate = between(r, 3, 12), h = between(r, 2, 8), d = between(r, 2, 6), day = rate * h;
        String q = "A machine makes " + rate + " " + th + " every hour. It runs for " + h + " hours each day. How many " + th
                + " does it make in " + d + " days?";
        return qa(q, List.of("Each day it makes " + calc(rate, '*', h) + " " + th + ".",
                "In " + d + " days the number of " + th + " is " + calc(day, '*', d) + "."), day * d);
    }

    private static String[] ages(SplittableRandom r, int i) {
        Person a = pick(r, PEOPLE), b = other(r, PEOPLE, a), c = other(r, PEOPLE, a, b);
        int age = between(r, 3, 12), k = between(r, 2, 4), older = age * k, d = between(r, 1, Math.min(9, older - 1)),
                y = between(r, 2, 9), now = older - d;
        String q = a.name() + " is " + age + " years old. " + b.name() + " is " + k + " times as old as " + a.name() + ". "
                + c.name() + " is " + d + " years younger than " + b.name() + ". How old will " + c.name() + " be in " + y + " years?";
        return qa(q, List.of(b.name() + " is " + calc(age, '*', k) + " years old.",
                c.name() + " is " + calc(older, '-', d) + " years old.",
                "In " + y + " years the age of " + c.name() + " will be " + calc(now, '+', y) + "."), now + y);
    }

    private static String[] savings(SplittableRandom r, int i) {
        Person p = pick(r, PEOPLE);
        String gift = pick(r, GIFTS);
        int w = between(r, 3, 12), n = between(r, 2, 8), g = between(r, 5, 20), saved = w * n, total = saved + g,
                s = between(r, 1, total - 1), left = total - s;
        String q = p.name() + " saves " + w + " dollars every week for " + n + " weeks. Then " + p.he() + " gets " + g
                + " dollars for " + p.his() + " birthday and spends " + s + " dollars on a " + gift + ". How much money does "
                + p.he() + " have now?";
        return qa(q, List.of(p.name() + " saves " + calc(w, '*', n) + " dollars.",
                "With the birthday money " + p.he() + " has " + calc(saved, '+', g) + " dollars.",
                "After buying the " + gift + " the dollars left are " + calc(total, '-', s) + "."), left);
    }

    private static String[] reading(SplittableRandom r, int i) {
        Person p = pick(r, PEOPLE);
        int pages = between(r, 4, 20), k = between(r, 2, 4), tue = pages * k;
        String q = p.name() + " reads " + pages + " pages on Monday and " + k + " times as many pages on Tuesday. How many pages does "
                + p.he() + " read in the two days?";
        return qa(q, List.of("On Tuesday " + p.he() + " reads " + calc(pages, '*', k) + " pages.",
                "The pages in the two days are " + calc(pages, '+', tue) + "."), pages + tue);
    }

    private static String[] baking(SplittableRandom r, int i) {
        String f = pick(r, FOODS);
        int t = between(r, 2, 6), k = between(r, 4, 12), made = t * k, b = between(r, 2, 5);
        int left = b * between(r, 1, Math.max(1, (made - 2) / b)), sold = made - left;
        if (sold < 2) { left = 0; sold = made; }
        int s = between(r, 1, sold - 1), u = sold - s;
        String q = "A baker makes " + t + " trays of " + f + " with " + k + " on each tray. The baker sells " + s + " " + f
                + " in the morning and " + u + " in the afternoon.";
        List<String> steps = new ArrayList<>(List.of("The baker makes " + calc(t, '*', k) + " " + f + ".",
                "The baker sells " + calc(s, '+', u) + " " + f + " in all.",
                "The number of " + f + " left is " + calc(made, '-', sold) + "."));
        if (left > 0 && r.nextBoolean()) {
            steps.add("The number of bags is " + calc(left, '/', b) + ".");
            return qa(q + " The rest are put in bags of " + b + ". How many bags are filled?", steps, left / b);
        }
        return qa(q + " How many " + f + " are left?", steps, left);
    }

    /** "a*b=&lt;&lt;a*b=c&gt;&gt;c" with the exact result (divisions are exact by construction). */
    private static String calc(int a, char op, int b) {
        int c = switch (op) {
            case '*' -> a * b;
            case '+' -> a + b;
            case '-' -> a - b;
            case '/' -> {
                if (b == 0 || a % b != 0) throw new IllegalStateException(a + "/" + b + " is not exact");
                yield a / b;
            }
            default -> throw new IllegalArgumentException("operator " + op);
        };
        if (c < 0) throw new IllegalStateException(a + "" + op + b + " is negative");
        String e = a + "" + op + b;
        return e + "=<<" + e + "=" + c + ">>" + c;
    }

    private static String[] qa(String q, List<String> steps, int answer) {
        return new String[]{q, String.join("\n", steps) + "\n#### " + answer};
    }

    private static int between(SplittableRandom r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    private static <T> T pick(SplittableRandom r, List<T> xs) {
        return xs.get(r.nextInt(xs.size()));
    }

    @SafeVarargs
    private static <T> T other(SplittableRandom r, List<T> xs, T... not) {
        while (true) {
            T x = pick(r, xs);
            if (!List.of(not).contains(x)) return x;
        }
    }

    /** SplitMix64-style mixing of seed and index. */
    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xD1B54A32D192ED03L + 0x2545F4914F6CDD1DL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
