package dev.tare.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded synthetic preference set with a known, injected reward-model bias.
 *
 * <p>Each pair has two responses to the same prompt. Every response gets a hidden true quality q ~ N(0, 1), a
 * length (log-normal, independent of q) and, with probability {@code markdownRate}, markdown formatting
 * (independent of q). The label is decided by true quality alone: the chosen response is the one with higher q.
 * The simulated reward model scores a response as
 * {@code r = q + lengthBias · z(ln chars) + markdownBias · [markdown] + noise · N(0, 1)},
 * where z standardises ln(chars) by the generator's own mean and sd. With no bias injected, length and markdown
 * carry no information about the label, so any correlation between reward and length is the injected bias.
 */
public final class Simulation {
    /** Generator parameters; {@link #defaults()} is what {@code tare demo} runs. */
    public record Config(int pairs, long seed, double lengthBias, double markdownBias, double noise,
                         double markdownRate, double medianChars, double lengthSigma) {
        public Config {
            if (pairs < 2) throw new IllegalArgumentException("pairs must be >= 2, got " + pairs);
            if (!(noise >= 0)) throw new IllegalArgumentException("noise must be >= 0");
            if (!(markdownRate >= 0 && markdownRate <= 1)) throw new IllegalArgumentException("markdownRate must be in [0,1]");
            if (!(medianChars >= 40)) throw new IllegalArgumentException("medianChars must be >= 40");
            if (!(lengthSigma > 0)) throw new IllegalArgumentException("lengthSigma must be > 0");
        }

        public static Config defaults() { return new Config(1000, 20241123L, 0.8, 0.4, 0.5, 0.35, 600, 0.6); }

        public Config withPairs(int n) { return new Config(n, seed, lengthBias, markdownBias, noise, markdownRate, medianChars, lengthSigma); }
        public Config withSeed(long s) { return new Config(pairs, s, lengthBias, markdownBias, noise, markdownRate, medianChars, lengthSigma); }
        public Config withBias(double len, double md) { return new Config(pairs, seed, len, md, noise, markdownRate, medianChars, lengthSigma); }
    }

    /** One simulated response: text, hidden quality, whether it was written with markdown, and its reward. */
    public record Response(String text, double quality, boolean markdown, double reward) {
        public int chars() { return text.length(); }
    }

    /** One pair; {@code chosen} has the higher true quality. */
    public record Pair(String id, String prompt, Response chosen, Response rejected) {}

    private static final String[] WORDS = ("the a this that model answer result value step data method reason case example "
            + "function error input output list table number first second then because however therefore simple "
            + "clear small large correct useful important common general specific quickly carefully often usually "
            + "explain compute check return use write read build test measure compare improve choose consider "
            + "note result approach solution question problem detail summary option rule order part").split(" ");
    private static final String[] TOPICS = {"sorting a list", "a leap year", "compound interest", "photosynthesis",
            "a binary search", "the French Revolution", "unit testing", "prime numbers", "a cover letter", "climate data"};

    private Simulation() {}

    /** Generates the pairs; the same config gives the same pairs. */
    public static List<Pair> generate(Config c) {
        SplittableRandom rnd = new SplittableRandom(c.seed());
        double mu = Math.log(c.medianChars());
        List<Pair> out = new ArrayList<>(c.pairs());
        for (int i = 0; i < c.pairs(); i++) {
            String prompt = "Explain " + TOPICS[rnd.nextInt(TOPICS.length)] + " (case " + (i + 1) + ").";
            Response a = response(rnd, c, mu), b = response(rnd, c, mu);
            if (b.quality() > a.quality()) { Response t = a; a = b; b = t; }
            out.add(new Pair("sim-" + (i + 1), prompt, a, b));
        }
        return out;
    }

    private static Response response(SplittableRandom rnd, Config c, double mu) {
        double q = gaussian(rnd);
        double target = Math.exp(mu + c.lengthSigma() * gaussian(rnd));
        target = Math.max(60, Math.min(6000, target));
        boolean md = rnd.nextDouble() < c.markdownRate();
        String text = text(rnd, (int) target, md);
        double z = (Math.log(text.length()) - mu) / c.lengthSigma();
        double r = q + c.lengthBias() * z + c.markdownBias() * (md ? 1 : 0) + c.noise() * gaussian(rnd);
        return new Response(text, q, md, r);
    }

    private static String text(SplittableRandom rnd, int target, boolean md) {
        StringBuilder sb = new StringBuilder(target + 80);
        if (md) sb.append("## Answer\n\n");
        int sentence = 0;
        while (sb.length() < target) {
            if (md) sb.append(sentence % 3 == 0 ? "- **" : "- ");
            int words = 6 + rnd.nextInt(10);
            for (int w = 0; w < words; w++) {
                String word = WORDS[rnd.nextInt(WORDS.length)];
                if (w == 0) word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                sb.append(word);
                if (md && sentence % 3 == 0 && w == 1) sb.append("**");
                sb.append(w == words - 1 ? "." : " ");
            }
            sb.append(md ? "\n" : " ");
            sentence++;
        }
        return sb.toString().strip();
    }

    /** Standard normal draw (Box–Muller; one value per call keeps the stream simple and reproducible). */
    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
