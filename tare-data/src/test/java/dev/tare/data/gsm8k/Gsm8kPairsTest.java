package dev.tare.data.gsm8k;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tare.data.DataFormatException;
import dev.tare.data.Jsonl;
import dev.tare.data.Message;
import dev.tare.data.PreferenceItem;
import dev.tare.data.SharedData;
import dev.tare.data.pairs.DatasetReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GSM8K preference pairs on the real train/test splits: slips reach the answer, renderings, determinism, bad input. */
class Gsm8kPairsTest {
    private static Path gsm8k(String file) {
        Path d = SharedData.data("gsm8k").orElse(null);
        Assumptions.assumeTrue(d != null, "../shared/data/gsm8k absent: GSM8K pairs test skipped");
        return d.resolve(file);
    }

    private static BigDecimal dec(String s) { return new BigDecimal(s); }

    @Test
    void calculationsAreExactAndStrict() {
        assertEquals(0, dec("24").compareTo(Gsm8kCalc.parse("48/2=24").result()));
        assertEquals(0, dec("56").compareTo(Gsm8kCalc.parse("560//10=56").result()));        // train.jsonl:395, Python floor division
        assertEquals(0, dec("0.75").compareTo(Gsm8kCalc.parse("3/4=3/4").result()));         // test.jsonl:320
        assertEquals(0, dec("-21").compareTo(Gsm8kCalc.parse("-14+-8+1=-21").result()));
        assertEquals(0, dec("2400").compareTo(Gsm8kCalc.parse("(600*2)*2=2400").result()));
        assertEquals(0, dec("0.25").compareTo(Gsm8kCalc.parse("0.50-.25=0.25").result()));
        assertFalse(Gsm8kCalc.parse("+8=8").hasOperator());
        assertTrue(Gsm8kCalc.parse("10/3*3=10").hasOperator());
        assertEquals(Optional.empty(), Gsm8kCalc.value("10/3"));
        assertEquals("48 ÷ 2 + -3", Gsm8kCalc.pretty("48/2+-3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Gsm8kCalc.parse("48/2=25")).getMessage().contains("states 25 but 48/2 = 24"));
        assertThrows(IllegalArgumentException.class, () -> Gsm8kCalc.parse("48/2"));
        assertThrows(IllegalArgumentException.class, () -> Gsm8kCalc.parse("4**2=16"));
        assertThrows(IllegalArgumentException.class, () -> Gsm8kCalc.parse("4/0=0"));
        assertThrows(IllegalArgumentException.class, () -> Gsm8kCalc.parse("4x2=8"));
        // the slips by hand: a dropped carry, the smaller-from-larger digit, one digit off by one
        assertEquals(Optional.of(dec("62")), Gsm8kSlip.carry("48+24"));
        assertEquals(Optional.of(dec("36")), Gsm8kSlip.carry("72-48"));
        assertEquals(Optional.empty(), Gsm8kSlip.carry("48*24"));
        assertEquals(List.of(dec("62"), dec("82"), dec("71"), dec("73")), Gsm8kSlip.digitSlips(dec("72")));
        assertEquals(List.of(dec("1.5"), dec("0.4"), dec("0.6")), Gsm8kSlip.digitSlips(dec("0.5")));
        Gsm8kCalc c = Gsm8kCalc.parse("48/2=24");
        for (int seed = 0; seed < 4; seed++) {
            BigDecimal v = Gsm8kSlip.slip(Gsm8kSlip.Kind.TIMES_TEN, c, new SplittableRandom(seed)).orElseThrow();
            assertTrue(v.compareTo(dec("240")) == 0 || v.compareTo(dec("2.4")) == 0, v.toPlainString());
        }
        assertEquals(Optional.empty(), Gsm8kSlip.slip(Gsm8kSlip.Kind.TIMES_TEN, Gsm8kCalc.parse("48+24=72"), new SplittableRandom(1)));
    }

    @Test
    void plainEquationsInTextAreCalculations() {
        Gsm8kSolution s = Gsm8kSolution.parse("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nShe has $40 − $4 = $36 left and 12 x 2 = 25 pens.\n#### 36", "36");
        assertEquals(List.of(Gsm8kCalc.parse("48/2=24")), s.steps().get(0).calcs());
        assertEquals(List.of(new Gsm8kCalc("40-4", dec("36"))), s.steps().get(1).calcs());   // 12 x 2 = 25 does not check out: text
        assertEquals("She has $40 − $4 = $36 left and 12 x 2 = 25 pens.", s.steps().get(1).text());
        assertEquals("Natalia sold 48/2 = 24 clips in May.", s.steps().get(0).text());
    }

    /** The equation lines of a concise rendering ("48 ÷ 2 = 24") that do not check out. */
    private static final Pattern EQUATION = Pattern.compile("(?m)^([-0-9.() ×÷+]+) = (-?\\d+(?:\\.\\d+)?)$");

    private static int wrongEquations(String concise) {
        Matcher m = EQUATION.matcher(concise);
        int wrong = 0;
        while (m.find()) {
            String expr = m.group(1).replace('×', '*').replace('÷', '/');
            if (Gsm8kCalc.value(expr).map(v -> v.compareTo(dec(m.group(2))) != 0).orElse(true)) wrong++;
        }
        return wrong;
    }

    @Test
    void fullTrainSplitEveryMode() throws Exception {
        Path train = gsm8k("train.jsonl");
        Map<Gsm8kPairs.Mode, Gsm8kPairs.Result> results = new EnumMap<>(Gsm8kPairs.Mode.class);
        for (Gsm8kPairs.Mode mode : Gsm8kPairs.Mode.values()) {
            Gsm8kPairs.Result r = Gsm8kPairs.build(train, mode, 0, 0);
            System.out.println("GSM8K train " + mode.label() + ": " + r.summary());
            results.put(mode, r);
            assertEquals(7473, r.questions());
            assertTrue(r.used() >= 0.97 * 7473, r.summary());
            assertEquals(7473, r.used() + r.skipped().values().stream().mapToInt(Integer::intValue).sum());
            assertEquals(3 * r.used(), r.pairs().size());
            List<Gsm8kPairs.Side[]> sides = Gsm8kPairs.sides(mode);
            for (int i = 0; i < r.pairs().size(); i++) {
                Gsm8kPairs.Pair p = r.pairs().get(i);
                Gsm8kPairs.Side[] want = sides.get(i % 3);
                assertEquals(want[0], p.chosenSide(), p.id());
                assertEquals(want[1], p.rejectedSide(), p.id());
                assertTrue(p.id().matches("gsm8k-train-\\d+-" + mode.label() + "-" + (i % 3 + 1)), p.id());
                assertEquals("gsm8k-" + mode.label(), p.subset());
                boolean anyWrong = !p.chosenSide().correct() || !p.rejectedSide().correct();
                assertEquals(anyWrong, p.wrongAnswer() != null, p.id());
                assertEquals(anyWrong, p.perturbedStep() != null, p.id());
                if (anyWrong) assertNotEquals(0, Gsm8kNumbers.parse(p.wrongAnswer()).compareTo(Gsm8kNumbers.parse(p.correctAnswer())), p.id());
                check(p, p.chosenSide(), p.chosen());
                check(p, p.rejectedSide(), p.rejected());
            }
        }
        var style = results.get(Gsm8kPairs.Mode.STYLE);
        for (var r : results.values()) {
            assertEquals(style.used(), r.used());
            assertEquals(style.skipped(), r.skipped());
        }
    }

    /** One rendered side: its final answer, its style markers, and (concise) how many equations are off. */
    private static void check(Gsm8kPairs.Pair p, Gsm8kPairs.Side side, String text) {
        String answer = side.correct() ? p.correctAnswer() : p.wrongAnswer();
        assertEquals(0, Gsm8kAnswers.lastNumber(text).orElseThrow().compareTo(Gsm8kNumbers.parse(answer)), p.id() + "\n" + text);
        assertTrue(text.endsWith(side.style() == Gsm8kStyle.MARKDOWN ? "The answer is **" + answer + "**." : "The answer is " + answer + "."), text);
        assertFalse(text.contains("<<") || text.contains(">>"), text);
        boolean header = text.lines().anyMatch(l -> l.startsWith("#")), bullet = text.lines().anyMatch(l -> l.startsWith("- ") || l.startsWith("* "));
        boolean bold = text.contains("**");
        if (side.style() == Gsm8kStyle.MARKDOWN) assertTrue(header && bullet && bold, text);
        else assertFalse(header || bullet || bold, text);
        if (side.style() == Gsm8kStyle.CONCISE) {
            int expected = side.correct() || "final-digit".equals(p.slip()) ? 0 : 1;
            assertEquals(expected, wrongEquations(text), p.id() + " " + p.slipDetail() + "\n" + text);
        }
        if (side.style() == Gsm8kStyle.DETAILED) assertTrue(text.startsWith("Let's solve this step by step.\n\n"), text);
    }

    @Test
    void slipsPropagateAndLaterCalculationsCheckOut() {
        for (String split : List.of("train.jsonl", "test.jsonl")) {
            Path f = gsm8k(split);
            int found = 0;
            for (Gsm8kItem it : Gsm8kReader.read(f)) {
                Gsm8kSolution right = Gsm8kSolution.of(it, f);
                assertEquals(0, right.answerValue().compareTo(Gsm8kAnswers.normalize(it.gold()).orElseThrow()));
                Optional<Gsm8kSlip> o = Gsm8kSlip.find(right, it.question(), 0, it.line());
                if (o.isEmpty()) continue;
                found++;
                Gsm8kSlip s = o.get();
                Gsm8kSolution wrong = s.wrong();
                String at = split + ":" + it.line() + " " + s.detail();
                assertNotEquals(0, wrong.answerValue().compareTo(right.answerValue()), at);
                assertNotEquals(0, s.from().compareTo(s.to()), at);
                assertEquals(right.steps().size(), wrong.steps().size(), at);
                List<Gsm8kCalc> rc = right.steps().stream().flatMap(x -> x.calcs().stream()).toList();
                List<Gsm8kCalc> wc = wrong.steps().stream().flatMap(x -> x.calcs().stream()).toList();
                assertEquals(rc.size(), wc.size(), at);
                int off = -1;
                for (int i = 0; i < wc.size(); i++) {
                    Gsm8kCalc c = wc.get(i);
                    boolean ok = Gsm8kCalc.value(c.expression()).map(v -> v.compareTo(c.result()) == 0).orElse(false);
                    if (!ok) {
                        assertEquals(-1, off, "only the slipped calculation is off: " + at);
                        off = i;
                    } else if (off < 0) {
                        assertEquals(rc.get(i), c, "calculations before the slip are unchanged: " + at);
                    }
                }
                if (s.kind() == Gsm8kSlip.Kind.FINAL_DIGIT) {
                    assertEquals(-1, off, at);
                    assertEquals(rc, wc, at);
                } else {
                    assertTrue(off >= 0, at);
                    assertEquals(0, wc.get(off).result().compareTo(s.to()), at);
                    assertEquals(0, rc.get(off).result().compareTo(s.from()), at);
                    // the slip's step holds the slipped calculation
                    assertTrue(wrong.steps().get(s.step() - 1).calcs().contains(wc.get(off)), at);
                }
                // steps before the slipped one read as before
                for (int k = 0; k < s.step() - 1; k++) assertEquals(right.steps().get(k), wrong.steps().get(k), at);
            }
            assertTrue(found > 0.97 * Gsm8kReader.read(f).size(), split + ": " + found);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherSlips(@TempDir Path tmp) throws Exception {
        Path test = gsm8k("test.jsonl");
        Path a = tmp.resolve("a.jsonl"), b = tmp.resolve("b.jsonl"), c = tmp.resolve("c.jsonl");
        Gsm8kPairs.write(a, Gsm8kPairs.build(test, Gsm8kPairs.Mode.CROSS, 0, 0).pairs());
        Gsm8kPairs.write(b, Gsm8kPairs.build(test, Gsm8kPairs.Mode.CROSS, 0, 0).pairs());
        assertEquals(-1, Files.mismatch(a, b));
        List<Gsm8kPairs.Pair> p0 = Gsm8kPairs.build(test, Gsm8kPairs.Mode.CROSS, 0, 0).pairs();
        List<Gsm8kPairs.Pair> p1 = Gsm8kPairs.build(test, Gsm8kPairs.Mode.CROSS, 1, 0).pairs();
        Gsm8kPairs.write(c, p1);
        assertNotEquals(-1, Files.mismatch(a, c));
        int same = 0, n = 0;
        Map<Long, String> first = new java.util.HashMap<>();
        for (var p : p0) first.put(p.line(), p.slipDetail());
        for (var p : p1) {
            if (!first.containsKey(p.line())) continue;
            n++;
            if (first.get(p.line()).equals(p.slipDetail())) same++;
        }
        assertTrue(n > 3000 && same < n / 2, "seed 0 and seed 1 share " + same + " of " + n + " slips");
        // the correct sides do not depend on the seed
        for (int i = 0; i < Math.min(p0.size(), 30); i++) if (p0.get(i).line() == p1.get(i).line()) assertEquals(p0.get(i).chosen(), p1.get(i).chosen());
    }

    @Test
    void roundTripsThroughThePairsReader(@TempDir Path tmp) throws Exception {
        Path test = gsm8k("test.jsonl");
        Path out = tmp.resolve("pairs.jsonl");
        Gsm8kPairs.Result r = Gsm8kPairs.build(test, Gsm8kPairs.Mode.STYLE, 7, 20);
        assertEquals(20, r.questions());
        Gsm8kPairs.write(out, r.pairs());
        List<PreferenceItem> items = DatasetReader.read("pairs", out);
        assertEquals(r.pairs().size(), items.size());
        List<Gsm8kItem> q = Gsm8kReader.read(test);
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem it = items.get(i);
            Gsm8kPairs.Pair p = r.pairs().get(i);
            assertEquals(p.id(), it.id());
            assertEquals("gsm8k-style", it.subset());
            assertEquals(List.of(Message.user(q.get((int) p.line() - 1).question())), it.prompt());
            assertEquals(List.of(p.chosen()), it.chosen());
            assertEquals(List.of(p.rejected()), it.rejected());
            assertEquals(p.id().endsWith("-3") ? "detailed" : "concise", it.meta().get("chosen_style"));
            assertEquals("markdown", it.meta().get("rejected_style"));
            assertEquals("7", it.meta().get("seed"));
            assertEquals(q.get((int) p.line() - 1).gold(), it.meta().get("correct_answer"));
            if (p.id().endsWith("-2")) {
                assertEquals("false", it.meta().get("chosen_correct"));
                assertEquals(String.valueOf(p.perturbedStep()), it.meta().get("perturbed_step"));
                assertEquals(p.slip(), it.meta().get("slip"));
            } else {
                assertEquals("true", it.meta().get("chosen_correct"));
                assertNull(it.meta().get("slip"));
            }
        }
        JsonNode first = Jsonl.MAPPER.readTree(Files.readAllLines(out).getFirst());
        assertEquals(List.of("id", "subset", "prompt", "chosen", "rejected", "chosen_style", "rejected_style", "chosen_correct",
                "rejected_correct", "perturbed_step", "slip", "slip_detail", "correct_answer", "wrong_answer", "seed", "source_line"),
                iterable(first.fieldNames()));
        assertTrue(first.get("perturbed_step").isNull());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static DataFormatException bad(Path tmp, String secondRow) throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        Files.writeString(f, "{\"question\":\"q\",\"answer\":\"She has 2*3=<<2*3=6>>6 eggs.\\n#### 6\"}\n" + secondRow + "\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Gsm8kPairs.build(f, Gsm8kPairs.Mode.CROSS, 0, 0));
        assertEquals(2, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        return e;
    }

    @Test
    void badInputNamesFileAndLine(@TempDir Path tmp) throws Exception {
        DataFormatException e = bad(tmp, "{\"question\":\"q\",\"answer\":\"So 2*3=<<2*3=7>>7.\\n#### 7\"}");
        assertEquals("answer", e.field());
        assertTrue(e.getMessage().contains("step 1: calculation '<<2*3=7>>': states 7 but 2*3 = 6"), e.getMessage());
        assertTrue(bad(tmp, "{\"question\":\"q\",\"answer\":\"So 2*3=<<2*3>>6.\\n#### 6\"}").getMessage().contains("expected exactly one '='"));
        assertTrue(bad(tmp, "{\"question\":\"q\",\"answer\":\"A.\\nSo 2*3=<<2*3=6 6.\\n#### 6\"}").getMessage().contains("step 2: '<<' without '>>'"));
        assertTrue(bad(tmp, "{\"question\":\"q\",\"answer\":\"So 2*3=<<2*q=6>>6.\\n#### 6\"}").getMessage().contains("unexpected character 'q'"));
        assertEquals("answer", bad(tmp, "{\"question\":\"q\",\"answer\":\"So 2*3=<<2*3=6>>6.\"}").field());   // no ####
        assertEquals("question", bad(tmp, "{\"answer\":\"So 2*3=<<2*3=6>>6.\\n#### 6\"}").field());
        assertEquals("answer", bad(tmp, "{\"question\":\"q\"}").field());
    }
}
