package dev.tare.debias.alpacaeval;

import dev.tare.metrics.stats.Interval;

/**
 * A reward model (or a pairwise judge) as the evaluator of one AlpacaEval model: the win rate against the reference
 * answers (percent, ties ½) and the per-example agreement with the GPT-4 judge (percent of the pairs the GPT-4 judge did
 * not tie), each with a bootstrap interval over instructions, raw and length-calibrated (the calibrated pair null for a
 * pairwise judge, which is not calibrated); {@code lcWinRate} is the GPT-4 judge's LC (NaN if unknown). {@code pairs} is
 * the number of instructions evaluated, {@code withoutVerdict} how many of them a pairwise judge gave no verdict in
 * either order (excluded from every number; always 0 for a reward model).
 */
public record ModelEvaluation(String model, Interval rawWinRate, Interval calibratedWinRate, Interval rawAgreement,
                              Interval calibratedAgreement, double lcWinRate, int pairs, int withoutVerdict) {}
