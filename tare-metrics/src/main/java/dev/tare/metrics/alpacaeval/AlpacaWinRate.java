package dev.tare.metrics.alpacaeval;

import dev.tare.data.alpacaeval.AlpacaAnnotation;

import java.util.List;

/**
 * AlpacaEval's head-to-head metrics of one model against the baseline, as its {@code get_winrate} computes them: over
 * the judged pairs, {@code winRate} = 100 · mean(preference − 1) (ties count ½, fractional preferences as they are),
 * {@code standardError} = 100 · the sample standard error (ddof 1) of the same values, wins / baseline wins / draws
 * counted with 0.5 as the cut, and {@code discreteWinRate} with each preference rounded to a win, loss or (exactly 1.5)
 * a draw. All rates in percent.
 */
public record AlpacaWinRate(int nTotal, int nWins, int nWinsBase, int nDraws, double winRate, double standardError,
                            double discreteWinRate) {
    /** The metrics of one model's annotations (pairs without a preference are left out, as AlpacaEval does). */
    public static AlpacaWinRate of(List<AlpacaAnnotation> annotations) {
        double[] p = new double[annotations.size()];
        for (int i = 0; i < p.length; i++) p[i] = annotations.get(i).preference();
        return ofPreferences(p);
    }

    /** The metrics of preferences on AlpacaEval's [1, 2] scale (NaN = not judged, left out). */
    public static AlpacaWinRate ofPreferences(double[] preferences) {
        int n = 0, wins = 0, base = 0, draws = 0;
        double sum = 0, discrete = 0;
        for (double p : preferences) {
            if (Double.isNaN(p)) continue;
            if (p < 1 || p > 2) throw new IllegalArgumentException("preference " + p + " outside [1, 2]");
            double x = p - 1;
            n++;
            sum += x;
            if (x > 0.5) wins++;
            else if (x < 0.5) base++;
            if (p == 1.5) { draws++; discrete += 0.5; }
            else discrete += Math.rint(p) - 1;
        }
        if (n == 0) throw new IllegalArgumentException("no judged pairs");
        double mean = sum / n;
        double ss = 0;
        for (double p : preferences) if (!Double.isNaN(p)) ss += (p - 1 - mean) * (p - 1 - mean);
        double se = n > 1 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : Double.NaN;
        return new AlpacaWinRate(n, wins, base, draws, 100 * mean, 100 * se, 100 * discrete / n);
    }
}
