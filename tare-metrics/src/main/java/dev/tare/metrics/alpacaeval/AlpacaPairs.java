package dev.tare.metrics.alpacaeval;

import dev.tare.data.alpacaeval.AlpacaAnnotation;

import java.util.List;

/**
 * One model's judged pairs in the form AlpacaEval's length-controlled GLM uses: per instruction the judge's probability
 * that the model wins ({@code preference − 1}, NaN when not judged), the baseline's and the model's answer lengths in
 * Unicode code points (Python's {@code len}), and the length feature tanh((len_baseline − len_model) / sd), sd being
 * the sample standard deviation (ddof 1) of that difference over the model's pairs (0 for the baseline against itself).
 */
public record AlpacaPairs(String model, String baseline, List<String> instructions, double[] winProbability,
                          int[] baselineLength, int[] modelLength, double[] lengthTerm) {
    /** The pairs of one model's annotations file. */
    public static AlpacaPairs of(List<AlpacaAnnotation> annotations) {
        int n = annotations.size();
        double[] y = new double[n], t = new double[n];
        int[] l1 = new int[n], l2 = new int[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            AlpacaAnnotation a = annotations.get(i);
            y[i] = a.modelWinProbability();
            l1[i] = a.output1().codePointCount(0, a.output1().length());
            l2[i] = a.output2().codePointCount(0, a.output2().length());
            mean += l1[i] - l2[i];
        }
        mean /= n;
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (l1[i] - l2[i] - mean) * (l1[i] - l2[i] - mean);
        double sd = Math.sqrt(ss / (n - 1));
        boolean self = annotations.getFirst().generator1().equals(annotations.getFirst().generator2());
        if (!(sd > 0) && !self) throw new IllegalArgumentException(annotations.getFirst().generator2()
                + ": the length difference to the baseline is the same on every pair; the length-controlled GLM needs it to vary");
        for (int i = 0; i < n; i++) t[i] = self ? 0 : Math.tanh((l1[i] - l2[i]) / sd);
        return new AlpacaPairs(annotations.getFirst().generator2(), annotations.getFirst().generator1(),
                annotations.stream().map(AlpacaAnnotation::instruction).toList(), y, l1, l2, t);
    }

    /** The number of pairs. */
    public int size() { return instructions.size(); }

    /** The baseline's mean answer length in code points. */
    public double meanBaselineLength() {
        double s = 0;
        for (int v : baselineLength) s += v;
        return s / baselineLength.length;
    }

    /** The model's mean answer length in code points. */
    public double meanModelLength() {
        double s = 0;
        for (int v : modelLength) s += v;
        return s / modelLength.length;
    }
}
