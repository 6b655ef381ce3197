package dev.tare.data.alpacaeval;

/**
 * One judged pair of AlpacaEval's {@code annotations.json}: the baseline's answer ({@code output_1} by
 * {@code generator_1}) against the model's ({@code output_2} by {@code generator_2}). {@code preference} is on
 * AlpacaEval's scale: 1 = the baseline wins, 2 = the model wins, fractions are the weighted judge's probability plus 1;
 * the legacy draw code 0 is read as 1.5, and a null preference (the judge failed) is {@link Double#NaN}.
 */
public record AlpacaAnnotation(String instruction, String dataset, String output1, String generator1, String output2,
                               String generator2, String annotator, double preference) {
    /** The preference as AlpacaEval's probability that the model's answer wins, in [0, 1] (NaN when missing). */
    public double modelWinProbability() { return preference - 1; }

    /** Whether the judge gave a preference (AlpacaEval drops the others from every metric). */
    public boolean judged() { return !Double.isNaN(preference); }
}
