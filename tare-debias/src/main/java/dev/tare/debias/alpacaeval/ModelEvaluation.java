package dev.tare.debias.alpacaeval;

import dev.tare.metrics.stats.Interval;

/**
 * A reward model as the evaluator of one AlpacaEval model, raw and length-calibrated: the reward win rate against the
 * reference answers (percent, ties ½) and the per-example agreement with the GPT-4 judge (percent of the pairs the
 * judge did not tie), each with a bootstrap interval over instructions; {@code lcWinRate} is the judge's LC (NaN if unknown).
 */
public record ModelEvaluation(String model, Interval rawWinRate, Interval calibratedWinRate, Interval rawAgreement,
                              Interval calibratedAgreement, double lcWinRate) {}
