package dev.tare.metrics.alpacaeval;

import dev.tare.data.alpacaeval.AlpacaLeaderboardRow;

/**
 * One model's AlpacaEval scores: the raw head-to-head metrics, the LC win rate AlpacaEval would report ({@code lc}: its
 * published coefficients where it has them, else {@code fitted}), the refit from the annotations ({@code fitted}), the
 * model's mean answer length in code points and the leaderboard's row for it (null when absent). {@code lc} and
 * {@code fitted} are null when no difficulties could be estimated.
 */
public record AlpacaModelScores(String model, String baseline, AlpacaWinRate raw, LengthControlledGlm.Fit lc,
                                LengthControlledGlm.Fit fitted, double avgLength, AlpacaLeaderboardRow published) {}
