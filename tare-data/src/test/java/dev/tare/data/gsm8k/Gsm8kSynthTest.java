package dev.tare.data.gsm8k;

import dev.tare.data.PreferenceItem;
import dev.tare.data.rmbench.RmBenchReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthetic GSM8K generator: GSM8K's format, arithmetic that checks out, answer slips, determinism, RM-Bench rows. */
class Gsm8kSynthTest {
    /** A rendered equation "a op b = c" of the concise style (operators as Gsm8kCalc.pretty writes them). */
    private static final Pattern SHOWN = Pattern.compile("(\\d+) ([-+×÷]) (\\d+) = (\\d+)");

    @Test
    void problemsAreGsm8kFormattedAndTheirArithmeticChecksOut() {
        List<Gsm8kItem> items = Gsm8kSynth.generate(500, 7);
        Set<Integer> stepCounts = new HashSet<>();
        Set<String> openings = new HashSet<>();
        for (Gsm8kItem it : items) {
            // the reader's own parse: every annotation's result is its expression's exact value (Gsm8kCalc.parse is strict)
            Gsm8kSolution s = Gsm8kSolution.parse(it.answer(), it.gold());
            assertTrue(it.answer().matches("(?s).*\n#### \\d+"), it.answer());
            assertEquals(it.gold(), Gsm8kAnswers.gold(it.answer()).orElseThrow());
            stepCounts.add(s.steps().size());
            openings.add(it.question().split(" ")[0] + (it.question().contains("change") ? "+change" : ""));
            for (Gsm8kSolution.Step st : s.steps()) {
                assertEquals(1, st.calcs().size(), it.answer());
                Gsm8kCalc c = st.calcs().getFirst();
                assertTrue(c.result().signum() >= 0 && c.result().stripTrailingZeros().scale() <= 0, it.answer());
                assertTrue(st.text().contains(c.expression() + "=" + Gsm8kNumbers.plain(c.result())), st.text());
            }
            // the last step computes the answer
            assertEquals(0, s.steps().getLast().calcs().getFirst().result().compareTo(s.answerValue()), it.answer());
            assertTrue(s.answerValue().compareTo(BigDecimal.valueOf(1000)) < 0, it.gold());
        }
        assertEquals(Set.of(2, 3, 4), stepCounts);
        assertTrue(openings.size() >= 7, openings.toString());
    }

    @Test
    void correctVariantsAreConsistentAndAnswerSlipsDisagreeOnlyWithTheLastStep() {
        List<Gsm8kItem> items = Gsm8kSynth.generate(300, 11);
        for (PreferenceItem p : Gsm8kSynth.rmBench(items, 11, Gsm8kPairs.SlipRule.ANSWER)) {
            String right = p.meta().get("correct_answer"), wrong = p.meta().get("wrong_answer");
            assertNotEquals(right, wrong);
            for (int k = 0; k < 3; k++) {
                String c = p.chosen().get(k), r = p.rejected().get(k);
                assertTrue(Gsm8kAnswers.isCorrect(c, right), c);
                assertTrue(Gsm8kAnswers.isCorrect(r, wrong), r);
                // the same lines but the final answer, which comes right after the restated last result, in every style;
                // the answers differ only in their last digit, by one
                String cut = "so the answer is ";
                assertTrue(c.endsWith("The last result is " + right + ", " + cut + right + "."), c);
                assertTrue(r.endsWith("The last result is " + right + ", " + cut + wrong + "."), r);
                assertEquals(c.substring(0, c.lastIndexOf(cut)), r.substring(0, r.lastIndexOf(cut)));
                assertEquals(right.length(), wrong.length());
                assertEquals(right.substring(0, right.length() - 1), wrong.substring(0, wrong.length() - 1));
                assertEquals(1, Math.abs(right.charAt(right.length() - 1) - wrong.charAt(wrong.length() - 1)), right + " vs " + wrong);
            }
            // concise: every shown equation checks out, and the last one gives the chosen answer
            Matcher m = SHOWN.matcher(p.chosen().getFirst());
            String last = null;
            while (m.find()) {
                long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3)), c = Long.parseLong(m.group(4));
                long v = switch (m.group(2)) { case "+" -> a + b; case "-" -> a - b; case "×" -> a * b; default -> a / b; };
                assertEquals(v, c, p.chosen().getFirst());
                last = m.group(4);
            }
            assertEquals(right, last, p.chosen().getFirst());
            assertTrue(p.chosen().get(0).length() < p.chosen().get(1).length(), p.chosen().toString());
        }
    }

    @Test
    void propagatedSlipsAndEveryPairModeWorkOnSyntheticProblems() {
        List<Gsm8kItem> items = Gsm8kSynth.generate(200, 3);
        for (Gsm8kPairs.SlipRule rule : Gsm8kPairs.SlipRule.values())
            for (Gsm8kPairs.Mode mode : Gsm8kPairs.Mode.values()) {
                Gsm8kPairs.Result r = Gsm8kPairs.build(items, "synth", Path.of("synth.jsonl"), mode, 3, rule);
                assertTrue(r.used() >= (rule == Gsm8kPairs.SlipRule.ANSWER ? 200 : 190), rule + " " + mode + ": " + r.summary());
                assertEquals(3 * r.used(), r.pairs().size());
                for (Gsm8kPairs.Pair p : r.pairs()) {
                    for (var side : List.of(new Object[]{p.chosenSide(), p.chosen()}, new Object[]{p.rejectedSide(), p.rejected()})) {
                        Gsm8kPairs.Side sd = (Gsm8kPairs.Side) side[0];
                        String answer = sd.correct() ? p.correctAnswer() : p.wrongAnswer();
                        assertTrue(Gsm8kAnswers.isCorrect((String) side[1], answer), p.id() + "\n" + side[1]);
                    }
                    if (rule == Gsm8kPairs.SlipRule.ANSWER && p.slip() != null) assertEquals("answer", p.slip());
                }
            }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherProblems(@TempDir Path tmp) throws Exception {
        Gsm8kSynth.write(tmp.resolve("a.jsonl"), Gsm8kSynth.generate(200, 5));
        Gsm8kSynth.write(tmp.resolve("b.jsonl"), Gsm8kSynth.generate(200, 5));
        Gsm8kSynth.write(tmp.resolve("c.jsonl"), Gsm8kSynth.generate(200, 6));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a.jsonl")), Files.readAllBytes(tmp.resolve("b.jsonl")));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("a.jsonl")), Files.readAllBytes(tmp.resolve("c.jsonl"))));
        // a longer run extends a shorter one, and the file reads back through the GSM8K reader
        assertEquals(Gsm8kSynth.generate(50, 5), Gsm8kSynth.generate(200, 5).subList(0, 50));
        assertEquals(Gsm8kSynth.generate(200, 5), Gsm8kReader.read(tmp.resolve("a.jsonl")));
        Gsm8kPairs.write(tmp.resolve("p1.jsonl"), Gsm8kPairs.build(Gsm8kSynth.generate(100, 5), "synth", tmp, Gsm8kPairs.Mode.CROSS, 5, Gsm8kPairs.SlipRule.ANSWER).pairs());
        Gsm8kPairs.write(tmp.resolve("p2.jsonl"), Gsm8kPairs.build(Gsm8kSynth.generate(100, 5), "synth", tmp, Gsm8kPairs.Mode.CROSS, 5, Gsm8kPairs.SlipRule.ANSWER).pairs());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("p1.jsonl")), Files.readAllBytes(tmp.resolve("p2.jsonl")));
    }

    @Test
    void rmBenchRowsReadBackThroughTheRmBenchReader(@TempDir Path tmp) {
        List<PreferenceItem> items = Gsm8kSynth.rmBench(Gsm8kSynth.generate(40, 9), 9, Gsm8kPairs.SlipRule.ANSWER);
        Path f = tmp.resolve("synth.jsonl");
        Gsm8kSynth.writeRmBench(f, items);
        List<PreferenceItem> back = RmBenchReader.read(f);
        assertEquals(items.size(), back.size());
        for (int i = 0; i < items.size(); i++) {
            PreferenceItem a = items.get(i), b = back.get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.prompt(), b.prompt());
            assertEquals(a.chosen(), b.chosen());
            assertEquals(a.rejected(), b.rejected());
            assertEquals("math", b.meta().get("domain_group"));
        }
    }
}
